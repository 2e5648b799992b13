/**
 * Server builds through the local host against the sandbox: a dedicated build reaches `ready`
 * with every stage done or skipped and every resource in the sandbox's dump; a delete without
 * releaseNetwork keeps the network, with it leaves nothing; the same Idempotency-Key returns the
 * same server; power actions change the instance's state.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestHost, type TestHost } from '../helpers/local';
import { api, buildFixture, type BuildFixture, dump, settled, specOf, until } from '../helpers/servers';

let host: TestHost;
let f: BuildFixture;

test.before(async () => {
  host = await startTestHost({ timers: false, env: { FLEET_TIME_SCALE: '0.001' } });
  f = await buildFixture(host);
});
test.after(async () => host?.close());

const ids = (d: Record<string, Array<{ id: string }>>, type: string) => (d[type] ?? []).map((r) => r.id).sort();

test('a dedicated build reaches ready: every stage done or skipped, every resource in the sandbox', async () => {
  const created = await api(host, 'POST', '/v1/servers', specOf(f));
  assert.is(created.status, 202, created.raw);
  assert.is(created.body.status, 'queued');
  const s = await until(host, created.body.id, settled, 'settled');
  assert.is(s.status, 'ready', JSON.stringify(s.error ?? s.stages));
  assert.equal(
    s.stages.map((x: { name: string; status: string }) => [x.name, x.status]),
    [
      ['preflight', 'done'],
      ['vpc', 'done'],
      ['vswitch', 'done'],
      ['security-group', 'done'],
      ['instance', 'done'],
      ['instance-running', 'done'],
      ['public-ip', 'done'],
      ['route', 'skipped'],
      ['bootstrap', 'skipped'],
      ['ready', 'done'],
    ],
  );
  const r = s.resources;
  for (const k of [
    'zoneId',
    'vpcId',
    'vSwitchId',
    'securityGroupId',
    'instanceId',
    'eipAllocationId',
    'publicIp',
    'privateIp',
  ])
    assert.ok(r[k], `resources.${k}`);
  const d = await dump(host, f.sandboxAccountId);
  assert.ok(ids(d, 'ACS::VPC::VPC').includes(r.vpcId));
  assert.ok(ids(d, 'ACS::VPC::VSwitch').includes(r.vSwitchId));
  assert.ok(ids(d, 'ACS::ECS::SecurityGroup').includes(r.securityGroupId));
  assert.ok(ids(d, 'ACS::ECS::Instance').includes(r.instanceId));
  assert.ok(ids(d, 'ACS::EIP::EipAddress').includes(r.eipAllocationId));
  const inst = d['ACS::ECS::Instance'].find((i: { id: string }) => i.id === r.instanceId);
  assert.is(inst.tags['fleet:server'], s.id, 'the instance names its server');
  assert.is(inst.status, 'Running');

  // Power: stop, then start.
  const stop = await api(host, 'POST', `/v1/servers/${s.id}/actions`, { action: 'stop' });
  assert.is(stop.status, 202, stop.raw);
  const stopped = await until(host, s.id, (x) => x.operation === 'stop' && x.stages[0]?.status === 'done', 'stopped');
  assert.is(stopped.instanceStatus, 'Stopped');
  assert.is(stopped.status, 'ready');
  await api(host, 'POST', `/v1/servers/${s.id}/actions`, { action: 'start' });
  const started = await until(host, s.id, (x) => x.operation === 'start' && x.stages[0]?.status === 'done', 'started');
  assert.is(started.instanceStatus, 'Running');
  assert.equal(
    started.history.map((h: { operation: string; status: string }) => [h.operation, h.status]),
    [
      ['create', 'succeeded'],
      ['stop', 'succeeded'],
    ],
  );

  // Delete without releaseNetwork: the instance and the EIP go, the network stays (an orphan now).
  const del = await api(host, 'DELETE', `/v1/servers/${s.id}`);
  assert.is(del.status, 202, del.raw);
  const gone = await until(host, s.id, settled, 'deleted');
  assert.is(gone.status, 'deleted', JSON.stringify(gone.error ?? gone.stages));
  const after = await dump(host, f.sandboxAccountId);
  assert.not.ok(ids(after, 'ACS::ECS::Instance').includes(r.instanceId));
  assert.not.ok(ids(after, 'ACS::EIP::EipAddress').includes(r.eipAllocationId));
  assert.ok(ids(after, 'ACS::VPC::VPC').includes(r.vpcId), 'the VPC stays without releaseNetwork');
  assert.ok(ids(after, 'ACS::ECS::SecurityGroup').includes(r.securityGroupId));
});

test('delete with releaseNetwork leaves nothing of the server behind', async () => {
  const created = await api(host, 'POST', '/v1/servers', specOf(f, { name: 'web-2' }));
  const s = await until(host, created.body.id, settled, 'settled');
  assert.is(s.status, 'ready', JSON.stringify(s.error));
  const del = await api(host, 'DELETE', `/v1/servers/${s.id}?releaseNetwork=true`);
  assert.is(del.status, 202, del.raw);
  const gone = await until(host, s.id, settled, 'deleted');
  assert.is(gone.status, 'deleted', JSON.stringify(gone.error ?? gone.stages));
  const d = await dump(host, f.sandboxAccountId);
  const tagged = Object.values(d)
    .flat()
    .filter((x: any) => x.tags?.['fleet:server'] === s.id);
  assert.equal(tagged, []);
});

test('the same Idempotency-Key returns the same server and starts nothing new; another body is refused', async () => {
  const key = { 'idempotency-key': 'build-web-3' };
  const a = await api(host, 'POST', '/v1/servers', specOf(f, { name: 'web-3' }), key);
  const b = await api(host, 'POST', '/v1/servers', specOf(f, { name: 'web-3' }), key);
  assert.is(a.status, 202);
  assert.is(b.status, 202);
  assert.is(b.body.id, a.body.id);
  const c = await api(host, 'POST', '/v1/servers', specOf(f, { name: 'web-4' }), key);
  assert.is(c.status, 409, c.raw);
  const s = await until(host, a.body.id, settled, 'settled');
  assert.is(s.status, 'ready');
  const list = await api(host, 'GET', `/v1/servers?accountId=${f.accountId}`);
  assert.is(list.body.items.filter((x: { name: string }) => x.name === 'web-3').length, 1);
});

test.run();
