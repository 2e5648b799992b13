/**
 * The sandbox admin API trusts only this machine, and not every web page a browser on it opens:
 * a foreign Origin, a non-loopback Host (DNS rebinding) or a non-JSON POST is refused before
 * anything changes; quota names are the account's own, never inherited ones (`constructor`,
 * `toString`); an existing role is not silently replaced by POST (409; PUT replaces it); and
 * `GET /__sandbox/accounts` lists accounts without a key.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { send } from '../helpers/raw-http';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

let t: TestSandbox;
let accountId: string;
test.before(async () => {
  t = await startTestSandbox();
  accountId = (await t.createAccount()).accountId;
});
test.after(async () => {
  await t?.close();
});

const JSON_TYPE = { 'content-type': 'application/json' };
const count = async () => ((await t.admin('/accounts')) as { items: unknown[] }).items.length;
const codeOf = (text: string) => (JSON.parse(text) as { error: { code: string } }).error.code;

test('a cross-site page cannot create accounts: foreign Origin, rebound Host or text/plain are refused', async () => {
  const before = await count();
  const evil = await send(t.url, {
    method: 'POST',
    path: '/__sandbox/accounts',
    headers: { origin: 'http://evil.example', 'content-type': 'text/plain' },
    body: '{}',
  });
  assert.is(evil.status, 403);
  const evilJson = await send(t.url, {
    method: 'POST',
    path: '/__sandbox/accounts',
    headers: { origin: 'http://evil.example', ...JSON_TYPE },
    body: '{}',
  });
  assert.is(evilJson.status, 403, 'a foreign Origin is refused whatever the content type');
  assert.is((await send(t.url, { path: '/__sandbox/accounts', headers: { origin: 'null' } })).status, 403);
  for (const method of ['GET', 'POST']) {
    const rebound = await send(t.url, {
      method,
      path: '/__sandbox/accounts',
      headers: { host: `rebind.evil.example:${t.sandbox.port}`, ...JSON_TYPE },
      body: method === 'POST' ? '{}' : undefined,
    });
    assert.is(rebound.status, 403, method);
    assert.is(codeOf(rebound.text), 'Forbidden');
  }
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
    const res = await send(t.url, {
      method: 'POST',
      path: '/__sandbox/accounts',
      headers: type ? { 'content-type': type } : {},
      body: '{}',
    });
    assert.is(res.status, 415, type);
    assert.is(codeOf(res.text), 'UnsupportedMediaType');
  }
  assert.is(await count(), before, 'no account was created');
  const local = await send(t.url, {
    method: 'POST',
    path: '/__sandbox/accounts',
    headers: { origin: `http://127.0.0.1:${t.sandbox.port}`, ...JSON_TYPE },
    body: '{}',
  });
  assert.is(local.status, 201, local.text);
  assert.is(await count(), before + 1);
});

test('quotas: inherited names (constructor, toString, __proto__) are unknown quotas, nothing is stored', async () => {
  for (const body of [
    '{"constructor": 5}',
    '{"toString": 1}',
    '{"__proto__": {"vpcsPerRegion": 1}}',
    '{"hasOwnProperty": 0}',
  ]) {
    const res = await send(t.url, {
      method: 'POST',
      path: `/__sandbox/accounts/${accountId}/quotas`,
      headers: JSON_TYPE,
      body,
    });
    assert.is(res.status, 400, body);
  }
  const info = (await t.admin(`/accounts/${accountId}`)) as { quotas: Record<string, unknown> };
  assert.equal(Object.keys(info.quotas).sort(), [
    'eipBandwidthMbps',
    'eipsPerRegion',
    'routesPerTable',
    'vpcsPerRegion',
  ]);
  assert.equal(await t.admin(`/accounts/${accountId}/quotas`, { vpcsPerRegion: 3 }), {
    vpcsPerRegion: 3,
    routesPerTable: 200,
    eipBandwidthMbps: 200,
    eipsPerRegion: 20,
  });
  const create = await send(t.url, {
    method: 'POST',
    path: '/__sandbox/accounts',
    headers: JSON_TYPE,
    body: '{"quotas": {"constructor": 1}}',
  });
  assert.is(create.status, 400);
});

test('roles: POST of an existing name is 409 Conflict; PUT replaces it and keeps its id', async () => {
  const first = (await t.admin(`/accounts/${accountId}/roles`, { name: 'ops', trustedAccountIds: ['1'] })) as {
    roleId: string;
  };
  const again = await send(t.url, {
    method: 'POST',
    path: `/__sandbox/accounts/${accountId}/roles`,
    headers: JSON_TYPE,
    body: JSON.stringify({ name: 'ops', trustedAccountIds: [] }),
  });
  assert.is(again.status, 409);
  assert.is(codeOf(again.text), 'Conflict');
  const replaced = (await t.admin(`/accounts/${accountId}/roles/ops`, { trustedAccountIds: [] }, 'PUT')) as {
    roleId: string;
    trustedAccountIds: string[];
  };
  assert.is(replaced.roleId, first.roleId);
  assert.equal(replaced.trustedAccountIds, []);
  const fresh = (await t.admin(`/accounts/${accountId}/roles/new-one`, {}, 'PUT')) as { arn: string };
  assert.is(fresh.arn, `acs:ram::${accountId}:role/new-one`);
  const constructorRole = await send(t.url, {
    method: 'POST',
    path: `/__sandbox/accounts/${accountId}/roles`,
    headers: JSON_TYPE,
    body: JSON.stringify({ name: 'constructor' }),
  });
  assert.is(constructorRole.status, 201, 'a name inherited by plain objects is a new role, not an existing one');
});

test('GET /__sandbox/accounts lists every account with its regions and roles, never a key', async () => {
  const { items } = (await t.admin('/accounts')) as {
    items: Array<{ accountId: string; regions: string[]; roles: string[] }>;
  };
  const mine = items.find((a) => a.accountId === accountId);
  assert.ok(mine);
  assert.ok(mine!.regions.length >= 3);
  assert.equal(mine!.roles, ['constructor', 'new-one', 'ops']);
  const text = JSON.stringify(items);
  assert.not.match(text, /LTAI|accessKey|secret/i);
});

test.run();
