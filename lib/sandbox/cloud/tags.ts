/**
 * Tagging after creation: ECS TagResources / UntagResources / ListTagResources and VPC
 * TagResources / UnTagResources / ListTagResources (ResourceType and field names per product).
 */
import type { OpContext } from '../openapi/types';
import { requireRegion } from './catalog';
import { begin, dryRunGate } from './context';
import { apiError } from './errors';
import { eipView, instanceStatus, vpcStatus, vSwitchStatus, type Clock } from './lifecycle';
import { bool, listN, opt, pageByToken, tagFilter, tagsToSet } from './params';
import type { CloudState, Tag } from './state';

export const TAGS_PER_RESOURCE = 20;

/** A taggable resource: its id and the state object whose `tags` are read and replaced. */
interface Tagged {
  id: string;
  obj: { tags: Tag[] };
}

/** Live resources of one type in a region, by the type names each product uses. */
function resourcesOf(
  s: CloudState,
  c: Clock,
  product: 'Ecs' | 'Vpc',
  type: string,
  regionId: string,
): Tagged[] | undefined {
  const inRegion = <T extends { regionId: string; id: string; tags: Tag[] }>(xs: T[]): Tagged[] =>
    xs.filter((x) => x.regionId === regionId).map((x) => ({ id: x.id, obj: x }));
  if (product === 'Ecs') {
    switch (type.toLowerCase()) {
      case 'instance':
        return inRegion(s.instances.filter((i) => instanceStatus(i, c) !== null));
      case 'disk':
        return inRegion(s.disks);
      case 'securitygroup':
        return inRegion(s.securityGroups);
      case 'keypair':
        return s.keyPairs.filter((k) => k.regionId === regionId).map((k) => ({ id: k.name, obj: k }));
      default:
        return undefined;
    }
  }
  switch (type.toUpperCase()) {
    case 'VPC':
      return inRegion(s.vpcs.filter((v) => vpcStatus(v, c) !== null));
    case 'VSWITCH':
      return inRegion(s.vSwitches.filter((v) => vSwitchStatus(v, c) !== null));
    case 'EIP':
      return inRegion(s.eips.filter((e) => eipView(e, c) !== null));
    case 'ROUTETABLE':
      return s.vpcs
        .filter((v) => v.regionId === regionId && vpcStatus(v, c) !== null)
        .map((v) => ({
          id: v.routeTableId,
          obj: {
            get tags() {
              return v.routeTableTags ?? [];
            },
            set tags(t: Tag[]) {
              v.routeTableTags = t;
            },
          },
        }));
    default:
      return undefined;
  }
}

function target(ctx: OpContext, product: 'Ecs' | 'Vpc') {
  const { s, c } = begin(ctx);
  const regionId = requireRegion(ctx);
  const type = opt(ctx.params, 'ResourceType');
  if (!type)
    throw apiError(
      'MissingParameter',
      400,
      'The input parameter "ResourceType" that is mandatory for processing this request is not supplied.',
    );
  const all = resourcesOf(s, c, product, type, regionId);
  if (!all)
    throw apiError('InvalidResourceType.NotFound', 404, 'The ResourceType provided does not exist in our records.');
  const ids = listN(ctx.params, 'ResourceId');
  if (ids.length > 50) {
    throw product === 'Ecs'
      ? apiError('NumberExceed.ResourceIds', 400, "The ResourceIds parameter's number is exceed , Valid : 50.")
      : apiError('SizeLimitExceeded.ResourceId', 400, 'The maximum number of resource IDs is exceeded.');
  }
  return { all, ids, type };
}

function pick(all: Tagged[], ids: string[]): Tagged[] {
  if (ids.length === 0)
    throw apiError(
      'MissingParameter',
      400,
      'The input parameter "ResourceId" that is mandatory for processing this request is not supplied.',
    );
  return ids.map((id) => {
    const r = all.find((x) => x.id === id);
    if (!r)
      throw apiError('InvalidResourceId.NotFound', 404, 'The specified ResourceIds are not found in our records.');
    return r;
  });
}

export const tagResources = (product: 'Ecs' | 'Vpc') => (ctx: OpContext) => {
  const { all, ids } = target(ctx, product);
  const resources = pick(all, ids);
  const tags = tagsToSet(ctx.params);
  if (tags.length === 0)
    throw apiError(
      'MissingParameter',
      400,
      'The input parameter "Tag" that is mandatory for processing this request is not supplied.',
    );
  for (const r of resources) {
    const keys = new Set([...r.obj.tags.map((t) => t.Key), ...tags.map((t) => t.Key)]);
    if (keys.size > TAGS_PER_RESOURCE)
      throw apiError('QuotaExceed.Tags', 403, 'The maximum number of tags on the resource is reached.');
  }
  dryRunGate(ctx);
  for (const r of resources) r.obj.tags = [...r.obj.tags.filter((t) => !tags.some((n) => n.Key === t.Key)), ...tags];
  return {};
};

export const untagResources = (product: 'Ecs' | 'Vpc') => (ctx: OpContext) => {
  const { all, ids } = target(ctx, product);
  const resources = pick(all, ids);
  const keys = listN(ctx.params, 'TagKey');
  const everything = bool(ctx.params, 'All');
  if (keys.length === 0 && !everything)
    throw apiError(
      'MissingParameter',
      400,
      'The input parameter "TagKey" that is mandatory for processing this request is not supplied.',
    );
  dryRunGate(ctx);
  for (const r of resources) r.obj.tags = everything ? [] : r.obj.tags.filter((t) => !keys.includes(t.Key));
  return {};
};

export const listTagResources = (product: 'Ecs' | 'Vpc') => (ctx: OpContext) => {
  const { all, ids, type } = target(ctx, product);
  const tagOk = tagFilter(ctx.params);
  if (ids.length === 0 && !opt(ctx.params, 'Tag.1.Key'))
    throw apiError('MissingParameter', 400, 'Either ResourceId.N or Tag.N must be specified.');
  const rows = all
    .filter((r) => (ids.length === 0 || ids.includes(r.id)) && tagOk(r.obj.tags))
    .flatMap((r) =>
      r.obj.tags.map((t) => ({
        ResourceType: product === 'Ecs' ? `ALIYUN::ECS::${type.toUpperCase()}` : type.toUpperCase(),
        ResourceId: r.id,
        TagKey: t.Key,
        TagValue: t.Value,
      })),
    );
  const page = pageByToken(ctx.params, rows, { max: 50, def: product === 'Ecs' ? 50 : 20 });
  return { NextToken: page.nextToken ?? '', TagResources: { TagResource: page.items } };
};
