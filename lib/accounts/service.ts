/**
 * The settings domain: accounts CRUD, verification on save, the permission audit, and the one
 * place that opens an account's secrets (`openCredential`, only to sign cloud requests).
 */
import { AppError } from '../core/errors';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import type { Config } from '../core/config';
import { newId } from '../core/ids';
import { parseInput } from '../core/validate';
import { authorize, inScope, who } from '../auth';
import type { Principal } from '../core/principal';
import type { SecretBox } from '../crypto';
import type { AccountCredential, CloudFactory } from '../cloud/types';
import type { Store, Versioned } from '../store/types';
import * as T from '../store/tables';
import { accountView, type AccountRecord } from './model';
import { accountNotFound, isAccountId, loadAccount } from './read';
import { openCredential, plainCredential, sealCredential, sealPrivateKey } from './secrets';
import {
  actorOf,
  changeIdFor,
  changeView,
  diffAccounts,
  outcomeOf,
  recordChange,
  type ChangeRow,
  type FieldDiff,
} from './changes';
import { verificationError, verifyCredential, type ProbedActions } from './verify';
import { auditPermissions, probedChecks, resourceCenterStatus, type PermissionCheck } from './audit';

/** What the accounts domain needs; the composition root's wide `Deps` provides it as is. */
export interface AccountsDeps {
  readonly store: Store;
  readonly secrets: SecretBox;
  readonly cloud: CloudFactory;
  clock: Clock;
  log: Logger;
  /** `region`: used to reach global APIs (STS) when an account has no default region. */
  config: Pick<Config, 'region'>;
  /** What other domains do when an account changes (wired by the function, e.g. dropping its catalog cache). */
  hooks?: AccountHooks;
}

export interface AccountHooks {
  /** After the account row is gone; a failure here fails the DELETE, which is safe to retry. */
  afterDelete?: (accountId: string) => Promise<unknown>;
}

function audit(deps: AccountsDeps, change: ChangeRow) {
  deps.log.info('audit', {
    audit: true,
    accountId: change.accountId,
    changeId: change.changeId,
    by: change.by,
    what: change.what,
    fields: change.fields,
    atMs: change.atMs,
  });
}

interface Edit {
  next: Partial<AccountRecord>;
  credentialChanged?: boolean;
  outcome?: ChangeRow['outcome'];
  /** Replaces the computed diff (delete: every field goes). */
  diff?: Record<string, FieldDiff>;
}

/**
 * Every write to an existing account: one conditional write carries both the edit and its change
 * (`lastChange`, id = the version it produces), then the change is copied to `account_changes`.
 * The previous change is copied first, in case a crash left it only on the row.
 */
async function editAccount(
  deps: AccountsDeps,
  accountId: string,
  p: Principal,
  what: ChangeRow['what'],
  fields: string[],
  edit: (cur: AccountRecord & Versioned, now: number) => Edit,
) {
  const now = deps.clock.now();
  const written = await deps.store.mutate<AccountRecord>(T.accounts, { id: accountId }, async (cur) => {
    if (cur.deletedAtMs !== undefined) throw accountNotFound();
    await recordChange(deps.store, cur.lastChange);
    const e = edit(cur, now);
    const v = cur.version + 1;
    const lastChange: ChangeRow = {
      accountId,
      changeId: changeIdFor(v),
      accountVersion: v,
      atMs: now,
      what,
      by: who(p),
      actor: actorOf(p),
      fields,
      diff: e.diff ?? diffAccounts(cur, { ...cur, ...e.next } as AccountRecord, e.credentialChanged ?? false),
      ...(e.outcome ? { outcome: e.outcome } : {}),
    };
    return { ...e.next, lastChange };
  });
  await recordChange(deps.store, written.lastChange);
  audit(deps, written.lastChange!);
  return written;
}

export async function createAccount(input: unknown, p: Principal, deps: AccountsDeps) {
  authorize(p, { access: 'write', doing: 'create accounts' });
  const body = parseInput((await import('./schema')).CREATE_ACCOUNT, input);
  const id = newId('acc');
  const now = deps.clock.now();
  const sshKeys: AccountRecord['sshKeys'] = {};
  for (const [region, k] of Object.entries(body.sshKeys ?? {})) {
    sshKeys[region] = k.privateKey
      ? { keyPairName: k.keyPairName, privateKey: await sealPrivateKey(id, region, k.privateKey, deps.secrets) }
      : { keyPairName: k.keyPairName };
  }
  const credential = await sealCredential(id, body.credential, deps.secrets);
  const client = deps.cloud.forAccount(plainCredential(body.credential), {
    regionId: body.defaultRegion ?? deps.config.region,
  });
  const verification = await verifyCredential(client, body.alibabaAccountId, deps.clock);
  const rec: AccountRecord = {
    id,
    name: body.name,
    ...(body.alibabaAccountId ? { alibabaAccountId: body.alibabaAccountId } : {}),
    ...(body.defaultRegion ? { defaultRegion: body.defaultRegion } : {}),
    groups: body.groups ?? [],
    ...(body.scanIntervalMinutes !== undefined ? { scanIntervalMinutes: body.scanIntervalMinutes } : {}),
    credential,
    credentialRev: 1,
    sshKeys,
    verification,
    createdAtMs: now,
    updatedAtMs: now,
  };
  const change: ChangeRow = {
    accountId: id,
    changeId: changeIdFor(1),
    accountVersion: 1,
    atMs: now,
    what: 'create',
    by: who(p),
    actor: actorOf(p),
    fields: Object.keys(body).sort(),
    diff: diffAccounts(undefined, rec, true),
    outcome: outcomeOf(verification),
  };
  await deps.store.create(T.accounts, { ...rec, lastChange: change });
  await recordChange(deps.store, change);
  audit(deps, change);
  return accountView(rec);
}

export async function listAccounts(p: Principal, deps: Pick<AccountsDeps, 'store'>) {
  authorize(p, { access: 'read', doing: 'list accounts' });
  const items: AccountRecord[] = [];
  for await (const r of deps.store.scan<AccountRecord>(T.accounts))
    if (r.deletedAtMs === undefined && inScope(p, r)) items.push(r);
  items.sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
  return { items: items.map(accountView) };
}

export async function getAccount(id: unknown, p: Principal, deps: Pick<AccountsDeps, 'store'>) {
  return accountView(await loadAccount(deps.store, id, p, { access: 'read', doing: 'read accounts' }));
}

/**
 * The account's audit trail, newest first, paged (`limit` ≤ 200, default 50; `cursor`): who, when,
 * which fields, old → new for plain fields and only "changed" for secrets. A deleted account's
 * trail stays readable by admins at the same route (others get 404: its groups went with it).
 */
export async function accountChanges(input: unknown, p: Principal, deps: Pick<AccountsDeps, 'store'>) {
  const id = (input as { id?: unknown } | undefined)?.id;
  const rec = isAccountId(id) ? await deps.store.get<AccountRecord>(T.accounts, { id }) : undefined;
  const live = rec !== undefined && rec.deletedAtMs === undefined;
  const need = { access: 'read', doing: 'read account changes' } as const;
  if (live) authorize(p, { ...need, account: rec });
  else {
    authorize(p, need);
    if (p.role !== 'admin' || !isAccountId(id)) throw accountNotFound();
  }
  const q = parseInput((await import('./schema')).CHANGES_QUERY, input);
  const query = {
    eq: { accountId: q.id },
    direction: 'backward' as const,
    limit: q.limit ?? 50,
    ...(q.cursor ? { cursor: q.cursor } : {}),
  };
  let page = await deps.store.range<ChangeRow>(T.accountChanges, query);
  // A change a crash left only on the account row is copied now (same id: never twice).
  const pending = rec?.lastChange;
  if (!q.cursor && pending && (page.items[0]?.changeId ?? '') < pending.changeId) {
    await recordChange(deps.store, pending);
    page = await deps.store.range<ChangeRow>(T.accountChanges, query);
  }
  if (!live && !q.cursor && page.items.length === 0) throw accountNotFound();
  return { items: page.items.map(changeView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

export async function updateAccount(id: unknown, input: unknown, p: Principal, deps: AccountsDeps) {
  const current = await loadAccount(deps.store, id, p, { access: 'write', doing: 'change accounts' });
  const body = parseInput((await import('./schema')).UPDATE_ACCOUNT, input);
  const accountId = current.id;
  // Secrets are sealed before the conditional write so a retry does not call KMS again.
  const credential = body.credential ? await sealCredential(accountId, body.credential, deps.secrets) : undefined;
  const sealedSsh: Record<
    string,
    { keyPairName: string; privateKey?: AccountRecord['sshKeys'][string]['privateKey'] } | null
  > = {};
  for (const [region, k] of Object.entries(body.sshKeys ?? {})) {
    if (k === null) sealedSsh[region] = null;
    else {
      sealedSsh[region] = k.privateKey
        ? {
            keyPairName: k.keyPairName,
            privateKey: await sealPrivateKey(accountId, region, k.privateKey, deps.secrets),
          }
        : { keyPairName: k.keyPairName };
    }
  }
  const expected =
    body.alibabaAccountId === undefined ? current.alibabaAccountId : (body.alibabaAccountId ?? undefined);
  const reverify =
    body.credential !== undefined ||
    (body.alibabaAccountId !== undefined && body.alibabaAccountId !== current.alibabaAccountId);
  let verification = current.verification;
  if (reverify) {
    const plain = body.credential ? plainCredential(body.credential) : await openCredential(current, deps.secrets);
    const region =
      (body.defaultRegion === undefined ? current.defaultRegion : (body.defaultRegion ?? undefined)) ??
      deps.config.region;
    if (body.credential && current.credential.type === 'ram_role')
      deps.cloud.forgetRole(current.credential.roleArn, current.credential.externalId);
    verification = await verifyCredential(deps.cloud.forAccount(plain, { regionId: region }), expected, deps.clock);
  }
  const written = await editAccount(deps, accountId, p, 'update', Object.keys(body).sort(), (cur, now) => {
    // `mutate` re-runs this on a fresh row after a conflict: a verification is only true of the
    // credential it checked, so it is written only by the edit that verified, and only if no other
    // credential change landed in between (else a stale result would overwrite a newer one).
    if (reverify) assertSameCredential(cur, current);
    const next: Partial<AccountRecord> = { updatedAtMs: now };
    if (reverify) next.verification = verification;
    if (body.name !== undefined) next.name = body.name;
    if (body.groups !== undefined) next.groups = body.groups;
    if (body.scanIntervalMinutes !== undefined) next.scanIntervalMinutes = body.scanIntervalMinutes;
    if (body.alibabaAccountId !== undefined) next.alibabaAccountId = body.alibabaAccountId ?? undefined;
    if (body.defaultRegion !== undefined) next.defaultRegion = body.defaultRegion ?? undefined;
    if (credential) {
      next.credential = credential;
      next.credentialRev = cur.credentialRev + 1;
    }
    if (body.sshKeys) {
      const ssh = { ...cur.sshKeys };
      for (const [region, k] of Object.entries(sealedSsh)) {
        if (k === null) delete ssh[region];
        else if (k.privateKey || ssh[region]?.keyPairName !== k.keyPairName) ssh[region] = k;
        // same key pair and no new private key: the stored private key stays.
      }
      next.sshKeys = ssh;
    }
    return {
      next,
      credentialChanged: credential !== undefined,
      ...(reverify ? { outcome: outcomeOf(verification) } : {}),
    };
  });
  // No cache clearing here: cached answers carry the credentialRev they were fetched with, and the
  // new rev makes them misses (crash-safe: nothing is left to do after the write).
  return accountView(written);
}

const LIVE = new Set(['queued', 'provisioning', 'ready', 'failed', 'deleting']);

/** Servers of the account that still hold (or may hold) cloud resources. */
async function liveServers(store: Store, accountId: string): Promise<string[]> {
  const refs: string[] = [];
  for await (const r of store.scan<{ ref: string }>(T.accountRefs, { eq: { accountId }, prefix: 'server#' }))
    refs.push(r.ref.slice('server#'.length));
  if (!refs.length) return [];
  const rows = await store.batchGet<{ id: string; status?: string }>(
    T.servers,
    refs.map((id) => ({ id })),
  );
  return rows
    .filter((s): s is { id: string; status?: string } & { version: number } => !!s && LIVE.has(s.status ?? 'queued'))
    .map((s) => s.id);
}

/**
 * Deletes an account in two writes: first a mark (`deletedAtMs`) that carries the delete change,
 * so the trail records it whatever happens next, then the row's removal. A DELETE retried after a
 * crash between the two finds the mark and finishes the job (recording nothing twice).
 */
export async function deleteAccount(id: unknown, p: Principal, deps: AccountsDeps): Promise<void> {
  let rec = await loadAccount(
    deps.store,
    id,
    p,
    { access: 'write', doing: 'delete accounts' },
    { includeDeleting: true },
  );
  if (rec.deletedAtMs === undefined) {
    const live = await liveServers(deps.store, rec.id);
    if (live.length) {
      throw new AppError(
        'Conflict',
        `the account still has ${live.length} server(s) that are not deleted; delete them first`,
        { details: live.slice(0, 20).map((serverId) => ({ serverId })) },
      );
    }
    rec = await editAccount(deps, rec.id, p, 'delete', [], (cur, now) => ({
      next: { deletedAtMs: now },
      diff: diffAccounts(cur, undefined, true),
    }));
  } else {
    await recordChange(deps.store, rec.lastChange);
  }
  // The mark stops every other writer (editAccount refuses it), so no version is needed here.
  await deps.store.remove(T.accounts, { id: rec.id });
  await deps.hooks?.afterDelete?.(rec.id);
  if (rec.credential.type === 'ram_role') deps.cloud.forgetRole(rec.credential.roleArn, rec.credential.externalId);
}

/** A verification of `checked`'s credential would be stale on `cur`: 409, the client retries. */
function assertSameCredential(cur: AccountRecord, checked: AccountRecord) {
  if (cur.credentialRev !== checked.credentialRev || cur.alibabaAccountId !== checked.alibabaAccountId) {
    throw new AppError('Conflict', 'the account credential changed while it was being verified; retry', {
      reason: 'CredentialChanged',
    });
  }
}

/** Re-checks the credential and audits every permission the product uses (docs/API.md §1 verify). */
export async function verifyAccount(id: unknown, p: Principal, deps: AccountsDeps) {
  const rec = await loadAccount(deps.store, id, p, { access: 'operate', doing: 'verify accounts' });
  // A cached STS session outlives a trust-policy change: verify must assume the role afresh.
  if (rec.credential.type === 'ram_role') deps.cloud.forgetRole(rec.credential.roleArn, rec.credential.externalId);
  // One Decrypt per verify: the key-pair checks sign with the same opened credential.
  const cred = await openCredential(rec, deps.secrets);
  const client = deps.cloud.forAccount(cred, { regionId: rec.defaultRegion ?? deps.config.region });
  const probed: ProbedActions = {};
  const verification = await verifyCredential(client, rec.alibabaAccountId, deps.clock, probed);
  const verified = verification.status === 'verified';
  let permissions: PermissionCheck[] = [];
  let resourceCenter: { enabled: boolean | null; initialized: boolean | null } = { enabled: null, initialized: null };
  let sshKeys: Awaited<ReturnType<typeof checkKeyPairs>> = [];
  if (verified) {
    const rc = resourceCenterStatus(client);
    [permissions, resourceCenter, sshKeys] = await Promise.all([
      auditPermissions(client, { known: [...probedChecks(probed), rc.then((r) => r.check)], log: deps.log }),
      rc.then((r) => r.status),
      checkKeyPairs(rec, cred, deps),
    ]);
  }
  await editAccount(deps, rec.id, p, 'verify', ['verification'], (cur) => {
    assertSameCredential(cur, rec);
    return { next: { verification }, outcome: outcomeOf(verification) };
  });
  return {
    status: verification.status,
    checkedAt: verification.checkedAt,
    identity: verification.identity ?? null,
    ...(verification.error ? { error: verification.error } : {}),
    permissions,
    resourceCenter,
    sshKeys,
  };
}

/** Whether each configured key pair exists in its region (a missing one would fail a server build later). */
async function checkKeyPairs(rec: AccountRecord, cred: AccountCredential, deps: AccountsDeps) {
  const entries = Object.entries(rec.sshKeys).sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return [];
  return Promise.all(
    entries.map(async ([regionId, k]) => {
      try {
        const found = await deps.cloud
          .forAccount(cred, { regionId })
          .ecs.describeKeyPairs({ keyPairName: k.keyPairName });
        return {
          regionId,
          keyPairName: k.keyPairName,
          exists: found.some((f) => f.keyPairName === k.keyPairName),
          hasPrivateKey: k.privateKey !== undefined,
        };
      } catch (e) {
        return {
          regionId,
          keyPairName: k.keyPairName,
          exists: null,
          hasPrivateKey: k.privateKey !== undefined,
          error: verificationError(e),
        };
      }
    }),
  );
}
