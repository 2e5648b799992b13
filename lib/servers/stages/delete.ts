/**
 * The delete stages mirror the build: the route, the EIP (unassociate, release), the instance
 * (Force), then — with `releaseNetwork` — the security group, the VSwitches and the VPC this
 * server created, each retried on `DependencyViolation*` until gone. What to delete is what the
 * build recorded plus whatever carries this server's tag (a stage that crashed before recording
 * its output still tagged what it made); never a resource without the tag or one it did not
 * create (an `existing` network, the shared VPC).
 */
import { clientToken } from '../../cloud/client-token';
import { isCloudKind } from '../../cloud/errors';
import type { Tag } from '../../cloud/types';
import { TAG_SERVER } from '../activities';
import { routeLockName } from './finish';
import type { Ctx, ServerStage } from './common';
import { cloudCodeIs } from './common';
import { waitFor } from '../waits';

const mine = (c: Pick<Ctx, 'record'>): Tag[] => [{ key: TAG_SERVER, value: c.record.id }];
const uniq = (ids: Array<string | undefined>) => [...new Set(ids.filter((x): x is string => !!x))];
const releasing = ({ record }: Pick<Ctx, 'record'>) => record.deleteOptions?.releaseNetwork === true;
/** Codes that mean "something still uses it, or it is mid-change": look again later. */
const BUSY = [
  'DependencyViolation.',
  'DependencyViolation',
  'IncorrectInstanceStatus',
  'IncorrectInstanceStatus.',
  'IncorrectVpcStatus',
  'IncorrectVSwitchStatus',
  'IncorrectEipStatus',
  'TaskConflict',
  'OperationConflict',
  'IncorrectStatus.',
  'IncorrectRouteEntryStatus',
];

/** Runs a delete; gone already counts as done, busy as "not yet". */
async function tryDelete(call: () => Promise<unknown>): Promise<'gone' | 'busy' | 'sent'> {
  try {
    await call();
    return 'sent';
  } catch (e) {
    if (isCloudKind(e, 'not-found')) return 'gone';
    if (cloudCodeIs(e, ...BUSY)) return 'busy';
    throw e;
  }
}

export const routeDelete: ServerStage = {
  name: 'route-delete',
  when: ({ record }) => record.spec.route !== undefined,
  async run(c) {
    const act = await c.act();
    const { vpc } = act.cloud;
    const r = c.record.resources;
    const instanceId = r.instanceId;
    if (!r.routeTableId || !instanceId || !r.vpcId) return { done: {} };
    const destinationCidrBlock = c.record.spec.route!.destinationCidr;
    const entries = (await vpc.describeRouteEntryList({ routeTableId: r.routeTableId, destinationCidrBlock })).filter(
      (e) => e.nextHops.some((h) => h.nextHopId === instanceId),
    );
    if (entries.length === 0) {
      await act.unlock(routeLockName(r.vpcId));
      return { done: {} };
    }
    if (!(await act.lock(routeLockName(r.vpcId), 60_000)))
      return waitFor('routeLock', c.attempt, 'another route change in the VPC');
    for (const e of entries) {
      if (e.status !== 'Available') continue;
      await tryDelete(() =>
        vpc.deleteRouteEntry({
          routeTableId: r.routeTableId!,
          ...(e.routeEntryId ? { routeEntryId: e.routeEntryId } : {}),
          destinationCidrBlock,
          nextHopId: instanceId,
        }),
      );
    }
    return waitFor('networkGone', c.attempt, 'route being deleted');
  },
};

export const eipRelease: ServerStage = {
  name: 'eip-release',
  when: ({ record }) => record.spec.publicIp.type === 'eip',
  async run(c) {
    const act = await c.act();
    const { vpc } = act.cloud;
    const tagged = await vpc.describeEips({ tags: mine(c) });
    const ids = uniq([c.record.resources.eipAllocationId, ...tagged.map((e) => e.allocationId)]);
    let left = 0;
    for (const allocationId of ids) {
      const [eip] = await vpc.describeEips({ allocationId });
      if (!eip) continue;
      left++;
      if (eip.status === 'InUse' && eip.instanceId) {
        await tryDelete(() =>
          vpc.unassociateEip({
            allocationId,
            instanceId: eip.instanceId!,
            clientToken: clientToken(c.token, allocationId, 'unassociate'),
          }),
        );
      } else if (eip.status === 'Available') {
        if ((await tryDelete(() => vpc.releaseEip({ allocationId }))) === 'gone') left--;
      }
    }
    return left === 0
      ? { done: { released: ids } }
      : waitFor('networkGone', c.attempt, `${left} EIP(s) being released`);
  },
};

export const instanceDelete: ServerStage = {
  name: 'instance-delete',
  async run(c) {
    const act = await c.act();
    const { ecs } = act.cloud;
    const tagged = await ecs.describeInstances({ tags: mine(c) });
    const ids = uniq([c.record.resources.instanceId, ...tagged.map((i) => i.instanceId)]);
    const live = ids.length ? await ecs.describeInstances({ instanceIds: ids }) : [];
    if (live.length === 0) return { done: { deleted: ids } };
    for (const i of live) await tryDelete(() => ecs.deleteInstance({ instanceId: i.instanceId, force: true }));
    return waitFor('instanceGone', c.attempt, `${live.length} instance(s) being deleted`);
  },
};

export const securityGroupDelete: ServerStage = {
  name: 'security-group-delete',
  when: releasing,
  async run(c) {
    const act = await c.act();
    const { ecs } = act.cloud;
    const tagged = await ecs.describeSecurityGroups({ tags: mine(c) });
    const ids = uniq([c.record.resources.securityGroupId, ...tagged.map((g) => g.securityGroupId)]);
    const left = ids.length ? await ecs.describeSecurityGroups({ securityGroupIds: ids }) : [];
    if (left.length === 0) return { done: { deleted: ids } };
    let busy = false;
    for (const g of left)
      busy =
        (await tryDelete(() => ecs.deleteSecurityGroup({ securityGroupId: g.securityGroupId }))) === 'busy' || busy;
    return waitFor(
      busy ? 'dependency' : 'networkGone',
      c.attempt,
      busy ? 'the security group is still in use' : 'security group being deleted',
    );
  },
};

/** Owned: created for this server (dedicated mode). Never the shared network or a given one. */
const owned = (c: Pick<Ctx, 'record'>) => releasing(c) && c.record.spec.network.mode === 'dedicated';

export const vSwitchDelete: ServerStage = {
  name: 'vswitch-delete',
  when: owned,
  async run(c) {
    const act = await c.act();
    const { vpc } = act.cloud;
    const tagged = await vpc.describeVSwitches({ tags: mine(c) });
    const ids = uniq([...(c.record.resources.createdVSwitchIds ?? []), ...tagged.map((s) => s.vSwitchId)]);
    let left = 0;
    let busy = false;
    for (const vSwitchId of ids) {
      const [sw] = await vpc.describeVSwitches({ vSwitchId });
      if (!sw) continue;
      left++;
      if (sw.status === 'Available')
        busy = (await tryDelete(() => vpc.deleteVSwitch({ vSwitchId }))) === 'busy' || busy;
    }
    if (left === 0) return { done: { deleted: ids } };
    return waitFor(
      busy ? 'dependency' : 'networkGone',
      c.attempt,
      busy ? 'the VSwitch is still in use' : `${left} VSwitch(es) being deleted`,
    );
  },
};

export const vpcDelete: ServerStage = {
  name: 'vpc-delete',
  when: owned,
  async run(c) {
    const act = await c.act();
    const { vpc } = act.cloud;
    const tagged = await vpc.describeVpcs({ tags: mine(c) });
    const ids = uniq([
      c.record.resources.ownsVpc ? c.record.resources.vpcId : undefined,
      ...tagged.map((v) => v.vpcId),
    ]);
    const left = ids.length ? await vpc.describeVpcs({ vpcIds: ids }) : [];
    if (left.length === 0) return { done: { deleted: ids } };
    let busy = false;
    for (const v of left) {
      if (v.status !== 'Available') continue;
      busy =
        (await tryDelete(() => vpc.deleteVpc({ vpcId: v.vpcId, clientToken: clientToken(c.token, v.vpcId) }))) ===
          'busy' || busy;
    }
    return waitFor(
      busy ? 'dependency' : 'networkGone',
      c.attempt,
      busy ? 'the VPC is still in use' : 'VPC being deleted',
    );
  },
};

export const deletedStage: ServerStage = {
  name: 'deleted',
  async run() {
    return { done: {} };
  },
};
