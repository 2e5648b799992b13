/**
 * A server: its spec (what the user asked for), the job building, changing or deleting it (on
 * the record, run by lib/jobs), and what exists in the cloud because of it (`resources`).
 */
import type { JobError, JobFields, JobState } from '../jobs';

export type NetworkMode = 'dedicated' | 'shared' | 'existing';
export type PublicIpType = 'eip' | 'ephemeral' | 'none';
export type Operation = 'create' | 'delete' | 'start' | 'stop' | 'reboot';
export type ServerStatus = 'queued' | 'provisioning' | 'ready' | 'failed' | 'deleting' | 'deleted';

export interface IngressRule {
  protocol: 'tcp' | 'udp' | 'icmp';
  /** `80/80`, `8000/8080`; `-1/-1` for icmp. */
  portRange: string;
  sourceCidr: string;
}

/** The validated request of POST /v1/servers, defaults filled in. */
export interface ServerSpec {
  accountId: string;
  regionId: string;
  name: string;
  instanceType: string;
  imageId: string;
  /** Default: the account's key pair for the region (`sshKeys[regionId]`). */
  keyPairName?: string;
  /** Default: the first zone (by id) with the instance type in stock. */
  zoneId?: string;
  network: { mode: NetworkMode; vpcId?: string; vSwitchId?: string; cidrBlock?: string };
  ingress: IngressRule[];
  publicIp: { type: PublicIpType; bandwidthMbps: number };
  systemDisk?: { category?: string; sizeGiB?: number };
  userData?: string;
  tags: Record<string, string>;
  route?: { destinationCidr: string };
  bootstrap?: { script: string; aptMirror: 'auto' | 'off'; timeoutSeconds: number };
  notify?: { function: string };
}

/** What exists in the cloud because of this server (ids as Alibaba gives them). */
export interface Resources {
  zoneId?: string;
  vpcId?: string;
  vRouterId?: string;
  routeTableId?: string;
  vSwitchId?: string;
  /** Every VSwitch this server created (a zone fallback may create more than one). */
  createdVSwitchIds?: string[];
  securityGroupId?: string;
  instanceId?: string;
  eipAllocationId?: string;
  publicIp?: string;
  privateIp?: string;
  routeEntryId?: string;
  /** Which of the network this server created (and may release): `dedicated` mode only. */
  ownsVpc?: boolean;
}

export interface BootstrapResult {
  invocationId: string;
  status: string;
  exitCode: number | null;
  /** The output's last 4 KiB. */
  outputTail: string;
}

/** One past operation, for the server's history. */
export interface OperationRecord {
  operation: Operation;
  /** `superseded`: another operation (a delete) replaced it while it ran. */
  status: JobState['status'] | 'superseded';
  startedAtMs: number;
  endedAtMs?: number;
  error?: JobError;
}

export interface ServerRecord extends JobFields {
  id: string;
  accountId: string;
  regionId: string;
  name: string;
  spec: ServerSpec;
  status: ServerStatus;
  /** The current (or last) operation, whose stages the record shows. */
  operation: Operation;
  resources: Resources;
  /** The instance's power state as last seen (`Running`, `Stopped`, …). */
  instanceStatus?: string;
  bootstrap?: BootstrapResult;
  error?: JobError;
  /** Operations before the current one, newest last (at most 20). */
  history: OperationRecord[];
  /** Set by DELETE: what the delete job releases besides the instance and the EIP. */
  deleteOptions?: { releaseNetwork: boolean };
  /** Jobs started so far; the next job's id is `<id>.<jobSeq + 1>`. */
  jobSeq: number;
  /** Who asked for it (token id / `invoke`). */
  createdBy: string;
  createdAtMs: number;
  updatedAtMs: number;
  deletedAtMs?: number;
}

/** The server object of docs/API.md §1. */
export function serverView(r: ServerRecord) {
  const job = r.job;
  return {
    id: r.id,
    accountId: r.accountId,
    regionId: r.regionId,
    name: r.name,
    status: r.status,
    operation: r.operation,
    stage: job?.stage ?? null,
    stages: (job?.stages ?? []).map((s) => ({
      name: s.name,
      status: s.status,
      attempts: s.attempts,
      startedAt: s.startedAtMs ?? null,
      endedAt: s.endedAtMs ?? null,
      ...(s.waitWhy ? { waitingFor: s.waitWhy } : {}),
      ...(s.error ? { error: s.error } : {}),
    })),
    resources: {
      zoneId: r.resources.zoneId ?? null,
      vpcId: r.resources.vpcId ?? null,
      vSwitchId: r.resources.vSwitchId ?? null,
      securityGroupId: r.resources.securityGroupId ?? null,
      instanceId: r.resources.instanceId ?? null,
      eipAllocationId: r.resources.eipAllocationId ?? null,
      publicIp: r.resources.publicIp ?? null,
      privateIp: r.resources.privateIp ?? null,
      routeEntryId: r.resources.routeEntryId ?? null,
    },
    instanceStatus: r.instanceStatus ?? null,
    ...(r.bootstrap ? { bootstrap: r.bootstrap } : {}),
    ...(r.error ? { error: r.error } : {}),
    spec: specView(r.spec),
    history: r.history,
    createdAt: r.createdAtMs,
    updatedAt: r.updatedAtMs,
  };
}

/** The spec as shown: the bootstrap script and user data are not echoed (they may hold secrets). */
function specView(s: ServerSpec) {
  const { userData, bootstrap, ...rest } = s;
  return {
    ...rest,
    ...(userData !== undefined ? { userData: { bytes: Buffer.byteLength(userData) } } : {}),
    ...(bootstrap
      ? {
          bootstrap: {
            aptMirror: bootstrap.aptMirror,
            timeoutSeconds: bootstrap.timeoutSeconds,
            scriptBytes: Buffer.byteLength(bootstrap.script),
          },
        }
      : {}),
  };
}

/** Statuses that may still hold cloud resources (an account with such servers cannot be deleted). */
export const LIVE_STATUSES: ReadonlySet<ServerStatus> = new Set([
  'queued',
  'provisioning',
  'ready',
  'failed',
  'deleting',
]);
