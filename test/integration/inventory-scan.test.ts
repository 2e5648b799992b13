/**
 * Scans run stage by stage on the real store and cloud client against the sandbox, with the
 * events delivered by the test: what a scan finds, a slice stopped at its deadline after every
 * page resuming from its checkpoint, batching of level 2, and the second scan's history.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CloudClient } from '../../lib/cloud/index';
import type { AssetRecord, ScanRecord, SliceRecord } from '../../lib/inventory/model';
import { tables as T } from '../../lib/store';
import { clientFor, sandboxClock } from '../helpers/cloud-client';
import {
  addDataDisk,
  buildRegion,
  countCalls,
  inventoryHarness,
  sandboxDump,
  type Harness,
} from '../helpers/inventory';
import { rpcClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox';
import { getAsset } from '../../lib/inventory/query';
import { commitInMemory } from '../../lib/inventory/apply';

let sb: TestSandbox;
let keys: { accountId: string; accessKeyId: string; accessKeySecret: string };
let c: CloudClient;
let h: Harness;
let hz: Awaited<ReturnType<typeof buildRegion>>;
const calls = countCalls();

test.before(async () => {
  sb = await startTestSandbox();
  keys = await sb.createAccount({ regions: ['cn-hangzhou', 'cn-beijing'] });
  c = clientFor(sb, keys);
  const clock = sandboxClock(sb);
  await clock.freeze();
  hz = await buildRegion(c, clock, { instances: 250, eips: 3, tags: [{ key: 'team', value: 'blue' }] });
  await buildRegion(clientFor(sb, keys, { regionId: 'cn-beijing' }), clock, { instances: 3, cidr: '10.1.0.0/16' });
  // The sandbox's per-API rate windows follow its clock: a frozen clock would never open a new one.
  await clock.unfreeze();
  h = await inventoryHarness(sb, keys, 'is_');
});
test.after(async () => {
  calls.restore();
  await sb?.close();
});

const assetsOf = async (store: Harness['store'], accountId: string, all = false) => {
  const out: Array<AssetRecord & { version: number }> = [];
  for await (const a of store.scan<AssetRecord>(T.assets, { eq: { accountId } }))
    if (all || a.deletedAtMs === undefined) out.push(a);
  return out;
};
const keyOf = (a: Pick<AssetRecord, 'regionId' | 'type' | 'id'>) => `${a.regionId} ${a.type} ${a.id}`;

test('a slice that stops at its deadline after every page resumes from its checkpoint: every asset once', async () => {
  calls.reset();
  const scan = await h.start();
  let collects = 0;
  let commits = 0;
  // 3000 ms is the runner's commit margin: each stage run sees a deadline of "now".
  await h.drain({
    deadline: () => Date.now() + 3000,
    onEach: (e) => {
      if (e.stage === 'collect') collects++;
      if (e.stage === 'commit') commits++;
    },
  });
  const row = await h.store.get<ScanRecord>(T.scans, { id: scan.id });
  assert.is(row?.status, 'succeeded', JSON.stringify(row?.error));
  assert.is(row?.source, 'resource-center');
  const found = await assetsOf(h.store, h.accountId);
  assert.equal(found.map(keyOf).sort(), await sandboxDump(sb, keys.accountId));
  // hangzhou: 250 instances + 250 disks + VPC, VSwitch, SG, route table, 3 EIPs = 507 → 6 pages
  const hz = await h.store.get<SliceRecord>(T.scanSlices, { id: `${scan.id}.cn-hangzhou` });
  assert.is(hz?.pages, 6);
  assert.equal(hz?.counts, { found: 507, added: 507, changed: 0, removed: 0 });
  assert.ok(collects >= 6 + 1, `collect ran ${collects} times: once per page (and beijing once)`);
  // findings went through staging: 507 rows in batches of 200, each batch a run of its own
  assert.ok(commits >= 3 + 1, `commit ran ${commits} times`);
  assert.is(calls.counts.get('SearchResources'), 6 + 1);
  // staging is gone with the slices
  const staged = await h.store.range(T.scanItems, { prefix: `${scan.id}.`, limit: 10 });
  assert.is(staged.items.length, 0);
});

test('level 2 in batches at each API maximum, never one call per resource', async () => {
  calls.reset();
  const scan = await h.start(['cn-hangzhou']);
  await h.drain();
  const row = await h.store.get<ScanRecord>(T.scans, { id: scan.id });
  assert.is(row?.status, 'succeeded');
  assert.equal(row?.regions?.[0]?.counts, { found: 507, added: 0, changed: 0, removed: 0 });
  const slice = await h.store.get<SliceRecord>(T.scanSlices, { id: `${scan.id}.cn-hangzhou` });
  assert.equal(
    slice?.job?.stages.map((st) => [st.name, st.status]),
    [
      ['collect', 'done'],
      ['commit', 'skipped'],
    ],
    'the region fit one run: committed there, without staging',
  );
  const c = Object.fromEntries(calls.counts);
  assert.is(c.SearchResources, 6);
  assert.is(c.DescribeInstances, 3, '250 instances: 100 + 100 + 50');
  assert.is(c.DescribeDisks, 3);
  assert.is(c.DescribeSecurityGroups, 1);
  assert.is(c.DescribeVpcs, 1);
  assert.is(c.DescribeVSwitches, 1);
  assert.is(c.DescribeRouteTableList, 1);
  assert.is(c.DescribeEipAddresses, 1);
  const i = (await assetsOf(h.store, h.accountId)).find(
    (a) => a.type === 'ACS::ECS::Instance' && a.regionId === 'cn-hangzhou',
  )!;
  assert.equal(i.tags, { team: 'blue' });
  assert.is(i.properties.instanceType, 'ecs.g6.large');
  assert.is(i.properties.cpu, 2);
  assert.ok(typeof i.properties.privateIp === 'string' && i.properties.privateIp.startsWith('10.0.'));
  assert.is(i.status, 'Running');
});

test('a scan already running for the account is not started twice; once it ended, the next one starts', async () => {
  const first = await h.start(['cn-beijing']);
  const second = await h.start().then(
    () => undefined,
    (e: { code?: string; details?: unknown }) => e,
  );
  assert.is(second?.code, 'Conflict');
  assert.equal(second?.details, [{ scanId: first.id }]);
  await h.drain();
  const third = await h.start(['cn-beijing']);
  await h.drain();
  assert.is((await h.store.get<ScanRecord>(T.scans, { id: third.id }))?.status, 'succeeded');
});

const ADMIN = { kind: 'invoke' as const, role: 'admin' as const, groups: [] };
/** What a scan must reproduce exactly, whichever path found the asset. */
const facts = (a: AssetRecord) =>
  JSON.stringify([a.regionId, a.type, a.id, a.zoneId, a.name, a.status, a.tags, a.properties]);

test('a commit that runs again for the same scan (a crash before its stage committed) counts and writes nothing twice', async () => {
  const scan = (await h.store.range<ScanRecord>(T.scans, { direction: 'backward', limit: 1 })).items[0]!;
  const region = scan.regions![0]!.regionId;
  const slice = (await h.store.get<SliceRecord>(T.scanSlices, { id: `${scan.id}.${region}` }))!;
  const before = (await assetsOf(h.store, h.accountId, true)).filter((a) => a.regionId === region);
  const findings = before
    .filter((a) => a.deletedAtMs === undefined)
    .map(({ type, id, regionId, zoneId, name, status, tags, properties }) => ({
      type,
      id,
      regionId,
      zoneId,
      name,
      status,
      tags,
      properties,
    }));
  const ctx = { store: h.store, realNow: Date.now, nowMs: Date.now(), deadlineAtMs: Date.now() + 60_000 };
  const counts = await commitInMemory(ctx, slice, findings);
  assert.equal(counts, slice.counts);
  const after = (await assetsOf(h.store, h.accountId, true)).filter((a) => a.regionId === region);
  assert.equal(
    after.map((a) => a.version),
    before.map((a) => a.version),
    'no asset written again',
  );
});

test('Resource Center off: the Describe path finds the same assets with the same facts', async () => {
  const before = (await assetsOf(h.store, h.accountId)).map(facts).sort();
  await sb.admin(`/accounts/${keys.accountId}/resource-center`, { enabled: false });
  calls.reset();
  try {
    const scan = await h.start();
    await h.drain();
    const row = await h.store.get<ScanRecord>(T.scans, { id: scan.id });
    assert.is(row?.status, 'succeeded');
    assert.is(row?.source, 'describe-apis');
    assert.is(row?.sourceReason, 'Resource Center is not enabled for this account');
    assert.is(calls.counts.get('SearchResources') ?? 0, 0);
    assert.is(calls.counts.get('GetResourceCenterServiceStatus'), 1, 'checked once per scan');
    assert.equal((await assetsOf(h.store, h.accountId)).map(facts).sort(), before);
    assert.equal(
      row?.regions?.map((r) => r.counts.changed + r.counts.added + r.counts.removed),
      [0, 0],
    );
  } finally {
    await sb.admin(`/accounts/${keys.accountId}/resource-center`, { enabled: true });
  }
});

test('Throttling backs off and the scan still succeeds, every resource once', async () => {
  await sb.admin(`/accounts/${keys.accountId}/faults`, {
    action: 'DescribeInstances',
    code: 'Throttling.User',
    count: 3,
  });
  calls.reset();
  try {
    const scan = await h.start(['cn-hangzhou']);
    await h.drain();
    const row = await h.store.get<ScanRecord>(T.scans, { id: scan.id });
    assert.is(row?.status, 'succeeded');
    assert.is(row?.regions?.[0]?.counts.found, 507);
    assert.is(calls.counts.get('DescribeInstances'), 3 + 3, 'three throttled calls were sent again');
  } finally {
    await sb.admin(`/accounts/${keys.accountId}/faults`, {}, 'DELETE');
  }
});

test('cloud calls that fail midway: that region fails (partial, with why) and its inventory is untouched', async () => {
  const before = JSON.stringify(await assetsOf(h.store, h.accountId, true));
  // Only cn-hangzhou has EIPs: they are described last, after its instances and disks.
  await sb.admin(`/accounts/${keys.accountId}/faults`, {
    action: 'DescribeEipAddresses',
    code: 'ServiceUnavailable',
    httpStatus: 503,
    count: 10_000,
  });
  try {
    const scan = await h.start();
    await h.drain({ max: 2000 });
    const row = await h.store.get<ScanRecord>(T.scans, { id: scan.id });
    assert.is(row?.status, 'partial');
    const byRegion = Object.fromEntries((row?.regions ?? []).map((r) => [r.regionId, r]));
    assert.is(byRegion['cn-beijing']?.status, 'succeeded');
    assert.is(byRegion['cn-hangzhou']?.status, 'failed');
    assert.is(byRegion['cn-hangzhou']?.error?.code, 'ServiceUnavailable');
    const after = await assetsOf(h.store, h.accountId, true);
    assert.equal(
      JSON.stringify(after.filter((a) => a.regionId === 'cn-hangzhou')),
      JSON.stringify(JSON.parse(before).filter((a: AssetRecord) => a.regionId === 'cn-hangzhou')),
    );
  } finally {
    await sb.admin(`/accounts/${keys.accountId}/faults`, {}, 'DELETE');
  }
});

test('a second scan after changes: exactly the deleted instance (and its disk) removed, the retagged one changed, the new disk added', async () => {
  const clock = sandboxClock(sb);
  const [victim, retagged, host] = hz.instanceIds as [string, string, string];
  const victimDisk = (await c.ecs.describeDisks({ instanceId: victim }))[0]!.diskId;
  await rpcClient(sb.endpoint, keys).call('Ecs', 'TagResources', {
    RegionId: 'cn-hangzhou',
    ResourceType: 'instance',
    'ResourceId.1': retagged,
    'Tag.1.Key': 'team',
    'Tag.1.Value': 'red',
  });
  const disk = addDataDisk(sb, keys.accountId, host);
  await c.ecs.deleteInstance({ instanceId: victim, force: true });
  await clock.advance(600);
  const scan = await h.start(['cn-hangzhou']);
  await h.drain();
  const row = await h.store.get<ScanRecord>(T.scans, { id: scan.id });
  assert.is(row?.status, 'succeeded');
  assert.equal(row?.regions?.[0]?.counts, { found: 506, added: 1, changed: 1, removed: 2 });
  const all = await assetsOf(h.store, h.accountId, true);
  const touched = (k: 'addedScanId' | 'changedScanId' | 'removedScanId') =>
    all
      .filter((a) => a[k] === scan.id)
      .map((a) => a.id)
      .sort();
  assert.equal(touched('addedScanId'), [disk]);
  assert.equal(touched('changedScanId'), [retagged]);
  assert.equal(touched('removedScanId'), [victim, victimDisk].sort());
  const gone = all.find((a) => a.id === victim)!;
  assert.ok(gone.deletedAtMs, 'a removed asset is kept, marked');
  const { history } = await getAsset(
    h.store,
    { accountId: h.accountId, type: 'ACS::ECS::Instance', id: retagged },
    ADMIN,
  );
  assert.equal(
    history.map((e) => [e.kind, e.changes]),
    [
      ['changed', { 'tags.team': { from: 'blue', to: 'red' } }],
      ['added', undefined],
    ],
  );
  const removed = await getAsset(h.store, { accountId: h.accountId, type: 'ACS::ECS::Instance', id: victim }, ADMIN);
  assert.equal(
    removed.history.map((e) => e.kind),
    ['removed', 'added'],
  );
  assert.ok(removed.asset.deletedAt);
});

test.run();
