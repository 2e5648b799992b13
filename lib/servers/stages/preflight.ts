/**
 * `preflight`: everything that would make the build fail later, checked before anything is
 * created (a failed build must not leave half a network behind): the region, the image, the key
 * pair, the zones with the instance type in stock, the given network (`existing`), and the
 * quotas a build consumes — VPCs per region and EIPs, read from Quota Center where the account
 * may read it, and the route table's room when a route is asked for.
 */
import { isCloudKind } from '../../cloud/errors';
import type { CloudClient } from '../../cloud/types';
import { TAG_SHARED } from '../activities';
import { type Ctx, type PreflightOut, rejected, type ServerStage } from './common';

/** Alibaba's default custom route entries per route table, when Quota Center cannot be read. */
const DEFAULT_ROUTE_ENTRIES = 200;

type Quotas = CloudClient['quotas'];

/** `{used, limit}` of a quota, or null when the account may not read Quota Center (or it has no such quota). */
async function readQuota(q: Quotas, productCode: string, quotaActionCode: string) {
  try {
    const r = await q.getProductQuota({ productCode, quotaActionCode });
    return { used: r.totalUsage, limit: r.totalQuota };
  } catch (e) {
    if (isCloudKind(e, 'permission') || isCloudKind(e, 'not-found')) return null;
    throw e;
  }
}

export const preflight: ServerStage = {
  name: 'preflight',
  async run(c: Ctx) {
    const { spec } = c.record;
    const act = await c.act();
    const { ecs, vpc, quotas } = act.cloud;

    const regions = await ecs.describeRegions();
    if (!regions.some((r) => r.regionId === spec.regionId)) {
      return {
        fail: rejected(
          'InvalidRegionId.NotFound',
          `the account has no region ${spec.regionId}`,
          'pick a region from GET /v1/catalog/{accountId}/regions',
        ),
      };
    }

    const images = await ecs.describeImages({ imageId: spec.imageId, limit: 1 });
    if (!images.some((i) => i.imageId === spec.imageId)) {
      return {
        fail: rejected(
          'InvalidImageId.NotFound',
          `image ${spec.imageId} does not exist in ${spec.regionId}`,
          'pick an image from GET /v1/catalog/{accountId}/regions/{regionId}/images',
        ),
      };
    }

    const keyPairName = spec.keyPairName ?? act.accountKeyPair;
    if (!keyPairName) {
      return {
        fail: rejected(
          'KeyPair.NotConfigured',
          `no key pair for ${spec.regionId}`,
          `give keyPairName, or set the account's sshKeys for ${spec.regionId} (PATCH /v1/accounts/{id})`,
        ),
      };
    }
    const pairs = await ecs.describeKeyPairs({ keyPairName });
    if (!pairs.some((k) => k.keyPairName === keyPairName)) {
      return {
        fail: rejected(
          'InvalidKeyPairName.NotFound',
          `key pair ${keyPairName} does not exist in ${spec.regionId}`,
          'import or create it in that region (each region has its own key pairs)',
        ),
      };
    }

    let existing: PreflightOut['existing'];
    if (spec.network.mode === 'existing') {
      const [sw] = await vpc.describeVSwitches({ vSwitchId: spec.network.vSwitchId! });
      const [net] = await vpc.describeVpcs({ vpcIds: [spec.network.vpcId!] });
      if (!net || !sw || sw.vpcId !== net.vpcId) {
        return {
          fail: rejected(
            !net ? 'InvalidVpcId.NotFound' : 'InvalidVSwitchId.NotFound',
            !net
              ? `VPC ${spec.network.vpcId} does not exist`
              : `VSwitch ${spec.network.vSwitchId} is not in VPC ${net.vpcId}`,
            'give a VPC of this region and one of its VSwitches',
          ),
        };
      }
      existing = {
        vpcId: net.vpcId,
        vSwitchId: sw.vSwitchId,
        zoneId: sw.zoneId,
        cidrBlock: net.cidrBlock,
        ...(net.routeTableIds[0] ? { routeTableId: net.routeTableIds[0] } : {}),
      };
    }

    const stock = await ecs.describeAvailableResource({ instanceType: spec.instanceType });
    const inStock = stock
      .filter((z) => z.inStock)
      .map((z) => z.zoneId)
      .sort();
    const wanted = existing?.zoneId ?? spec.zoneId;
    const zones = wanted ? inStock.filter((z) => z === wanted) : inStock;
    if (zones.length === 0) {
      return {
        fail: rejected(
          'OperationDenied.NoStock',
          wanted
            ? `${spec.instanceType} is not in stock in ${wanted}`
            : `${spec.instanceType} is not in stock in any zone of ${spec.regionId}`,
          inStock.length ? `zones with stock: ${inStock.join(', ')}` : 'pick another instance type or region',
        ),
      };
    }

    // A VPC is consumed by a dedicated build, or by the first shared build of the region.
    const needsVpc =
      spec.network.mode === 'dedicated' ||
      (spec.network.mode === 'shared' &&
        (await vpc.describeVpcs({ tags: [{ key: TAG_SHARED, value: c.record.accountId }] })).length === 0);
    const vpcs = needsVpc ? await readQuota(quotas, 'vpc', `vpc_quota_instances_num_${spec.regionId}`) : null;
    if (vpcs && vpcs.used >= vpcs.limit) {
      return {
        fail: rejected(
          'QuotaExceeded.Vpc',
          `${spec.regionId} already has ${vpcs.used} of its ${vpcs.limit} VPCs`,
          'use network mode "shared" (one VPC for all servers of the account and region), delete unused VPCs (GET /v1/orphans), or raise the quota in Quota Center',
        ),
      };
    }
    const eips = spec.publicIp.type === 'eip' ? await readQuota(quotas, 'eip', 'eip_quota_instances_num') : null;
    if (eips && eips.used >= eips.limit) {
      return {
        fail: rejected(
          'QuotaExceeded.Eip',
          `the account already has ${eips.used} of its ${eips.limit} EIPs`,
          'release unused EIPs, use publicIp.type "ephemeral", or raise the quota in Quota Center',
        ),
      };
    }

    if (spec.route) {
      const table = existing?.routeTableId ?? (await sharedRouteTable(c));
      if (table) {
        const entries = (await vpc.describeRouteEntryList({ routeTableId: table })).filter((e) => e.type === 'Custom');
        const limit = (await readQuota(quotas, 'vpc', 'vpc_quota_route_entrys_num'))?.limit ?? DEFAULT_ROUTE_ENTRIES;
        if (entries.length >= limit) {
          return {
            fail: rejected(
              'QuotaExceeded.RouteEntry',
              `route table ${table} is full (${entries.length} of ${limit} custom entries)`,
              'remove routes that are no longer used, or raise vpc_quota_route_entrys_num in Quota Center',
            ),
          };
        }
      }
    }

    const result: PreflightOut = {
      zones,
      keyPairName,
      imageId: spec.imageId,
      ...(existing ? { existing } : {}),
      quota: { vpcs, eips },
    };
    return { done: result };
  },
};

/** The shared VPC's route table, when the build will use an existing shared VPC. */
async function sharedRouteTable(c: Ctx): Promise<string | undefined> {
  if (c.record.spec.network.mode !== 'shared') return undefined;
  const act = await c.act();
  const [shared] = await act.cloud.vpc.describeVpcs({ tags: [{ key: TAG_SHARED, value: c.record.accountId }] });
  return shared?.routeTableIds[0];
}
