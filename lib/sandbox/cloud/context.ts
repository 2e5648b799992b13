/** Per-call plumbing shared by the op handlers: state after garbage collection, clock, lookups. */
import type { OpContext } from '../openapi/types';
import { apiError, dryRunPassed, notFound } from './errors';
import { collectGarbage, instanceStatus, vpcStatus, type Clock } from './lifecycle';
import { bool } from './params';
import { stateOf, type CloudState, type Instance, type SecurityGroup, type Vpc, type VSwitch } from './state';

export function begin(ctx: OpContext): { s: CloudState; c: Clock } {
  const s = stateOf(ctx.account);
  const c: Clock = { now: ctx.now(), scale: ctx.timeScale };
  collectGarbage(s, c);
  return { s, c };
}

/**
 * Operations whose API declares `DryRun` (OpenAPI metadata). Others (CreateVSwitch,
 * CreateSecurityGroup, the EIP and tag writes…) have no such parameter: Alibaba ignores it and
 * does the work, and so does the sandbox.
 */
const DRY_RUN_ACTIONS = new Set([
  'DescribeImages',
  'DescribeSecurityGroups',
  'RunInstances',
  'DescribeInstances',
  'DescribeDisks',
  'DeleteInstance',
  'StopInstance',
  'StartInstance',
  'RebootInstance',
  'CreateVpc',
  'DescribeVpcs',
  'DeleteVpc',
  'DescribeVSwitches',
  'DeleteVSwitch',
  'CreateRouteEntry',
  'DeleteRouteEntry',
  'DescribeEipAddresses',
]);

/** Whether this call is a dry run: `DryRun=true` on an operation that has the parameter. */
export const isDryRun = (ctx: OpContext) => DRY_RUN_ACTIONS.has(ctx.action) && bool(ctx.params, 'DryRun');

/** Throws `DryRunOperation` when the request asked for a dry run (call after all checks). */
export function dryRunGate(ctx: OpContext): void {
  if (isDryRun(ctx)) throw dryRunPassed();
}

export function findVpc(s: CloudState, c: Clock, regionId: string, id: string): Vpc {
  const v = s.vpcs.find((x) => x.id === id && x.regionId === regionId);
  if (!v || vpcStatus(v, c) === null) throw notFound('InvalidVpcId.NotFound', 'Specified VPC does not exist.');
  return v;
}

export function findVSwitch(s: CloudState, regionId: string, id: string): VSwitch {
  const v = s.vSwitches.find((x) => x.id === id && x.regionId === regionId);
  if (!v) throw notFound('InvalidVSwitchId.NotFound', 'Specified virtual switch does not exist.');
  return v;
}

export function findSecurityGroup(s: CloudState, regionId: string | undefined, id: string): SecurityGroup {
  const g = s.securityGroups.find((x) => x.id === id && (!regionId || x.regionId === regionId));
  if (!g) throw notFound('InvalidSecurityGroupId.NotFound', 'The specified SecurityGroupId does not exist.');
  return g;
}

/** A live instance (in `regionId` when given); a deleting one still counts until it is gone. */
export function findInstance(s: CloudState, c: Clock, regionId: string | undefined, id: string): Instance {
  const i = s.instances.find((x) => x.id === id && (!regionId || x.regionId === regionId));
  if (!i || instanceStatus(i, c) === null)
    throw notFound('InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.');
  return i;
}

export const vpcTags = (tags: { Key: string; Value: string }[]) => ({
  Tag: tags.map((t) => ({ Key: t.Key, Value: t.Value })),
});
export const ecsTags = (tags: { Key: string; Value: string }[]) => ({
  Tag: tags.map((t) => ({ TagValue: t.Value, TagKey: t.Key })),
});

/** Name/description checks shared by VPC and ECS (2–128 chars, no http:// prefix). */
export function checkName(value: string | undefined, code: string, message: string): void {
  if (value === undefined) return;
  if (value.length < 1 || value.length > 128 || /^https?:\/\//i.test(value)) throw apiError(code, 400, message);
}
