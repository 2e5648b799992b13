/**
 * A slice's `collect` stage: what the region holds, staged in `scan_items`.
 *
 * Resource Center path — level 1: `SearchResources` filtered by region and the inventoried types,
 * 100 a page (the API's maximum), each call taking a slot of the account's shared 20/s window.
 * Level 2: the ids are buffered per type and described in batches at each API's maximum
 * (instances, disks, security groups 100 ids a call, VPCs 20, EIPs 50; VSwitches and route
 * tables have no id lists, so the region's list is read once, 50 a page) — never one call per
 * resource. A batch is described when it is full; partial batches only at the end, or before a
 * checkpoint.
 *
 * Checkpoint: the run stops before its deadline, describes and stages everything the pages read
 * so far, and commits the NextToken of the next page with its wait (`progress`). The next run
 * starts at that page: nothing before it is read again, nothing after it was staged yet (a crash
 * before the commit re-reads pages whose rows are simply written again — same keys).
 *
 * Describe path (Resource Center off): each type's own listing, every page, one type after the
 * other; the checkpoint is the next type.
 *
 * Most regions fit one run: their findings stay in memory (at most `IN_MEMORY_MAX`) and, once
 * every page was read without error, are committed in the same invocation (`finish`), without
 * the staging round trip. A region that needs a checkpoint, or holds more, goes through staging
 * and the `commit` stage.
 */
import type { CloudClient, ResourcePage, RouteTable, VSwitch } from '../cloud/types';
import { AppError } from '../core/errors';
import type { StageResult } from '../jobs';
import * as T from '../store/tables';
import type { Store } from '../store/types';
import {
  diskFinding,
  eipFinding,
  instanceFinding,
  routeTableFinding,
  securityGroupFinding,
  vSwitchFinding,
  vpcFinding,
} from './map';
import { ASSET_TYPES, type AssetType, type Counts, type Finding, type ItemRecord } from './model';
import type { PacedApi, Pacer } from './rate';

/** What the slice's stages reach the cloud and the store through. */
export interface SliceActs {
  /** The account's client for the slice's region (the credential is opened on first use). */
  client(): Promise<CloudClient>;
  store: Store;
  pacer(api: PacedApi): Pacer;
  /** Real-clock epoch ms (the deadline is real time). */
  realNow(): number;
}

/** Ids per level-2 call: each API's documented maximum (reference §6). */
export const IDS_PER_CALL: Record<AssetType, number> = {
  'ACS::ECS::Instance': 100,
  'ACS::ECS::Disk': 100,
  'ACS::ECS::SecurityGroup': 100,
  'ACS::VPC::VPC': 20,
  'ACS::EIP::EipAddress': 50,
  // No id list: the region's listing (50 a page) is read once and looked up.
  'ACS::VPC::VSwitch': Number.POSITIVE_INFINITY,
  'ACS::VPC::RouteTable': Number.POSITIVE_INFINITY,
};
export const RC_PAGE = 100;

/** Time left in this run: stop when the next unit of work might not fit. */
export class Budget {
  private longest = 0;
  private started: number;
  constructor(
    private readonly deadlineAtMs: number,
    private readonly now: () => number,
  ) {
    this.started = now();
  }
  /** Marks the end of one unit (a page and its batches). */
  lap() {
    const t = this.now();
    this.longest = Math.max(this.longest, t - this.started);
    this.started = t;
  }
  /** True when another unit plus the final flush (`flushMs`, the work still pending) may not fit before the deadline. */
  nearlyOut(flushMs = 0) {
    return this.now() + Math.max(3 * this.longest, 1000) + flushMs > this.deadlineAtMs;
  }
}

/** Findings kept in memory before a slice spills them to staging (about 1.5 KB each). */
export const IN_MEMORY_MAX = 5000;
/** Time a run must have left to commit its findings itself (else the commit stage does). */
const COMMIT_IN_RUN_MS = 60_000;

/** Where findings go: memory while they fit and the run has not checkpointed, staging after. */
export class Sink {
  private held: Finding[] | undefined = [];
  constructor(
    private readonly store: Store,
    private readonly sliceId: string,
  ) {}
  async add(found: Finding[]): Promise<void> {
    if (this.held && this.held.length + found.length <= IN_MEMORY_MAX) {
      this.held.push(...found);
      return;
    }
    await this.spill();
    await stage(this.store, this.sliceId, found);
  }
  /** Writes what memory holds to staging (before a checkpoint: the next run has no memory of it). */
  async spill(): Promise<void> {
    const held = this.held ?? [];
    this.held = undefined;
    for (let i = 0; i < held.length; i += 1000) await stage(this.store, this.sliceId, held.slice(i, i + 1000));
  }
  /** Every finding of the region, when all of them are still in memory. */
  get all(): Finding[] | undefined {
    return this.held;
  }
}

/** Commits a whole region's findings in the run that read them; answers its counts. */
export type CommitInRun = (findings: Finding[]) => Promise<Counts>;

/** The end of a `collect` that read every page: commit here when it fits, else leave it to `commit`. */
async function finishCollect(
  sink: Sink,
  out: Omit<CollectOutput, 'counts'>,
  deadlineAtMs: number,
  now: () => number,
  commitInRun: CommitInRun | undefined,
): Promise<StageResult> {
  const all = sink.all;
  if (all && commitInRun && deadlineAtMs - now() > COMMIT_IN_RUN_MS)
    return { done: { ...out, counts: await commitInRun(all) } satisfies CollectOutput };
  await sink.spill();
  return { done: out satisfies CollectOutput };
}

/** Writes findings to the slice's staging rows (idempotent: same keys on a retry). */
export async function stage(store: Store, sliceId: string, findings: Finding[]): Promise<void> {
  if (!findings.length) return;
  const res = await store.batchWrite<ItemRecord>(
    T.scanItems,
    findings.map((f) => ({ type: 'put', record: { ...f, sliceId } })),
  );
  if (res.some((r) => !r.ok)) throw new AppError('CloudUnavailable', 'staging a page failed', { retryable: true });
}

/** Level 2: buffered ids per type, described in full batches. */
export class Enricher {
  private readonly pending = new Map<AssetType, string[]>();
  private vSwitches?: Map<string, VSwitch>;
  private routeTables?: Map<string, RouteTable>;
  /** Ids the cloud listed (level 1) but no longer describes (deleted meanwhile): not staged. */
  vanished = 0;
  /** The slowest cloud call so far (real ms): what each partial batch may cost at a checkpoint. */
  private slowestCallMs = 0;

  constructor(
    private readonly acts: SliceActs,
    private readonly cloud: CloudClient,
    private readonly regionId: string,
    private readonly sink: Sink,
  ) {}

  add(type: AssetType, id: string) {
    const list = this.pending.get(type) ?? [];
    if (!list.includes(id)) list.push(id);
    this.pending.set(type, list);
  }

  /** What describing every buffered id would take now (a call per type with ids, at the slowest call seen). */
  /**
   * The most the final flush can take after one more page: a call for every type (the next page
   * may bring any of them), at the slowest call seen. Small on FC (7 × ~0.1 s of a 300 s run), but
   * it keeps a slow cloud from pushing a checkpoint past the deadline.
   */
  worstFlushMs(): number {
    return ASSET_TYPES.length * Math.max(this.slowestCallMs, 200);
  }

  /** Records how long a cloud call took (level 1 too). */
  observe(ms: number) {
    this.slowestCallMs = Math.max(this.slowestCallMs, ms);
  }

  /** Describes and stages every full batch (`all`: every buffered id). */
  async flush(all: boolean): Promise<void> {
    for (const type of ASSET_TYPES) {
      const list = this.pending.get(type) ?? [];
      const size = IDS_PER_CALL[type];
      while (list.length && (all || list.length >= size)) {
        const batch = list.splice(0, Math.min(size, list.length));
        const t = this.acts.realNow();
        const found = await this.describe(type, batch);
        this.observe(this.acts.realNow() - t);
        this.vanished += batch.length - found.length;
        await this.sink.add(found);
      }
    }
  }

  private async describe(type: AssetType, ids: string[]): Promise<Finding[]> {
    const { cloud } = this;
    const r = this.regionId;
    switch (type) {
      case 'ACS::ECS::Instance':
        return (await cloud.ecs.describeInstances({ instanceIds: ids })).map((i) => instanceFinding(i, r));
      case 'ACS::ECS::Disk':
        return (await cloud.ecs.describeDisks({ diskIds: ids })).map((d) => diskFinding(d, r));
      case 'ACS::ECS::SecurityGroup':
        return (await cloud.ecs.describeSecurityGroups({ securityGroupIds: ids })).map((g) =>
          securityGroupFinding(g, r),
        );
      case 'ACS::VPC::VPC':
        return (await cloud.vpc.describeVpcs({ vpcIds: ids })).map((v) => vpcFinding(v, r));
      case 'ACS::EIP::EipAddress':
        await this.acts.pacer('DescribeEipAddresses').take();
        return (await cloud.vpc.describeEips({ allocationIds: ids })).map((e) => eipFinding(e, r));
      case 'ACS::VPC::VSwitch': {
        this.vSwitches ??= new Map((await cloud.vpc.describeVSwitches({})).map((w) => [w.vSwitchId, w]));
        return pick(this.vSwitches, ids).map((w) => vSwitchFinding(w, r));
      }
      case 'ACS::VPC::RouteTable': {
        this.routeTables ??= new Map((await cloud.vpc.describeRouteTableList({})).map((t) => [t.routeTableId, t]));
        return pick(this.routeTables, ids).map((t) => routeTableFinding(t, r));
      }
    }
  }
}

const pick = <V>(m: Map<string, V>, ids: string[]) => ids.flatMap((id) => (m.has(id) ? [m.get(id)!] : []));

export interface CollectProgress {
  /** Resource Center: the next page's token (absent before the first page). */
  token?: string;
  /** Describe path: the next type to list. */
  typeIndex?: number;
  pages: number;
}

export interface CollectOutput {
  pages: number;
  vanished: number;
  /** Present when the run committed the region itself (the `commit` stage is skipped). */
  counts?: Counts;
}

/** What both paths start a run with; a resumed run spills first (earlier pages are in staging already). */
async function openRun(
  acts: SliceActs,
  slice: { id: string },
  progress: CollectProgress | undefined,
  deadlineAtMs: number,
) {
  const budget = new Budget(deadlineAtMs, acts.realNow);
  const cloud = await acts.client();
  const sink = new Sink(acts.store, slice.id);
  if (progress) await sink.spill();
  return { budget, cloud, sink };
}

/**
 * One run of `collect` on the Resource Center path. The next page is asked for (its rate slot
 * taken) while this one's batches are described, so the shared 20/s is not left idle.
 */
export async function collectFromResourceCenter(
  acts: SliceActs,
  slice: { id: string; regionId: string },
  progress: CollectProgress | undefined,
  deadlineAtMs: number,
  commitInRun?: CommitInRun,
): Promise<StageResult> {
  const { budget, cloud, sink } = await openRun(acts, slice, progress, deadlineAtMs);
  const enricher = new Enricher(acts, cloud, slice.regionId, sink);
  const rc = acts.pacer('SearchResources');
  const fetchPage = async (nextToken: string | undefined): Promise<ResourcePage> => {
    await rc.take();
    const t = acts.realNow();
    const page = await cloud.resourceCenter.searchResources({
      filters: [
        { key: 'RegionId', values: [slice.regionId] },
        { key: 'ResourceType', values: [...ASSET_TYPES] },
      ],
      maxResults: RC_PAGE,
      ...(nextToken ? { nextToken } : {}),
    });
    enricher.observe(acts.realNow() - t);
    return page;
  };
  let pages = progress?.pages ?? 0;
  const types = new Set<string>(ASSET_TYPES);
  let next: Promise<ResourcePage> | undefined = fetchPage(progress?.token);
  for (;;) {
    const page: ResourcePage = await next!;
    pages++;
    const token = page.nextToken;
    const more = !!token && page.resources.length > 0;
    for (const res of page.resources)
      if (types.has(res.resourceType) && res.regionId === slice.regionId)
        enricher.add(res.resourceType as AssetType, res.resourceId);
    // Decided before the next page is asked for: a page read is always staged before a checkpoint.
    const stop = more && budget.nearlyOut(enricher.worstFlushMs());
    next = more && !stop ? fetchPage(token) : undefined;
    next?.catch(() => undefined); // a failure here surfaces when it is awaited
    await enricher.flush(false);
    budget.lap();
    if (!more) break;
    if (stop) {
      await enricher.flush(true);
      await sink.spill();
      return { wait: { ms: 0, why: `checkpoint after ${pages} pages`, progress: { token, pages } } };
    }
  }
  await enricher.flush(true);
  return finishCollect(sink, { pages, vanished: enricher.vanished }, deadlineAtMs, acts.realNow, commitInRun);
}

/** One run of `collect` on the Describe path: every type's own listing. */
export async function collectFromDescribeApis(
  acts: SliceActs,
  slice: { id: string; regionId: string },
  progress: CollectProgress | undefined,
  deadlineAtMs: number,
  commitInRun?: CommitInRun,
): Promise<StageResult> {
  const { budget, cloud, sink } = await openRun(acts, slice, progress, deadlineAtMs);
  const r = slice.regionId;
  const listings: Record<AssetType, () => Promise<Finding[]>> = {
    'ACS::ECS::Instance': async () => (await cloud.ecs.describeInstances({})).map((i) => instanceFinding(i, r)),
    'ACS::ECS::Disk': async () => (await cloud.ecs.describeDisks({})).map((d) => diskFinding(d, r)),
    'ACS::ECS::SecurityGroup': async () =>
      (await cloud.ecs.describeSecurityGroups({})).map((g) => securityGroupFinding(g, r)),
    'ACS::VPC::VPC': async () => (await cloud.vpc.describeVpcs({})).map((v) => vpcFinding(v, r)),
    'ACS::VPC::VSwitch': async () => (await cloud.vpc.describeVSwitches({})).map((w) => vSwitchFinding(w, r)),
    'ACS::VPC::RouteTable': async () =>
      (await cloud.vpc.describeRouteTableList({})).map((t) => routeTableFinding(t, r)),
    'ACS::EIP::EipAddress': async () => {
      await acts.pacer('DescribeEipAddresses').take();
      return (await cloud.vpc.describeEips({})).map((e) => eipFinding(e, r));
    },
  };
  let pages = progress?.pages ?? 0;
  for (let i = progress?.typeIndex ?? 0; i < ASSET_TYPES.length; i++) {
    await sink.add(await listings[ASSET_TYPES[i]!]());
    pages++;
    budget.lap();
    if (i + 1 < ASSET_TYPES.length && budget.nearlyOut()) {
      await sink.spill();
      return { wait: { ms: 0, why: `checkpoint after ${ASSET_TYPES[i]}`, progress: { typeIndex: i + 1, pages } } };
    }
  }
  return finishCollect(sink, { pages, vanished: 0 }, deadlineAtMs, acts.realNow, commitInRun);
}
