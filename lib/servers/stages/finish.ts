/**
 * The last create stages: `route` (only when asked: one route change per VPC at a time, through
 * a lock; the cloud's own "busy" answers wait too), `bootstrap` (only with a script: Cloud
 * Assistant `RunCommand`, its exit code and the output's last 4 KiB kept on the server), `ready`,
 * and `notify` (the spec's function, when the job ends either way).
 */
import { clientToken } from '../../cloud/client-token';
import { serverView } from '../model';
import { statusOf } from '../status';
import { waitFor, waitWith } from '../waits';
import {
  type BootstrapOut,
  cloudCodeIs,
  type InstanceOut,
  networkOf,
  out,
  rejected,
  type RouteOut,
  type ServerStage,
} from './common';

/** A route lock outlives a route's Pending time many times over, and frees itself if its holder dies. */
const ROUTE_LOCK_MS = 60_000;
/** What the cloud answers while another route change in the VPC is under way. */
const ROUTE_BUSY = [
  'TaskConflict',
  'IncorrectRouteEntryStatus',
  'IncorrectStatus.RouteTableStatus',
  'OperationConflict',
];

export const routeLockName = (vpcId: string) => `route#${vpcId}`;

export const routeStage: ServerStage = {
  name: 'route',
  when: ({ record }) => record.spec.route !== undefined,
  async run(c) {
    const act = await c.act();
    const { vpc: net } = networkOf(c);
    const { instanceId } = out<InstanceOut>(c, 'instance')!;
    const routeTableId = net.routeTableId;
    if (!routeTableId) throw rejected('InvalidRouteTableId.NotFound', 'the VPC has no route table', 'check the VPC');
    const destinationCidrBlock = c.record.spec.route!.destinationCidr;
    const lock = routeLockName(net.vpcId);
    if (!(await act.lock(lock, ROUTE_LOCK_MS)))
      return waitFor('routeLock', c.attempt, 'another route change in the VPC');
    try {
      await act.cloud.vpc.createRouteEntry({
        routeTableId,
        destinationCidrBlock,
        nextHopId: instanceId,
        nextHopType: 'Instance',
        routeEntryName: `fleet-${c.record.spec.name}`,
        clientToken: clientToken(c.token),
      });
    } catch (e) {
      if (cloudCodeIs(e, ...ROUTE_BUSY))
        return waitFor('routeLock', c.attempt, 'the VPC is busy with another route change');
      if (!cloudCodeIs(e, 'RouterEntryConflict.Duplicated', 'InvalidCIDRBlock.Duplicate')) {
        await act.unlock(lock);
        throw e;
      }
    }
    const entries = await act.cloud.vpc.describeRouteEntryList({ routeTableId, destinationCidrBlock });
    const mine = entries.find((e) => e.nextHops.some((h) => h.nextHopId === instanceId));
    if (!mine) {
      await act.unlock(lock);
      throw rejected(
        'RouterEntryConflict.Duplicated',
        `${destinationCidrBlock} is already routed elsewhere in ${routeTableId}`,
        'pick another destination, or remove the other route first',
      );
    }
    if (mine.status !== 'Available') return waitFor('routeAvailable', c.attempt, `route ${mine.status}`);
    await act.unlock(lock);
    const result: RouteOut = { routeEntryId: mine.routeEntryId ?? `${routeTableId}:${destinationCidrBlock}` };
    return { done: result };
  },
};

/** Mainland-China regions, where package downloads from outside China often fail (the seed's known failure). */
const inMainland = (regionId: string) => regionId.startsWith('cn-') && regionId !== 'cn-hongkong';

/** Points apt's Ubuntu and Debian sources (classic and deb822) at Alibaba's VPC-internal mirror. */
export const APT_MIRROR_PRELUDE = `# alicloud-fleet: apt from Alibaba Cloud's intranet mirror first
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && sed -i -E 's#https?://(archive\\.ubuntu\\.com|security\\.ubuntu\\.com|[a-z]{2}\\.archive\\.ubuntu\\.com|deb\\.debian\\.org|security\\.debian\\.org|mirrors\\.aliyun\\.com)/#http://mirrors.cloud.aliyuncs.com/#g' "$f"
done
`;

/** The script Cloud Assistant runs: the user's, after the mirror prelude where it helps. */
export function bootstrapScript(regionId: string, b: { script: string; aptMirror: 'auto' | 'off' }): string {
  return b.aptMirror === 'auto' && inMainland(regionId) ? `${APT_MIRROR_PRELUDE}\n${b.script}` : b.script;
}

const TAIL_BYTES = 4096;
const tail = (s: string) => {
  const b = Buffer.from(s, 'utf8');
  return b.length <= TAIL_BYTES ? s : b.subarray(b.length - TAIL_BYTES).toString('utf8');
};
/** A running script, as the bootstrap stage's wait remembers it. */
export interface BootstrapProgress {
  invokeId: string;
  status: string;
  outputTail: string;
}
const FINISHED = new Set(['Success', 'Failed', 'Timeout', 'Aborted', 'Invalid', 'Error', 'Cancelled', 'Terminated']);

export const bootstrapStage: ServerStage = {
  name: 'bootstrap',
  when: ({ record }) => record.spec.bootstrap !== undefined,
  async run(c) {
    const b = c.record.spec.bootstrap!;
    const act = await c.act();
    const { instanceId } = out<InstanceOut>(c, 'instance')!;
    // Sent once per run of the job (the progress remembers it); a retry after a failed script
    // sends it again: the token changes with each resume.
    const invokeId =
      (c.progress as BootstrapProgress | undefined)?.invokeId ??
      (
        await act.cloud.ecs.runCommand({
          instanceIds: [instanceId],
          script: bootstrapScript(c.record.regionId, b),
          name: `fleet-bootstrap-${c.record.id}`,
          timeoutSeconds: b.timeoutSeconds,
          clientToken: clientToken(c.token, String(c.job.resumedAtMs ?? 0)),
        })
      ).invokeId;
    const [r] = await act.cloud.ecs.describeInvocationResults({ invokeId, instanceId });
    if (!r || !FINISHED.has(r.invocationStatus)) {
      // The progress is also what the server shows while the script runs (its output so far).
      const status = r?.invocationStatus ?? 'Pending';
      const progress: BootstrapProgress = { invokeId, status, outputTail: tail(r?.output ?? '') };
      return waitWith(progress, 'command', c.attempt, `script ${status}`);
    }
    const result: BootstrapOut = {
      invocationId: invokeId,
      status: r.invocationStatus,
      exitCode: Number.isFinite(r.exitCode) ? r.exitCode : null,
      outputTail: tail(r.output),
    };
    if (r.invocationStatus !== 'Success') {
      return {
        fail: rejected(
          r.errorCode || 'ExitCodeNonzero',
          r.invocationStatus === 'Failed'
            ? `the bootstrap script exited with code ${r.exitCode}`
            : `the bootstrap script did not finish: ${r.invocationStatus}${r.errorInfo ? ` (${r.errorInfo})` : ''}`,
          'see bootstrap.outputTail; fix the script or the server, then POST /v1/servers/{id}/retry',
          result,
        ),
      };
    }
    return { done: result };
  },
};

export const readyStage: ServerStage = {
  name: 'ready',
  async run(c) {
    const act = await c.act();
    const { instanceId } = out<InstanceOut>(c, 'instance')!;
    const [i] = await act.cloud.ecs.describeInstances({ instanceIds: [instanceId] });
    if (!i)
      throw rejected(
        'InvalidInstanceId.NotFound',
        `instance ${instanceId} is gone`,
        'it was deleted outside this product; delete the server',
      );
    return { done: { instanceStatus: i.status } };
  },
};

/** Tells the spec's function how the job ended; a function that cannot be invoked fails this stage only. */
export const notifyStage: ServerStage = {
  name: 'notify',
  when: ({ record }) => record.spec.notify !== undefined,
  maxFailures: 5,
  async run(c) {
    const act = await c.act();
    const status = c.job.ending?.status ?? 'succeeded';
    const event = `server.${c.record.operation}.${status}`;
    // One notification per ending: a resumed job that ends again notifies again.
    const taskId = `${c.job.id}-notify-${status}-${c.job.resumedAtMs ?? 0}`.replace(/[^A-Za-z0-9_-]/g, '_');
    // The server as it is once this ends (the record still says the job runs).
    const server = {
      ...serverView(c.record),
      status: statusOf(c.record, c.job, status),
      ...(c.job.ending?.error ? { error: c.job.ending.error } : {}),
    };
    await act.notify(c.record.spec.notify!.function, { event, server }, taskId);
    return { done: { sent: true, event } };
  },
};
