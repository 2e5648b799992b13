/** Test helper for the cloud simulator unit tests (lib/sandbox/cloud driven through `harness()`). */
import * as assert from 'uvu/assert';
import { SandboxApiError } from '../../lib/sandbox/openapi/types';
import type { Harness } from '../../lib/sandbox/cloud/test-context';

/** The region most cases run in, as request params. */
export const R = { RegionId: 'cn-hangzhou' };

/** Asserts the call is refused with a SandboxApiError of `code`, and returns that error for further checks. */
export async function fails(p: Promise<unknown>, code: string): Promise<SandboxApiError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, SandboxApiError);
    assert.is((e as SandboxApiError).code, code);
    return e as SandboxApiError;
  }
  assert.unreachable(`expected ${code}`);
  throw new Error('unreachable');
}

/** Moves the harness clock by `simulatedMs` of simulated time (scaled like the simulator's own waits). */
export const advance = (h: Harness, simulatedMs: number) => {
  h.clock.ms += simulatedMs * h.timeScale;
};

/** A Linux public image of the seed. */
export const LINUX_IMAGE = 'ubuntu_22_04_x64_20G_alibase_20250722.vhd';

/** VPC + VSwitch (/24 of `cidr`) in zone `zoneIndex` + security group, all Available. */
export async function simNetwork(h: Harness, zoneIndex = 1, cidr = '172.16.0.0/12', regionId = 'cn-hangzhou') {
  const RR = { RegionId: regionId };
  const zones = (await h.call('Ecs', 'DescribeZones', RR)).Zones.Zone.map((z: { ZoneId: string }) => z.ZoneId);
  const vpc = await h.call('Vpc', 'CreateVpc', { ...RR, CidrBlock: cidr });
  advance(h, 5_000);
  const vsw = await h.call('Vpc', 'CreateVSwitch', {
    ...RR,
    VpcId: vpc.VpcId,
    ZoneId: zones[zoneIndex],
    CidrBlock: cidr.replace(/\/\d+$/, '/24'),
  });
  advance(h, 3_000);
  const sg = await h.call('Ecs', 'CreateSecurityGroup', { ...RR, VpcId: vpc.VpcId, SecurityGroupName: 'web' });
  return {
    zones: zones as string[],
    vpcId: vpc.VpcId as string,
    vSwitchId: vsw.VSwitchId as string,
    sgId: sg.SecurityGroupId as string,
    routeTableId: vpc.RouteTableId as string,
  };
}

/** RunInstances in a `simNetwork` (g6: in stock everywhere); returns the instance ids. */
export async function simInstances(
  h: Harness,
  n: Awaited<ReturnType<typeof simNetwork>>,
  extra: Record<string, string | number | boolean> = {},
): Promise<string[]> {
  const r = await h.call('Ecs', 'RunInstances', {
    ...R,
    ImageId: LINUX_IMAGE,
    InstanceType: 'ecs.g6.large',
    SecurityGroupId: n.sgId,
    VSwitchId: n.vSwitchId,
    ...extra,
  });
  return r.InstanceIdSets.InstanceIdSet;
}
