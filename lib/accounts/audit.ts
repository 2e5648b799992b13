/**
 * The permission audit: one probe per RAM action the product calls. Probes use `DryRun` where
 * the API has it (nothing is created), plain calls for reads, and report `null` for writes that
 * have no DryRun (calling them would change the account).
 */
import { isAppError } from '../core/errors';
import type { CloudClient } from '../cloud/types';
import type { Logger } from '../core/log';

export interface PermissionCheck {
  action: string;
  allowed: boolean | null;
  how: string;
  /** The cloud code that decided it, when it was not a plain success. */
  code?: string;
}

type Probe = (c: CloudClient) => Promise<unknown>;

// Placeholder ids: a DryRun is authorised before its parameters are checked, so a
// "not found" answer still proves the permission.
const PH = {
  image: 'm-fleetauditplaceholder',
  sg: 'sg-fleetauditplaceholder',
  vsw: 'vsw-fleetauditplaceholder',
  vpc: 'vpc-fleetauditplaceholder',
  vtb: 'vtb-fleetauditplaceholder',
  i: 'i-fleetauditplaceholder',
  invoke: 't-fleetauditplaceholder',
};

const DRY: Record<string, Probe> = {
  'ecs:DescribeImages': (c) => c.ecs.describeImages({ imageOwnerAlias: 'system', dryRun: true }),
  'ecs:DescribeInstances': (c) => c.ecs.describeInstances({ dryRun: true }),
  'ecs:DescribeDisks': (c) => c.ecs.describeDisks({ dryRun: true }),
  'ecs:RunInstances': (c) =>
    c.ecs.runInstances({
      imageId: PH.image,
      instanceType: 'ecs.g6.large',
      securityGroupId: PH.sg,
      vSwitchId: PH.vsw,
      dryRun: true,
    }),
  'ecs:DeleteInstance': (c) => c.ecs.deleteInstance({ instanceId: PH.i, force: true, dryRun: true }),
  // Power actions (POST /v1/servers/{id}/actions).
  'ecs:StartInstance': (c) => c.ecs.startInstance({ instanceId: PH.i, dryRun: true }),
  'ecs:StopInstance': (c) => c.ecs.stopInstance({ instanceId: PH.i, dryRun: true }),
  'ecs:RebootInstance': (c) => c.ecs.rebootInstance({ instanceId: PH.i, dryRun: true }),
  'vpc:CreateVpc': (c) => c.vpc.createVpc({ cidrBlock: '172.16.0.0/16', dryRun: true }),
  'vpc:DescribeVpcs': (c) => c.vpc.describeVpcs({ dryRun: true }),
  'vpc:DeleteVpc': (c) => c.vpc.deleteVpc({ vpcId: PH.vpc, dryRun: true }),
  'vpc:CreateVSwitch': (c) =>
    c.vpc.createVSwitch({ vpcId: PH.vpc, zoneId: `${c.regionId}-a`, cidrBlock: '172.16.0.0/24', dryRun: true }),
  'vpc:DescribeVSwitches': (c) => c.vpc.describeVSwitches({ dryRun: true }),
  'vpc:DeleteVSwitch': (c) => c.vpc.deleteVSwitch({ vSwitchId: PH.vsw, dryRun: true }),
  'vpc:CreateRouteEntry': (c) =>
    c.vpc.createRouteEntry({
      routeTableId: PH.vtb,
      destinationCidrBlock: '10.255.0.0/24',
      nextHopId: PH.i,
      dryRun: true,
    }),
  'vpc:DeleteRouteEntry': (c) =>
    c.vpc.deleteRouteEntry({
      routeTableId: PH.vtb,
      destinationCidrBlock: '10.255.0.0/24',
      nextHopId: PH.i,
      dryRun: true,
    }),
};

const READ: Record<string, Probe> = {
  'sts:GetCallerIdentity': (c) => c.sts.getCallerIdentity(),
  'ecs:DescribeRegions': (c) => c.ecs.describeRegions(),
  'ecs:DescribeZones': (c) => c.ecs.describeZones(),
  'ecs:DescribeAvailableResource': (c) => c.ecs.describeAvailableResource({ instanceType: 'ecs.g6.large' }),
  // Filtered to one (absent) name: one small page, not every key pair of the region.
  'ecs:DescribeKeyPairs': (c) => c.ecs.describeKeyPairs({ keyPairName: 'fleet-audit-probe' }),
  'ecs:DescribeInstanceTypes': (c) => c.ecs.describeInstanceTypes({ instanceTypes: ['ecs.g6.large'] }),
  'vpc:DescribeRouteEntryList': (c) => c.vpc.describeRouteEntryList({ routeTableId: PH.vtb }),
  // Filtered to placeholders: an empty answer, not every group, table or invocation of the region.
  'ecs:DescribeSecurityGroups': (c) => c.ecs.describeSecurityGroups({ securityGroupIds: [PH.sg] }),
  'vpc:DescribeRouteTableList': (c) => c.vpc.describeRouteTableList({ routeTableId: PH.vtb }),
  'ecs:DescribeInvocationResults': (c) => c.ecs.describeInvocationResults({ invokeId: PH.invoke }),
  // Preflight's VPC quota (without it a build goes on with Alibaba's defaults).
  'quotas:GetProductQuota': (c) =>
    c.quotas.getProductQuota({ productCode: 'vpc', quotaActionCode: `vpc_quota_instances_num_${c.regionId}` }),
  'vpc:DescribeEipAddresses': (c) => c.vpc.describeEips(),
  'resourcecenter:GetResourceCenterServiceStatus': (c) => c.resourceCenter.getServiceStatus(),
  'resourcecenter:SearchResources': (c) => c.resourceCenter.searchResources({ maxResults: 1 }),
};

/** Writes without DryRun: not called, reported as unknown. */
const UNCHECKED = [
  'ecs:RunCommand',
  'ecs:CreateSecurityGroup',
  'ecs:AuthorizeSecurityGroup',
  'ecs:DeleteSecurityGroup',
  'ecs:ImportKeyPair',
  'ecs:AllocatePublicIpAddress',
  'vpc:AllocateEipAddress',
  'vpc:AssociateEipAddress',
  'vpc:UnassociateEipAddress',
  'vpc:ReleaseEipAddress',
];

/** Not-found answers for the placeholder ids above: the cloud checks these only after authorising the call. */
const PLACEHOLDER_NOT_FOUND = new Set([
  'InvalidImageId.NotFound',
  'InvalidSecurityGroupId.NotFound',
  'InvalidVSwitchId.NotFound',
  'InvalidVpcId.NotFound',
  'InvalidRouteTableId.NotFound',
  'InvalidInstanceId.NotFound',
]);

const cloudCode = (e: unknown) => (isAppError(e) ? e.cloud?.code : undefined);
/** RAM denials: the gateway's `Forbidden.*`, Resource Center's `NoPermission`, Quota Center's own code. */
const isDenied = (code: string | undefined) =>
  !!code && (code.startsWith('Forbidden') || code.startsWith('NoPermission') || code === 'RAM.PERMISSION.DENIED');
/** Codes that say nothing about permission: the probe could not run. */
const isInconclusive = (e: unknown) =>
  isAppError(e) &&
  (e.retryable ||
    !e.cloud ||
    /^(InvalidAccessKeyId|InvalidSecurityToken|InvalidAction|InvalidApi|UnsupportedOperation)/.test(e.cloud.code) ||
    e.cloud.code === 'SignatureDoesNotMatch');

/** How a probe ended: what it proves, and so how loudly to log it. */
type Outcome = 'allowed' | 'placeholder' | 'denied' | 'inconclusive' | 'refused';

async function probe(
  action: string,
  call: Probe,
  client: CloudClient,
  dry: boolean,
): Promise<{ check: PermissionCheck; outcome: Outcome }> {
  const how = dry ? 'DryRun' : 'read call';
  try {
    await call(client);
    return { check: { action, allowed: true, how }, outcome: 'allowed' };
  } catch (e) {
    const code = cloudCode(e);
    if (code === 'DryRunOperation') return { check: { action, allowed: true, how }, outcome: 'allowed' };
    if (isDenied(code)) return { check: { action, allowed: false, how, code: code! }, outcome: 'denied' };
    if (isInconclusive(e))
      return {
        check: {
          action,
          allowed: null,
          how: `${how} could not run (${code ?? (isAppError(e) ? e.code : 'error')})`,
          ...(code ? { code } : {}),
        },
        outcome: 'inconclusive',
      };
    // Authorised, then refused because a placeholder does not exist: that is checked after RAM.
    if (code && PLACEHOLDER_NOT_FOUND.has(code))
      return {
        check: {
          action,
          allowed: true,
          how: `${how} (authorised; the placeholder parameters were refused with ${code})`,
          code,
        },
        outcome: 'placeholder',
      };
    // Any other refusal may have come before the permission check: it proves nothing either way.
    return {
      check: {
        action,
        allowed: null,
        how: `${how} was refused with ${code ?? (isAppError(e) ? e.code : 'an error')}: the permission is unknown`,
        ...(code ? { code } : {}),
      },
      outcome: 'refused',
    };
  }
}

/**
 * Runs one probe and logs it by what it means: the misses the audit expects (a denial, a
 * placeholder not found) at debug; a probe that could not run at info; a DryRun the cloud answered
 * with something other than DryRunOperation, a denial or a placeholder miss at warn, since the
 * audit cannot read it. (A DryRun answered with a plain success is logged by the cloud client,
 * which turns it into `{wouldSucceed: true}`.)
 */
async function runProbe(
  action: string,
  call: Probe,
  client: CloudClient,
  dry: boolean,
  log?: Logger,
): Promise<PermissionCheck> {
  const { check, outcome } = await probe(action, call, client, dry);
  const fields = { action, allowed: check.allowed, ...(check.code ? { code: check.code } : {}) };
  if (outcome === 'refused' && dry) log?.warn('DryRun probe did not answer DryRunOperation', fields);
  else if (outcome === 'refused' || outcome === 'inconclusive') log?.info('permission probe inconclusive', fields);
  else log?.debug('permission probe', fields);
  return check;
}

const RC_STATUS = 'resourcecenter:GetResourceCenterServiceStatus';

/**
 * Every action the product uses, checked in parallel (a handful at a time). Sorted by action.
 * `known`: outcomes already seen (the verification's calls, the Resource Center status read),
 * reported as they are instead of calling the cloud again. Ends with one info line: the counts,
 * and which actions were denied.
 */
export async function auditPermissions(
  client: CloudClient,
  opts: { known?: Array<PermissionCheck | Promise<PermissionCheck>>; log?: Logger; concurrency?: number } = {},
): Promise<PermissionCheck[]> {
  const { log, concurrency = 6 } = opts;
  const done = await Promise.all(opts.known ?? []);
  const skip = new Set(done.map((k) => k.action));
  const jobs: Array<() => Promise<PermissionCheck>> = [
    ...Object.entries(DRY)
      .filter(([a]) => !skip.has(a))
      .map(
        ([a, p]) =>
          () =>
            runProbe(a, p, client, true, log),
      ),
    ...Object.entries(READ)
      .filter(([a]) => !skip.has(a))
      .map(
        ([a, p]) =>
          () =>
            runProbe(a, p, client, false, log),
      ),
  ];
  const out: PermissionCheck[] = [
    ...done,
    ...UNCHECKED.map((action) => ({
      action,
      allowed: null,
      how: 'not checked: the API has no DryRun and calling it would change the account',
    })),
  ];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
      while (next < jobs.length) out.push(await jobs[next++]!());
    }),
  );
  out.sort((a, b) => a.action.localeCompare(b.action));
  log?.info('permission audit', {
    allowed: out.filter((c) => c.allowed === true).length,
    unknown: out.filter((c) => c.allowed === null).length,
    denied: out.filter((c) => c.allowed === false).map((c) => c.action),
  });
  return out;
}

/** Resource Center status for the verify answer (`null`s when it cannot be read), and the permission check that one call proves. */
export async function resourceCenterStatus(
  client: CloudClient,
): Promise<{ status: { enabled: boolean | null; initialized: boolean | null }; check: PermissionCheck }> {
  let status: { enabled: boolean | null; initialized: boolean | null } = { enabled: null, initialized: null };
  const check = await runProbe(
    RC_STATUS,
    async (c) => (status = await c.resourceCenter.getServiceStatus()),
    client,
    false,
  );
  return { status, check };
}

/** What a verification's own calls proved, as audit checks. */
export const probedChecks = (probed: Partial<Record<string, boolean>>): PermissionCheck[] =>
  Object.entries(probed).flatMap(([action, ok]) => (ok ? [{ action, allowed: true, how: 'read call' }] : []));
