/**
 * `GET /v1/orphans` and `POST /v1/orphans/release` (docs/API.md §1 "Servers"): the orphans the last
 * scans found, per account in the caller's scope; a scan on demand (`refresh=true`); a release
 * job for some or all of an account's orphans.
 */
import { authorize, inScope, who } from '../auth';
import { AppError } from '../core/errors';
import { ACCOUNT_ID_RE, REGION_ID_RE } from '../core/ids';
import type { Principal } from '../core/principal';
import { startJob } from '../jobs';
import * as T from '../store/tables';
import { type AccountRecord, loadAccount } from '../accounts/read';
import { type OrphanRelease, releaseView, type ReleaseItem } from './orphan-release';
import { type OrphanRow, scanOrphans } from './orphans';
import { serverJobs, type ServersDeps } from './service';

const bad = (path: string, problem: string) =>
  new AppError('ValidationFailed', 'the request does not match the schema', { details: [{ path, problem }] });

const orphanView = (o: OrphanRow) => ({
  accountId: o.accountId,
  regionId: o.regionId,
  type: o.type,
  id: o.id,
  name: o.name,
  tags: o.tags,
  foundAt: o.foundAtMs,
  lastSeenAt: o.lastSeenAtMs,
});

export async function listOrphans(input: Record<string, unknown>, p: Principal, deps: ServersDeps) {
  authorize(p, { access: 'read', doing: 'list orphans' });
  const { accountId, regionId, refresh } = input;
  if (accountId !== undefined && (typeof accountId !== 'string' || !ACCOUNT_ID_RE.test(accountId)))
    throw bad('accountId', 'is an account id ("acc-" and 16 letters or digits)');
  if (regionId !== undefined && (typeof regionId !== 'string' || !REGION_ID_RE.test(regionId)))
    throw bad('regionId', 'is a region id like "cn-hangzhou"');
  if (refresh !== undefined && refresh !== 'true' && refresh !== 'false' && typeof refresh !== 'boolean')
    throw bad('refresh', 'is "true" or "false"');
  if ((refresh === 'true' || refresh === true) && !accountId) throw bad('refresh', 'needs accountId');
  const accounts: string[] = [];
  if (accountId)
    accounts.push((await loadAccount(deps.store, accountId, p, { access: 'read', doing: 'list orphans' })).id);
  else
    for await (const a of deps.store.scan<AccountRecord>(T.accounts))
      if (a.deletedAtMs === undefined && inScope(p, a)) accounts.push(a.id);
  if ((refresh === 'true' || refresh === true) && accountId) {
    const regions: string[] = [];
    for await (const r of deps.store.scan<{ regionId: string }>(T.networkRegions, { eq: { accountId } }))
      if (!regionId || r.regionId === regionId) regions.push(r.regionId);
    for (const r of regions) await scanOrphans(deps, accountId, r);
  }
  const items: ReturnType<typeof orphanView>[] = [];
  for (const a of accounts)
    for await (const o of deps.store.scan<OrphanRow>(T.orphans, {
      eq: { accountId: a },
      ...(typeof regionId === 'string' ? { prefix: `${regionId}#` } : {}),
    }))
      items.push(orphanView(o));
  return { items };
}

export async function releaseOrphans(input: Record<string, unknown>, p: Principal, deps: ServersDeps) {
  const { accountId, ids } = input;
  authorize(p, { access: 'operate', doing: 'release orphans' });
  if (typeof accountId !== 'string' || !ACCOUNT_ID_RE.test(accountId)) throw bad('accountId', 'is an account id');
  if (
    ids !== undefined &&
    (!Array.isArray(ids) ||
      ids.length > 200 ||
      !ids.every((i) => typeof i === 'string' && /^[a-z]+-[a-z0-9]{1,40}$/.test(i)))
  )
    throw bad('ids', 'is a list of at most 200 resource ids');
  await loadAccount(deps.store, accountId, p, { access: 'operate', doing: 'release orphans' });
  const known: OrphanRow[] = [];
  for await (const o of deps.store.scan<OrphanRow>(T.orphans, { eq: { accountId } })) known.push(o);
  const wanted = ids ? new Set(ids as string[]) : undefined;
  const unknown = wanted ? [...wanted].filter((id) => !known.some((o) => o.id === id)) : [];
  if (unknown.length)
    throw new AppError(
      'NotFound',
      `not orphans of this account (as of the last scan): ${unknown.slice(0, 10).join(', ')}`,
    );
  const items: ReleaseItem[] = known
    .filter((o) => !wanted || wanted.has(o.id))
    .map((o) => ({ regionId: o.regionId, type: o.type, id: o.id }));
  const now = deps.clock.now();
  const id = deps.newId('rel');
  const record: OrphanRelease = {
    id,
    accountId,
    items,
    status: 'running',
    released: [],
    kept: [],
    createdBy: who(p),
    createdAtMs: now,
    updatedAtMs: now,
  };
  const written = await startJob(deps, serverJobs(deps).release, `${id}.1`, record, (fields) =>
    deps.store.create(T.orphanReleases, { ...record, ...fields }),
  );
  return releaseView(written);
}

export async function getRelease(id: unknown, p: Principal, deps: ServersDeps) {
  authorize(p, { access: 'read', doing: 'read orphan releases' });
  const rec =
    typeof id === 'string' && /^rel-[0-9a-z]{16}$/.test(id)
      ? await deps.store.get<OrphanRelease>(T.orphanReleases, { id })
      : undefined;
  if (!rec) throw new AppError('NotFound', 'the release was not found');
  try {
    await loadAccount(deps.store, rec.accountId, p, { access: 'read', doing: 'read orphan releases' });
  } catch {
    throw new AppError('NotFound', 'the release was not found');
  }
  return releaseView(rec);
}
