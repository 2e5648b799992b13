/**
 * The inventory's records and how the API shows them (docs/API.md "Inventory"). An asset is keyed
 * by (accountId, regionId, type, id); a scan is a job that fans out one slice job per region.
 */
import { ASSET_TYPES, type AssetType } from '../core/asset-types';
import type { JobError, JobFields } from '../jobs';

export { ASSET_TYPES, type AssetType };

export const isAssetType = (v: unknown): v is AssetType => ASSET_TYPES.includes(v as AssetType);

/** The tag servers built by this product carry (value: the server id); shown as `managedBy`. */
export const MANAGED_BY_TAG = 'fleet:server';

export type PropValue = string | number | boolean | null | string[];

/** What a scan learned about one asset from the cloud (level 2): staged, then compared with the inventory. */
export interface Finding {
  type: AssetType;
  id: string;
  regionId: string;
  zoneId: string | null;
  name: string;
  status: string | null;
  tags: Record<string, string>;
  properties: Record<string, PropValue>;
}

/** A staged finding (`scan_items`). */
export interface ItemRecord extends Finding {
  sliceId: string;
}

/** An asset (`assets`). The `*ScanId` fields say what the last scans did to it (they make counts exact after a retry). */
export interface AssetRecord extends Finding {
  accountId: string;
  firstSeenAtMs: number;
  lastSeenAtMs: number;
  deletedAtMs?: number;
  lastScanId: string;
  /** The scan that added it (or found it again after it was removed). */
  addedScanId?: string;
  changedScanId?: string;
  removedScanId?: string;
}

export type FieldChange = { from: unknown; to: unknown };

/** One row of an asset's history (`asset_events`): what one scan did to it. */
export interface AssetEvent {
  accountId: string;
  /** `<type>/<id>` */
  asset: string;
  scanId: string;
  regionId: string;
  kind: 'added' | 'changed' | 'removed';
  changes?: Record<string, FieldChange>;
  atMs: number;
}

export const assetRef = (type: string, id: string) => `${type}/${id}`;

export interface Counts {
  found: number;
  added: number;
  changed: number;
  removed: number;
}
export const zeroCounts = (): Counts => ({ found: 0, added: 0, changed: 0, removed: 0 });
export const addCounts = (a: Counts, b: Counts): Counts => ({
  found: a.found + b.found,
  added: a.added + b.added,
  changed: a.changed + b.changed,
  removed: a.removed + b.removed,
});

export type Source = 'resource-center' | 'describe-apis';

/** What the API shows of an error: the cloud's code first, a hint when there is one. */
export interface ShownError {
  code: string;
  message: string;
  hint?: string;
}
export const shownError = (e: JobError | ShownError): ShownError => ({
  code: e.code,
  message: e.message,
  ...(e.hint ? { hint: e.hint } : {}),
});

export type RegionStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** One region of a scan as the scan row and the API show it. */
export interface RegionSummary {
  regionId: string;
  status: RegionStatus;
  /** The slice's current stage while it runs: `collect` or `commit`. */
  stage?: string;
  counts: Counts;
  /** Resource Center pages (or Describe listings) read so far. */
  pages: number;
  error?: ShownError;
  startedAtMs?: number;
  finishedAtMs?: number;
}

export type ScanStatus = 'running' | 'succeeded' | 'partial' | 'failed';

/** A scan (`scans`): a job whose stages plan the regions, create the slices and watch them end. */
export interface ScanRecord extends JobFields {
  accountId: string;
  trigger: 'api' | 'timer';
  /** Token id, `bootstrap-admin`, or the principal kind (`timer`, `invoke`). */
  by: string;
  /** The regions asked for; absent = every region of the account. */
  requestedRegions?: string[];
  status: ScanStatus;
  source?: Source;
  sourceReason?: string;
  regions?: RegionSummary[];
  counts?: Counts;
  error?: ShownError;
  startedAtMs: number;
  finishedAtMs?: number;
}

/** A slice (`scan_slices`, id `<scanId>.<regionId>`): one region of one scan, a job of its own once started. */
export interface SliceRecord extends JobFields {
  scanId: string;
  accountId: string;
  regionId: string;
  source: Source;
  /** How many regions the scan has (they share the account's Resource Center rate). */
  regionsInScan: number;
  status: RegionStatus;
  stage?: string;
  pages?: number;
  counts?: Counts;
  error?: ShownError;
  createdAtMs: number;
  startedAtMs?: number;
  finishedAtMs?: number;
}

export const sliceIdOf = (scanId: string, regionId: string) => `${scanId}.${regionId}`;

export const SCAN_ID_RE = /^scn-[0-9a-z]{17}$/;

/** The asset object of docs/API.md. */
export function assetView(a: AssetRecord) {
  const managedBy = a.tags[MANAGED_BY_TAG];
  return {
    accountId: a.accountId,
    regionId: a.regionId,
    zoneId: a.zoneId,
    type: a.type,
    id: a.id,
    name: a.name,
    status: a.status,
    tags: a.tags,
    properties: a.properties,
    managedBy: managedBy && /^srv-[0-9a-z]{1,64}$/.test(managedBy) ? managedBy : null,
    firstSeenAt: a.firstSeenAtMs,
    lastSeenAt: a.lastSeenAtMs,
    ...(a.deletedAtMs !== undefined ? { deletedAt: a.deletedAtMs } : {}),
  };
}
export type AssetView = ReturnType<typeof assetView>;

export function eventView(e: AssetEvent) {
  return { at: e.atMs, scanId: e.scanId, kind: e.kind, ...(e.changes ? { changes: e.changes } : {}) };
}

export function regionView(r: RegionSummary) {
  return {
    regionId: r.regionId,
    status: r.status,
    ...(r.stage ? { stage: r.stage } : {}),
    counts: r.counts,
    pages: r.pages,
    ...(r.error ? { error: r.error } : {}),
    startedAt: r.startedAtMs ?? null,
    finishedAt: r.finishedAtMs ?? null,
  };
}

/** The scan object of docs/API.md; `regions` from the live slices when given (GET one), else the row's summary. */
export function scanView(s: ScanRecord, live?: RegionSummary[]) {
  const regions = live ?? s.regions ?? [];
  return {
    id: s.id,
    accountId: s.accountId,
    status: s.status,
    trigger: s.trigger,
    by: s.by,
    source: s.source ?? null,
    sourceReason: s.sourceReason ?? null,
    regions: regions.map(regionView),
    counts: s.counts ?? regions.reduce((c, r) => addCounts(c, r.counts), zeroCounts()),
    ...(s.error ? { error: s.error } : {}),
    startedAt: s.startedAtMs,
    finishedAt: s.finishedAtMs ?? null,
  };
}
