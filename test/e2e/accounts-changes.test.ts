/**
 * The accounts audit trail (`account_changes`) through the settings API against the sandbox: who
 * (kind, token, name, role), when, what (old → new for plain fields, "changed" for secrets), verify
 * outcomes and deletes; newest first and paged; readable by admins after the account is deleted;
 * crash-safe (a change left only on the account row is recovered, a retried delete records once);
 * and no secret in any stored change row.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as T from '../../lib/store/tables';
import { changeIdFor, type ChangeRow } from '../../lib/accounts/changes';
import { akCredential, rsaPem, startDomain, type Domain } from '../helpers/domain';

let d: Domain;
let keys: { accountId: string; accessKeyId: string; accessKeySecret: string };
let keys2: { accountId: string; accessKeyId: string; accessKeySecret: string };
let pem1: string;
let pem2: string;
let accountId: string;
const tok: Record<string, { token: string; id: string }> = {};
const raws: string[] = [];

test.before(async () => {
  d = await startDomain();
  [keys, keys2] = [await d.createSandboxAccount(), await d.createSandboxAccount()];
  [pem1, pem2] = [(await rsaPem()).privateKey, (await rsaPem()).privateKey];
  for (const [role, groups] of [
    ['operator', ['blue']],
    ['viewer', ['blue']],
  ] as const) {
    const r = await d.call('POST', '/v1/tokens', { token: d.adminToken, json: { name: `${role}-bot`, role, groups } });
    assert.is(r.status, 201, r.raw);
    tok[role] = { token: r.body.token, id: r.body.id };
  }
});
test.after(async () => {
  await d?.close();
});

const call = async (method: string, path: string, token: string, json?: unknown, query?: Record<string, string>) => {
  const r = await d.call(method, path, { token, ...(json !== undefined ? { json } : {}), ...(query ? { query } : {}) });
  raws.push(r.raw ?? '');
  return r;
};
const admin = (method: string, path: string, json?: unknown, query?: Record<string, string>) =>
  call(method, path, d.adminToken, json, query);
const changes = async (id = accountId, query?: Record<string, string>, token = d.adminToken) =>
  call('GET', `/v1/accounts/${id}/changes`, token, undefined, query);
const storedRows = async (id = accountId) => {
  const rows: ChangeRow[] = [];
  for await (const r of d.store.scan<ChangeRow>(T.accountChanges, { eq: { accountId: id } })) rows.push(r);
  return rows;
};

test('create, updates and a verify are recorded: who, when, old → new, secrets only "changed"', async () => {
  const t0 = Date.now();
  const created = await admin('POST', '/v1/accounts', {
    name: 'prod',
    groups: ['blue'],
    credential: akCredential(keys),
    sshKeys: { 'cn-hangzhou': { keyPairName: 'kp-one', privateKey: pem1 } },
  });
  assert.is(created.status, 201, created.raw);
  accountId = created.body.id;
  assert.is(
    (await admin('PATCH', `/v1/accounts/${accountId}`, { name: 'production', defaultRegion: 'cn-beijing' })).status,
    200,
  );
  // a new credential (another account's key: verification fails on the id given) and a new private key
  const patched = await admin('PATCH', `/v1/accounts/${accountId}`, {
    credential: akCredential(keys2),
    alibabaAccountId: keys.accountId,
    sshKeys: { 'cn-hangzhou': { keyPairName: 'kp-one', privateKey: pem2 } },
  });
  assert.is(patched.status, 200, patched.raw);
  assert.is(patched.body.verification.status, 'failed');
  const verified = await call('POST', `/v1/accounts/${accountId}/verify`, tok.operator!.token);
  assert.is(verified.status, 200, verified.raw);

  const res = await changes();
  assert.is(res.status, 200, res.raw);
  const items = res.body.items;
  assert.equal(
    items.map((c: { what: string }) => c.what),
    ['verify', 'update', 'update', 'create'],
  );
  assert.equal(
    items.map((c: { id: string }) => c.id),
    [4, 3, 2, 1].map(changeIdFor),
  );
  for (const c of items) assert.ok(c.at >= t0 && c.at <= Date.now(), 'when: epoch ms');
  for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].at >= items[i].at);

  const [verify, credUpdate, nameUpdate, create] = items;
  assert.equal(verify.actor, { kind: 'token', role: 'operator', tokenId: tok.operator!.id, name: 'operator-bot' });
  assert.is(verify.by, tok.operator!.id);
  assert.equal(verify.fields, ['verification']);
  assert.equal(verify.outcome, { status: 'failed', code: 'AccountIdMismatch' });

  assert.equal(credUpdate.fields, ['alibabaAccountId', 'credential', 'sshKeys']);
  assert.equal(credUpdate.changes, {
    alibabaAccountId: { from: null, to: keys.accountId },
    credential: 'changed',
    'sshKeys.cn-hangzhou.privateKey': 'changed',
    'verification.status': { from: 'verified', to: 'failed' },
  });
  assert.equal(credUpdate.outcome, { status: 'failed', code: 'AccountIdMismatch' });

  assert.equal(nameUpdate.changes, {
    name: { from: 'prod', to: 'production' },
    defaultRegion: { from: null, to: 'cn-beijing' },
  });
  assert.is(nameUpdate.outcome, undefined);
  assert.equal(nameUpdate.actor, { kind: 'bootstrap', role: 'admin', name: 'bootstrap admin' });
  assert.is(nameUpdate.by, 'bootstrap-admin');

  assert.equal(create.fields, ['credential', 'groups', 'name', 'sshKeys']);
  assert.equal(create.changes.name, { from: null, to: 'prod' });
  assert.equal(create.changes.groups, { from: null, to: ['blue'] });
  assert.is(create.changes.credential, 'changed');
  assert.equal(create.changes['sshKeys.cn-hangzhou.keyPairName'], { from: null, to: 'kp-one' });
  assert.is(create.changes['sshKeys.cn-hangzhou.privateKey'], 'changed');
  assert.equal(create.outcome, { status: 'verified' });
  // the trail is its own table, not a list on the account row
  const row = await d.store.get<Record<string, unknown>>(T.accounts, { id: accountId });
  assert.is(row!.changes, undefined);
  assert.is((await storedRows()).length, 4);
});

test('newest first, paged with limit and cursor; a bad limit or cursor is 400', async () => {
  const all = (await changes()).body.items.map((c: { id: string }) => c.id);
  const p1 = await changes(accountId, { limit: '3' });
  assert.is(p1.body.items.length, 3);
  assert.type(p1.body.nextCursor, 'string');
  const p2 = await changes(accountId, { limit: '3', cursor: p1.body.nextCursor });
  assert.is(p2.status, 200, p2.raw);
  assert.is(p2.body.nextCursor, undefined);
  assert.equal(
    [...p1.body.items, ...p2.body.items].map((c: { id: string }) => c.id),
    all,
  );
  for (const limit of ['0', '201', 'x', '1.5']) {
    const bad = await changes(accountId, { limit });
    assert.is(bad.status, 400, `${limit}: ${bad.raw}`);
    assert.equal(
      bad.body.error.details.map((x: { path: string }) => x.path),
      ['limit'],
    );
  }
  const badCursor = await changes(accountId, { cursor: 'nonsense' });
  assert.is(badCursor.status, 400);
  // a viewer in the account's groups reads it too
  assert.is((await changes(accountId, undefined, tok.viewer!.token)).status, 200);
});

test('crash between the account write and the trail copy: the change is recovered, and recorded once', async () => {
  // As if the process died right after the verify's conditional write: the row has lastChange, the table not.
  await d.store.remove(T.accountChanges, { accountId, changeId: changeIdFor(4) });
  assert.is((await storedRows()).length, 3);
  const read = await changes();
  assert.equal(
    read.body.items.map((c: { what: string }) => c.what),
    ['verify', 'update', 'update', 'create'],
  );
  // Same with the next writer: it copies the pending change before writing its own.
  await d.store.remove(T.accountChanges, { accountId, changeId: changeIdFor(4) });
  assert.is((await admin('PATCH', `/v1/accounts/${accountId}`, { groups: ['blue', 'green'] })).status, 200);
  const rows = await storedRows();
  assert.equal(
    rows.map((r) => r.changeId),
    [1, 2, 3, 4, 5].map(changeIdFor),
  );
  assert.equal(rows[4]!.diff, { groups: { from: ['blue'], to: ['blue', 'green'] } });
});

test('delete is recorded; the trail stays readable by admins after it (404 for others and unknown ids)', async () => {
  const del = await admin('DELETE', `/v1/accounts/${accountId}`);
  assert.is(del.status, 204, del.raw);
  assert.is((await admin('GET', `/v1/accounts/${accountId}`)).status, 404);
  const res = await changes();
  assert.is(res.status, 200, res.raw);
  const top = res.body.items[0];
  assert.is(top.what, 'delete');
  assert.is(top.id, changeIdFor(6));
  assert.equal(top.changes.name, { from: 'production', to: null });
  assert.is(top.changes.credential, 'changed');
  assert.is(res.body.items.length, 6);
  assert.is((await changes(accountId, undefined, tok.viewer!.token)).status, 404);
  assert.is((await changes(accountId, undefined, tok.operator!.token)).status, 404);
  assert.is((await changes('acc-zzzzzzzzzzzzzzzz')).status, 404);
  assert.is((await d.call('GET', `/v1/accounts/${accountId}/changes`, {})).status, 401);
});

test('a DELETE retried after a crash between the mark and the removal finishes it and records it once', async () => {
  const a = await admin('POST', '/v1/accounts', { name: 'half', credential: akCredential(keys) });
  const id = a.body.id as string;
  const row = await d.store.get<any>(T.accounts, { id });
  // The delete's first write (the mark carrying its change) happened; the process died before the rest.
  const mark: ChangeRow = {
    accountId: id,
    changeId: changeIdFor(row.version + 1),
    accountVersion: row.version + 1,
    atMs: Date.now(),
    what: 'delete',
    by: 'bootstrap-admin',
    actor: { kind: 'bootstrap', role: 'admin' },
    fields: [],
    diff: { name: { from: 'half', to: null } },
  };
  await d.store.update(T.accounts, { id }, row.version, { deletedAtMs: Date.now(), lastChange: mark });
  assert.is((await admin('GET', `/v1/accounts/${id}`)).status, 404);
  assert.not.ok((await admin('GET', '/v1/accounts')).body.items.some((x: { id: string }) => x.id === id));
  assert.is((await admin('PATCH', `/v1/accounts/${id}`, { name: 'x' })).status, 404);
  assert.is((await admin('DELETE', `/v1/accounts/${id}`)).status, 204);
  assert.is(await d.store.get(T.accounts, { id }), undefined);
  assert.is((await admin('DELETE', `/v1/accounts/${id}`)).status, 404);
  const rows = await storedRows(id);
  assert.equal(
    rows.map((r) => r.what),
    ['create', 'delete'],
  );
});

test('no stored change row and no answer holds a secret (AccessKey secrets, private keys, sealed values)', async () => {
  const rows: unknown[] = [];
  for await (const r of d.store.scan(T.accountChanges)) rows.push(r);
  assert.ok(rows.length >= 8);
  const stored = JSON.stringify(rows);
  const pemBody = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  const needles = [
    keys.accessKeySecret,
    keys2.accessKeySecret,
    ...pemBody(pem1),
    ...pemBody(pem2),
    'PRIVATE KEY',
    'wrappedKey',
    '"ct"',
    tok.operator!.token,
    tok.viewer!.token,
    d.adminToken,
  ];
  for (const s of needles) {
    assert.not.ok(stored.includes(s), `stored change rows hold ${s.slice(0, 12)}…`);
    assert.not.ok(
      raws.some((r) => r.includes(s)),
      `an answer holds ${s.slice(0, 12)}…`,
    );
  }
});

test.run();
