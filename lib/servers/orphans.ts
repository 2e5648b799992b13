/**
 * Orphans: network this product created (tagged `fleet:managed`) that no server uses any more —
 * what a delete without `releaseNetwork` leaves, a shared VPC whose servers are all gone, or a
 * build that died before recording what it made. A scan of one account × region reads the
 * tagged VPCs, VSwitches, security groups and EIPs and keeps those that are unused; the sweeper
 * scans every region in use now and then, and `GET /v1/orphans?refresh=true` on demand.
 */
import type { CloudClient } from '../cloud/types';
import type { Logger } from '../core/log';
import type { Store } from '../store/types';
import * as T from '../store/tables';
import { accountCloud, type ActivityDeps, TAG_MANAGED, TAG_SERVER, TAG_SHARED } from './activities';
import { LIVE_STATUSES, type ServerRecord } from './model';

export type OrphanType = 'ACS::VPC::VPC' | 'ACS::VPC::VSwitch' | 'ACS::ECS::SecurityGroup' | 'ACS::EIP::EipAddress';

export interface OrphanRow {
  accountId: string;
  /** `<regionId>#<type>#<id>` */
  key: string;
  regionId: string;
  type: OrphanType;
  id: string;
  name: string;
  tags: Record<string, string>;
  foundAtMs: number;
  lastSeenAtMs: number;
}

export interface OrphanCandidate {
  type: OrphanType;
  id: string;
  name: string;
  tags: Record<string, string>;
}

const MANAGED = [{ key: TAG_MANAGED, value: 'true' }];
const tagMap = (tags: Array<{ key: string; value: string }>) => Object.fromEntries(tags.map((t) => [t.key, t.value]));

/** The servers of an account, by id (every status). */
export async function serversOf(store: Store, accountId: string): Promise<Map<string, ServerRecord>> {
  const ids: string[] = [];
  for await (const r of store.scan<{ ref: string }>(T.accountRefs, { eq: { accountId }, prefix: 'server#' }))
    ids.push(r.ref.slice('server#'.length));
  const rows = ids.length
    ? await store.batchGet<ServerRecord>(
        T.servers,
        ids.map((id) => ({ id })),
      )
    : [];
  return new Map(rows.filter((r): r is ServerRecord & { version: number } => !!r).map((r) => [r.id, r]));
}

/**
 * The tagged network of one region that nothing uses: not named by a live server (its tag or its
 * recorded resources), and — checked in the cloud — without instances (VPC, VSwitch, security
 * group) or an association (EIP). A shared VPC or VSwitch is in use while any live server of the
 * account builds or runs in shared mode in that region.
 */
export async function findOrphans(
  cloud: Pick<CloudClient, 'ecs' | 'vpc'>,
  regionId: string,
  servers: Map<string, ServerRecord>,
): Promise<OrphanCandidate[]> {
  const live = [...servers.values()].filter((s) => LIVE_STATUSES.has(s.status) && s.regionId === regionId);
  const liveIds = new Set(live.map((s) => s.id));
  const used = new Set(
    live.flatMap((s) => [
      s.resources.vpcId,
      s.resources.vSwitchId,
      ...(s.resources.createdVSwitchIds ?? []),
      s.resources.securityGroupId,
      s.resources.eipAllocationId,
    ]),
  );
  const sharedInUse = live.some((s) => s.spec.network.mode === 'shared');
  const inUse = (tags: Record<string, string>, id: string) =>
    used.has(id) ||
    (tags[TAG_SERVER] !== undefined && liveIds.has(tags[TAG_SERVER])) ||
    (tags[TAG_SHARED] !== undefined && sharedInUse);

  const [vpcs, vSwitches, groups, eips, instances] = await Promise.all([
    cloud.vpc.describeVpcs({ tags: MANAGED }),
    cloud.vpc.describeVSwitches({ tags: MANAGED }),
    cloud.ecs.describeSecurityGroups({ tags: MANAGED }),
    cloud.vpc.describeEips({ tags: MANAGED }),
    cloud.ecs.describeInstances({}),
  ]);
  const withInstances = new Set(instances.flatMap((i) => [i.vpcId, i.vSwitchId, ...i.securityGroupIds]));
  const out: OrphanCandidate[] = [];
  const add = (type: OrphanType, id: string, name: string, tags: Record<string, string>, busy: boolean) => {
    if (!busy && !inUse(tags, id)) out.push({ type, id, name, tags });
  };
  for (const v of vpcs) add('ACS::VPC::VPC', v.vpcId, v.vpcName, tagMap(v.tags), withInstances.has(v.vpcId));
  for (const s of vSwitches)
    add('ACS::VPC::VSwitch', s.vSwitchId, s.vSwitchName, tagMap(s.tags), withInstances.has(s.vSwitchId));
  for (const g of groups)
    add(
      'ACS::ECS::SecurityGroup',
      g.securityGroupId,
      g.securityGroupName,
      tagMap(g.tags),
      withInstances.has(g.securityGroupId),
    );
  for (const e of eips)
    add(
      'ACS::EIP::EipAddress',
      e.allocationId,
      e.name ?? e.ipAddress,
      tagMap(e.tags),
      !!e.instanceId || e.status !== 'Available',
    );
  return out.sort((a, b) => a.type.localeCompare(b.type) || a.id.localeCompare(b.id));
}

const keyOf = (regionId: string, type: string, id: string) => `${regionId}#${type}#${id}`;

/** Scans one account × region and makes the `orphans` rows match what it found. */
export async function scanOrphans(
  deps: Omit<ActivityDeps, 'invoker'>,
  accountId: string,
  regionId: string,
): Promise<OrphanRow[]> {
  const { cloud } = await accountCloud(deps, accountId, regionId);
  const found = await findOrphans(cloud, regionId, await serversOf(deps.store, accountId));
  const now = deps.clock.now();
  const before = new Map<string, OrphanRow>();
  for await (const r of deps.store.scan<OrphanRow>(T.orphans, { eq: { accountId }, prefix: `${regionId}#` }))
    before.set(r.key, r);
  const rows: OrphanRow[] = found.map((o) => {
    const key = keyOf(regionId, o.type, o.id);
    return { accountId, key, regionId, ...o, foundAtMs: before.get(key)?.foundAtMs ?? now, lastSeenAtMs: now };
  });
  const keep = new Set(rows.map((r) => r.key));
  await deps.store.batchWrite(T.orphans, [
    ...rows.map((record) => ({ type: 'put' as const, record })),
    ...[...before.keys()]
      .filter((k) => !keep.has(k))
      .map((key) => ({ type: 'delete' as const, key: { accountId, key } })),
  ]);
  await deps.store.put(T.networkRegions, { accountId, regionId, lastScanAtMs: now });
  return rows;
}

/** How often the sweeper looks at each account × region in use. */
export const ORPHAN_SCAN_EVERY_MS = 15 * 60_000;

/** The sweeper's part: scans the regions not looked at for a while (a few per run). */
export async function sweepOrphans(deps: Omit<ActivityDeps, 'invoker'> & { log: Logger }, limit = 5) {
  const now = deps.clock.now();
  const due: Array<{ accountId: string; regionId: string }> = [];
  for await (const r of deps.store.scan<{ accountId: string; regionId: string; lastScanAtMs?: number }>(
    T.networkRegions,
  )) {
    if ((r.lastScanAtMs ?? 0) <= now - ORPHAN_SCAN_EVERY_MS) due.push(r);
    if (due.length >= limit) break;
  }
  let scanned = 0;
  for (const r of due) {
    try {
      await scanOrphans(deps, r.accountId, r.regionId);
      scanned++;
    } catch (e) {
      // One account's trouble (a revoked key, a deleted account) must not stop the others.
      deps.log.warn('orphan scan failed', {
        accountId: r.accountId,
        regionId: r.regionId,
        code: (e as { code?: string }).code,
      });
      await deps.store.put(T.networkRegions, { ...r, lastScanAtMs: now });
    }
  }
  return { orphanScans: scanned };
}
