/** ECS security groups: CreateSecurityGroup, AuthorizeSecurityGroup, DescribeSecurityGroups, DescribeSecurityGroupAttribute, DeleteSecurityGroup. */
import type { OpContext } from '../openapi/types';
import { requireRegion } from './catalog';
import { parseCidr } from './cidr';
import { idempotent } from './client-token';
import { begin, checkName, dryRunGate, ecsTags, findSecurityGroup, findVpc } from './context';
import { apiError } from './errors';
import { newResourceId } from './ids';
import { vpcStatus } from './lifecycle';
import { isoMinutes, iso, jsonList, opt, pageByNumber, pageByToken, structN, tagFilter, tagsToSet } from './params';
import type { SecurityGroup, SecurityRule } from './state';

export const SECURITY_GROUPS_PER_REGION = 100;
export const RULES_PER_GROUP = 200;

export function createSecurityGroup(ctx: OpContext) {
  const { s, c } = begin(ctx);
  return idempotent(ctx, () => {
    const p = ctx.params;
    const regionId = requireRegion(ctx);
    const vpcId = opt(p, 'VpcId');
    if (!vpcId) throw apiError('InvalidVpcId.NotFound', 403, 'vpc id must not empty when only support vpc vm.');
    const vpc = findVpc(s, c, regionId, vpcId);
    checkName(
      opt(p, 'SecurityGroupName'),
      'InvalidSecurityGroupName.Malformed',
      'The specified parameter "SecurityGroupName" is not valid.',
    );
    checkName(
      opt(p, 'Description'),
      'InvalidSecurityGroupDiscription.Malformed',
      'Specified security group description is not valid.',
    );
    const type = opt(p, 'SecurityGroupType') ?? 'normal';
    if (!['normal', 'enterprise'].includes(type))
      throw apiError(
        'InvalidSecurityGroupType.Malformed',
        400,
        'The specified parameter "SecurityGroupType" is not valid.',
      );
    const tags = tagsToSet(p);
    if (vpcStatus(vpc, c) !== 'Available' || vpc.deletedAtMs !== undefined)
      throw apiError('IncorrectVpcStatus', 403, 'Current VPC status does not support this operation.');
    if (s.securityGroups.filter((g) => g.regionId === regionId).length >= SECURITY_GROUPS_PER_REGION) {
      throw apiError('QuotaExceed.SecurityGroup', 403, 'The maximum number of security groups is reached.');
    }
    dryRunGate(ctx);
    const g: SecurityGroup = {
      id: newResourceId('sg', regionId),
      regionId,
      createdAtMs: c.now,
      tags,
      resourceGroupId: opt(p, 'ResourceGroupId') ?? s.resourceGroupId,
      vpcId: vpc.id,
      name: opt(p, 'SecurityGroupName') ?? '',
      description: opt(p, 'Description') ?? '',
      type,
      rules: [],
    };
    s.securityGroups.push(g);
    return { SecurityGroupId: g.id };
  });
}

const PROTOCOLS = ['tcp', 'udp', 'icmp', 'gre', 'all', 'icmpv6'];

function parseRule(raw: Record<string, string | string[]>, now: number): SecurityRule {
  const get = (k: string) => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : undefined);
  const proto = get('IpProtocol')?.toLowerCase();
  if (!proto)
    throw apiError(
      'MissingParameter',
      400,
      'The input parameter "IpProtocol" that is mandatory for processing this request is not supplied.',
    );
  if (!PROTOCOLS.includes(proto))
    throw apiError(
      'InvalidIpProtocol.ValueNotSupported',
      400,
      'The parameter IpProtocol must be specified with case insensitive TCP, UDP, ICMP, GRE or All.',
    );
  const portRange = get('PortRange') ?? (proto === 'tcp' || proto === 'udp' ? undefined : '-1/-1');
  if (!portRange)
    throw apiError(
      'MissingParameter',
      400,
      'The input parameter "PortRange" that is mandatory for processing this request is not supplied.',
    );
  const m = /^(-?\d+)\/(-?\d+)$/.exec(portRange);
  const ok =
    m &&
    (proto === 'tcp' || proto === 'udp'
      ? Number(m[1]) >= 1 && Number(m[2]) <= 65535 && Number(m[1]) <= Number(m[2])
      : m[1] === '-1' && m[2] === '-1');
  if (!ok) throw apiError('InvalidIpPortRange.Malformed', 400, 'The specified parameter "PortRange" is not valid.');
  const source = get('SourceCidrIp');
  if (!source && !get('SourceGroupId'))
    throw apiError('MissingParameter.Source', 400, 'Either SourceCidrIp or SourceGroupId must be specified.');
  if (source && !parseCidr(source.includes('/') ? source : `${source}/32`))
    throw apiError('InvalidSourceCidrIp.Malformed', 400, 'The specified parameter "SourceCidrIp" is not valid.');
  const policy = (get('Policy') ?? 'accept').toLowerCase();
  if (!['accept', 'drop'].includes(policy))
    throw apiError('InvalidPolicy.Malformed', 400, 'The specified parameter "Policy" is not valid.');
  const priority = get('Priority') ?? '1';
  if (!/^\d+$/.test(priority) || Number(priority) < 1 || Number(priority) > 100)
    throw apiError('InvalidPriority.Malformed', 400, 'The parameter Priority is invalid.');
  return {
    ipProtocol: proto.toUpperCase() === 'ALL' ? 'ALL' : proto.toUpperCase(),
    portRange,
    sourceCidrIp: source ?? '',
    policy: policy === 'accept' ? 'Accept' : 'Drop',
    priority,
    nicType: get('NicType') ?? 'intranet',
    description: get('Description') ?? '',
    createdAtMs: now,
  };
}

const sameRule = (a: SecurityRule, b: SecurityRule) =>
  a.ipProtocol === b.ipProtocol &&
  a.portRange === b.portRange &&
  a.sourceCidrIp === b.sourceCidrIp &&
  a.policy === b.policy &&
  a.priority === b.priority &&
  a.nicType === b.nicType;

export function authorizeSecurityGroup(ctx: OpContext) {
  const { s, c } = begin(ctx);
  return idempotent(ctx, () => {
    const p = ctx.params;
    const regionId = requireRegion(ctx);
    const id = opt(p, 'SecurityGroupId');
    if (!id)
      throw apiError(
        'MissingParameter',
        400,
        'The input parameter "SecurityGroupId" that is mandatory for processing this request is not supplied.',
      );
    const g = findSecurityGroup(s, regionId, id);
    const legacy = [
      'IpProtocol',
      'PortRange',
      'SourceCidrIp',
      'SourceGroupId',
      'Policy',
      'Priority',
      'NicType',
      'Description',
    ].filter((k) => p[k] !== undefined);
    const raws = structN(p, 'Permissions');
    if (legacy.length) raws.unshift(Object.fromEntries(legacy.map((k) => [k, p[k]!])));
    if (raws.length === 0)
      throw apiError(
        'MissingParameter',
        400,
        'The input parameter "Permissions" that is mandatory for processing this request is not supplied.',
      );
    const rules = raws.map((r) => parseRule(r, c.now));
    const fresh = rules.filter(
      (r, i) => !g.rules.some((x) => sameRule(x, r)) && !rules.slice(0, i).some((x) => sameRule(x, r)),
    );
    if (g.rules.length + fresh.length > RULES_PER_GROUP)
      throw apiError(
        'AuthorizationLimitExceed',
        403,
        'The limit of authorization records in the security group reaches.',
      );
    dryRunGate(ctx);
    g.rules.push(...fresh);
    return {};
  });
}

export function describeSecurityGroups(ctx: OpContext) {
  const { s } = begin(ctx);
  const p = ctx.params;
  const regionId = requireRegion(ctx);
  const ids = jsonList(p, 'SecurityGroupIds', 100);
  const f = (n: string) => opt(p, n);
  const tagOk = tagFilter(p);
  const all = s.securityGroups.filter(
    (g) =>
      g.regionId === regionId &&
      (!ids || ids.includes(g.id)) &&
      (!f('SecurityGroupId') || g.id === f('SecurityGroupId')) &&
      (!f('VpcId') || g.vpcId === f('VpcId')) &&
      (!f('SecurityGroupName') || g.name === f('SecurityGroupName')) &&
      (!f('ResourceGroupId') || g.resourceGroupId === f('ResourceGroupId')) &&
      tagOk(g.tags),
  );
  const tokenMode = f('NextToken') !== undefined || f('MaxResults') !== undefined;
  const page = tokenMode
    ? pageByToken(p, all, {
        max: 100,
        def: 10,
        badToken: () => apiError('InValidParameter.NextToken', 400, 'The parameter NextToken is invalid.'),
      })
    : undefined;
  const numbered = tokenMode ? undefined : pageByNumber(p, all, 50);
  const items = page?.items ?? numbered!.items;
  dryRunGate(ctx);
  const ecsCount = (id: string) => s.instances.filter((i) => i.securityGroupIds.includes(id)).length;
  return {
    RegionId: regionId,
    NextToken: page?.nextToken ?? '',
    SecurityGroups: {
      SecurityGroup: items.map((g) => ({
        SecurityGroupId: g.id,
        SecurityGroupName: g.name,
        Description: g.description,
        SecurityGroupType: g.type,
        VpcId: g.vpcId,
        CreationTime: iso(g.createdAtMs),
        EcsCount: ecsCount(g.id),
        AvailableInstanceAmount: 2000 - ecsCount(g.id),
        ResourceGroupId: g.resourceGroupId,
        ServiceManaged: false,
        Tags: ecsTags(g.tags),
      })),
    },
    TotalCount: all.length,
    ...(numbered ? { PageNumber: numbered.pageNumber, PageSize: numbered.pageSize } : {}),
  };
}

export function describeSecurityGroupAttribute(ctx: OpContext) {
  const { s } = begin(ctx);
  const regionId = requireRegion(ctx);
  const g = findSecurityGroup(s, regionId, opt(ctx.params, 'SecurityGroupId') ?? '');
  const direction = opt(ctx.params, 'Direction') ?? 'all';
  return {
    RegionId: regionId,
    SecurityGroupId: g.id,
    SecurityGroupName: g.name,
    Description: g.description,
    VpcId: g.vpcId,
    InnerAccessPolicy: 'Accept',
    Permissions: {
      Permission:
        direction === 'egress'
          ? []
          : g.rules.map((r) => ({
              Direction: 'ingress',
              IpProtocol: r.ipProtocol,
              PortRange: r.portRange,
              SourceCidrIp: r.sourceCidrIp,
              Policy: r.policy,
              Priority: r.priority,
              NicType: r.nicType,
              Description: r.description,
              CreateTime: isoMinutes(r.createdAtMs).replace(/Z$/, ':00Z'),
              DestCidrIp: '',
              SourceGroupId: '',
              SourcePortRange: '',
              DestGroupId: '',
              Ipv6SourceCidrIp: '',
              Ipv6DestCidrIp: '',
            })),
    },
  };
}

export function deleteSecurityGroup(ctx: OpContext) {
  const { s } = begin(ctx);
  const regionId = requireRegion(ctx);
  const id = opt(ctx.params, 'SecurityGroupId');
  if (!id)
    throw apiError(
      'MissingParameter',
      400,
      'The input parameter "SecurityGroupId" that is mandatory for processing this request is not supplied.',
    );
  const g = findSecurityGroup(s, regionId, id);
  if (s.instances.some((i) => i.securityGroupIds.includes(g.id))) {
    throw apiError('DependencyViolation', 403, 'There is still instance(s) in the specified security group.');
  }
  dryRunGate(ctx);
  s.securityGroups = s.securityGroups.filter((x) => x !== g);
  return {};
}
