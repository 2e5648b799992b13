/**
 * `instance` → `instance-running` → `public-ip`: the ECS instance in the first zone with stock
 * (falling to the next zone on `OperationDenied.NoStock` / `Zone.NotOnSale`, with a VSwitch
 * there), until it runs, then its public address (an EIP bound to it, the ephemeral IP it got at
 * RunInstances, or none).
 */
import { clientToken } from '../../cloud/client-token';
import { waitFor, waitWith } from '../waits';
import {
  cloudCodeIs,
  type Ctx,
  type InstanceOut,
  networkOf,
  out,
  type PreflightOut,
  type PublicIpOut,
  type RunningOut,
  type ServerStage,
} from './common';
import { vSwitchIn } from './network';

/** Where the zone fallback stands between runs: the zone being tried and the VSwitches made. */
interface ZoneProgress {
  zone: number;
  vSwitches: Record<string, string>;
  created: string[];
}

export const instanceStage: ServerStage = {
  name: 'instance',
  async run(c: Ctx) {
    const { spec } = c.record;
    const act = await c.act();
    const pre = out<PreflightOut>(c, 'preflight')!;
    const { vpc, vSwitch } = networkOf(c);
    const sg = out<{ securityGroupId: string }>(c, 'security-group')!;
    const p: ZoneProgress = (c.progress as ZoneProgress | undefined) ?? {
      zone: 0,
      vSwitches: { [vSwitch.zoneId]: vSwitch.vSwitchId },
      created: vSwitch.owned ? [vSwitch.vSwitchId] : [],
    };
    const canFallBack = spec.network.mode !== 'existing';
    for (;;) {
      const zoneId = pre.zones[p.zone]!;
      let vSwitchId = p.vSwitches[zoneId];
      if (!vSwitchId) {
        const sw = await vSwitchIn(c, vpc, zoneId, p.zone);
        if (!sw.vSwitchId)
          return { wait: { ...waitFor(sw.wait ?? 'vSwitchAvailable', c.attempt, sw.why ?? '').wait, progress: p } };
        vSwitchId = sw.vSwitchId;
        p.vSwitches[zoneId] = vSwitchId;
        if (sw.owned) p.created.push(vSwitchId);
      }
      try {
        const { instanceIds } = await act.cloud.ecs.runInstances({
          imageId: spec.imageId,
          instanceType: spec.instanceType,
          securityGroupId: sg.securityGroupId,
          vSwitchId,
          keyPairName: pre.keyPairName,
          instanceName: spec.name,
          ...(spec.publicIp.type === 'ephemeral' ? { internetMaxBandwidthOut: spec.publicIp.bandwidthMbps } : {}),
          ...(spec.systemDisk ? { systemDisk: spec.systemDisk } : {}),
          ...(spec.userData !== undefined ? { userData: spec.userData } : {}),
          tags: [
            ...act.tags,
            { key: 'fleet:name', value: spec.name },
            ...Object.entries(spec.tags).map(([key, value]) => ({ key, value })),
          ],
          clientToken: clientToken(c.token, zoneId),
        });
        const result: InstanceOut = { instanceId: instanceIds[0]!, zoneId, vSwitchId, createdVSwitchIds: p.created };
        return { done: result };
      } catch (e) {
        if (
          !canFallBack ||
          !cloudCodeIs(e, 'OperationDenied.NoStock', 'Zone.NotOnSale') ||
          p.zone + 1 >= pre.zones.length
        )
          throw e;
        p.zone++;
      }
    }
  },
};

export const instanceRunning: ServerStage = {
  name: 'instance-running',
  async run(c) {
    const act = await c.act();
    const { instanceId } = out<InstanceOut>(c, 'instance')!;
    const [i] = await act.cloud.ecs.describeInstances({ instanceIds: [instanceId] });
    if (i?.status !== 'Running') {
      const w = waitFor('instanceRunning', c.attempt, `instance ${i?.status ?? 'Pending'}`);
      // The first look is timed from RunInstances (the instance stage's end), not from this run.
      const ranAt = c.job.stages.find((s) => s.name === 'instance')?.endedAtMs;
      if (c.attempt === 1 && ranAt !== undefined) w.wait.ms = Math.max(1000, w.wait.ms - (c.nowMs - ranAt));
      return w;
    }
    const result: RunningOut = {
      status: i.status,
      ...(i.privateIpAddresses[0] ? { privateIp: i.privateIpAddresses[0] } : {}),
      ...(i.publicIpAddresses[0] ? { publicIp: i.publicIpAddresses[0] } : {}),
    };
    return { done: result };
  },
};

export const publicIpStage: ServerStage = {
  name: 'public-ip',
  when: ({ record }) => record.spec.publicIp.type !== 'none',
  async run(c) {
    const { spec } = c.record;
    if (spec.publicIp.type === 'ephemeral') {
      const ip = out<RunningOut>(c, 'instance-running')?.publicIp;
      const result: PublicIpOut = ip ? { publicIp: ip } : {};
      return { done: result };
    }
    const act = await c.act();
    const { vpc } = act.cloud;
    const { instanceId } = out<InstanceOut>(c, 'instance')!;
    const associate = (allocationId: string) =>
      vpc.associateEip({ allocationId, instanceId, clientToken: clientToken(c.token, 'associate') });
    const known = (c.progress as { allocationId?: string } | undefined)?.allocationId;
    if (!known) {
      // First run: a fresh EIP is Available; bind it at once and look later.
      const { allocationId } = await vpc.allocateEip({
        bandwidthMbps: spec.publicIp.bandwidthMbps,
        internetChargeType: 'PayByTraffic',
        name: `fleet-${spec.name}`,
        tags: act.tags,
        clientToken: clientToken(c.token, 'allocate'),
      });
      await associate(allocationId);
      return waitWith({ allocationId }, 'eipInUse', c.attempt, `EIP ${allocationId} Associating`);
    }
    const [eip] = await vpc.describeEips({ allocationId: known });
    if (eip?.status === 'InUse' && eip.instanceId === instanceId) {
      const result: PublicIpOut = { eipAllocationId: known, publicIp: eip.ipAddress };
      return { done: result };
    }
    if (eip?.status === 'Available') await associate(known);
    return waitWith({ allocationId: known }, 'eipInUse', c.attempt, `EIP ${known} ${eip?.status ?? 'Associating'}`);
  },
};
