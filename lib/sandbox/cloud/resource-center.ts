/** Resource Center 2022-12-01: GetResourceCenterServiceStatus, EnableResourceCenter, ListResourceTypes, SearchResources. */
import type { OpContext } from '../openapi/types';
import { apiError, invalidParam } from './errors';
import { resourceRecords, type ResourceRecord } from './inventory';
import { int, iso, opt, structN } from './params';

const notEnabled = () => apiError('ServiceNotEnabled', 400, 'ResourceCenter Service is not enabled.');

export function getResourceCenterServiceStatus(ctx: OpContext) {
  const on = ctx.account.resourceCenterEnabled;
  return { ServiceStatus: on ? 'Enabled' : 'Disabled', InitialStatus: on ? 'Finished' : 'Pending' };
}

export function enableResourceCenter(ctx: OpContext) {
  ctx.account.resourceCenterEnabled = true;
  return { ServiceStatus: 'Enabled' };
}

const TYPES: [string, string, string][] = [
  ['ACS::ECS::Instance', 'ECS', 'Instance'],
  ['ACS::ECS::Disk', 'ECS', 'Disk'],
  ['ACS::ECS::SecurityGroup', 'ECS', 'Security Group'],
  ['ACS::ECS::KeyPair', 'ECS', 'Key Pair'],
  ['ACS::ECS::NetworkInterface', 'ECS', 'Elastic Network Interface'],
  ['ACS::VPC::VPC', 'VPC', 'VPC'],
  ['ACS::VPC::VSwitch', 'VPC', 'vSwitch'],
  ['ACS::VPC::RouteTable', 'VPC', 'Route Table'],
  ['ACS::EIP::EipAddress', 'EIP', 'Elastic IP Address'],
];

export function listResourceTypes(ctx: OpContext) {
  if (!ctx.account.resourceCenterEnabled) throw notEnabled();
  const want = opt(ctx.params, 'ResourceType');
  return {
    ResourceTypes: TYPES.filter(([t]) => !want || t === want).map(([t, product, name]) => ({
      ResourceType: t,
      ProductName: product,
      ResourceTypeName: name,
      FilterKeys: [
        'ResourceGroupId',
        'ResourceType',
        'RegionId',
        'ResourceId',
        'ResourceName',
        'Tag',
        'VpcId',
        'VSwitchId',
        'IpAddress',
      ],
    })),
  };
}

const KEYS = [
  'ResourceType',
  'RegionId',
  'ResourceId',
  'ResourceGroupId',
  'ResourceName',
  'Tag',
  'VpcId',
  'VSwitchId',
  'IpAddress',
  'ZoneId',
];
const MATCH = ['Equals', 'NotEquals', 'Contains', 'NotContains', 'Prefix', 'NotPrefix', 'Exists', 'NotExists'];

/** Values of a record for a filter key (a record may have several, e.g. IP addresses). */
function valuesOf(r: ResourceRecord, key: string): string[] {
  switch (key) {
    case 'IpAddress':
      return r.ips.map((x) => x.IpAddress);
    case 'Tag':
      return [];
    default:
      return [String((r as unknown as Record<string, unknown>)[key] ?? '')].filter((v) => v !== '');
  }
}

/** A Tag filter value: `{"key":"k","value":"v"}` (value optional) or a bare key. */
function tagMatches(r: ResourceRecord, value: string, match: string): boolean {
  let key = value;
  let val: string | undefined;
  try {
    const j = JSON.parse(value) as { key?: string; value?: string };
    if (j && typeof j === 'object' && typeof j.key === 'string') {
      key = j.key;
      val = j.value;
    }
  } catch {
    /* bare key */
  }
  return r.Tags.some((t) => test(t.Key, key, match.replace(/^Not/, '')) && (val === undefined || t.Value === val));
}

function test(actual: string, want: string, match: string): boolean {
  switch (match) {
    case 'Contains':
      return actual.includes(want);
    case 'Prefix':
      return actual.startsWith(want);
    default:
      return actual === want;
  }
}

function matches(r: ResourceRecord, f: { Key: string; MatchType: string; Values: string[] }): boolean {
  const negate = f.MatchType.startsWith('Not');
  if (f.MatchType === 'Exists' || f.MatchType === 'NotExists') {
    const has =
      f.Key === 'Tag'
        ? f.Values.length
          ? f.Values.some((v) => tagMatches(r, v, 'Equals'))
          : r.Tags.length > 0
        : valuesOf(r, f.Key).length > 0;
    return negate ? !has : has;
  }
  const positive = f.MatchType.replace(/^Not/, '');
  const hit =
    f.Key === 'Tag'
      ? f.Values.some((v) => tagMatches(r, v, positive))
      : f.Values.some((want) => valuesOf(r, f.Key).some((a) => test(a, want, positive)));
  return negate ? !hit : hit;
}

const encodeNext = (offset: number) =>
  Buffer.from(JSON.stringify({ searchAfters: [String(offset)] })).toString('base64');
function decodeNext(token: string | undefined): number {
  if (!token) return 0;
  try {
    const j = JSON.parse(Buffer.from(token, 'base64').toString()) as { searchAfters?: string[] };
    const n = Number(j.searchAfters?.[0]);
    if (Number.isInteger(n) && n >= 0) return n;
  } catch {
    /* fall through */
  }
  throw invalidParam('NextToken', 'InvalidParameter.NextToken');
}

export function searchResources(ctx: OpContext) {
  if (!ctx.account.resourceCenterEnabled) throw notEnabled();
  const p = ctx.params;
  const max = int(p, 'MaxResults', {
    def: 20,
    min: 1,
    max: 100,
    code: 'InvalidParameter.MaxResults',
    message: 'The specified parameter MaxResults is not valid.',
  });
  const filters = structN(p, 'Filter').map((g) => ({
    Key: String(g.Key ?? ''),
    MatchType: String(g.MatchType ?? 'Equals'),
    Values: Array.isArray(g.Value) ? g.Value : typeof g.Value === 'string' ? [g.Value] : [],
  }));
  if (filters.length > 10) throw apiError('ExceedLimit.Filter', 409, 'The maximum length of Filters is exceeded.');
  for (const f of filters) {
    if (!KEYS.includes(f.Key))
      throw apiError('InvalidParameter', 400, `The specified filter key "${f.Key}" is not valid.`);
    if (!MATCH.includes(f.MatchType))
      throw apiError('InvalidParameter', 400, `The specified MatchType "${f.MatchType}" is not valid.`);
    if (f.Values.length === 0 && !f.MatchType.endsWith('Exists'))
      throw apiError('InvalidParameter', 400, `The filter "${f.Key}" has no value.`);
  }
  const sortKey = opt(p, 'SortCriterion.Key');
  if (sortKey && sortKey !== 'CreateTime')
    throw apiError(
      'InvalidParameter.SortCriterion.Key',
      409,
      'The specified parameter SortCriterion.Key is not valid.',
    );
  const desc = (opt(p, 'SortCriterion.Order') ?? 'DESC').toUpperCase() === 'DESC';
  const all = resourceRecords(ctx.account, ctx.now(), ctx.timeScale).filter((r) => filters.every((f) => matches(r, f)));
  all.sort(
    (a, b) =>
      (sortKey ? (desc ? b.CreateTimeMs - a.CreateTimeMs : a.CreateTimeMs - b.CreateTimeMs) : 0) ||
      a.ResourceId.localeCompare(b.ResourceId),
  );
  const offset = decodeNext(opt(p, 'NextToken'));
  const items = all.slice(offset, offset + max);
  return {
    ...(offset + max < all.length ? { NextToken: encodeNext(offset + max) } : {}),
    MaxResults: max,
    Filters: filters,
    Resources: items.map((r) => ({
      ResourceType: r.ResourceType,
      CreateTime: iso(r.CreateTimeMs),
      ResourceGroupId: r.ResourceGroupId,
      ZoneId: r.ZoneId,
      AccountId: ctx.account.accountId,
      ResourceId: r.ResourceId,
      ResourceName: r.ResourceName,
      RegionId: r.RegionId,
      Tags: r.Tags.map((t) => ({ Key: t.Key, Value: t.Value })),
      IpAddresses: r.ips.map((x) => x.IpAddress),
      IpAddressAttributes: r.ips.map((x) => ({ IpAddress: x.IpAddress, NetworkType: x.NetworkType, Version: 'Ipv4' })),
    })),
  };
}
