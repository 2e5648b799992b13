/**
 * What a build does when the cloud says no, through the local host against the sandbox: the VPC
 * quota stops a dedicated build in preflight before anything is created, while shared builds
 * reuse one VPC; a type sold out in the first zone lands in the next; each non-retryable failure
 * (permission, invalid image, no balance, a bootstrap script's exit code) ends `failed` with the
 * cloud's code and a hint, and `retry` after the cause is fixed reaches `ready`; a delete during
 * a build supersedes it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestHost, type TestHost } from '../helpers/local';
import { api, buildFixture, dump, settled, specOf, until } from '../helpers/servers';

let host: TestHost;

test.before(async () => {
  host = await startTestHost({ timers: false, env: { FLEET_TIME_SCALE: '0.001' } });
});
test.after(async () => host?.close());

const admin = async (path: string, body: unknown, method = 'POST'): Promise<any> => {
  const res = await fetch(`${host.sandbox.url}/__sandbox${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
};

const build = async (spec: Record<string, unknown>) => {
  const r = await api(host, 'POST', '/v1/servers', spec);
  assert.is(r.status, 202, r.raw);
  return until(host, r.body.id, settled, 'settled');
};

const count = (d: Record<string, unknown[]>, type: string) => (d[type] ?? []).length;

test('VPC quota 2: the third dedicated build fails in preflight, creating nothing; 12 shared builds share one VPC', async () => {
  const f = await buildFixture(host, { quotas: { vpcsPerRegion: 2 }, name: 'quota' });
  for (const name of ['d-1', 'd-2'])
    assert.is((await build(specOf(f, { name, publicIp: { type: 'none' } }))).status, 'ready');
  const before = await dump(host, f.sandboxAccountId);
  const third = await build(specOf(f, { name: 'd-3', publicIp: { type: 'none' } }));
  assert.is(third.status, 'failed');
  assert.equal([third.error.code, third.error.stage, third.error.retryable], ['QuotaExceeded.Vpc', 'preflight', false]);
  assert.match(third.error.hint, /shared/);
  assert.equal(
    third.stages.filter((s: { status: string }) => s.status !== 'pending').map((s: { name: string }) => s.name),
    ['preflight'],
  );
  const after = await dump(host, f.sandboxAccountId);
  for (const t of ['ACS::VPC::VPC', 'ACS::VPC::VSwitch', 'ACS::ECS::Instance', 'ACS::ECS::SecurityGroup'])
    assert.is(count(after, t), count(before, t), `nothing new: ${t}`);

  const g = await buildFixture(host, { quotas: { vpcsPerRegion: 2 }, name: 'shared' });
  const shared = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      build(specOf(g, { name: `s-${i + 1}`, network: { mode: 'shared' }, publicIp: { type: 'none' } })),
    ),
  );
  assert.equal(
    shared.map((s) => s.status),
    Array(12).fill('ready'),
    JSON.stringify(shared.find((s) => s.status !== 'ready')?.error),
  );
  const vpcs = new Set(shared.map((s) => s.resources.vpcId));
  assert.is(vpcs.size, 1, 'one shared VPC for all twelve');
  const sd = await dump(host, g.sandboxAccountId);
  assert.is(count(sd, 'ACS::VPC::VPC'), 1);
  assert.is(new Set(shared.map((s) => s.resources.vSwitchId)).size, 1, 'one shared VSwitch in the zone');
});

test('an instance type sold out in the first zone lands in the next one', async () => {
  const f = await buildFixture(host, { name: 'stock' });
  const zones = await api(
    host,
    'GET',
    `/v1/catalog/${f.accountId}/regions/${f.regionId}/zones?instanceType=${f.instanceType}`,
  );
  const inStock = zones.body.items
    .filter((z: { available: boolean }) => z.available)
    .map((z: { zoneId: string }) => z.zoneId);
  assert.ok(inStock.length >= 2, `needs two zones with stock: ${JSON.stringify(zones.body)}`);
  await admin(`/accounts/${f.sandboxAccountId}/stock`, {
    zoneId: inStock[0],
    instanceType: f.instanceType,
    inStock: false,
  });
  const s = await build(specOf(f, { name: 'sold-out', publicIp: { type: 'none' } }));
  assert.is(s.status, 'ready', JSON.stringify(s.error));
  assert.is(s.resources.zoneId, inStock[1]);
});

test('RunInstances answering NoStock in the first zone: the instance lands in the next with a VSwitch there; delete releases both', async () => {
  const f = await buildFixture(host, { name: 'nostock-run' });
  await admin(`/accounts/${f.sandboxAccountId}/faults`, {
    action: 'RunInstances',
    code: 'OperationDenied.NoStock',
    httpStatus: 403,
    count: 1,
  });
  const s = await build(specOf(f, { name: 'fallback', publicIp: { type: 'none' } }));
  assert.is(s.status, 'ready', JSON.stringify(s.error));
  const d = await dump(host, f.sandboxAccountId);
  const mine = (d['ACS::VPC::VSwitch'] ?? []).filter((v: any) => v.tags['fleet:server'] === s.id);
  assert.is(mine.length, 2, 'one VSwitch per zone tried');
  assert.ok(mine.some((v: any) => v.id === s.resources.vSwitchId && v.zoneId === s.resources.zoneId));
  assert.is.not(s.resources.zoneId, mine.find((v: any) => v.id !== s.resources.vSwitchId).zoneId);
  const del = await api(host, 'DELETE', `/v1/servers/${s.id}?releaseNetwork=true`);
  assert.is(del.status, 202);
  assert.is((await until(host, s.id, settled, 'deleted')).status, 'deleted');
  const after = await dump(host, f.sandboxAccountId);
  assert.equal(
    Object.values(after)
      .flat()
      .filter((x: any) => x.tags?.['fleet:server'] === s.id),
    [],
  );
});

test('non-retryable failures end failed with their code: invalid image, permission, no balance; retry after the fix', async () => {
  const f = await buildFixture(host, { name: 'failures' });
  const image = await build(specOf(f, { name: 'bad-image', imageId: 'm-doesnotexist00000000' }));
  assert.equal([image.status, image.error.code, image.error.stage], ['failed', 'InvalidImageId.NotFound', 'preflight']);

  // A key without ecs:RunInstances: the build stops at the instance with the RAM code and the action.
  const limited = await admin(`/accounts/${f.sandboxAccountId}/access-keys`, {
    allow: ['ecs:Describe*', 'ecs:CreateSecurityGroup', 'ecs:AuthorizeSecurityGroup', 'vpc:*', 'quotas:*', 'sts:*'],
  });
  const acc = await api(host, 'POST', '/v1/accounts', {
    name: 'no-run',
    credential: { type: 'access_key', accessKeyId: limited.accessKeyId, accessKeySecret: limited.accessKeySecret },
  });
  const denied = await build({ ...specOf(f, { name: 'denied', publicIp: { type: 'none' } }), accountId: acc.body.id });
  assert.equal([denied.status, denied.error.code, denied.error.stage], ['failed', 'Forbidden.RAM', 'instance']);
  assert.match(denied.error.hint, /ecs:RunInstances/);

  await admin(`/accounts/${f.sandboxAccountId}/balance`, { enough: false });
  const broke = await build(specOf(f, { name: 'no-money', publicIp: { type: 'none' } }));
  assert.equal(
    [broke.status, broke.error.code, broke.error.stage],
    ['failed', 'InvalidAccountStatus.NotEnoughBalance', 'instance'],
  );
  await admin(`/accounts/${f.sandboxAccountId}/balance`, { enough: true });
  const retry = await api(host, 'POST', `/v1/servers/${broke.id}/retry`);
  assert.is(retry.status, 202, retry.raw);
  const fixed = await until(host, broke.id, settled, 'settled');
  assert.is(fixed.status, 'ready', JSON.stringify(fixed.error));
  assert.equal(fixed.resources.vpcId, broke.resources.vpcId, 'the network made before the failure is reused');
  const retryReady = await api(host, 'POST', `/v1/servers/${fixed.id}/retry`);
  assert.is(retryReady.status, 409, 'only a failed server can be retried');
});

test('a bootstrap script that fails shows its exit code and output; retry runs it again', async () => {
  const f = await buildFixture(host, { name: 'bootstrap' });
  await admin(`/accounts/${f.sandboxAccountId}/command-outcomes`, {
    exitCode: 3,
    output: 'E: Unable to locate package nginx-full\n',
    match: 'install-web',
    count: 1,
  });
  const s = await build(
    specOf(f, {
      name: 'boot',
      regionId: f.regionId,
      publicIp: { type: 'none' },
      bootstrap: { script: '#!/bin/sh\n# install-web\napt-get install -y nginx-full\n' },
    }),
  );
  assert.is(s.status, 'failed');
  assert.equal([s.error.stage, s.error.retryable], ['bootstrap', false]);
  assert.match(s.error.message, /exited with code 3/);
  assert.equal([s.bootstrap.exitCode, s.bootstrap.status], [3, 'Failed']);
  assert.match(s.bootstrap.outputTail, /Unable to locate package/);
  const r = await api(host, 'POST', `/v1/servers/${s.id}/retry`);
  assert.is(r.status, 202);
  const ok = await until(host, s.id, settled, 'settled');
  assert.is(ok.status, 'ready', JSON.stringify(ok.error));
  assert.equal([ok.bootstrap.exitCode, ok.bootstrap.status], [0, 'Success']);
  assert.is.not(ok.bootstrap.invocationId, s.bootstrap.invocationId, 'the script ran again');
});

test('a delete while the build runs supersedes it: the build stops where it was, the delete leaves nothing', async () => {
  const f = await buildFixture(host, { name: 'supersede' });
  // The gate: the script runs for a simulated day (86 s here), so the build sits in `bootstrap`.
  await admin(`/accounts/${f.sandboxAccountId}/command-outcomes`, { durationSeconds: 86_400, match: 'long-job' });
  const r = await api(
    host,
    'POST',
    '/v1/servers',
    specOf(f, {
      name: 'superseded',
      bootstrap: { script: '#!/bin/sh\n# long-job\nsleep 86400\n', timeoutSeconds: 86_400 },
    }),
  );
  assert.is(r.status, 202, r.raw);
  const waiting = await until(
    host,
    r.body.id,
    (s) => s.stage === 'bootstrap' && s.bootstrap?.status === 'Running',
    'bootstrap running',
  );
  assert.is(waiting.status, 'provisioning');
  assert.equal([waiting.bootstrap.exitCode, typeof waiting.bootstrap.invocationId], [null, 'string']);
  const del = await api(host, 'DELETE', `/v1/servers/${r.body.id}?releaseNetwork=true`);
  assert.is(del.status, 202, del.raw);
  const gone = await until(host, r.body.id, settled, 'settled');
  assert.is(gone.status, 'deleted', JSON.stringify(gone.error ?? gone.stages));
  assert.equal(
    gone.history.map((h: { operation: string; status: string }) => [h.operation, h.status]),
    [['create', 'superseded']],
  );
  assert.ok(gone.history[0].endedAtMs >= gone.history[0].startedAtMs);
  const d = await dump(host, f.sandboxAccountId);
  for (const [type, id] of [
    ['ACS::ECS::Instance', waiting.resources.instanceId],
    ['ACS::EIP::EipAddress', waiting.resources.eipAllocationId],
    ['ACS::ECS::SecurityGroup', waiting.resources.securityGroupId],
    ['ACS::VPC::VSwitch', waiting.resources.vSwitchId],
    ['ACS::VPC::VPC', waiting.resources.vpcId],
  ])
    assert.not.ok(
      (d[type] ?? []).some((x: { id: string }) => x.id === id),
      `${type} ${id} is gone`,
    );
});

test('a route is added through the VPC lock; bad specs are 400 with the field', async () => {
  const f = await buildFixture(host, { name: 'route' });
  const s = await build(
    specOf(f, { name: 'router', publicIp: { type: 'none' }, route: { destinationCidr: '10.200.0.0/16' } }),
  );
  assert.is(s.status, 'ready', JSON.stringify(s.error));
  assert.ok(s.resources.routeEntryId);
  for (const [body, path] of [
    [{ ...specOf(f), name: 'has space' }, 'name'],
    [{ ...specOf(f), network: { mode: 'existing' } }, 'network.mode'],
    [
      { ...specOf(f), ingress: [{ protocol: 'tcp', portRange: '0/70000', sourceCidr: '0.0.0.0/0' }] },
      'ingress.0.portRange',
    ],
    [{ ...specOf(f), tags: { 'fleet:server': 'x' } }, 'tags.fleet:server'],
    [{ ...specOf(f), notify: { function: 'fleet-settings' } }, 'notify.function'],
    [{ ...specOf(f), publicIp: { type: 'ephemeral', bandwidthMbps: 150 } }, 'publicIp.bandwidthMbps'],
    [{ ...specOf(f), network: { mode: 'dedicated', cidrBlock: '8.8.0.0/16' } }, 'network.cidrBlock'],
  ] as const) {
    const r = await api(host, 'POST', '/v1/servers', body);
    assert.is(r.status, 400, `${path}: ${r.raw}`);
    assert.ok(
      r.body.error.details.some((d: { path: string }) => d.path === path),
      `${path}: ${JSON.stringify(r.body.error.details)}`,
    );
  }
});

test.run();
