/** Instance power (Start/Stop/Reboot) and admin stock overrides in the simulator. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stockRoute } from '../../lib/sandbox/cloud/stock';
import { harness, type Harness } from '../../lib/sandbox/cloud/test-context';
import { AdminError } from '../../lib/sandbox/openapi/types';
import { advance, fails, R, simInstances, simNetwork } from '../helpers/cloud-sim';

const status = async (h: Harness, id: string) =>
  (await h.call('Ecs', 'DescribeInstanceStatus', { ...R, 'InstanceId.1': id })).InstanceStatuses.InstanceStatus[0]
    .Status;

test('RebootInstance: Running → Starting → Running; IncorrectInstanceStatus (403) from Pending, Stopping, Stopped', async () => {
  const h = harness({ timeScale: 0.01 });
  const n = await simNetwork(h);
  const [id] = await simInstances(h, n);
  const incorrect = await fails(h.call('Ecs', 'RebootInstance', { InstanceId: id! }), 'IncorrectInstanceStatus');
  assert.equal(
    [incorrect.httpStatus, incorrect.message],
    [403, 'The current status of the resource does not support this operation.'],
  );
  advance(h, 20_000);
  await fails(h.call('Ecs', 'RebootInstance', { InstanceId: id!, DryRun: true }), 'DryRunOperation');
  assert.is(await status(h, id!), 'Running');
  await h.call('Ecs', 'RebootInstance', { InstanceId: id!, ForceStop: true });
  assert.is(await status(h, id!), 'Starting');
  await fails(h.call('Ecs', 'RebootInstance', { InstanceId: id! }), 'IncorrectInstanceStatus');
  advance(h, 11_000);
  assert.is(await status(h, id!), 'Running');
  await h.call('Ecs', 'StopInstance', { InstanceId: id! });
  assert.is(await status(h, id!), 'Stopping');
  await fails(h.call('Ecs', 'RebootInstance', { InstanceId: id! }), 'IncorrectInstanceStatus');
  await fails(h.call('Ecs', 'StartInstance', { InstanceId: id! }), 'IncorrectInstanceStatus');
  advance(h, 6_000);
  assert.is(await status(h, id!), 'Stopped');
  await fails(h.call('Ecs', 'StopInstance', { InstanceId: id! }), 'IncorrectInstanceStatus');
  await fails(h.call('Ecs', 'RebootInstance', { InstanceId: id! }), 'IncorrectInstanceStatus');
  await fails(h.call('Ecs', 'RebootInstance', { InstanceId: 'i-bp1nothere' }), 'InvalidInstanceId.NotFound');
  h.account.balanceInsufficient = true;
  const broke = await fails(h.call('Ecs', 'StartInstance', { InstanceId: id! }), 'InsufficientBalance');
  assert.is(broke.httpStatus, 403);
  delete h.account.balanceInsufficient;
  await h.call('Ecs', 'StartInstance', { InstanceId: id! });
  assert.is(await status(h, id!), 'Starting');
  advance(h, 9_000);
  assert.is(await status(h, id!), 'Running');
});

const stock = (h: Harness, method: 'GET' | 'POST' | 'DELETE', input: Record<string, unknown> = {}) =>
  stockRoute(h.account, method, input, { now: h.clock.ms, timeScale: h.timeScale, seed: h.seed });

const typeIn = async (h: Harness, zoneId: string, type: string) => {
  const r = await h.call('Ecs', 'DescribeAvailableResource', {
    ...R,
    DestinationResource: 'InstanceType',
    InstanceType: type,
    ZoneId: zoneId,
  });
  const z = r.AvailableZones.AvailableZone[0];
  return [
    z.Status,
    z.StatusCategory,
    z.AvailableResources.AvailableResource[0].SupportedResources.SupportedResource[0].Status,
  ];
};

test('stock override: a type sold out in a zone (SoldOut/WithoutStock, NoStock at RunInstances), then back; a whole zone', async () => {
  const h = harness({ timeScale: 0.01 });
  const n = await simNetwork(h);
  const zone = n.zones[1]!;
  assert.equal(await typeIn(h, zone, 'ecs.g6.large'), ['Available', 'WithStock', 'Available']);
  stock(h, 'POST', { zoneId: zone, instanceType: 'ecs.g6.large', inStock: false });
  assert.equal(await typeIn(h, zone, 'ecs.g6.large'), ['SoldOut', 'WithoutStock', 'SoldOut']);
  const zones = (await h.call('Ecs', 'DescribeZones', R)).Zones.Zone;
  const z = zones.find((x: { ZoneId: string }) => x.ZoneId === zone);
  assert.not.ok(z.AvailableInstanceTypes.InstanceTypes.includes('ecs.g6.large'));
  assert.ok(z.AvailableInstanceTypes.InstanceTypes.includes('ecs.g6.xlarge'));
  const e = await fails(simInstances(h, n), 'OperationDenied.NoStock');
  assert.is(e.httpStatus, 403);
  assert.is((await simInstances(h, n, { InstanceType: 'ecs.g6.xlarge' })).length, 1);
  stock(h, 'POST', { zoneId: zone, instanceType: 'ecs.g6.large', inStock: true });
  assert.is((await simInstances(h, n)).length, 1);
  stock(h, 'POST', { zoneId: zone, inStock: false });
  await fails(simInstances(h, n, { InstanceType: 'ecs.g6.xlarge' }), 'OperationDenied.NoStock');
  // the fixed rule (g7 sold out in the first zone) can be overridden too
  stock(h, 'POST', { zoneId: n.zones[0]!, instanceType: 'ecs.g7.large', inStock: true });
  assert.equal(await typeIn(h, n.zones[0]!, 'ecs.g7.large'), ['Available', 'WithStock', 'Available']);
  assert.is((stock(h, 'GET') as { overrides: unknown[] }).overrides.length, 3);
  assert.equal(stock(h, 'DELETE'), { cleared: 3 });
  assert.equal(await typeIn(h, n.zones[0]!, 'ecs.g7.large'), ['SoldOut', 'WithoutStock', 'SoldOut']);
  for (const bad of [
    { zoneId: 'mars-1a', inStock: false },
    { zoneId: zone, instanceType: 'ecs.nope', inStock: false },
    { zoneId: zone, inStock: 'no' },
    { zoneId: 'eu-west-1a', inStock: false },
  ]) {
    assert.throws(
      () => stock(h, 'POST', bad),
      (x: unknown) => x instanceof AdminError && x.status === 400,
    );
  }
});

test.run();
