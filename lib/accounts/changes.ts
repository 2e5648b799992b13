/**
 * The accounts audit trail (who, when, what — never the secret), one append-only row per
 * change in `account_changes`, kept after the account is deleted.
 *
 * Crash safety: a change is first written into the account row itself (`lastChange`), in the same
 * conditional write as the change it describes, then copied to `account_changes`. Its id is the
 * account version that write produced, so copying it again (a retry, the next writer flushing a
 * copy a crash left behind, a reader repairing it) overwrites the same row and never records twice.
 */
import type { Principal } from '../core/principal';
import type { Store } from '../store/types';
import * as T from '../store/tables';
import type { AccountRecord, Verification } from './model';

/** Who made a change. `by` (the token id, `bootstrap-admin` or the principal kind) is the short form. */
export interface Actor {
  kind: Principal['kind'];
  role: Principal['role'];
  tokenId?: string;
  name?: string;
}

/**
 * One field's change: old → new for plain fields, `"changed"` for secrets and credentials (their
 * values, even sealed, are never copied into the trail).
 */
export type FieldDiff = { from: unknown; to: unknown } | 'changed';

/** A row of `account_changes` (and the pending copy in `AccountRecord.lastChange`). */
export interface ChangeRow {
  accountId: string;
  /** `changeIdFor(accountVersion)`: sorts in the order the changes happened. */
  changeId: string;
  /** The account row version this change produced (the delete mark's version for a delete). */
  accountVersion: number;
  atMs: number;
  what: 'create' | 'update' | 'verify' | 'delete';
  by: string;
  actor: Actor;
  /** The request's fields (update), or every field given (create). */
  fields: string[];
  diff: Record<string, FieldDiff>;
  /** Verification outcome when the change verified the credential. */
  outcome?: { status: Verification['status']; code?: string };
}

/** Change ids sort as the account's versions do: zero-padded, so a backward range is newest first. */
export const changeIdFor = (accountVersion: number) => String(accountVersion).padStart(12, '0');

export const actorOf = (p: Principal): Actor => ({
  kind: p.kind,
  role: p.role,
  ...(p.tokenId ? { tokenId: p.tokenId } : {}),
  ...(p.name ? { name: p.name } : {}),
});

export const outcomeOf = (v: Verification): NonNullable<ChangeRow['outcome']> => ({
  status: v.status,
  ...(v.error ? { code: v.error.code } : {}),
});

/** The plain (non-secret) fields of an account, as the trail shows them. */
function plainFields(
  r: Pick<AccountRecord, 'name' | 'alibabaAccountId' | 'defaultRegion' | 'groups' | 'scanIntervalMinutes'> | undefined,
): Record<string, unknown> {
  return {
    name: r?.name ?? null,
    alibabaAccountId: r?.alibabaAccountId ?? null,
    defaultRegion: r?.defaultRegion ?? null,
    groups: r?.groups ?? null,
    scanIntervalMinutes: r?.scanIntervalMinutes ?? null,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What changed from `before` to `after` (either may be absent: create, delete). Credentials and
 * private keys only ever say `"changed"`; `credentialChanged` says whether the credential was replaced.
 */
export function diffAccounts(
  before: AccountRecord | undefined,
  after: AccountRecord | undefined,
  credentialChanged: boolean,
): Record<string, FieldDiff> {
  const diff: Record<string, FieldDiff> = {};
  const b = plainFields(before);
  const a = plainFields(after);
  for (const k of Object.keys(a)) if (!same(b[k], a[k])) diff[k] = { from: b[k], to: a[k] };
  if (credentialChanged) diff.credential = 'changed';
  const regions = new Set([...Object.keys(before?.sshKeys ?? {}), ...Object.keys(after?.sshKeys ?? {})]);
  for (const region of [...regions].sort()) {
    const x = before?.sshKeys[region];
    const y = after?.sshKeys[region];
    if (x?.keyPairName !== y?.keyPairName)
      diff[`sshKeys.${region}.keyPairName`] = { from: x?.keyPairName ?? null, to: y?.keyPairName ?? null };
    // A different sealed object means a new (or removed) private key; the values stay out.
    if (!same(x?.privateKey, y?.privateKey)) diff[`sshKeys.${region}.privateKey`] = 'changed';
  }
  const vb = before?.verification.status ?? null;
  const va = after?.verification.status ?? null;
  if (vb !== va && after) diff['verification.status'] = { from: vb, to: va };
  return diff;
}

/** Copies a change into the trail. Idempotent: the same change always lands on the same row. */
export async function recordChange(store: Store, c: ChangeRow | undefined): Promise<void> {
  if (c) await store.put(T.accountChanges, c);
}

/** A change as `GET /v1/accounts/{id}/changes` shows it (`at`, `by`, `what`, `fields` as before). */
export const changeView = (c: ChangeRow) => ({
  id: c.changeId,
  at: c.atMs,
  by: c.by,
  actor: c.actor,
  what: c.what,
  fields: c.fields,
  changes: c.diff,
  ...(c.outcome ? { outcome: c.outcome } : {}),
});
