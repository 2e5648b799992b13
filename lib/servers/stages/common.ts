/** What the server stages share: their context type, typed outputs, and cloud errors they raise. */
import { AppError, isAppError } from '../../core/errors';
import type { Stage, StageCtx } from '../../jobs';
import type { ServerActivities } from '../activities';
import type { ServerRecord } from '../model';

export type ServerStage = Stage<ServerRecord, ServerActivities>;
export type Ctx = StageCtx<ServerRecord, ServerActivities>;

/** A refusal the user must fix, shaped like the cloud's own (its code, a hint). */
export function rejected(code: string, message: string, hint: string, detail?: unknown): AppError {
  return new AppError('CloudRejected', message, {
    cloud: { code, hint },
    ...(detail !== undefined ? { details: [detail] } : {}),
  });
}

/** True when `e` is the cloud refusing with one of `codes` (exact, or a prefix ending in `.`). */
export function cloudCodeIs(e: unknown, ...codes: string[]): boolean {
  const c = isAppError(e) ? e.cloud?.code : undefined;
  return !!c && codes.some((x) => (x.endsWith('.') ? c.startsWith(x) : c === x));
}

/** The output a done stage left, typed by the reader. */
export const out = <T>(c: Pick<Ctx, 'outputs'>, stage: string) => c.outputs[stage] as T | undefined;

export interface PreflightOut {
  /** Zones to try, in order: in stock for the type (the first is the default). */
  zones: string[];
  keyPairName: string;
  imageId: string;
  /** `existing` mode: the given network, checked. */
  existing?: { vpcId: string; vSwitchId: string; zoneId: string; routeTableId?: string; cidrBlock: string };
  /** Quota reads (null where the account may not read Quota Center). */
  quota: { vpcs: { used: number; limit: number } | null; eips: { used: number; limit: number } | null };
}

export interface VpcOut {
  vpcId: string;
  vRouterId?: string;
  routeTableId?: string;
  cidrBlock: string;
  /** This server created it (dedicated), so a delete with releaseNetwork removes it. */
  owned: boolean;
}

export interface VSwitchOut {
  vSwitchId: string;
  zoneId: string;
  owned: boolean;
}

export interface InstanceOut {
  instanceId: string;
  zoneId: string;
  vSwitchId: string;
  /** VSwitches created on the way (a zone fallback), all owned by this server in dedicated mode. */
  createdVSwitchIds: string[];
}

export interface RunningOut {
  privateIp?: string;
  publicIp?: string;
  status: string;
}

export interface PublicIpOut {
  eipAllocationId?: string;
  publicIp?: string;
}

export interface RouteOut {
  routeEntryId: string;
}

export interface BootstrapOut {
  invocationId: string;
  status: string;
  exitCode: number | null;
  outputTail: string;
}

/** The network the instance stages use: the VPC and VSwitch stages' outputs, or the checked existing ones. */
export function networkOf(c: Pick<Ctx, 'outputs'>): { vpc: VpcOut; vSwitch: VSwitchOut } {
  const pre = out<PreflightOut>(c, 'preflight');
  if (pre?.existing) {
    const e = pre.existing;
    return {
      vpc: {
        vpcId: e.vpcId,
        cidrBlock: e.cidrBlock,
        owned: false,
        ...(e.routeTableId ? { routeTableId: e.routeTableId } : {}),
      },
      vSwitch: { vSwitchId: e.vSwitchId, zoneId: e.zoneId, owned: false },
    };
  }
  const vpc = out<VpcOut>(c, 'vpc');
  const vSwitch = out<VSwitchOut>(c, 'vswitch');
  if (!vpc || !vSwitch) throw new AppError('Internal', 'the network stages have no output');
  return { vpc, vSwitch };
}
