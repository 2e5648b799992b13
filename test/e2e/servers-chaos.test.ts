/**
 * Builds that survive anything, through the local host (time-scaled): 50 builds while 10 % of
 * every cloud call fails transiently, every async event is delivered twice, and some creates are
 * carried out by the cloud but the worker is killed (the function's time-out) before it writes
 * the outcome → every build ready, exactly one VPC, VSwitch, security group, instance and EIP per
 * build in the sandbox, and nothing at all after deleting them with releaseNetwork. Then the same
 * with async events lost at random: the sweeper finishes them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findRoot } from '../../lib/local/host';
import { renderLocalModel } from '../../lib/local/function-env';
import { startTestHost, type TestHost } from '../helpers/local';
import { api, buildFixture, type BuildFixture, dump, settled, specOf, until } from '../helpers/servers';

const BUILDS = Number(process.env.CHAOS_BUILDS) || 50;
/** Creates whose answer is held past the provision function's time-out: the worker dies after the cloud did the work. */
const CREATES = ['CreateVpc', 'CreateVSwitch', 'CreateSecurityGroup', 'RunInstances', 'AllocateEipAddress'];
const TYPES = [
  'ACS::VPC::VPC',
  'ACS::VPC::VSwitch',
  'ACS::ECS::SecurityGroup',
  'ACS::ECS::Instance',
  'ACS::EIP::EipAddress',
];

/**
 * Only turns a stuck build into a failure: 50 builds took ~130 s on a quiet 2-core machine and
 * 197 s beside four busy loops, so the limit leaves room for a busier one.
 */
const SETTLE_MS = 480_000;

let host: TestHost;

test.before(async () => {
  const model = await renderLocalModel(findRoot());
  const provision = model.functions.find((f) => f.resource === 'provision')!;
  provision.timeoutSec = 2; // a held answer (4 s) outlives the worker
  // The sweeper every ~0.3 s (its minute, scaled), so lost events are found in test time.
  host = await startTestHost({
    model,
    timerScale: 0.005,
    maxInstancesPerFunction: 8,
    // A lost event is taken over after 2 s of real time (FC's delivery latency, not cloud time).
    env: { FLEET_JOB_OVERDUE_MS: '2000' },
  });
});
test.after(async () => host?.close());

async function admin(path: string, body: unknown, method = 'POST') {
  const res = await fetch(`${host.sandbox.url}/__sandbox${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

/** Starts `n` builds at once and waits for every one to settle. */
async function buildMany(f: BuildFixture, n: number, prefix: string) {
  const created = await Promise.all(
    Array.from({ length: n }, (_, i) => api(host, 'POST', '/v1/servers', specOf(f, { name: `${prefix}-${i + 1}` }))),
  );
  for (const c of created) assert.is(c.status, 202, c.raw);
  return Promise.all(created.map((c) => until(host, c.body.id, settled, 'settled', SETTLE_MS)));
}

/** Every build owns exactly one resource of each type, and nothing else of those types exists. */
async function assertOnePerBuild(f: BuildFixture, servers: Array<Record<string, any>>) {
  const d = await dump(host, f.sandboxAccountId);
  const ids = new Set(servers.map((s) => s.id));
  for (const type of TYPES) {
    const all = (d[type] ?? []) as Array<{ id: string; tags: Record<string, string> }>;
    const per = new Map<string, number>();
    for (const r of all)
      per.set(r.tags['fleet:server'] ?? '(untagged)', (per.get(r.tags['fleet:server'] ?? '(untagged)') ?? 0) + 1);
    const wrong = [...per.entries()].filter(([sid, n]) => !ids.has(sid) || n !== 1);
    assert.equal(wrong, [], `${type}: one per build`);
    assert.is(all.length, servers.length, `${type}: ${all.length} for ${servers.length} builds`);
  }
}

async function deleteAll(f: BuildFixture, servers: Array<Record<string, any>>) {
  for (const s of servers) {
    const r = await api(host, 'DELETE', `/v1/servers/${s.id}?releaseNetwork=true`);
    assert.is(r.status, 202, r.raw);
  }
  const gone = await Promise.all(servers.map((s) => until(host, s.id, settled, 'deleted', SETTLE_MS)));
  assert.equal(
    gone.filter((s) => s.status !== 'deleted').map((s) => [s.id, s.status, s.error?.code]),
    [],
  );
  const d = await dump(host, f.sandboxAccountId);
  for (const type of TYPES) assert.equal(d[type] ?? [], [], `${type}: nothing remains`);
}

test('50 builds under transient faults, duplicated events and killed workers: all ready, one of everything each, nothing left after delete', async () => {
  const f = await buildFixture(host, { name: 'chaos', quotas: { vpcsPerRegion: 100, eipsPerRegion: 100 } });
  await admin(`/accounts/${f.sandboxAccountId}/faults`, { code: 'ServiceUnavailable', httpStatus: 503, rate: 0.1 });
  for (const action of CREATES)
    await admin(`/accounts/${f.sandboxAccountId}/faults`, { action, after: true, latencyMs: 4000, rate: 0.05 });
  host.asyncChaos({ duplicate: true });
  let t = Date.now();
  const servers = await buildMany(f, BUILDS, 'chaos');
  console.log(`  ${BUILDS} builds settled in ${Date.now() - t} ms`);
  const notReady = servers.filter((s) => s.status !== 'ready');
  assert.equal(
    notReady.map((s) => [s.id, s.status, s.error?.code, s.error?.stage]),
    [],
    'every build ready',
  );
  const retried = servers.filter((s) => s.stages.some((x: { attempts: number }) => x.attempts > 3)).length;
  assert.ok(retried > 0, 'the faults were felt');
  await assertOnePerBuild(f, servers);
  await admin(`/accounts/${f.sandboxAccountId}/faults`, {}, 'DELETE');
  t = Date.now();
  await deleteAll(f, servers);
  console.log(`  ${BUILDS} deletes settled in ${Date.now() - t} ms`);
  host.asyncChaos({});
});

test('async events lost at random: the sweeper finishes every build and delete', async () => {
  const f = await buildFixture(host, { name: 'lossy', quotas: { vpcsPerRegion: 100, eipsPerRegion: 100 } });
  host.asyncChaos({ dropRate: 0.2 });
  const t = Date.now();
  const servers = await buildMany(f, 20, 'lossy');
  console.log(`  20 lossy builds settled in ${Date.now() - t} ms`);
  assert.equal(
    servers.filter((s) => s.status !== 'ready').map((s) => [s.id, s.status, s.error?.code]),
    [],
  );
  await assertOnePerBuild(f, servers);
  await deleteAll(f, servers);
  const { dropped } = host.asyncChaos({});
  assert.ok(dropped > 0, `events were lost (${dropped})`);
});

test.run();
