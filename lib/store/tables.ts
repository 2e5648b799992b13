/**
 * Every table the product uses. Each is designed so that every query of docs/API.md is a primary-key
 * get or a range scan (no secondary index, no full-table filter on a hot path). Physical names
 * are `<config.tablestore.tablePrefix><name>` (e.g. `fleet_accounts`). All rows carry `version`.
 *
 * Ids that must list in time order (scans, asset events) should sort by creation time: use
 * `timeOrderedId(prefix, nowMs)` below so a backward range lists newest first.
 */
import { randomId } from '../core/ids';
import type { TableDef } from './types';

/**
 * accounts — PK (id).
 * - GET/PATCH/DELETE /v1/accounts/{id}: get.
 * - GET /v1/accounts: range over the whole table (accounts are few), scope filtered in memory.
 */
export const accounts: TableDef = { name: 'accounts', pk: [{ name: 'id' }] };

/**
 * tokens — PK (id). The token itself embeds its id (`fleet_<id>_<secret>`, lib/auth), so
 * authentication is a get by id followed by a constant-time compare of `tokenHash`.
 * - GET /v1/tokens: range over the table. DELETE /v1/tokens/{id}: remove.
 */
export const tokens: TableDef = { name: 'tokens', pk: [{ name: 'id' }] };

/**
 * cache — PK (accountId, key). Catalog answers with `expiresAtMs` (read-side expiry; a
 * sweeper may delete old rows). `key` starts with the region: `<regionId>/<kind>[?<params>]`,
 * or `_global/<kind>` for account-wide lists (regions).
 * - listing: get (accountId, key).
 * - DELETE /v1/catalog/{accountId}/cache: range (accountId, *) and delete;
 *   with `?regionId=`: range (accountId, prefix `<regionId>/`).
 */
export const cache: TableDef = { name: 'cache', pk: [{ name: 'accountId' }, { name: 'key' }] };

/**
 * servers — PK (id). The runner, retries and GET /v1/servers/{id} are all gets by id; stage
 * state, `leaseUntilMs`, `nextRunAtMs` live in the row (conditional updates on `version`).
 * Per-account listing goes through `accountRefs` (kind `server`).
 * - GET /v1/servers (no accountId): range over the table, filtered in memory by scope/status.
 */
export const servers: TableDef = { name: 'servers', pk: [{ name: 'id' }] };

/**
 * scans — PK (id), time-ordered ids (`timeOrderedId('scn')`). GET /v1/scans/{id}: get.
 * GET /v1/scans: backward range over the table (newest first).
 * GET /v1/scans?accountId=: backward range of `accountRefs` (accountId, prefix `scan#`) + batchGet.
 */
export const scans: TableDef = { name: 'scans', pk: [{ name: 'id' }] };

/**
 * scan_slices — PK (id), id = `<scanId>.<regionId>`: one account × region slice of a scan, a job
 * record (lib/jobs) holding the slice's stage state and its checkpoint (NextToken, cursor), so
 * twenty regions never fight over one scan row.
 * - the scan's per-region progress (GET /v1/scans/{id}), its fan-out and its end: range prefix `<scanId>.`.
 * - the runner and the sweeper: get by id.
 */
export const scanSlices: TableDef = { name: 'scan_slices', pk: [{ name: 'id' }] };

/**
 * scan_items — PK (sliceId, type, id): what a slice found in the cloud (level 1 + level 2),
 * staged before it touches the inventory; a page fetched twice writes the same rows. Removed
 * when the slice ends.
 * - the slice's apply step: range (sliceId, *) with a cursor checkpoint; cleanup: same range, delete.
 */
export const scanItems: TableDef = {
  name: 'scan_items',
  pk: [{ name: 'sliceId' }, { name: 'type' }, { name: 'id' }],
};

/**
 * scan_heads — PK (accountId): the account's newest scan `{scanId, startedAtMs}`. Claimed with a
 * conditional create/update, so one account never runs two scans; the periodic timer reads when
 * each account last scanned (batchGet).
 */
export const scanHeads: TableDef = { name: 'scan_heads', pk: [{ name: 'accountId' }] };

/**
 * rate_windows — PK (key), key = `<accountId>/<api>[/<regionId>]`: a fixed-window call counter
 * `{window, count}` shared by every function instance, so concurrent slices together stay under
 * a per-account API rate limit (SearchResources 20/s). Conditional updates on `version`.
 */
export const rateWindows: TableDef = { name: 'rate_windows', pk: [{ name: 'key' }] };

/**
 * account_refs — PK (accountId, ref), ref = `<kind>#<id>` (kinds: `server`, `scan`).
 * Written once when the object is created (before the object row), never updated; removed with
 * the object. A ref without its object is harmless (the batchGet misses it and it is skipped).
 * - servers/scans of an account: range (accountId, prefix `server#` | `scan#`).
 * - DELETE /v1/accounts/{id} "live servers?" check: same range + batchGet.
 */
export const accountRefs: TableDef = { name: 'account_refs', pk: [{ name: 'accountId' }, { name: 'ref' }] };

/**
 * idempotency — PK (scope, key): `scope` = the caller (token id or `invoke`) + operation,
 * `key` = the Idempotency-Key header. Created with `create` (EXPECT_NOT_EXIST): the winner
 * stores `{objectId}`; a repeat reads it and answers the same object. `expiresAtMs` bounds it.
 */
export const idempotency: TableDef = { name: 'idempotency', pk: [{ name: 'scope' }, { name: 'key' }] };

/**
 * locks — PK (name), e.g. `route#<vpcId>` (one route change per VPC at a time) or
 * `shared-vpc#<accountId>#<regionId>`. Row `{holder, leaseUntilMs}`; take = create, or update an
 * expired lease on `version`; release = remove with the version held.
 */
export const locks: TableDef = { name: 'locks', pk: [{ name: 'name' }] };

/**
 * assets — PK (accountId, regionId, type, id); `type` is the ACS type (`ACS::ECS::Instance`).
 * - GET /v1/assets?accountId=&regionId=&type=: range (accountId, regionId, type, *);
 *   without type: range (accountId, regionId, *, *); without region: range (accountId, *),
 *   type filtered in memory. Without accountId: one range per account in scope.
 * - scan-region "mark unseen as removed": range (accountId, regionId, *, *).
 */
export const assets: TableDef = {
  name: 'assets',
  pk: [{ name: 'accountId' }, { name: 'regionId' }, { name: 'type' }, { name: 'id' }],
};

/**
 * asset_events — PK (accountId, asset, scanId), asset = `<type>/<id>`: one row per scan that
 * added, changed or removed the asset (`{kind, changes, regionId, atMs}`). The scan id is
 * time-ordered, so the key is the same on every retry of a scan (never recorded twice) and a
 * backward range is newest first.
 * - GET /v1/assets/{type}/{id}?accountId=: backward range (accountId, asset, *) gives the
 *   history and the region the asset lives in (the assets key needs it).
 */
export const assetEvents: TableDef = {
  name: 'asset_events',
  pk: [{ name: 'accountId' }, { name: 'asset' }, { name: 'scanId' }],
};

/**
 * account_changes — PK (accountId, changeId): the accounts audit trail, append-only, kept after
 * the account is deleted. `changeId` = the account version the change produced, zero-padded
 * (lib/accounts/changes.ts): ordered like the changes, and the same id when a change is written
 * again after a crash or retry, so nothing is recorded twice.
 * - GET /v1/accounts/{id}/changes: backward range (accountId, *), newest first, paged.
 */
export const accountChanges: TableDef = { name: 'account_changes', pk: [{ name: 'accountId' }, { name: 'changeId' }] };

/**
 * network_regions — PK (accountId, regionId): every account × region where a server was built,
 * written when the server is created. The sweeper ranges over it (one row per pair in use) to
 * look for orphaned network there (`lastScanAtMs` paces it); GET /v1/orphans?refresh=true too.
 */
export const networkRegions: TableDef = { name: 'network_regions', pk: [{ name: 'accountId' }, { name: 'regionId' }] };

/**
 * orphans — PK (accountId, key), key = `<regionId>#<type>#<resource id>`: network this product
 * created (tagged) that no server uses, as the last scan of that region found it.
 * - GET /v1/orphans?accountId=[&regionId=]: range (accountId[, prefix `<regionId>#`]).
 * - a scan of a region: range (accountId, prefix `<regionId>#`), then puts and deletes.
 */
export const orphans: TableDef = { name: 'orphans', pk: [{ name: 'accountId' }, { name: 'key' }] };

/**
 * orphan_releases — PK (id): one POST /v1/orphans/release, a job (lib/jobs) that deletes the
 * listed orphans after checking again that each is still tagged and unused.
 */
export const orphanReleases: TableDef = { name: 'orphan_releases', pk: [{ name: 'id' }] };

/**
 * job_due — PK (shard, dueKey): one row per unfinished job (a build, a delete, a scan slice),
 * `dueKey` = `<13-digit nextRunAtMs>#<table>#<id>`, so the sweeper finds every job that is due
 * (or whose lease lapsed) with one range `dueKey < <now>`, without scanning the job tables.
 * The job's record names its current row (`dueKey`); any other row for it is stale and removed.
 */
export const jobDue: TableDef = { name: 'job_due', pk: [{ name: 'shard' }, { name: 'dueKey' }] };

/**
 * service_keys — PK (name): keys the functions make for themselves, e.g. `cursor` (32 random
 * bytes sealing page cursors, `cursor-key.ts`). Made once by the first instance that needs one
 * (conditional create), read once per warm instance; only the functions' role reads Tablestore.
 */
export const serviceKeys: TableDef = { name: 'service_keys', pk: [{ name: 'name' }], fields: { key: 'binary' } };

/** Every table, for `ensureTables`. */
export const ALL_TABLES: readonly TableDef[] = [
  accounts,
  tokens,
  cache,
  servers,
  scans,
  scanSlices,
  scanItems,
  scanHeads,
  rateWindows,
  accountRefs,
  idempotency,
  locks,
  assets,
  assetEvents,
  accountChanges,
  jobDue,
  serviceKeys,
  networkRegions,
  orphans,
  orphanReleases,
];

/**
 * An id that sorts by creation time: `<prefix>-<11 base-36 ms digits><6 random>` (base 36 with
 * fixed width sorts as text until the year 5188). Same-ms ids order randomly.
 */
export function timeOrderedId(prefix: string, nowMs: number, rand = () => randomId(6)): string {
  return `${prefix}-${Math.floor(nowMs).toString(36).padStart(11, '0')}${rand()}`;
}

/** The lowest id `timeOrderedId` can make at `nowMs`: a range bound for "since this time". */
export const timeOrderedBound = (prefix: string, nowMs: number) =>
  `${prefix}-${Math.floor(nowMs).toString(36).padStart(11, '0')}`;
