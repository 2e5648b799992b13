/**
 * Test helper: the typed cloud client against a test sandbox, the sandbox clock (frozen and
 * advanced by simulated seconds instead of sleeping), and a ready network of VPC, VSwitch and
 * security group.
 */
import { createCloudFactory, type CloudClient, type Tag } from '../../lib/cloud/index';
import { systemClock } from '../../lib/core/clock';
import { createLogger } from '../../lib/core/log';
import type { TestSandbox } from './sandbox';

export interface Keys {
  accessKeyId: string;
  accessKeySecret: string;
}

/** A client for `keys` in `regionId`; back-off sleeps go through `sleep` (default: none). */
export function clientFor(
  sb: TestSandbox,
  keys: Keys,
  o: { regionId?: string; sleep?: (ms: number) => Promise<void>; maxAttempts?: number } = {},
): CloudClient {
  return createCloudFactory({
    config: { sandboxEndpoint: sb.endpoint, region: 'cn-hangzhou', functionPrefix: 'fleet' },
    clock: systemClock,
    log: createLogger({}, { write: () => {} }),
    roleCredentials: keys,
    sleep: o.sleep ?? (async () => {}),
    ...(o.maxAttempts ? { retry: { maxAttempts: o.maxAttempts } } : {}),
  }).forAccount({ type: 'access_key', ...keys }, { regionId: o.regionId ?? 'cn-hangzhou' });
}

/** The sandbox clock: `freeze()` holds it, `advance(s)` moves it by simulated seconds. */
export function sandboxClock(sb: TestSandbox) {
  return {
    freeze: () => sb.admin('/clock', { frozen: true }),
    unfreeze: () => sb.admin('/clock', { frozen: false }),
    advance: (simulatedSeconds: number) => sb.admin('/clock', { advanceSeconds: simulatedSeconds }),
  };
}

/** VPC (`cidr`), a VSwitch (`vswCidr`) in the second zone, a security group; all Available on a frozen clock. */
export async function readyNetwork(
  c: CloudClient,
  clock: ReturnType<typeof sandboxClock>,
  o: { cidr?: string; vswCidr?: string; tags?: Tag[] } = {},
) {
  const zones = await c.ecs.describeZones();
  const zoneId = zones[1]!.zoneId;
  const vpc = await c.vpc.createVpc({ cidrBlock: o.cidr ?? '172.16.0.0/16', ...(o.tags ? { tags: o.tags } : {}) });
  await clock.advance(5);
  const vsw = await c.vpc.createVSwitch({
    vpcId: vpc.vpcId,
    zoneId,
    cidrBlock: o.vswCidr ?? '172.16.0.0/24',
    ...(o.tags ? { tags: o.tags } : {}),
  });
  await clock.advance(3);
  const sg = await c.ecs.createSecurityGroup({ vpcId: vpc.vpcId, ...(o.tags ? { tags: o.tags } : {}) });
  return { ...vpc, zoneId, vSwitchId: vsw.vSwitchId, securityGroupId: sg.securityGroupId };
}

export const LINUX_IMAGE = 'ubuntu_22_04_x64_20G_alibase_20250722.vhd';
