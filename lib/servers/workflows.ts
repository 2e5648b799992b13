/**
 * The server's jobs: build (`server.create`), delete (`server.delete`) and power actions
 * (`server.power`), each a list of stages run by lib/jobs through the provision function, and
 * what their progress means for the server record (status, resources, bootstrap, error).
 */
import type { JobState, Workflow } from '../jobs';
import * as T from '../store/tables';
import { type ActivityDeps, type ServerActivities, serverActivities } from './activities';
import type { Resources, ServerRecord } from './model';
import { statusOf } from './status';
import type {
  BootstrapOut,
  InstanceOut,
  PreflightOut,
  PublicIpOut,
  RouteOut,
  RunningOut,
  VpcOut,
  VSwitchOut,
} from './stages/common';
import {
  deletedStage,
  eipRelease,
  instanceDelete,
  routeDelete,
  securityGroupDelete,
  vpcDelete,
  vSwitchDelete,
} from './stages/delete';
import { type BootstrapProgress, bootstrapStage, notifyStage, readyStage, routeStage } from './stages/finish';
import { instanceRunning, instanceStage, publicIpStage } from './stages/instance';
import { securityGroupStage, vpcStage, vSwitchStage } from './stages/network';
import { powerStage } from './stages/power';
import { preflight } from './stages/preflight';

export const PROVISION = { fn: 'provision', action: 'provision.step' } as const;

/** What the build's outputs say exists in the cloud. */
export function resourcesOf(job: JobState, before: Resources = {}): Resources {
  const o = job.outputs;
  const pre = o.preflight as PreflightOut | undefined;
  const vpc = o.vpc as VpcOut | undefined;
  const sw = o.vswitch as VSwitchOut | undefined;
  const inst = o.instance as InstanceOut | undefined;
  const run = o['instance-running'] as RunningOut | undefined;
  const ip = o['public-ip'] as PublicIpOut | undefined;
  const route = o.route as RouteOut | undefined;
  const sg = o['security-group'] as { securityGroupId: string } | undefined;
  const r: Resources = { ...before };
  const set = <K extends keyof Resources>(k: K, v: Resources[K] | undefined) => {
    if (v !== undefined) r[k] = v;
  };
  set('zoneId', inst?.zoneId ?? sw?.zoneId ?? pre?.existing?.zoneId ?? pre?.zones[0]);
  set('vpcId', vpc?.vpcId ?? pre?.existing?.vpcId);
  set('vRouterId', vpc?.vRouterId);
  set('routeTableId', vpc?.routeTableId ?? pre?.existing?.routeTableId);
  set('ownsVpc', vpc ? vpc.owned : pre?.existing ? false : undefined);
  set('vSwitchId', inst?.vSwitchId ?? sw?.vSwitchId ?? pre?.existing?.vSwitchId);
  set('createdVSwitchIds', inst?.createdVSwitchIds ?? (sw?.owned ? [sw.vSwitchId] : undefined));
  set('securityGroupId', sg?.securityGroupId);
  set('instanceId', inst?.instanceId);
  set('privateIp', run?.privateIp);
  set('publicIp', ip?.publicIp ?? run?.publicIp);
  set('eipAllocationId', ip?.eipAllocationId);
  set('routeEntryId', route?.routeEntryId);
  return r;
}

function project(r: ServerRecord, job: JobState, nowMs: number): Partial<ServerRecord> {
  const out: Partial<ServerRecord> = { status: statusOf(r, job), updatedAtMs: nowMs, error: job.error };
  if (job.kind === 'server.create') out.resources = resourcesOf(job, r.resources);
  const bootStage = job.stages.find((s) => s.name === 'bootstrap');
  const running = bootStage?.status === 'waiting' ? (bootStage.progress as BootstrapProgress | undefined) : undefined;
  const boot =
    (job.outputs.bootstrap as BootstrapOut | undefined) ??
    (bootStage?.error?.details as BootstrapOut[] | undefined)?.[0] ??
    (running?.invokeId
      ? { invocationId: running.invokeId, status: running.status, exitCode: null, outputTail: running.outputTail ?? '' }
      : undefined);
  if (boot) out.bootstrap = boot;
  const seen =
    (job.outputs.ready as { instanceStatus?: string } | undefined)?.instanceStatus ??
    (job.outputs.power as { instanceStatus?: string } | undefined)?.instanceStatus;
  if (seen) out.instanceStatus = seen;
  if (job.kind === 'server.delete' && job.status === 'succeeded') {
    out.instanceStatus = undefined;
    out.deletedAtMs = nowMs;
  }
  return out;
}

export type ServerWorkflow = Workflow<ServerRecord, ServerActivities>;

/** The server workflows, their activities built from `deps` for each invocation. */
export function serverWorkflows(deps: ActivityDeps): ServerWorkflow[] {
  const base = {
    table: T.servers,
    ...PROVISION,
    activities: (r: ServerRecord) => serverActivities(r, deps),
    project,
    finally: notifyStage,
  };
  return [
    {
      ...base,
      kind: 'server.create',
      stages: [
        preflight,
        vpcStage,
        vSwitchStage,
        securityGroupStage,
        instanceStage,
        instanceRunning,
        publicIpStage,
        routeStage,
        bootstrapStage,
        readyStage,
      ],
    },
    {
      ...base,
      kind: 'server.delete',
      stages: [routeDelete, eipRelease, instanceDelete, securityGroupDelete, vSwitchDelete, vpcDelete, deletedStage],
    },
    { ...base, kind: 'server.power', stages: [powerStage] },
  ];
}

/** Stage names of a workflow, for docs and tests. */
export const stageNames = (wf: Pick<ServerWorkflow, 'stages'>) => wf.stages.map((s) => s.name);
