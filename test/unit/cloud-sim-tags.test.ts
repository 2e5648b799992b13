import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness } from '../../lib/sandbox/cloud/test-context';
import { fails, R } from '../helpers/cloud-sim';

test('VPC TagResources / ListTagResources / UnTagResources, visible in DescribeVpcs and SearchResources', async () => {
  const h = harness();
  const vpc = await h.call('Vpc', 'CreateVpc', { ...R, 'Tag.1.Key': 'a', 'Tag.1.Value': '1' });
  await h.call('Vpc', 'TagResources', {
    ...R,
    ResourceType: 'VPC',
    'ResourceId.1': vpc.VpcId,
    'Tag.1.Key': 'a',
    'Tag.1.Value': '2',
    'Tag.2.Key': 'b',
    'Tag.2.Value': '3',
  });
  const listed = await h.call('Vpc', 'ListTagResources', { ...R, ResourceType: 'VPC', 'ResourceId.1': vpc.VpcId });
  assert.equal(
    listed.TagResources.TagResource.map((t: any) => [t.ResourceId, t.TagKey, t.TagValue]),
    [
      [vpc.VpcId, 'a', '2'],
      [vpc.VpcId, 'b', '3'],
    ],
  );
  assert.equal(
    (await h.call('Vpc', 'DescribeVpcs', { ...R, 'Tag.1.Key': 'b', 'Tag.1.Value': '3' })).Vpcs.Vpc.map(
      (v: any) => v.VpcId,
    ),
    [vpc.VpcId],
  );
  const found = await h.call('ResourceCenter', 'SearchResources', {
    'Filter.1.Key': 'Tag',
    'Filter.1.Value.1': JSON.stringify({ key: 'b', value: '3' }),
  });
  assert.equal(
    found.Resources.map((r: any) => r.ResourceId),
    [vpc.VpcId],
  );
  await h.call('Vpc', 'UnTagResources', { ...R, ResourceType: 'VPC', 'ResourceId.1': vpc.VpcId, 'TagKey.1': 'a' });
  assert.equal((await h.call('Vpc', 'DescribeVpcs', R)).Vpcs.Vpc[0].Tags.Tag, [{ Key: 'b', Value: '3' }]);
  await fails(
    h.call('Vpc', 'TagResources', {
      ...R,
      ResourceType: 'VPC',
      'ResourceId.1': 'vpc-bp1nothere',
      'Tag.1.Key': 'x',
      'Tag.1.Value': 'y',
    }),
    'InvalidResourceId.NotFound',
  );
  await fails(
    h.call('Vpc', 'TagResources', {
      ...R,
      ResourceType: 'VPC',
      'ResourceId.1': vpc.VpcId,
      'Tag.1.Key': 'aliyun:x',
      'Tag.1.Value': 'y',
    }),
    'InvalidTagKey.Malformed',
  );
  const many = Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [
      [`Tag.${i + 1}.Key`, `k${i}`],
      [`Tag.${i + 1}.Value`, 'v'],
    ]).flat(),
  );
  await fails(
    h.call('Vpc', 'TagResources', { ...R, ResourceType: 'VPC', 'ResourceId.1': vpc.VpcId, ...many }),
    'QuotaExceed.Tags',
  );
});

test('ECS TagResources on key pairs and ListTagResources by tag; state stays plain JSON', async () => {
  const h = harness();
  await h.call('Ecs', 'TagResources', {
    ...R,
    ResourceType: 'keypair',
    'ResourceId.1': 'sandbox-cn-hangzhou-1',
    'Tag.1.Key': 'owner',
    'Tag.1.Value': 'ops',
  });
  const kp = await h.call('Ecs', 'DescribeKeyPairs', { ...R, 'Tag.1.Key': 'owner' });
  assert.equal(
    kp.KeyPairs.KeyPair.map((k: any) => [k.KeyPairName, k.Tags.Tag]),
    [['sandbox-cn-hangzhou-1', [{ TagValue: 'ops', TagKey: 'owner' }]]],
  );
  const byTag = await h.call('Ecs', 'ListTagResources', {
    ...R,
    ResourceType: 'keypair',
    'Tag.1.Key': 'owner',
    'Tag.1.Value': 'ops',
  });
  assert.equal(byTag.TagResources.TagResource, [
    { ResourceType: 'ALIYUN::ECS::KEYPAIR', ResourceId: 'sandbox-cn-hangzhou-1', TagKey: 'owner', TagValue: 'ops' },
  ]);
  await fails(
    h.call('Ecs', 'TagResources', {
      ...R,
      ResourceType: 'bucket',
      'ResourceId.1': 'x',
      'Tag.1.Key': 'a',
      'Tag.1.Value': 'b',
    }),
    'InvalidResourceType.NotFound',
  );
  const kps = (h.account.cloud as any).keyPairs;
  assert.not.ok('id' in kps[0], 'no stray fields in persisted key pairs');
});

test.run();
