/**
 * `vpc` and `vswitch`: the server's network. `dedicated` creates a VPC and a VSwitch for this
 * server (the seed's behaviour); `shared` finds or creates one managed VPC per account and region
 * and one VSwitch per zone, under a lock so two builds never create two; `existing` skips both
 * (preflight checked the given ids). Every create carries a ClientToken from the job and stage,
 * so a re-run after a crash or a poll returns the same resource.
 */
import { clientToken } from '../../cloud/client-token';
import type { Tag } from '../../cloud/types';
import { TAG_MANAGED, TAG_SHARED } from '../activities';
import { formatCidr, parseCidr } from '../schema';
import { waitFor, waitWith } from '../waits';
import type { Ctx, PreflightOut, ServerStage, VpcOut, VSwitchOut } from './common';
import { networkOf, out } from './common';

const DEDICATED_CIDR = '10.0.0.0/16';
const SHARED_CIDR = '172.16.0.0/16';
/** A lock outlives any single run of these stages, and frees itself if a build dies holding it. */
const LOCK_MS = 120_000;

/** The `n`-th /24 inside `vpcCidr` (the VPC itself when it is a /24 and n = 0). */
export function subnet(vpcCidr: string, n: number): string | undefined {
  const c = parseCidr(vpcCidr);
  if (!c) return undefined;
  if (c.prefix === 24) return n === 0 ? vpcCidr : undefined;
  if (n >= 2 ** (24 - c.prefix)) return undefined;
  return formatCidr(c.base + n * 256, 24);
}

const sharedTags = (accountId: string): Tag[] => [
  { key: TAG_MANAGED, value: 'true' },
  { key: TAG_SHARED, value: accountId },
];

const notExisting = ({ record }: Pick<Ctx, 'record'>) => record.spec.network.mode !== 'existing';

export const vpcStage: ServerStage = {
  name: 'vpc',
  when: notExisting,
  async run(c) {
    const { spec } = c.record;
    const act = await c.act();
    const { vpc } = act.cloud;
    if (spec.network.mode === 'shared') return sharedVpc(c);
    const cidrBlock = spec.network.cidrBlock ?? DEDICATED_CIDR;
    // Created on the first run; later runs only look (the ClientToken would return the same VPC anyway).
    const made =
      (c.progress as { vpcId: string; vRouterId: string; routeTableId: string } | undefined) ??
      (await vpc.createVpc({
        cidrBlock,
        vpcName: `fleet-${spec.name}`,
        description: `alicloud-fleet server ${c.record.id}`,
        tags: act.tags,
        clientToken: clientToken(c.token),
      }));
    const [now] = await vpc.describeVpcs({ vpcIds: [made.vpcId] });
    if (now?.status !== 'Available')
      return waitWith(made, 'vpcAvailable', c.attempt, `VPC ${made.vpcId} ${now?.status ?? 'Pending'}`);
    const result: VpcOut = { ...made, cidrBlock, owned: true };
    return { done: result };
  },
};

/** The account's shared VPC in this region: found by its tag, or created once under a lock. */
async function sharedVpc(c: Ctx) {
  const act = await c.act();
  const { vpc } = act.cloud;
  const { accountId, regionId } = c.record;
  const lock = `shared-vpc#${accountId}#${regionId}`;
  const found = async () => (await vpc.describeVpcs({ tags: [{ key: TAG_SHARED, value: accountId }] }))[0];
  let shared = await found();
  if (!shared) {
    if (!(await act.lock(lock, LOCK_MS)))
      return waitFor('sharedLock', c.attempt, 'another build creates the shared VPC');
    shared = await found();
    if (!shared) {
      const made = await vpc.createVpc({
        cidrBlock: SHARED_CIDR,
        vpcName: 'fleet-shared',
        description: 'alicloud-fleet shared network',
        tags: sharedTags(accountId),
        // The same token for every build of this account and region: one VPC even without the lock.
        clientToken: clientToken('shared-vpc', accountId, regionId),
      });
      [shared] = await vpc.describeVpcs({ vpcIds: [made.vpcId] });
    }
  }
  if (shared?.status !== 'Available') {
    return waitFor(
      'vpcAvailable',
      c.attempt,
      `shared VPC ${shared?.vpcId ?? ''} ${shared?.status ?? 'Pending'}`.trim(),
    );
  }
  await act.unlock(lock);
  const result: VpcOut = {
    vpcId: shared.vpcId,
    vRouterId: shared.vRouterId,
    ...(shared.routeTableIds[0] ? { routeTableId: shared.routeTableIds[0] } : {}),
    cidrBlock: shared.cidrBlock,
    owned: false,
  };
  return { done: result };
}

/**
 * A VSwitch of the server's VPC in `zoneId`: the dedicated VPC's `index`-th /24, or the shared
 * VPC's VSwitch for that zone (found by tag, else created under a lock in the first free /24).
 * `undefined` id with a reason while it is not Available yet.
 */
export async function vSwitchIn(
  c: Ctx,
  vpcOut: VpcOut,
  zoneId: string,
  index: number,
  /** A VSwitch this build already created there (a later run only looks at it). */
  known?: string,
): Promise<{
  vSwitchId?: string;
  pending?: string;
  why?: string;
  wait?: 'vSwitchAvailable' | 'sharedLock';
  owned: boolean;
}> {
  const act = await c.act();
  const { vpc } = act.cloud;
  if (!vpcOut.owned) {
    const lock = `shared-vsw#${vpcOut.vpcId}#${zoneId}`;
    const find = async () =>
      (await vpc.describeVSwitches({ vpcId: vpcOut.vpcId, zoneId })).find((s) =>
        s.tags.some((t) => t.key === TAG_SHARED),
      );
    let sw = await find();
    if (!sw) {
      if (!(await act.lock(lock, LOCK_MS)))
        return { why: `another build creates the shared VSwitch in ${zoneId}`, wait: 'sharedLock', owned: false };
      sw = await find();
      if (!sw) {
        const used = new Set((await vpc.describeVSwitches({ vpcId: vpcOut.vpcId })).map((s) => s.cidrBlock));
        let cidrBlock: string | undefined;
        for (let n = 0; (cidrBlock = subnet(vpcOut.cidrBlock, n)) && used.has(cidrBlock); n++);
        if (!cidrBlock) throw new Error(`the shared VPC ${vpcOut.vpcId} has no free /24 left`);
        const made = await vpc.createVSwitch({
          vpcId: vpcOut.vpcId,
          zoneId,
          cidrBlock,
          vSwitchName: `fleet-shared-${zoneId}`,
          tags: sharedTags(c.record.accountId),
          clientToken: clientToken('shared-vsw', vpcOut.vpcId, zoneId),
        });
        [sw] = await vpc.describeVSwitches({ vSwitchId: made.vSwitchId });
      }
    }
    if (sw?.status !== 'Available')
      return { why: `shared VSwitch in ${zoneId} ${sw?.status ?? 'Pending'}`, wait: 'vSwitchAvailable', owned: false };
    await act.unlock(lock);
    return { vSwitchId: sw.vSwitchId, owned: false };
  }
  const cidrBlock = subnet(vpcOut.cidrBlock, index);
  if (!cidrBlock) throw new Error(`VPC ${vpcOut.vpcId} (${vpcOut.cidrBlock}) has no room for VSwitch ${index + 1}`);
  const made = known
    ? { vSwitchId: known }
    : await vpc.createVSwitch({
        vpcId: vpcOut.vpcId,
        zoneId,
        cidrBlock,
        vSwitchName: `fleet-${c.record.spec.name}-${zoneId}`,
        tags: act.tags,
        clientToken: clientToken(c.token, zoneId),
      });
  const [sw] = await vpc.describeVSwitches({ vSwitchId: made.vSwitchId });
  if (sw?.status !== 'Available')
    return {
      pending: made.vSwitchId,
      why: `VSwitch ${made.vSwitchId} ${sw?.status ?? 'Pending'}`,
      wait: 'vSwitchAvailable',
      owned: true,
    };
  return { vSwitchId: made.vSwitchId, owned: true };
}

export const vSwitchStage: ServerStage = {
  name: 'vswitch',
  when: notExisting,
  async run(c) {
    const pre = out<PreflightOut>(c, 'preflight')!;
    const vpcOut = out<VpcOut>(c, 'vpc')!;
    const zoneId = pre.zones[0]!;
    const sw = await vSwitchIn(c, vpcOut, zoneId, 0, (c.progress as { pending?: string } | undefined)?.pending);
    if (!sw.vSwitchId)
      return waitWith({ pending: sw.pending }, sw.wait ?? 'vSwitchAvailable', c.attempt, sw.why ?? 'VSwitch Pending');
    const result: VSwitchOut = { vSwitchId: sw.vSwitchId, zoneId, owned: sw.owned };
    return { done: result };
  },
};

export const securityGroupStage: ServerStage = {
  name: 'security-group',
  async run(c) {
    const { spec } = c.record;
    const act = await c.act();
    const { vpc: net } = networkOf(c);
    const { securityGroupId } = await act.cloud.ecs.createSecurityGroup({
      vpcId: net.vpcId,
      securityGroupName: `fleet-${spec.name}`,
      description: `alicloud-fleet server ${c.record.id}`,
      tags: act.tags,
      clientToken: clientToken(c.token),
    });
    if (spec.ingress.length) {
      await act.cloud.ecs.authorizeSecurityGroup({
        securityGroupId,
        rules: spec.ingress.map((r) => ({
          ipProtocol: r.protocol,
          portRange: r.portRange,
          sourceCidrIp: r.sourceCidr,
          policy: 'accept',
          nicType: 'intranet',
          description: 'alicloud-fleet',
        })),
        clientToken: clientToken(c.token, 'rules'),
      });
    }
    return { done: { securityGroupId } };
  },
};
