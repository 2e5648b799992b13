/**
 * The accounts domain's read API for other domains (catalog, servers, inventory): load an
 * account the caller may see, and open its credential or SSH key to act on the cloud. Other
 * domains import this file only, never the accounts service (the allowed-imports test checks).
 */
import { AppError } from '../core/errors';
import { ACCOUNT_ID_RE } from '../core/ids';
import type { Principal } from '../core/principal';
import type { Store } from '../store/types';
import * as T from '../store/tables';
import { authorize, inScope, type Need } from '../auth';
import type { AccountRecord } from './model';

export type { AccountRecord } from './model';
export { DEFAULT_SCAN_INTERVAL_MINUTES } from './model';
export { openCredential, openPrivateKey } from './secrets';

export const accountNotFound = () => new AppError('NotFound', 'the account was not found');
export const isAccountId = (id: unknown): id is string => typeof id === 'string' && ACCOUNT_ID_RE.test(id);

/**
 * Loads an account the caller may see, or answers 404 as if it did not exist. An account being
 * deleted (`deletedAtMs`) is gone too, except to DELETE itself (`includeDeleting`), which finishes it.
 */
export async function loadAccount(
  store: Store,
  id: unknown,
  principal: Principal,
  need: Need,
  opts: { includeDeleting?: boolean } = {},
) {
  const rec = isAccountId(id) ? await store.get<AccountRecord>(T.accounts, { id }) : undefined;
  if (!rec || (rec.deletedAtMs !== undefined && !opts.includeDeleting)) {
    // 404 whatever the role: a 403 here would tell a viewer which ids exist out of its scope.
    throw accountNotFound();
  }
  authorize(principal, { ...need, account: rec });
  return rec;
}

/** Every live account (not being deleted), for system work such as the periodic scan; no scope check. */
export async function* liveAccounts(store: Store): AsyncIterable<AccountRecord> {
  for await (const r of store.scan<AccountRecord>(T.accounts)) if (r.deletedAtMs === undefined) yield r;
}

/**
 * The ids of the live accounts `p` may see (admins: every live one), for listings that span
 * accounts: what a deleted account left behind (servers, assets, scans) is not listed.
 */
export async function visibleAccountIds(store: Store, p: Principal): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const a of liveAccounts(store)) if (inScope(p, a)) ids.add(a.id);
  return ids;
}
