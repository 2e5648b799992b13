/**
 * The inventory's reads: assets with filters and cursor paging, one asset with its history, and
 * scans. Every listing is a primary-key range (lib/store/tables.ts says which); filters that the
 * key cannot express run in memory while paging, and the cursor is bound to them.
 */
import { authorize } from '../auth';
import { REGION_ID_RE } from '../core/ids';
import { notFound } from '../core/errors';
import type { Principal } from '../core/principal';
import * as T from '../store/tables';
import type { Page, Store } from '../store/types';
import { loadAccount, visibleAccountIds } from '../accounts/read';
import { CURSOR, parseFields, type Field } from './input';
import {
  ASSET_TYPES,
  assetRef,
  assetView,
  eventView,
  SCAN_ID_RE,
  scanView,
  type AssetEvent,
  type AssetRecord,
  type ScanRecord,
} from './model';
import { slicesOf } from './scan';
import { sliceSummary } from './slice';

export const ACCOUNT_ID = {
  kind: 'string',
  re: /^acc-[0-9a-z]{16}$/,
  max: 20,
  problem: 'an account id looks like "acc-" and 16 letters or digits',
} as const satisfies Field;
const REGION = {
  kind: 'string',
  re: REGION_ID_RE,
  max: 64,
  problem: 'a region id looks like "cn-hangzhou"',
  optional: true,
} as const satisfies Field;
const TYPE_RE = new RegExp(`^(${ASSET_TYPES.join('|')})$`);
const TYPE = {
  kind: 'string',
  re: TYPE_RE,
  max: 64,
  problem: `type is one of ${ASSET_TYPES.join(', ')}`,
  optional: true,
} as const satisfies Field;
const LIMIT = (max: number) =>
  ({ kind: 'int', min: 1, max, problem: `limit is 1-${max}`, optional: true }) as const satisfies Field;

const LIST_ASSETS = {
  accountId: { ...ACCOUNT_ID, optional: true },
  regionId: REGION,
  type: TYPE,
  // `key:value` (the value may hold ':'), or `key` alone: has that tag.
  tag: {
    kind: 'string',
    re: /^[^:\p{Cc}]{1,128}(:[^\p{Cc}]{0,256})?$/u,
    max: 385,
    problem: 'tag is "key:value" or "key"',
    optional: true,
  },
  q: {
    kind: 'string',
    re: /^[^\p{Cc}]{1,128}$/u,
    max: 128,
    problem: 'q is 1-128 printable characters',
    optional: true,
  },
  includeDeleted: { kind: 'bool', problem: 'includeDeleted is true or false', optional: true },
  limit: LIMIT(500),
  cursor: CURSOR,
} as const satisfies Record<string, Field>;

/** The accounts a caller may list assets or scans of without naming one: live ones in its scope. */
async function scopeFilter(store: Store, p: Principal): Promise<(accountId: string) => boolean> {
  const ids = await visibleAccountIds(store, p);
  return (id) => ids.has(id);
}

/** GET /v1/assets */
export async function listAssets(store: Store, input: unknown, p: Principal) {
  const q = parseFields(LIST_ASSETS, input);
  if (q.accountId) await loadAccount(store, q.accountId, p, { access: 'read', doing: 'list assets' });
  else authorize(p, { access: 'read', doing: 'list assets' });
  const scope = q.accountId ? undefined : await scopeFilter(store, p);
  const [tagKey, tagValue] = q.tag === undefined ? [] : splitTag(q.tag);
  const needle = q.q?.toLowerCase();
  const filter = (a: AssetRecord) =>
    (!scope || scope(a.accountId)) &&
    (q.includeDeleted === true || a.deletedAtMs === undefined) &&
    (!q.regionId || a.regionId === q.regionId) &&
    (!q.type || a.type === q.type) &&
    (tagKey === undefined ||
      (Object.hasOwn(a.tags, tagKey) && (tagValue === undefined || a.tags[tagKey] === tagValue))) &&
    (!needle || a.id.toLowerCase().includes(needle) || a.name.toLowerCase().includes(needle));
  // The key fixes as many leading columns as the filters allow: account, then region, then type.
  const eq = q.accountId
    ? {
        accountId: q.accountId,
        ...(q.regionId ? { regionId: q.regionId, ...(q.type ? { type: q.type } : {}) } : {}),
      }
    : undefined;
  const page: Page<AssetRecord> = await store.range<AssetRecord>(T.assets, {
    ...(eq ? { eq } : {}),
    filter,
    bind: {
      tag: q.tag ?? null,
      q: q.q ?? null,
      d: q.includeDeleted === true,
      r: q.regionId ?? null,
      t: q.type ?? null,
    },
    limit: q.limit ?? 100,
    ...(q.cursor ? { cursor: q.cursor } : {}),
  });
  return { items: page.items.map(assetView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/** `key:value` → [key, value]; `key` → [key]. */
export function splitTag(tag: string): [string, string?] {
  const i = tag.indexOf(':');
  return i < 0 ? [tag] : [tag.slice(0, i), tag.slice(i + 1)];
}

const GET_ASSET = {
  accountId: ACCOUNT_ID,
  type: { ...TYPE, optional: false },
  id: { kind: 'string', re: /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, max: 128, problem: 'id is an Alibaba resource id' },
} as const satisfies Record<string, Field>;

/** GET /v1/assets/{type}/{id}?accountId= → `{asset, history}` (history newest first, at most 200). */
export async function getAsset(store: Store, input: unknown, p: Principal) {
  const q = parseFields(GET_ASSET, input);
  await loadAccount(store, q.accountId, p, { access: 'read', doing: 'read assets' });
  const history = await store.range<AssetEvent>(T.assetEvents, {
    eq: { accountId: q.accountId, asset: assetRef(q.type, q.id) },
    direction: 'backward',
    limit: 200,
  });
  const regionId = history.items[0]?.regionId;
  const asset = regionId
    ? await store.get<AssetRecord>(T.assets, { accountId: q.accountId, regionId, type: q.type, id: q.id })
    : undefined;
  if (!asset) throw notFound('the asset');
  return { asset: assetView(asset), history: history.items.map(eventView) };
}

const LIST_SCANS = {
  accountId: { ...ACCOUNT_ID, optional: true },
  limit: LIMIT(100),
  cursor: CURSOR,
} as const satisfies Record<string, Field>;

/** GET /v1/scans[?accountId=] — newest first. */
export async function listScans(store: Store, input: unknown, p: Principal) {
  const q = parseFields(LIST_SCANS, input);
  const limit = q.limit ?? 50;
  authorize(p, { access: 'read', doing: 'list scans' });
  if (q.accountId) {
    await loadAccount(store, q.accountId, p, { access: 'read', doing: 'list scans' });
    const refs = await store.range<{ ref: string }>(T.accountRefs, {
      eq: { accountId: q.accountId },
      prefix: 'scan#',
      direction: 'backward',
      limit,
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    const rows = await store.batchGet<ScanRecord>(
      T.scans,
      refs.items.map((r) => ({ id: r.ref.slice('scan#'.length) })),
    );
    return {
      items: rows.filter((r): r is ScanRecord & { version: number } => !!r).map((r) => scanView(r)),
      ...(refs.nextCursor ? { nextCursor: refs.nextCursor } : {}),
    };
  }
  const scope = await scopeFilter(store, p);
  const page = await store.range<ScanRecord>(T.scans, {
    direction: 'backward',
    limit,
    filter: (s: ScanRecord) => scope(s.accountId),
    ...(q.cursor ? { cursor: q.cursor } : {}),
  });
  return { items: page.items.map((s) => scanView(s)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

const GET_SCAN = {
  id: { kind: 'string', re: SCAN_ID_RE, max: 32, problem: 'a scan id looks like "scn-" and 17 letters or digits' },
} as const satisfies Record<string, Field>;

/** GET /v1/scans/{id} — with each region's live progress. */
export async function getScan(store: Store, input: unknown, p: Principal) {
  const { id } = parseFields(GET_SCAN, input);
  const scan = await store.get<ScanRecord>(T.scans, { id });
  if (!scan) throw notFound('the scan');
  // A scan of an account out of the caller's scope is as missing as one that does not exist.
  await loadAccount(store, scan.accountId, p, { access: 'read', doing: 'read scans' }).catch((e) => {
    throw (e as { code?: string }).code === 'NotFound' ? notFound('the scan') : e;
  });
  const live = (await slicesOf(store, scan.id)).map(sliceSummary);
  return scanView(scan, live);
}
