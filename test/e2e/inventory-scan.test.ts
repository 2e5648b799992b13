/**
 * Scans end to end through the local host (inventory and scan-region bundles, the FC invoke API,
 * the sandbox): a scan finds every resource the sandbox holds with the right properties, 250
 * instances and 250 disks are described in batches, Resource Center off gives the same assets
 * through the Describe APIs, a region whose calls fail midway makes the scan partial and keeps
 * its inventory, and a second scan after changes reports exactly what changed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CloudClient } from '../../lib/cloud/index';
import { clientFor, sandboxClock } from '../helpers/cloud-client';
import { addDataDisk, buildRegion, countCalls, sandboxDump } from '../helpers/inventory';
import { rpcClient } from '../helpers/sandbox';
import { startInventoryHost, type InventoryHost } from './inventory-support';

let h: InventoryHost;
let acc: Awaited<ReturnType<InventoryHost['account']>>;
let hz: Awaited<ReturnType<typeof buildRegion>>;
let c: CloudClient;
const calls = countCalls();
let admin = '';

test.before(async () => {
  h = await startInventoryHost();
  admin = h.host.adminToken;
  acc = await h.account({ regions: ['cn-hangzhou', 'cn-shanghai'] });
  c = clientFor(h.sb, acc.keys);
  const clock = sandboxClock(h.sb);
  await clock.freeze();
  hz = await buildRegion(c, clock, { instances: 250, eips: 2, tags: [{ key: 'team', value: 'blue' }] });
  await buildRegion(clientFor(h.sb, acc.keys, { regionId: 'cn-shanghai' }), clock, {
    instances: 4,
    cidr: '10.1.0.0/16',
  });
  await clock.unfreeze();
});
test.after(async () => {
  calls.restore();
  await h?.close();
});

/** Every asset of the account, following the cursor. */
async function allAssets(query = '') {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const r = await h.call(
      'GET',
      `/v1/assets?accountId=${acc.id}&limit=200${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token: admin },
    );
    assert.is(r.status, 200, r.text);
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  return items;
}
const keyOf = (a: { regionId: string; type: string; id: string }) => `${a.regionId} ${a.type} ${a.id}`;
const facts = (a: any) => JSON.stringify([keyOf(a), a.zoneId, a.name, a.status, a.tags, a.properties]);

async function scan(json: Record<string, unknown> = {}) {
  const r = await h.call('POST', '/v1/scans', { token: admin, json: { accountId: acc.id, ...json } });
  assert.is(r.status, 202, r.text);
  assert.is(r.body.status, 'running');
  return h.waitScan(r.body.id);
}

test('a scan finds every resource the sandbox holds, with the right properties; 250 instances and disks in batches', async () => {
  calls.reset();
  const s = await scan();
  assert.is(s.status, 'succeeded', JSON.stringify(s));
  assert.is(s.source, 'resource-center');
  assert.equal(
    s.regions.map((r: any) => [r.regionId, r.status]),
    [
      ['cn-hangzhou', 'succeeded'],
      ['cn-shanghai', 'succeeded'],
    ],
  );
  const items = await allAssets();
  assert.equal(items.map(keyOf).sort(), await sandboxDump(h.sb, acc.keys.accountId));
  // hangzhou: 250 + 250 + VPC, VSwitch, SG, route table, 2 EIPs; shanghai: 4 + 4 + 4
  assert.equal(s.counts, { found: 506 + 12, added: 506 + 12, changed: 0, removed: 0 });
  assert.is(s.regions[0].pages, 6);
  // level 2: hangzhou 3+3 (250 ids at 100 a call), shanghai 1+1
  assert.is(calls.counts.get('DescribeInstances'), 4);
  assert.is(calls.counts.get('DescribeDisks'), 4);
  assert.is(calls.counts.get('SearchResources'), 7);

  const real = (await c.ecs.describeInstances({ instanceIds: [hz.instanceIds[7]!] }))[0]!;
  const inst = items.find((a) => a.id === real.instanceId);
  assert.equal(
    {
      instanceType: inst.properties.instanceType,
      cpu: inst.properties.cpu,
      memoryMiB: inst.properties.memoryMiB,
      osName: inst.properties.osName,
      publicIp: inst.properties.publicIp,
      privateIp: inst.properties.privateIp,
      chargeType: inst.properties.chargeType,
      vpcId: inst.properties.vpcId,
      vSwitchId: inst.properties.vSwitchId,
    },
    {
      instanceType: real.instanceType,
      cpu: real.cpu,
      memoryMiB: real.memoryMiB,
      osName: real.osName,
      publicIp: real.publicIpAddresses[0] ?? null,
      privateIp: real.privateIpAddresses[0],
      chargeType: real.instanceChargeType,
      vpcId: hz.vpcId,
      vSwitchId: hz.vSwitchId,
    },
  );
  assert.equal(inst.tags, { team: 'blue' });
  assert.is(inst.status, 'Running');
  assert.is(inst.zoneId, hz.zoneId);
  assert.is(inst.managedBy, null);
  const realDisk = (await c.ecs.describeDisks({ instanceId: real.instanceId }))[0]!;
  const disk = items.find((a) => a.id === realDisk.diskId);
  assert.equal(
    [disk.properties.category, disk.properties.sizeGiB, disk.properties.instanceId, disk.properties.encrypted],
    [realDisk.category, realDisk.sizeGiB, real.instanceId, false],
  );
  const vpc = items.find((a) => a.id === hz.vpcId);
  assert.equal(
    [vpc.properties.cidrBlock, vpc.properties.vSwitchIds, vpc.properties.routeTableIds],
    ['10.0.0.0/16', [hz.vSwitchId], [hz.routeTableId]],
  );
  assert.ok(inst.firstSeenAt > 0 && inst.lastSeenAt === inst.firstSeenAt);
});

test('Resource Center disabled: the Describe path finds the same assets, and says why it was used', async () => {
  const before = (await allAssets()).map(facts).sort();
  await h.sb.admin(`/accounts/${acc.keys.accountId}/resource-center`, { enabled: false });
  try {
    const s = await scan();
    assert.is(s.status, 'succeeded');
    assert.is(s.source, 'describe-apis');
    assert.is(s.sourceReason, 'Resource Center is not enabled for this account');
    assert.equal(s.counts, { found: 518, added: 0, changed: 0, removed: 0 });
    assert.equal((await allAssets()).map(facts).sort(), before);
  } finally {
    await h.sb.admin(`/accounts/${acc.keys.accountId}/resource-center`, { enabled: true });
  }
});

test('cloud calls that fail midway: the region fails, the scan is partial and says why, the inventory stays', async () => {
  const before = JSON.stringify((await allAssets('&includeDeleted=true')).sort((a, b) => (a.id < b.id ? -1 : 1)));
  // Only hangzhou has EIPs; they are described after its instances and disks were staged.
  await h.sb.admin(`/accounts/${acc.keys.accountId}/faults`, {
    action: 'DescribeEipAddresses',
    code: 'ServiceUnavailable',
    httpStatus: 503,
    count: 100_000,
  });
  try {
    const s = await scan();
    assert.is(s.status, 'partial', JSON.stringify(s));
    const hzr = s.regions.find((r: any) => r.regionId === 'cn-hangzhou');
    assert.is(hzr.status, 'failed');
    assert.is(hzr.error.code, 'ServiceUnavailable');
    assert.is(s.regions.find((r: any) => r.regionId === 'cn-shanghai').status, 'succeeded');
    const after = JSON.stringify((await allAssets('&includeDeleted=true')).sort((a, b) => (a.id < b.id ? -1 : 1)));
    // shanghai was scanned again (lastSeenAt moved); hangzhou is exactly as it was
    const hzOnly = (j: string) => JSON.stringify(JSON.parse(j).filter((a: any) => a.regionId === 'cn-hangzhou'));
    assert.is(hzOnly(after), hzOnly(before));
  } finally {
    await h.sb.admin(`/accounts/${acc.keys.accountId}/faults`, {}, 'DELETE');
  }
});

test('a second scan after changes reports exactly those: one instance (and its disk) removed, one tag changed, one disk added', async () => {
  const [victim, retagged, host] = hz.instanceIds as [string, string, string];
  const victimDisk = (await c.ecs.describeDisks({ instanceId: victim }))[0]!.diskId;
  await rpcClient(h.sb.endpoint, acc.keys).call('Ecs', 'TagResources', {
    RegionId: 'cn-hangzhou',
    ResourceType: 'instance',
    'ResourceId.1': retagged,
    'Tag.1.Key': 'team',
    'Tag.1.Value': 'red',
  });
  const disk = addDataDisk(h.sb, acc.keys.accountId, host);
  await c.ecs.deleteInstance({ instanceId: victim, force: true });
  await sandboxClock(h.sb).advance(600);
  const s = await scan();
  assert.is(s.status, 'succeeded');
  assert.equal(s.counts, { found: 517, added: 1, changed: 1, removed: 2 });
  const removed = (await allAssets('&includeDeleted=true')).filter((a) => a.deletedAt).map((a) => a.id);
  assert.equal(removed.sort(), [victim, victimDisk].sort());
  const type = encodeURIComponent('ACS::ECS::Instance');
  const got = await h.call('GET', `/v1/assets/${type}/${retagged}?accountId=${acc.id}`, { token: admin });
  assert.is(got.status, 200, got.text);
  assert.equal(got.body.asset.tags, { team: 'red' });
  assert.equal(
    got.body.history.map((e: any) => [e.kind, e.changes]),
    [
      ['changed', { 'tags.team': { from: 'blue', to: 'red' } }],
      ['added', undefined],
    ],
  );
  assert.equal(got.body.history[0].scanId, s.id);
  const added = await h.call('GET', `/v1/assets/${encodeURIComponent('ACS::ECS::Disk')}/${disk}?accountId=${acc.id}`, {
    token: admin,
  });
  assert.equal([added.body.asset.properties.diskType, added.body.history.map((e: any) => e.kind)], ['data', ['added']]);
  const gone = await h.call('GET', `/v1/assets/${type}/${victim}?accountId=${acc.id}`, { token: admin });
  assert.ok(gone.body.asset.deletedAt);
  assert.equal(
    gone.body.history.map((e: any) => e.kind),
    ['removed', 'added'],
  );
});

test.run();
