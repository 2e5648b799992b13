/**
 * Simulated resources survive a sandbox restart, with statuses and ClientTokens intact. Both
 * sandboxes run on one clock the test moves, so "not yet Running before the restart" holds
 * however slowly the machine runs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpcClient, startTestSandbox, virtualClock, type TestSandbox } from '../helpers/sandbox';
import { WAIT_MS } from '../../lib/sandbox/cloud/lifecycle';

const clock = virtualClock();
const wait = (simulatedMs: number) => clock.advance(simulatedMs);
const dataDir = mkdtempSync(join(tmpdir(), 'fleet-cloud-sim-persist-'));
let t: TestSandbox | undefined;

test.after(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('VPC, VSwitch, instance and ClientToken records persist; async states keep advancing after the restart', async () => {
  t = await startTestSandbox({ dataDir, timeScale: 1, clock });
  const k = await t.createAccount({ regions: ['cn-hangzhou', 'cn-beijing', 'cn-shanghai'] });
  let rpc = rpcClient(t.endpoint, k);
  const R = 'cn-shanghai';
  const vpc = await rpc.call('Vpc', 'CreateVpc', { RegionId: R, CidrBlock: '10.0.0.0/8', ClientToken: 'p-vpc' });
  wait(WAIT_MS.vpcCreate);
  const zones = (await rpc.call('Ecs', 'DescribeZones', { RegionId: R })).Zones.Zone.map((z: any) => z.ZoneId);
  const vsw = await rpc.call('Vpc', 'CreateVSwitch', {
    RegionId: R,
    VpcId: vpc.VpcId,
    ZoneId: zones[1],
    CidrBlock: '10.1.0.0/16',
  });
  wait(WAIT_MS.vSwitchCreate);
  const sg = await rpc.call('Ecs', 'CreateSecurityGroup', { RegionId: R, VpcId: vpc.VpcId });
  const run = {
    RegionId: R,
    ImageId: 'debian_10_9_x64_20G_alibase_20210521.vhd',
    InstanceType: 'ecs.c7.large',
    SecurityGroupId: sg.SecurityGroupId,
    VSwitchId: vsw.VSwitchId,
    ClientToken: 'p-run',
  };
  const ids = (await rpc.call('Ecs', 'RunInstances', run)).InstanceIdSets.InstanceIdSet;
  wait(WAIT_MS.instancePending);
  const before = await t.admin(`/accounts/${k.accountId}/resources`);
  assert.is(before['ACS::ECS::Instance'][0].status, 'Starting', 'not yet Running before the restart');
  await t.close({ keepData: true });

  t = await startTestSandbox({ dataDir, timeScale: 1, clock });
  rpc = rpcClient(t.endpoint, k);
  assert.equal(
    (await rpc.call('Ecs', 'RunInstances', run)).InstanceIdSets.InstanceIdSet,
    ids,
    'same ClientToken, same instance after restart',
  );
  assert.equal(
    (await rpc.call('Vpc', 'CreateVpc', { RegionId: R, CidrBlock: '10.0.0.0/8', ClientToken: 'p-vpc' })).VpcId,
    vpc.VpcId,
  );
  wait(WAIT_MS.instanceStarting - WAIT_MS.instancePending);
  const inst = (await rpc.call('Ecs', 'DescribeInstances', { RegionId: R, InstanceIds: JSON.stringify(ids) })).Instances
    .Instance;
  assert.equal(
    inst.map((i: any) => [i.InstanceId, i.Status, i.VpcAttributes.VSwitchId]),
    [[ids[0], 'Running', vsw.VSwitchId]],
  );
  assert.is((await rpc.call('Vpc', 'DescribeVpcs', { RegionId: R })).TotalCount, 1);
});

test.run();
