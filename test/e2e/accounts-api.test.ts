/**
 * Accounts and catalog through the HTTP API (local host → built settings/catalog functions →
 * sandbox): create an account and see its regions and key pairs, the cache and its clearing,
 * the verification hints (unknown key, wrong secret, account mismatch), the permission audit with a limited key, SSH keys, PATCH, DELETE.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import EcsModule, * as $Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { akCredential, rsaPem, startDomain, type Domain } from '../helpers/domain';
import * as T from '../../lib/store/tables';
import { SDK_TIMEOUTS } from '../helpers/sandbox';

const Ecs = ((EcsModule as unknown as { default?: typeof EcsModule }).default ?? EcsModule) as typeof EcsModule;

let d: Domain;
let keys: { accountId: string; accessKeyId: string; accessKeySecret: string };
let accountId: string;

test.before(async () => {
  d = await startDomain();
  keys = await d.createSandboxAccount();
});
test.after(async () => {
  await d?.close();
});

const admin = (method: string, path: string, json?: unknown, query?: Record<string, string>) =>
  d.call(method, path, { token: d.adminToken, ...(json !== undefined ? { json } : {}), ...(query ? { query } : {}) });

test('create an account: 201, verified at once, secret masked, identity known', async () => {
  const res = await admin('POST', '/v1/accounts', {
    name: 'prod',
    groups: ['blue'],
    defaultRegion: 'cn-hangzhou',
    credential: akCredential(keys),
  });
  assert.is(res.status, 201, res.raw);
  const a = res.body;
  accountId = a.id;
  assert.match(a.id, /^acc-[0-9a-z]{16}$/);
  assert.equal(a.credential, {
    type: 'access_key',
    accessKeyId: `${keys.accessKeyId.slice(0, 4)}****${keys.accessKeyId.slice(-4)}`,
  });
  assert.is(a.verification.status, 'verified');
  assert.is(a.verification.identity.accountId, keys.accountId);
  assert.is(a.alibabaAccountId, keys.accountId);
  assert.equal(a.groups, ['blue']);
  assert.is(a.defaultRegion, 'cn-hangzhou');
  assert.equal(a.sshKeys, {});
  assert.type(a.createdAt, 'number');
  assert.not.ok(res.raw.includes(keys.accessKeySecret));
  // at rest: sealed (KMS envelope), never the secret itself
  const row = await d.store.get<any>(T.accounts, { id: a.id });
  assert.ok(row);
  assert.is(row.credential.accessKeySecret.kind, 'kms');
  assert.not.ok(JSON.stringify(row).includes(keys.accessKeySecret));
  const got = await admin('GET', `/v1/accounts/${a.id}`);
  assert.equal(got.body, a);
  const list = await admin('GET', '/v1/accounts');
  assert.equal(
    list.body.items.map((x: { id: string }) => x.id),
    [a.id],
  );
});

test('regions and key pairs: one account serves every region; the second listing is cached', async () => {
  const r1 = await admin('GET', `/v1/catalog/${accountId}/regions`);
  assert.is(r1.status, 200, r1.raw);
  assert.is(r1.body.cached, false);
  assert.ok(r1.body.items.length >= 3);
  const hz = r1.body.items.find((r: { regionId: string }) => r.regionId === 'cn-hangzhou');
  assert.ok(hz && typeof hz.localName === 'string' && typeof hz.endpoint === 'string');
  const r2 = await admin('GET', `/v1/catalog/${accountId}/regions`);
  assert.is(r2.body.cached, true);
  assert.is(r2.body.fetchedAt, r1.body.fetchedAt);
  assert.equal(r2.body.items, r1.body.items);

  for (const regionId of r1.body.items.map((r: { regionId: string }) => r.regionId)) {
    const kp = await admin('GET', `/v1/catalog/${accountId}/regions/${regionId}/key-pairs`);
    assert.is(kp.status, 200, kp.raw);
    assert.is(kp.body.items.length, 2, regionId);
    for (const k of kp.body.items) {
      assert.type(k.keyPairName, 'string');
      assert.match(k.fingerprint, /^[0-9a-f]{2}(:[0-9a-f]{2})+$/);
    }
  }
});

test('a key pair imported in the cloud appears after DELETE cache (and not before)', async () => {
  const before = await admin('GET', `/v1/catalog/${accountId}/regions/cn-hangzhou/key-pairs`);
  const { publicKeyOpenSsh } = await rsaPem();
  const ecs = new Ecs(
    new $OpenApiUtil.Config({
      accessKeyId: keys.accessKeyId,
      accessKeySecret: keys.accessKeySecret,
      endpoint: d.sandboxEndpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      ...SDK_TIMEOUTS,
    }),
  );
  await ecs.importKeyPair(
    new $Ecs.ImportKeyPairRequest({
      regionId: 'cn-hangzhou',
      keyPairName: 'laptop-2026',
      publicKeyBody: publicKeyOpenSsh,
    }),
  );
  const stale = await admin('GET', `/v1/catalog/${accountId}/regions/cn-hangzhou/key-pairs`);
  assert.is(stale.body.cached, true);
  assert.equal(stale.body.items, before.body.items);

  const del = await admin('DELETE', `/v1/catalog/${accountId}/cache`, undefined, { regionId: 'cn-hangzhou' });
  assert.is(del.status, 204, del.raw);
  const fresh = await admin('GET', `/v1/catalog/${accountId}/regions/cn-hangzhou/key-pairs`);
  assert.is(fresh.body.cached, false);
  assert.ok(fresh.body.items.some((k: { keyPairName: string }) => k.keyPairName === 'laptop-2026'));
  assert.is(fresh.body.items.length, before.body.items.length + 1);
  // clearing one region kept the others and the region list
  const regions = await admin('GET', `/v1/catalog/${accountId}/regions`);
  assert.is(regions.body.cached, true);
});

test('zones with stock, images by owner, instance types by zone', async () => {
  const zones = await admin('GET', `/v1/catalog/${accountId}/regions/cn-hangzhou/zones`);
  assert.is(zones.status, 200, zones.raw);
  assert.ok(zones.body.items.length >= 2);
  const types = await admin('GET', `/v1/catalog/${accountId}/regions/cn-hangzhou/instance-types`);
  assert.is(types.status, 200, types.raw);
  assert.ok(types.body.items.length > 0);
  const t0 = types.body.items[0];
  assert.type(t0.cpu, 'number');
  assert.type(t0.memoryGiB, 'number');
  const stock = await admin('GET', `/v1/catalog/${accountId}/regions/cn-hangzhou/zones`, undefined, {
    instanceType: t0.instanceType,
  });
  assert.is(stock.status, 200, stock.raw);
  assert.equal(
    stock.body.items.map((z: { zoneId: string }) => z.zoneId),
    zones.body.items.map((z: { zoneId: string }) => z.zoneId),
  );
  assert.ok(stock.body.items.every((z: { available: unknown }) => typeof z.available === 'boolean'));
  const z0 = zones.body.items[0].zoneId;
  const inZone = await admin('GET', `/v1/catalog/${accountId}/regions/cn-hangzhou/instance-types`, undefined, {
    zoneId: z0,
  });
  assert.is(inZone.status, 200, inZone.raw);
  assert.ok(inZone.body.items.length > 0 && inZone.body.items.length <= types.body.items.length);
  const images = await admin('GET', `/v1/catalog/${accountId}/regions/cn-hangzhou/images`, undefined, {
    owner: 'system',
  });
  assert.is(images.status, 200, images.raw);
  assert.ok(images.body.items.length > 0);
  assert.match(images.body.items[0].imageId, /.+/);
  const self = await admin('GET', `/v1/catalog/${accountId}/regions/cn-hangzhou/images`, undefined, { owner: 'self' });
  assert.is(self.status, 200);
  assert.equal(self.body.items, []);
  const bad = await admin('GET', `/v1/catalog/${accountId}/regions/cn-hangzhou/images`, undefined, {
    owner: 'everyone',
  });
  assert.is(bad.status, 400);
  assert.equal(bad.body.error.details, [{ path: 'owner', problem: 'owner is "system", "self" or "others"' }]);
  const noRegion = await admin('GET', `/v1/catalog/${accountId}/regions/xx-nowhere-1/key-pairs`);
  assert.is(noRegion.status, 404);
});

test('verification hints: unknown AccessKey ID, wrong secret, account id mismatch', async () => {
  const unknown = await admin('POST', '/v1/accounts', {
    name: 'typo',
    credential: { type: 'access_key', accessKeyId: `LTAI${'x'.repeat(20)}`, accessKeySecret: 'y'.repeat(30) },
  });
  assert.is(unknown.status, 201, 'a failed credential is still saved');
  assert.is(unknown.body.verification.status, 'failed');
  assert.is(unknown.body.verification.error.code, 'InvalidAccessKeyId.NotFound');
  assert.match(unknown.body.verification.error.hint, /AccessKey ID does not exist/);

  const wrong = await admin('POST', '/v1/accounts', {
    name: 'wrong-secret',
    credential: { type: 'access_key', accessKeyId: keys.accessKeyId, accessKeySecret: 'z'.repeat(30) },
  });
  assert.is(wrong.body.verification.status, 'failed');
  assert.is(wrong.body.verification.error.code, 'SignatureDoesNotMatch');
  assert.match(wrong.body.verification.error.hint, /secret is wrong/);

  const other = '1'.repeat(16);
  const mismatch = await admin('POST', '/v1/accounts', {
    name: 'mismatch',
    alibabaAccountId: other,
    credential: akCredential(keys),
  });
  assert.is(mismatch.body.verification.status, 'failed');
  assert.is(mismatch.body.verification.error.code, 'AccountIdMismatch');
  assert.ok(
    mismatch.body.verification.error.message.includes(other) &&
      mismatch.body.verification.error.message.includes(keys.accountId),
  );
  assert.is(mismatch.body.alibabaAccountId, other);

  // fixing the credential re-verifies at once
  const fixed = await admin('PATCH', `/v1/accounts/${wrong.body.id}`, { credential: akCredential(keys) });
  assert.is(fixed.status, 200, fixed.raw);
  assert.is(fixed.body.verification.status, 'verified');
  for (const id of [unknown.body.id, wrong.body.id, mismatch.body.id])
    assert.is((await admin('DELETE', `/v1/accounts/${id}`)).status, 204);
});

test('Forbidden.RAM: the catalog names the missing permission; the audit lists allowed and denied actions', async () => {
  // A full-access key: every probe proves its permission; only writes without DryRun stay unknown.
  const full = await admin('POST', '/v1/accounts', { name: 'full', credential: akCredential(keys) });
  const all = await admin('POST', `/v1/accounts/${full.body.id}/verify`);
  assert.is(all.status, 200, all.raw);
  const unknown = all.body.permissions.filter((p: { allowed: boolean | null }) => p.allowed !== true);
  assert.ok(
    unknown.every((p: { allowed: null; how: string }) => p.allowed === null && p.how.startsWith('not checked')),
    JSON.stringify(unknown),
  );
  assert.ok(unknown.some((p: { action: string }) => p.action === 'ecs:RunCommand'));
  assert.is((await admin('DELETE', `/v1/accounts/${full.body.id}`)).status, 204);
  const limited = await d.admin(`/accounts/${keys.accountId}/access-keys`, {
    allow: ['ecs:Describe*', 'resourcecenter:GetResourceCenterServiceStatus'],
  });
  const acc = await admin('POST', '/v1/accounts', { name: 'read-only', credential: akCredential(limited) });
  assert.is(acc.body.verification.status, 'verified');
  const audit = await admin('POST', `/v1/accounts/${acc.body.id}/verify`);
  assert.is(audit.status, 200, audit.raw);
  const by = Object.fromEntries(audit.body.permissions.map((p: { action: string }) => [p.action, p]));
  assert.is(by['ecs:DescribeRegions'].allowed, true);
  assert.is(by['ecs:DescribeKeyPairs'].allowed, true);
  assert.is(by['ecs:RunInstances'].allowed, false, JSON.stringify(by['ecs:RunInstances']));
  assert.is(by['ecs:RunInstances'].how, 'DryRun');
  assert.is(by['vpc:CreateVpc'].allowed, false);
  assert.is(by['ecs:CreateSecurityGroup'].allowed, null);
  // What builds, power actions and bootstrap use: reads allowed by ecs:Describe*, the rest denied.
  assert.equal(
    [
      'ecs:DescribeSecurityGroups',
      'ecs:DescribeInvocationResults',
      'vpc:DescribeRouteTableList',
      'ecs:StopInstance',
      'ecs:RebootInstance',
      'quotas:GetProductQuota',
      'ecs:RunCommand',
    ].map((a) => [a, by[a]?.allowed, by[a]?.code ?? null]),
    [
      ['ecs:DescribeSecurityGroups', true, null],
      ['ecs:DescribeInvocationResults', true, null],
      ['vpc:DescribeRouteTableList', false, 'Forbidden.RAM'],
      ['ecs:StopInstance', false, 'Forbidden.RAM'],
      ['ecs:RebootInstance', false, 'Forbidden.RAM'],
      ['quotas:GetProductQuota', false, 'RAM.PERMISSION.DENIED'],
      ['ecs:RunCommand', null, null],
    ],
  );
  assert.is(audit.body.identity.accountId, keys.accountId);
  assert.type(audit.body.resourceCenter.enabled, 'boolean');

  const noEcs = await d.admin(`/accounts/${keys.accountId}/access-keys`, { allow: ['vpc:Describe*'] });
  const acc2 = await admin('POST', '/v1/accounts', { name: 'no-ecs', credential: akCredential(noEcs) });
  assert.is(acc2.status, 201, 'saved, to be fixed');
  assert.is(acc2.body.verification.status, 'failed');
  assert.is(acc2.body.verification.error.code, 'Forbidden.RAM');
  assert.match(acc2.body.verification.error.hint, /lacks the RAM permission ecs:DescribeRegions/);
  assert.is(acc2.body.verification.identity.accountId, keys.accountId, 'who it is, is still known');
  const regions = await admin('GET', `/v1/catalog/${acc2.body.id}/regions`);
  assert.is(regions.status, 422, regions.raw);
  assert.is(regions.body.error.code, 'CloudRejected');
  assert.ok(JSON.stringify(regions.body.error.details).includes('Forbidden.RAM'));
  assert.match(JSON.stringify(regions.body.error.details), /ecs:DescribeRegions/);
  assert.not.ok(regions.raw.includes(noEcs.accessKeySecret));
});

test('SSH keys: private keys are write-only; PATCH keeps, replaces and removes them', async () => {
  const { privateKey } = await rsaPem();
  const res = await admin('PATCH', `/v1/accounts/${accountId}`, {
    sshKeys: {
      'cn-hangzhou': { keyPairName: 'laptop-2026', privateKey },
      'cn-shanghai': { keyPairName: 'sandbox-cn-shanghai-1' },
    },
  });
  assert.is(res.status, 200, res.raw);
  assert.equal(res.body.sshKeys, {
    'cn-hangzhou': { keyPairName: 'laptop-2026', hasPrivateKey: true },
    'cn-shanghai': { keyPairName: 'sandbox-cn-shanghai-1', hasPrivateKey: false },
  });
  assert.not.ok(res.raw.includes('PRIVATE KEY'));
  const row = await d.store.get<any>(T.accounts, { id: accountId });
  assert.not.ok(JSON.stringify(row).includes('PRIVATE KEY'));
  const audit = await admin('POST', `/v1/accounts/${accountId}/verify`);
  assert.equal(audit.body.sshKeys, [
    { regionId: 'cn-hangzhou', keyPairName: 'laptop-2026', exists: true, hasPrivateKey: true },
    { regionId: 'cn-shanghai', keyPairName: 'sandbox-cn-shanghai-1', exists: true, hasPrivateKey: false },
  ]);
  const typo = await admin('PATCH', `/v1/accounts/${accountId}`, {
    sshKeys: { 'cn-beijing': { keyPairName: 'no-such-pair' } },
  });
  assert.is(typo.status, 200);
  const audit2 = await admin('POST', `/v1/accounts/${accountId}/verify`);
  assert.equal(
    audit2.body.sshKeys.find((k: { regionId: string }) => k.regionId === 'cn-beijing'),
    { regionId: 'cn-beijing', keyPairName: 'no-such-pair', exists: false, hasPrivateKey: false },
  );
  await admin('PATCH', `/v1/accounts/${accountId}`, { sshKeys: { 'cn-beijing': null } });
  const same = await admin('PATCH', `/v1/accounts/${accountId}`, {
    sshKeys: { 'cn-hangzhou': { keyPairName: 'laptop-2026' } },
  });
  assert.is(
    same.body.sshKeys['cn-hangzhou'].hasPrivateKey,
    true,
    'same key pair without a new private key keeps the stored one',
  );
  const removed = await admin('PATCH', `/v1/accounts/${accountId}`, { sshKeys: { 'cn-shanghai': null } });
  assert.equal(Object.keys(removed.body.sshKeys), ['cn-hangzhou']);
  const bad = await admin('PATCH', `/v1/accounts/${accountId}`, {
    sshKeys: {
      'cn-hangzhou': {
        keyPairName: 'k1',
        privateKey: '-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n',
      },
    },
  });
  assert.is(bad.status, 400);
  assert.is(bad.body.error.details[0].path, 'sshKeys.cn-hangzhou.privateKey');
});

test('a credential change clears the account cache', async () => {
  const warm = await admin('GET', `/v1/catalog/${accountId}/regions`);
  assert.is(warm.body.cached, true);
  const rev = (await d.store.get<any>(T.accounts, { id: accountId }))!.credentialRev;
  const other = await d.admin(`/accounts/${keys.accountId}/access-keys`, { allow: ['*'] });
  const res = await admin('PATCH', `/v1/accounts/${accountId}`, { credential: akCredential(other) });
  assert.is(res.body.verification.status, 'verified');
  // The mechanism: the account's credentialRev moves, and a cached answer of another rev is a miss
  // (the row itself may stay until it is refetched: nothing has to run after the PATCH).
  assert.is((await d.store.get<any>(T.accounts, { id: accountId }))!.credentialRev, rev + 1);
  assert.is((await d.store.get<any>(T.cache, { accountId, key: '_global/regions' }))?.credentialRev, rev);
  const after = await admin('GET', `/v1/catalog/${accountId}/regions`);
  assert.is(after.body.cached, false);
  assert.is((await d.store.get<any>(T.cache, { accountId, key: '_global/regions' }))?.credentialRev, rev + 1);
  assert.is((await admin('GET', `/v1/catalog/${accountId}/regions`)).body.cached, true);
});

test('validation: 400 with the path of each bad field, and the rejected secret not echoed', async () => {
  const secret = `${'S'.repeat(29)}!`;
  const res = await admin('POST', '/v1/accounts', {
    name: '',
    credential: { type: 'access_key', accessKeyId: 'AKID', accessKeySecret: secret },
    defaultRegion: 'Hangzhou',
    extra: 1,
  });
  assert.is(res.status, 400);
  assert.is(res.body.error.code, 'ValidationFailed');
  const paths = res.body.error.details.map((x: { path: string }) => x.path).sort();
  assert.equal(paths, ['(body)', 'credential.accessKeyId', 'credential.accessKeySecret', 'defaultRegion', 'name']);
  assert.not.ok(res.raw.includes(secret));
  const arn = await admin('POST', '/v1/accounts', {
    name: 'r',
    credential: { type: 'ram_role', roleArn: 'arn:aws:iam::1:role/x' },
  });
  assert.equal(
    arn.body.error.details.map((x: { path: string }) => x.path),
    ['credential.roleArn'],
  );
});

test('invisible names and prototype keys are 400 and change nothing (no audit row)', async () => {
  const before = (await admin('GET', `/v1/accounts/${accountId}/changes`)).body.items.length;
  for (const name of ['\u200b', 'a\u202eb', 'a\u2028b']) {
    for (const [method, path, json] of [
      ['POST', '/v1/accounts', { name, credential: akCredential(keys) }],
      ['PATCH', `/v1/accounts/${accountId}`, { name }],
      ['POST', '/v1/tokens', { name, role: 'viewer' }],
    ] as const) {
      const r = await admin(method, path, json);
      assert.is(r.status, 400, `${method} ${path} ${JSON.stringify(name)}: ${r.raw}`);
      assert.equal(
        r.body.error.details.map((x: { path: string }) => x.path),
        ['name'],
      );
    }
  }
  for (const body of [
    '{"sshKeys": {"__proto__": {"keyPairName": "kp-one"}}}',
    '{"sshKeys": {"constructor": {"keyPairName": "kp-one"}}}',
    '{"__proto__": {"name": "sneaky"}}',
  ]) {
    const r = await d.call('PATCH', `/v1/accounts/${accountId}`, { token: d.adminToken, body });
    assert.is(r.status, 400, `${body}: ${r.raw}`);
    assert.match(r.body.error.details[0].problem, /reserved/);
  }
  const after = (await admin('GET', `/v1/accounts/${accountId}/changes`)).body.items.length;
  assert.is(after, before, 'no change was recorded');
});

test('the audit trail lists who changed which fields, newest first, without values', async () => {
  const res = await admin('GET', `/v1/accounts/${accountId}/changes`);
  assert.is(res.status, 200, res.raw);
  const items = res.body.items as { at: number; by: string; what: string; fields: string[] }[];
  assert.is(items.at(-1)!.what, 'create');
  assert.equal(items.at(-1)!.fields, ['credential', 'defaultRegion', 'groups', 'name']);
  assert.ok(items.some((c) => c.what === 'update' && c.fields.includes('sshKeys')));
  assert.ok(items.every((c) => c.by === 'bootstrap-admin' && typeof c.at === 'number'));
  for (let i = 1; i < items.length; i++) assert.ok(items[i - 1]!.at >= items[i]!.at);
  assert.not.ok(res.raw.includes('PRIVATE') || res.raw.includes(keys.accessKeySecret));
});

test('delete: 409 while the account has live servers, then 204 and 404', async () => {
  await d.store.put(T.accountRefs, { accountId, ref: 'server#srv-testlive00000001' });
  await d.store.put(T.servers, { id: 'srv-testlive00000001', accountId, status: 'ready' });
  const blocked = await admin('DELETE', `/v1/accounts/${accountId}`);
  assert.is(blocked.status, 409, blocked.raw);
  assert.is(blocked.body.error.code, 'Conflict');
  await d.store.put(T.servers, { id: 'srv-testlive00000001', accountId, status: 'deleted' });
  const ok = await admin('DELETE', `/v1/accounts/${accountId}`);
  assert.is(ok.status, 204, ok.raw);
  assert.is((await admin('GET', `/v1/accounts/${accountId}`)).status, 404);
  assert.is((await admin('GET', `/v1/catalog/${accountId}/regions`)).status, 404);
  const { items } = await d.store.range(T.cache, { eq: { accountId } });
  assert.equal(items, [], 'its cache went with it');
});

test('audit log: who and which fields, without their values (secret, key, name)', async () => {
  const lines = d.logs.filter((l) => l.includes('"msg":"audit"'));
  assert.ok(lines.length >= 5, `audit lines: ${lines.length}`);
  const created = lines
    .map((l) => JSON.parse(l.slice(l.indexOf('{'))))
    .find((x) => x.what === 'create' && x.accountId === accountId);
  assert.ok(created);
  assert.is(created.by, 'bootstrap-admin');
  assert.ok(created.fields.includes('credential') && created.fields.includes('name'));
  for (const l of lines) {
    assert.not.ok(l.includes(keys.accessKeySecret), 'an AccessKey secret in an audit line');
    assert.not.ok(l.includes('PRIVATE KEY'), 'a private key in an audit line');
    assert.not.ok(l.includes('"prod"'), "the created account's name in an audit line");
  }
});

test.run();
