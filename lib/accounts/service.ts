/**
 * The settings domain: accounts CRUD, verification on save, the permission audit, and the one
 * place that opens an account's secrets (`openCredential`, only to sign cloud requests).
 */
import { AppError } from '../core/errors';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import { registerSecret } from '../core/log';
import { newId } from '../core/ids';
import { parseInput } from '../core/validate';
import { authorize, inScope, who } from '../auth';
import type { Principal } from '../fc/types';
import { secretAad, type SecretBox } from '../crypto';
import type { AccountCredential, CloudFactory } from '../cloud/types';
import type { Store } from '../store/types';
import * as T from '../store/tables';
import type { CredentialInput } from './schema';
import { accountView, MAX_CHANGES, type AccountRecord, type Change, type StoredCredential } from './model';
import { verificationError, verifyCredential } from './verify';
import { auditPermissions, resourceCenterStatus } from './audit';

export interface AccountsDeps {
  store: Store;
  secrets: SecretBox;
  cloud: CloudFactory;
  clock: Clock;
  log: Logger;
  /** Region used to reach global APIs (STS) when an account has no default region. */
  homeRegion: string;
}

const SECRET_FIELD = 'credential.accessKeySecret';
const sshAad = (region: string) => `sshKeys.${region}.privateKey`;
const aad = (id: string, field: string) => secretAad('accounts', id, field);

async function sealCredential(id: string, c: CredentialInput, deps: AccountsDeps): Promise<StoredCredential> {
  if (c.type === 'ram_role') return c.externalId ? { type: c.type, roleArn: c.roleArn, externalId: c.externalId } : { type: c.type, roleArn: c.roleArn };
  registerSecret(c.accessKeySecret);
  return { type: c.type, accessKeyId: c.accessKeyId, accessKeySecret: await deps.secrets.seal(c.accessKeySecret, aad(id, SECRET_FIELD)) };
}

/** The credential ready to sign with. The only caller of `SecretBox.open` for account keys. */
export async function openCredential(rec: AccountRecord, secrets: SecretBox): Promise<AccountCredential> {
  const c = rec.credential;
  if (c.type === 'ram_role') return c.externalId ? { type: c.type, roleArn: c.roleArn, externalId: c.externalId } : { type: c.type, roleArn: c.roleArn };
  const accessKeySecret = await secrets.open(c.accessKeySecret, aad(rec.id, SECRET_FIELD));
  registerSecret(accessKeySecret);
  return { type: c.type, accessKeyId: c.accessKeyId, accessKeySecret };
}

/** An SSH private key, for the provisioning stages that log in. */
export async function openPrivateKey(rec: AccountRecord, regionId: string, secrets: SecretBox): Promise<string | undefined> {
  const k = rec.sshKeys[regionId]?.privateKey;
  if (!k) return undefined;
  const pem = await secrets.open(k, aad(rec.id, sshAad(regionId)));
  registerSecret(pem);
  return pem;
}

const plainCredential = (c: CredentialInput): AccountCredential =>
  c.type === 'access_key' ? c : c.externalId ? { type: c.type, roleArn: c.roleArn, externalId: c.externalId } : { type: c.type, roleArn: c.roleArn };

const notFound = () => new AppError('NotFound', 'the account was not found');
const isAccountId = (id: unknown): id is string => typeof id === 'string' && /^acc-[0-9a-z]{16}$/.test(id);

/** Loads an account the caller may see, or answers 404 as if it did not exist. */
export async function loadAccount(store: Store, id: unknown, principal: Principal, access: 'read' | 'operate' | 'write' | 'admin' = 'read') {
  const rec = isAccountId(id) ? await store.get<AccountRecord>(T.accounts, { id }) : undefined;
  if (!rec) {
    // 404 whatever the role: a 403 here would tell a viewer which ids exist out of its scope.
    if (principal.role === 'none') throw new AppError('Unauthenticated', 'a bearer token is required');
    throw notFound();
  }
  authorize(principal, { action: access, account: rec });
  return rec;
}

function audit(deps: AccountsDeps, id: string, change: Change) {
  deps.log.info('audit', { audit: true, accountId: id, by: change.by, what: change.what, fields: change.fields, atMs: change.atMs });
}

const pushChange = (changes: Change[], c: Change) => [...changes, c].slice(-MAX_CHANGES);

export async function createAccount(input: unknown, p: Principal, deps: AccountsDeps) {
  authorize(p, { action: 'write' });
  const body = parseInput((await import('./schema')).CREATE_ACCOUNT, input);
  const id = newId('acc');
  const now = deps.clock.now();
  const sshKeys: AccountRecord['sshKeys'] = {};
  for (const [region, k] of Object.entries(body.sshKeys ?? {})) {
    if (k.privateKey) registerSecret(k.privateKey);
    sshKeys[region] = k.privateKey ? { keyPairName: k.keyPairName, privateKey: await deps.secrets.seal(k.privateKey, aad(id, sshAad(region))) } : { keyPairName: k.keyPairName };
  }
  const credential = await sealCredential(id, body.credential, deps);
  const client = deps.cloud.forAccount(plainCredential(body.credential), { regionId: body.defaultRegion ?? deps.homeRegion });
  const verification = await verifyCredential(client, body.alibabaAccountId, deps.clock);
  const change: Change = { atMs: now, by: who(p), what: 'create', fields: Object.keys(body).sort() };
  const rec: AccountRecord = {
    id,
    name: body.name,
    ...(body.alibabaAccountId ? { alibabaAccountId: body.alibabaAccountId } : {}),
    ...(body.defaultRegion ? { defaultRegion: body.defaultRegion } : {}),
    groups: body.groups ?? [],
    credential,
    credentialRev: 1,
    sshKeys,
    verification,
    changes: [change],
    createdAtMs: now,
    updatedAtMs: now,
  };
  await deps.store.create(T.accounts, rec);
  audit(deps, id, change);
  return accountView(rec);
}

export async function listAccounts(p: Principal, deps: Pick<AccountsDeps, 'store'>) {
  authorize(p, { action: 'read' });
  const items: AccountRecord[] = [];
  for await (const r of deps.store.scan<AccountRecord>(T.accounts)) if (inScope(p, r)) items.push(r);
  items.sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
  return { items: items.map(accountView) };
}

export async function getAccount(id: unknown, p: Principal, deps: Pick<AccountsDeps, 'store'>) {
  return accountView(await loadAccount(deps.store, id, p, 'read'));
}

/** The account's recent changes, newest first: who, when, which fields (never values). */
export async function accountChanges(id: unknown, p: Principal, deps: Pick<AccountsDeps, 'store'>) {
  const rec = await loadAccount(deps.store, id, p, 'read');
  return { items: [...(rec.changes ?? [])].reverse().map((c) => ({ at: c.atMs, by: c.by, what: c.what, fields: c.fields })) };
}

export async function updateAccount(id: unknown, input: unknown, p: Principal, deps: AccountsDeps) {
  const current = await loadAccount(deps.store, id, p, 'write');
  const body = parseInput((await import('./schema')).UPDATE_ACCOUNT, input);
  const accountId = current.id;
  // Secrets are sealed before the conditional write so a retry does not call KMS again.
  const credential = body.credential ? await sealCredential(accountId, body.credential, deps) : undefined;
  const sealedSsh: Record<string, { keyPairName: string; privateKey?: AccountRecord['sshKeys'][string]['privateKey'] } | null> = {};
  for (const [region, k] of Object.entries(body.sshKeys ?? {})) {
    if (k === null) sealedSsh[region] = null;
    else {
      if (k.privateKey) registerSecret(k.privateKey);
      sealedSsh[region] = k.privateKey ? { keyPairName: k.keyPairName, privateKey: await deps.secrets.seal(k.privateKey, aad(accountId, sshAad(region))) } : { keyPairName: k.keyPairName };
    }
  }
  const expected = body.alibabaAccountId === undefined ? current.alibabaAccountId : body.alibabaAccountId ?? undefined;
  const reverify = body.credential !== undefined || (body.alibabaAccountId !== undefined && body.alibabaAccountId !== current.alibabaAccountId);
  let verification = current.verification;
  if (reverify) {
    const plain = body.credential ? plainCredential(body.credential) : await openCredential(current, deps.secrets);
    const region = (body.defaultRegion === undefined ? current.defaultRegion : body.defaultRegion ?? undefined) ?? deps.homeRegion;
    if (body.credential && current.credential.type === 'ram_role') deps.cloud.forgetRole(current.credential.roleArn, current.credential.externalId);
    verification = await verifyCredential(deps.cloud.forAccount(plain, { regionId: region }), expected, deps.clock);
  }
  const now = deps.clock.now();
  const change: Change = { atMs: now, by: who(p), what: 'update', fields: Object.keys(body).sort() };
  const written = await deps.store.mutate<AccountRecord>(T.accounts, { id: accountId }, (cur) => {
    const next: Partial<AccountRecord> = { updatedAtMs: now, changes: pushChange(cur.changes ?? [], change), verification };
    if (body.name !== undefined) next.name = body.name;
    if (body.groups !== undefined) next.groups = body.groups;
    if (body.alibabaAccountId !== undefined) next.alibabaAccountId = body.alibabaAccountId ?? undefined;
    if (body.defaultRegion !== undefined) next.defaultRegion = body.defaultRegion ?? undefined;
    if (credential) {
      next.credential = credential;
      next.credentialRev = (cur.credentialRev ?? 1) + 1;
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
    return next;
  });
  if (credential) await clearAccountCache(deps.store, accountId);
  audit(deps, accountId, change);
  return accountView(written);
}

/** Drops every cached catalog answer of an account (or one region): the next listing asks the cloud. */
export async function clearAccountCache(store: Store, accountId: string, regionId?: string): Promise<number> {
  const keys: { accountId: string; key: string }[] = [];
  for await (const row of store.scan<{ accountId: string; key: string }>(T.cache, regionId ? { eq: { accountId }, prefix: `${regionId}/` } : { eq: { accountId } })) {
    keys.push({ accountId, key: row.key });
  }
  if (keys.length) await store.batchWrite(T.cache, keys.map((key) => ({ type: 'delete' as const, key })));
  return keys.length;
}

const LIVE = new Set(['queued', 'provisioning', 'ready', 'failed', 'deleting']);

/** Servers of the account that still hold (or may hold) cloud resources. */
async function liveServers(store: Store, accountId: string): Promise<string[]> {
  const refs: string[] = [];
  for await (const r of store.scan<{ ref: string }>(T.accountRefs, { eq: { accountId }, prefix: 'server#' })) refs.push(r.ref.slice('server#'.length));
  if (!refs.length) return [];
  const rows = await store.batchGet<{ id: string; status?: string }>(T.servers, refs.map((id) => ({ id })));
  return rows.filter((s): s is { id: string; status?: string } & { version: number } => !!s && LIVE.has(s.status ?? 'queued')).map((s) => s.id);
}

export async function deleteAccount(id: unknown, p: Principal, deps: AccountsDeps): Promise<void> {
  const rec = await loadAccount(deps.store, id, p, 'write');
  const live = await liveServers(deps.store, rec.id);
  if (live.length) {
    throw new AppError('Conflict', `the account still has ${live.length} server(s) that are not deleted; delete them first`, { details: live.slice(0, 20).map((serverId) => ({ serverId })) });
  }
  await deps.store.remove(T.accounts, { id: rec.id }, rec.version);
  await clearAccountCache(deps.store, rec.id);
  if (rec.credential.type === 'ram_role') deps.cloud.forgetRole(rec.credential.roleArn, rec.credential.externalId);
  deps.log.info('audit', { audit: true, accountId: rec.id, by: who(p), what: 'delete', fields: [], atMs: deps.clock.now() });
}

/** Re-checks the credential and audits every permission the product uses (API.md §1 verify). */
export async function verifyAccount(id: unknown, p: Principal, deps: AccountsDeps) {
  const rec = await loadAccount(deps.store, id, p, 'operate');
  const client = deps.cloud.forAccount(await openCredential(rec, deps.secrets), { regionId: rec.defaultRegion ?? deps.homeRegion });
  const verification = await verifyCredential(client, rec.alibabaAccountId, deps.clock);
  const verified = verification.status === 'verified';
  const [permissions, resourceCenter, sshKeys] = verified
    ? await Promise.all([auditPermissions(client), resourceCenterStatus(client), checkKeyPairs(rec, deps)])
    : [[], { enabled: null, initialized: null }, []];
  const change: Change = { atMs: deps.clock.now(), by: who(p), what: 'verify', fields: ['verification'] };
  await deps.store.mutate<AccountRecord>(T.accounts, { id: rec.id }, (cur) => ({ verification, changes: pushChange(cur.changes ?? [], change) }));
  audit(deps, rec.id, change);
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
async function checkKeyPairs(rec: AccountRecord, deps: AccountsDeps) {
  const entries = Object.entries(rec.sshKeys).sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return [];
  const cred = await openCredential(rec, deps.secrets);
  return Promise.all(
    entries.map(async ([regionId, k]) => {
      try {
        const found = await deps.cloud.forAccount(cred, { regionId }).ecs.describeKeyPairs({ keyPairName: k.keyPairName });
        return { regionId, keyPairName: k.keyPairName, exists: found.some((f) => f.keyPairName === k.keyPairName), hasPrivateKey: k.privateKey !== undefined };
      } catch (e) {
        return { regionId, keyPairName: k.keyPairName, exists: null, hasPrivateKey: k.privateKey !== undefined, error: verificationError(e) };
      }
    }),
  );
}
