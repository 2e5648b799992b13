/**
 * The network around a server, through the local host: a delete without releaseNetwork leaves
 * tagged network that GET /v1/orphans reports and POST /v1/orphans/release removes (never what a
 * live server uses, never untagged); a build in `existing` mode uses the given VPC and VSwitch
 * and its delete never touches them; the spec's `notify` function hears how each build ended.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRoot } from '../../lib/local/host';
import { renderLocalModel } from '../../lib/local/function-env';
import { localFunction, startTestHost, type TestHost } from '../helpers/local';
import { api, buildFixture, type BuildFixture, dump, settled, specOf, until } from '../helpers/servers';

let host: TestHost;
let f: BuildFixture;
const hookDir = mkdtempSync(join(tmpdir(), 'fleet-hook-'));
const heard = join(hookDir, 'heard.jsonl');

// The user's own function: appends every event it gets.
writeFileSync(join(hookDir, 'package.json'), '{"type":"commonjs"}');
writeFileSync(
  join(hookDir, 'index.js'),
  `exports.handler = async (event) => { require('fs').appendFileSync(${JSON.stringify(heard)}, event.toString() + '\\n'); return {}; };`,
);

test.before(async () => {
  const model = await renderLocalModel(findRoot());
  model.functions.push({ ...localFunction('hook', { code: hookDir }), functionName: 'user-hook' });
  host = await startTestHost({ model, timers: false });
  f = await buildFixture(host, { name: 'network' });
});
test.after(async () => {
  await host?.close();
  rmSync(hookDir, { recursive: true, force: true });
});

const build = async (spec: Record<string, unknown>) => {
  const r = await api(host, 'POST', '/v1/servers', spec);
  assert.is(r.status, 202, r.raw);
  return until(host, r.body.id, settled, 'settled');
};
const del = async (id: string, releaseNetwork: boolean) => {
  const r = await api(host, 'DELETE', `/v1/servers/${id}${releaseNetwork ? '?releaseNetwork=true' : ''}`);
  assert.is(r.status, 202, r.raw);
  return until(host, id, settled, 'deleted');
};
const ids = (d: Record<string, Array<{ id: string }>>, type: string) => (d[type] ?? []).map((r) => r.id);

test("orphans: the network a delete left behind is listed, a live server's never; release removes exactly the orphans", async () => {
  const keep = await build(specOf(f, { name: 'keeper', publicIp: { type: 'none' } }));
  const left = await build(specOf(f, { name: 'leaver', publicIp: { type: 'eip' } }));
  assert.equal([keep.status, left.status], ['ready', 'ready']);
  assert.is((await del(left.id, false)).status, 'deleted');

  const list = await api(host, 'GET', `/v1/orphans?accountId=${f.accountId}&refresh=true`);
  assert.is(list.status, 200, list.raw);
  const orphanIds = list.body.items.map((o: { id: string }) => o.id).sort();
  const r = left.resources;
  assert.equal(orphanIds, [r.securityGroupId, r.vSwitchId, r.vpcId].sort(), JSON.stringify(list.body.items));
  assert.ok(list.body.items.every((o: { tags: Record<string, string> }) => o.tags['fleet:server'] === left.id));
  // A viewer sees them too; another group does not (scope).
  const viewer = await api(host, 'POST', '/v1/tokens', { name: 'v', role: 'viewer', groups: ['nobody'] });
  const seen = await host.fetch('/v1/orphans', { token: viewer.body.token });
  assert.equal(((await seen.json()) as { items: unknown[] }).items, []);

  const rel = await api(host, 'POST', '/v1/orphans/release', { accountId: f.accountId });
  assert.is(rel.status, 202, rel.raw);
  const end = Date.now() + 60_000;
  let status = rel.body;
  while (status.status === 'running' && Date.now() < end) {
    await new Promise((res) => setTimeout(res, 25));
    status = (await api(host, 'GET', `/v1/orphans/releases/${rel.body.id}`)).body;
  }
  assert.is(status.status, 'succeeded', JSON.stringify(status));
  assert.equal([...status.released].sort(), orphanIds);
  const d = await dump(host, f.sandboxAccountId);
  for (const id of orphanIds)
    assert.not.ok(
      Object.values(d)
        .flat()
        .some((x: any) => x.id === id),
      `${id} released`,
    );
  for (const id of [keep.resources.vpcId, keep.resources.vSwitchId, keep.resources.securityGroupId])
    assert.ok(
      Object.values(d)
        .flat()
        .some((x: any) => x.id === id),
      `${id} of the live server stays`,
    );
  const after = await api(host, 'GET', `/v1/orphans?accountId=${f.accountId}&refresh=true`);
  assert.equal(after.body.items, []);
  const bad = await api(host, 'POST', '/v1/orphans/release', { accountId: f.accountId, ids: [keep.resources.vpcId] });
  assert.is(bad.status, 404, "a live server's VPC is not an orphan");
  await del(keep.id, true);
});

test('existing network: the build uses the given VPC and VSwitch; its delete with releaseNetwork leaves them', async () => {
  const base = await build(specOf(f, { name: 'base', publicIp: { type: 'none' } }));
  await del(base.id, false);
  const { vpcId, vSwitchId } = base.resources;
  const s = await build(
    specOf(f, { name: 'tenant', network: { mode: 'existing', vpcId, vSwitchId }, publicIp: { type: 'none' } }),
  );
  assert.is(s.status, 'ready', JSON.stringify(s.error));
  assert.equal(
    [s.resources.vpcId, s.resources.vSwitchId, s.resources.zoneId],
    [vpcId, vSwitchId, base.resources.zoneId],
  );
  assert.equal(
    s.stages.filter((x: { status: string }) => x.status === 'skipped').map((x: { name: string }) => x.name),
    ['vpc', 'vswitch', 'public-ip', 'route', 'bootstrap'],
  );
  await del(s.id, true);
  const d = await dump(host, f.sandboxAccountId);
  assert.ok(ids(d, 'ACS::VPC::VPC').includes(vpcId), 'the given VPC stays');
  assert.ok(ids(d, 'ACS::VPC::VSwitch').includes(vSwitchId), 'the given VSwitch stays');
  assert.not.ok(ids(d, 'ACS::ECS::SecurityGroup').includes(s.resources.securityGroupId), 'its own security group goes');
  const wrong = await build(
    specOf(f, { name: 'bad-net', network: { mode: 'existing', vpcId, vSwitchId: 'vsw-doesnotexist000000' } }),
  );
  assert.equal(
    [wrong.status, wrong.error.code, wrong.error.stage],
    ['failed', 'InvalidVSwitchId.NotFound', 'preflight'],
  );
});

test("notify: the spec's function hears server.create.succeeded and server.delete.succeeded with the server", async () => {
  const s = await build(specOf(f, { name: 'notified', publicIp: { type: 'none' }, notify: { function: 'user-hook' } }));
  assert.is(s.status, 'ready');
  assert.equal(s.stages.at(-1).name, 'notify');
  await del(s.id, true);
  await host.drainAsync();
  const events = readFileSync(heard, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.server.id === s.id);
  assert.equal(
    events.map((e) => e.event),
    ['server.create.succeeded', 'server.delete.succeeded'],
  );
  assert.is(events[0].server.status, 'ready');
  assert.is(events[0].server.resources.instanceId, s.resources.instanceId);
});

test.run();
