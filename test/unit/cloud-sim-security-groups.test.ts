import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness } from '../../lib/sandbox/cloud/test-context';
import { advance, fails, R } from '../helpers/cloud-sim';
import { generateEd25519Public } from '../../lib/sandbox/cloud/ssh-keys';

test('security groups: VPC must exist and be Available; ClientToken; rules (Permissions.N), identical rule is a no-op', async () => {
  const h = harness({ timeScale: 0.01 });
  const vpc = await h.call('Vpc', 'CreateVpc', R);
  await fails(h.call('Ecs', 'CreateSecurityGroup', { ...R, VpcId: vpc.VpcId }), 'IncorrectVpcStatus');
  await fails(h.call('Ecs', 'CreateSecurityGroup', { ...R, VpcId: 'vpc-bp1nothere' }), 'InvalidVpcId.NotFound');
  advance(h, 5_000);
  const sg = await h.call('Ecs', 'CreateSecurityGroup', {
    ...R,
    VpcId: vpc.VpcId,
    SecurityGroupName: 'web',
    ClientToken: 'sg-1',
  });
  assert.match(sg.SecurityGroupId, /^sg-bp1[0-9a-z]{17}$/);
  assert.equal(
    await h.call('Ecs', 'CreateSecurityGroup', {
      ...R,
      VpcId: vpc.VpcId,
      SecurityGroupName: 'web',
      ClientToken: 'sg-1',
    }),
    sg,
  );
  await fails(
    h.call('Ecs', 'CreateSecurityGroup', { ...R, VpcId: vpc.VpcId, SecurityGroupName: 'db', ClientToken: 'sg-1' }),
    'IdempotentParameterMismatch',
  );
  const rules = {
    'Permissions.1.IpProtocol': 'tcp',
    'Permissions.1.PortRange': '22/22',
    'Permissions.1.SourceCidrIp': '0.0.0.0/0',
    'Permissions.2.IpProtocol': 'TCP',
    'Permissions.2.PortRange': '443/443',
    'Permissions.2.SourceCidrIp': '0.0.0.0/0',
    'Permissions.2.Priority': '1',
  };
  await h.call('Ecs', 'AuthorizeSecurityGroup', { ...R, SecurityGroupId: sg.SecurityGroupId, ...rules });
  await h.call('Ecs', 'AuthorizeSecurityGroup', { ...R, SecurityGroupId: sg.SecurityGroupId, ...rules });
  await h.call('Ecs', 'AuthorizeSecurityGroup', {
    ...R,
    SecurityGroupId: sg.SecurityGroupId,
    IpProtocol: 'icmp',
    PortRange: '-1/-1',
    SourceCidrIp: '10.0.0.0/8',
  });
  const attr = await h.call('Ecs', 'DescribeSecurityGroupAttribute', { ...R, SecurityGroupId: sg.SecurityGroupId });
  assert.equal(
    attr.Permissions.Permission.map((p: any) => [p.IpProtocol, p.PortRange, p.SourceCidrIp, p.Policy]),
    [
      ['TCP', '22/22', '0.0.0.0/0', 'Accept'],
      ['TCP', '443/443', '0.0.0.0/0', 'Accept'],
      ['ICMP', '-1/-1', '10.0.0.0/8', 'Accept'],
    ],
  );
  await fails(
    h.call('Ecs', 'AuthorizeSecurityGroup', {
      ...R,
      SecurityGroupId: sg.SecurityGroupId,
      IpProtocol: 'tcp',
      PortRange: '0/70000',
      SourceCidrIp: '0.0.0.0/0',
    }),
    'InvalidIpPortRange.Malformed',
  );
  await fails(
    h.call('Ecs', 'AuthorizeSecurityGroup', {
      ...R,
      SecurityGroupId: sg.SecurityGroupId,
      IpProtocol: 'sctp',
      PortRange: '1/2',
      SourceCidrIp: '0.0.0.0/0',
    }),
    'InvalidIpProtocol.ValueNotSupported',
  );
  await fails(
    h.call('Ecs', 'AuthorizeSecurityGroup', {
      ...R,
      SecurityGroupId: sg.SecurityGroupId,
      IpProtocol: 'tcp',
      PortRange: '1/2',
    }),
    'MissingParameter.Source',
  );
  await fails(
    h.call('Ecs', 'AuthorizeSecurityGroup', { ...R, SecurityGroupId: 'sg-bp1nothere', ...rules }),
    'InvalidSecurityGroupId.NotFound',
  );
  const list = await h.call('Ecs', 'DescribeSecurityGroups', {
    ...R,
    SecurityGroupIds: JSON.stringify([sg.SecurityGroupId, 'sg-bp1nothere']),
  });
  assert.equal(
    list.SecurityGroups.SecurityGroup.map((g: any) => [
      g.SecurityGroupId,
      g.SecurityGroupName,
      g.VpcId,
      g.SecurityGroupType,
    ]),
    [[sg.SecurityGroupId, 'web', vpc.VpcId, 'normal']],
  );
  await fails(h.call('Ecs', 'DescribeSecurityGroups', { ...R, PageSize: 51 }), 'InvalidParameter');
  await fails(h.call('Ecs', 'DescribeSecurityGroups', { ...R, MaxResults: 101 }), 'InvalidParameter');
  await h.call('Ecs', 'DeleteSecurityGroup', { ...R, SecurityGroupId: sg.SecurityGroupId });
  await fails(
    h.call('Ecs', 'DeleteSecurityGroup', { ...R, SecurityGroupId: sg.SecurityGroupId }),
    'InvalidSecurityGroupId.NotFound',
  );
});

test('key pairs: 500 per region, then QuotaExceed.KeyPair (403)', async () => {
  const h = harness({ regions: ['cn-qingdao', 'cn-beijing', 'cn-shanghai'] });
  const key = generateEd25519Public('q').publicKey;
  for (let i = 0; i < 498; i++)
    await h.call('Ecs', 'ImportKeyPair', { RegionId: 'cn-qingdao', KeyPairName: `q${i}`, PublicKeyBody: key });
  const e = await fails(
    h.call('Ecs', 'ImportKeyPair', { RegionId: 'cn-qingdao', KeyPairName: 'one-too-many', PublicKeyBody: key }),
    'QuotaExceed.KeyPair',
  );
  assert.is(e.httpStatus, 403);
  await h.call('Ecs', 'ImportKeyPair', { RegionId: 'cn-beijing', KeyPairName: 'elsewhere', PublicKeyBody: key });
});

test.run();
