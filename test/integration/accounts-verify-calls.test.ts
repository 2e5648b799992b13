/**
 * What one `POST /v1/accounts/{id}/verify` costs in cloud calls: the credential is decrypted once
 * (one KMS Decrypt), and no probe is repeated (the verification's STS/ECS calls and the Resource
 * Center status count for the audit; the key-pair probe reads one filtered page).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { akCredential, rsaPem, startDomain, type Domain } from '../helpers/domain';
import type { CloudClient, CloudFactory } from '../../lib/cloud/types';

const calls = new Map<string, number>();
const count = (k: string) => calls.set(k, (calls.get(k) ?? 0) + 1);

/** Counts every API method called on a client (`ecs.describeKeyPairs`), calls pass through unchanged. */
function counted(c: CloudClient): CloudClient {
  const wrap = <T extends object>(name: string, api: T): T =>
    new Proxy(api, {
      get(t, k, r) {
        const v = Reflect.get(t, k, r);
        return typeof v === 'function' ? (...a: unknown[]) => (count(`${name}.${String(k)}`), v.apply(t, a)) : v;
      },
    });
  return {
    ...c,
    sts: wrap('sts', c.sts),
    ecs: wrap('ecs', c.ecs),
    vpc: wrap('vpc', c.vpc),
    resourceCenter: wrap('resourceCenter', c.resourceCenter),
    kms: wrap('kms', c.kms),
  };
}
const counting = (f: CloudFactory): CloudFactory => ({
  forAccount: (cred, o) => (count('forAccount'), counted(f.forAccount(cred, o))),
  forFunction: (o) => counted(f.forFunction(o)),
  forgetRole: (a, e) => f.forgetRole(a, e),
});

let d: Domain;
let keys: { accountId: string; accessKeyId: string; accessKeySecret: string };

test.before(async () => {
  d = await startDomain({ via: 'inprocess', wrapCloud: counting });
  keys = await d.createSandboxAccount();
});
test.after(async () => {
  await d?.close();
});

test('a verify decrypts the credential once and calls each probe once', async () => {
  const pem = await rsaPem();
  const created = await d.call('POST', '/v1/accounts', {
    token: d.adminToken,
    json: {
      name: 'v',
      defaultRegion: 'cn-hangzhou',
      credential: akCredential(keys),
      sshKeys: { 'cn-shanghai': { keyPairName: 'k1', privateKey: pem.privateKey } },
    },
  });
  assert.is(created.status, 201, created.raw);
  calls.clear();
  const v = await d.call('POST', `/v1/accounts/${created.body.id}/verify`, { token: d.adminToken });
  assert.is(v.status, 200, v.raw);
  assert.is(v.body.status, 'verified');
  const perm = (a: string) => v.body.permissions.find((x: { action: string }) => x.action === a);
  for (const a of [
    'sts:GetCallerIdentity',
    'ecs:DescribeRegions',
    'resourcecenter:GetResourceCenterServiceStatus',
    'ecs:DescribeKeyPairs',
  ])
    assert.is(perm(a)?.allowed, true, a);
  assert.equal(Object.keys(v.body.resourceCenter).sort(), ['enabled', 'initialized']);
  assert.type(v.body.resourceCenter.enabled, 'boolean');
  assert.equal(
    v.body.sshKeys.map((k: { keyPairName: string }) => k.keyPairName),
    ['k1'],
  );
  assert.is(calls.get('kms.decrypt'), 1, 'one KMS Decrypt (the AccessKey secret)');
  assert.is(calls.get('sts.getCallerIdentity'), 1);
  assert.is(calls.get('ecs.describeRegions'), 1);
  assert.is(calls.get('resourceCenter.getServiceStatus'), 1);
  assert.is(calls.get('ecs.describeKeyPairs'), 2, 'the audit probe + the configured key pair');
});

test('a verify logs its expected probe misses at debug: no WARN line for a healthy account', async () => {
  const created = await d.call('POST', '/v1/accounts', {
    token: d.adminToken,
    json: { name: 'quiet', defaultRegion: 'cn-hangzhou', credential: akCredential(keys) },
  });
  const from = d.logs.length;
  const v = await d.call('POST', `/v1/accounts/${created.body.id}/verify`, { token: d.adminToken });
  assert.is(v.status, 200, v.raw);
  const lines = d.logs.slice(from).map((l) => JSON.parse(l) as { level: string; msg: string });
  assert.ok(
    lines.some((l) => l.level === 'debug'),
    'the probes are logged',
  );
  assert.equal(
    lines.filter((l) => l.level === 'warn' || l.level === 'error').map((l) => l.msg),
    [],
  );
});

test('a cold catalog request opens the credential once, whatever it misses; the next one reuses the data key', async () => {
  const created = await d.call('POST', '/v1/accounts', {
    token: d.adminToken,
    json: { name: 'cold', credential: akCredential(keys) },
  });
  calls.clear();
  const zones = await d.call('GET', `/v1/catalog/${created.body.id}/regions/cn-hangzhou/zones`, {
    token: d.adminToken,
    query: { instanceType: 'ecs.g6.large' },
  });
  assert.is(zones.status, 200, zones.raw);
  assert.is(zones.body.cached, false);
  assert.ok(zones.body.items.length > 0);
  assert.equal(
    [calls.get('ecs.describeRegions'), calls.get('ecs.describeZones'), calls.get('ecs.describeAvailableResource')],
    [1, 1, 1],
    'three misses',
  );
  assert.is(calls.get('kms.decrypt'), 1, 'one Decrypt for the three misses');
  calls.clear();
  const keyPairs = await d.call('GET', `/v1/catalog/${created.body.id}/regions/cn-beijing/key-pairs`, {
    token: d.adminToken,
  });
  assert.is(keyPairs.status, 200, keyPairs.raw);
  // The data key opened moments ago is still in the instance's memory: no Decrypt this time.
  assert.equal([calls.get('kms.decrypt') ?? 0, calls.get('ecs.describeKeyPairs')], [0, 1]);
});

test.run();
