/**
 * Error codes, HTTP statuses and messages that the audit against Alibaba's API metadata error
 * tables (api.aliyun.com api-docs, `apis.<Action>.errorCodes`) corrected: each case is the
 * official row for that operation.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SandboxApiError } from '../../lib/sandbox/openapi/types';
import { harness } from '../../lib/sandbox/cloud/test-context';
import { advance, R } from '../helpers/cloud-sim';

async function error(p: Promise<unknown>): Promise<[string, number, string]> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, SandboxApiError);
    const x = e as SandboxApiError;
    return [x.code, x.httpStatus, x.message];
  }
  throw new Error('expected an error');
}

test('ECS: unknown InstanceType at RunInstances 403; >100 ids at DescribeInstanceStatus; Pending VPC at CreateSecurityGroup 403; >50 tag ResourceIds', async () => {
  const h = harness({ timeScale: 0.01 });
  const zones = (await h.call('Ecs', 'DescribeZones', R)).Zones.Zone.map((z: any) => z.ZoneId);
  const vpc = await h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: '172.16.0.0/12' });
  assert.equal(await error(h.call('Ecs', 'CreateSecurityGroup', { ...R, VpcId: vpc.VpcId })), [
    'IncorrectVpcStatus',
    403,
    'Current VPC status does not support this operation.',
  ]);
  advance(h, 5_000);
  const vsw = await h.call('Vpc', 'CreateVSwitch', {
    ...R,
    VpcId: vpc.VpcId,
    ZoneId: zones[1],
    CidrBlock: '172.16.0.0/24',
  });
  advance(h, 3_000);
  const sg = await h.call('Ecs', 'CreateSecurityGroup', { ...R, VpcId: vpc.VpcId });
  assert.equal(
    await error(
      h.call('Ecs', 'RunInstances', {
        ...R,
        ImageId: 'aliyun_3_x64_20G_alibase_20210425.vhd',
        InstanceType: 'ecs.nope.large',
        SecurityGroupId: sg.SecurityGroupId,
        VSwitchId: vsw.VSwitchId,
      }),
    ),
    ['InvalidInstanceType.ValueNotSupported', 403, 'The specified InstanceType beyond the permitted range.'],
  );
  const ids = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`InstanceId.${i + 1}`, `i-x${i}`]));
  assert.equal(await error(h.call('Ecs', 'DescribeInstanceStatus', { ...R, ...ids })), [
    'InvalidParameter.TooManyInstanceIds',
    403,
    'Instance ids cannot be more than 100.',
  ]);
  const rids = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`ResourceId.${i + 1}`, `sg-x${i}`]));
  assert.is(
    (await error(h.call('Ecs', 'ListTagResources', { ...R, ResourceType: 'securitygroup', ...rids })))[0],
    'NumberExceed.ResourceIds',
  );
  assert.is(
    (await error(h.call('Vpc', 'ListTagResources', { ...R, ResourceType: 'VPC', ...rids })))[0],
    'SizeLimitExceeded.ResourceId',
  );
  assert.equal(await error(h.call('Ecs', 'DescribeSecurityGroups', { ...R, NextToken: 'not-a-token' })), [
    'InValidParameter.NextToken',
    400,
    'The parameter NextToken is invalid.',
  ]);
});

test('VPC: bad NextToken of DescribeRouteEntryList; >50 VSwitch ids; DeleteVSwitch with an instance', async () => {
  const h = harness({ timeScale: 0.01 });
  const vpc = await h.call('Vpc', 'CreateVpc', { ...R, CidrBlock: '172.16.0.0/12' });
  advance(h, 5_000);
  assert.equal(
    await error(h.call('Vpc', 'DescribeRouteEntryList', { ...R, RouteTableId: vpc.RouteTableId, NextToken: 'zzz' })),
    ['IllegalParam.NextToken', 400, 'User nextToken is illegal.'],
  );
  const many = Array.from({ length: 51 }, (_, i) => `vsw-x${i}`).join(',');
  assert.equal((await error(h.call('Vpc', 'DescribeVSwitches', { ...R, VSwitchId: many }))).slice(0, 2), [
    'InvalidVSwitchIdNumber.NotSupported',
    404,
  ]);
  const zones = (await h.call('Ecs', 'DescribeZones', R)).Zones.Zone.map((z: any) => z.ZoneId);
  const vsw = await h.call('Vpc', 'CreateVSwitch', {
    ...R,
    VpcId: vpc.VpcId,
    ZoneId: zones[1],
    CidrBlock: '172.16.0.0/24',
  });
  advance(h, 3_000);
  const sg = await h.call('Ecs', 'CreateSecurityGroup', { ...R, VpcId: vpc.VpcId });
  await h.call('Ecs', 'RunInstances', {
    ...R,
    ImageId: 'aliyun_3_x64_20G_alibase_20210425.vhd',
    InstanceType: 'ecs.c6.large',
    SecurityGroupId: sg.SecurityGroupId,
    VSwitchId: vsw.VSwitchId,
  });
  assert.equal(await error(h.call('Vpc', 'DeleteVSwitch', { ...R, VSwitchId: vsw.VSwitchId })), [
    'DependencyViolation',
    400,
    'Resources deployed in the vSwitch have not been deleted.',
  ]);
});

test('Resource Center: ServiceNotEnabled text, MaxResults, filters, sort key', async () => {
  const off = harness({ resourceCenterEnabled: false });
  assert.equal(await error(off.call('ResourceCenter', 'SearchResources', {})), [
    'ServiceNotEnabled',
    400,
    'ResourceCenter Service is not enabled.',
  ]);
  const h = harness({ resourceCenterEnabled: true });
  assert.equal(await error(h.call('ResourceCenter', 'SearchResources', { MaxResults: 101 })), [
    'InvalidParameter.MaxResults',
    400,
    'The specified parameter MaxResults is not valid.',
  ]);
  assert.equal(
    (await error(h.call('ResourceCenter', 'SearchResources', { 'SortCriterion.Key': 'Name' }))).slice(0, 2),
    ['InvalidParameter.SortCriterion.Key', 409],
  );
});

test.run();
