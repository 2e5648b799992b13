/**
 * Asynchronous states, computed from timestamps and the sandbox time scale (never stored):
 * a status is a pure function of (resource, now, timeScale), so persisted state stays small and
 * a slower or faster clock just works. Waits are realistic seconds at timeScale 1.
 */
import type { CloudState, Eip, Instance, RouteEntry, VSwitch, Vpc } from './state';

export const WAIT_MS = {
  vpcCreate: 4_000,
  vpcDelete: 2_000,
  vSwitchCreate: 2_500,
  vSwitchDelete: 1_500,
  instancePending: 6_000,
  instanceStarting: 18_000,
  instanceStop: 5_000,
  instanceStart: 8_000,
  instanceReboot: 10_000,
  instanceDelete: 5_000,
  instanceDeleteStopped: 2_000,
  eipAssociate: 2_000,
  eipUnassociate: 2_000,
  eipRelease: 1_000,
  routeCreate: 1_500,
  routeDelete: 1_500,
} as const;

export interface Clock {
  now: number;
  scale: number;
}

/** Simulated milliseconds since `atMs` (scale 0 or less: everything already done). */
export const since = (c: Clock, atMs: number) => (c.scale <= 0 ? Number.POSITIVE_INFINITY : (c.now - atMs) / c.scale);

const gone = (c: Clock, deletedAtMs: number | undefined, waitMs: number) =>
  deletedAtMs !== undefined && since(c, deletedAtMs) >= waitMs;

export function vpcStatus(v: Vpc, c: Clock): 'Pending' | 'Available' | null {
  if (v.deletedAtMs !== undefined) return gone(c, v.deletedAtMs, WAIT_MS.vpcDelete) ? null : 'Pending';
  return since(c, v.createdAtMs) >= WAIT_MS.vpcCreate ? 'Available' : 'Pending';
}

export function vSwitchStatus(v: VSwitch, c: Clock): 'Pending' | 'Available' | null {
  if (v.deletedAtMs !== undefined) return gone(c, v.deletedAtMs, WAIT_MS.vSwitchDelete) ? null : 'Pending';
  return since(c, v.createdAtMs) >= WAIT_MS.vSwitchCreate ? 'Available' : 'Pending';
}

/** Route entries: `Pending` → `Available`; a delete shows `Modifying` until gone (documented statuses only). */
export function routeStatus(r: RouteEntry, c: Clock): 'Pending' | 'Available' | 'Modifying' | null {
  if (r.deletedAtMs !== undefined) return gone(c, r.deletedAtMs, WAIT_MS.routeDelete) ? null : 'Modifying';
  if (r.type === 'System') return 'Available';
  return since(c, r.createdAtMs) >= WAIT_MS.routeCreate ? 'Available' : 'Pending';
}

export type InstanceStatus = 'Pending' | 'Starting' | 'Running' | 'Stopping' | 'Stopped';

export function instanceStatus(i: Instance, c: Clock): InstanceStatus | null {
  const t = since(c, i.op.atMs);
  switch (i.op.kind) {
    case 'run':
      return t < WAIT_MS.instancePending ? 'Pending' : t < WAIT_MS.instanceStarting ? 'Starting' : 'Running';
    case 'start':
      return t < WAIT_MS.instanceStart ? 'Starting' : 'Running';
    case 'reboot':
      return t < WAIT_MS.instanceReboot ? 'Starting' : 'Running';
    case 'stop':
      return t < WAIT_MS.instanceStop ? 'Stopping' : 'Stopped';
    case 'delete': {
      const wait = i.op.fromStopped ? WAIT_MS.instanceDeleteStopped : WAIT_MS.instanceDelete;
      return t >= wait ? null : i.op.fromStopped ? 'Stopped' : 'Stopping';
    }
  }
}

/** EIP status and the instance it is bound to (Associating → InUse; Unassociating → Available; Releasing → gone). */
export function eipView(
  e: Eip,
  c: Clock,
): { status: 'Available' | 'Associating' | 'InUse' | 'Unassociating' | 'Releasing'; instanceId: string } | null {
  if (e.deletedAtMs !== undefined)
    return gone(c, e.deletedAtMs, WAIT_MS.eipRelease) ? null : { status: 'Releasing', instanceId: '' };
  if (e.unassociatedAtMs !== undefined) {
    return since(c, e.unassociatedAtMs) >= WAIT_MS.eipUnassociate
      ? { status: 'Available', instanceId: '' }
      : { status: 'Unassociating', instanceId: e.instanceId };
  }
  if (e.associatedAtMs !== undefined && e.instanceId) {
    return {
      status: since(c, e.associatedAtMs) >= WAIT_MS.eipAssociate ? 'InUse' : 'Associating',
      instanceId: e.instanceId,
    };
  }
  return { status: 'Available', instanceId: '' };
}

/** Drops resources whose delete finished (and the disks of instances that are gone). */
export function collectGarbage(s: CloudState, c: Clock): void {
  s.vpcs = s.vpcs.filter((v) => vpcStatus(v, c) !== null);
  s.vSwitches = s.vSwitches.filter((v) => vSwitchStatus(v, c) !== null);
  // Sets, not nested scans: this runs on every call, and accounts may hold thousands of instances.
  const vpcIds = new Set(s.vpcs.map((v) => v.id));
  s.routeEntries = s.routeEntries.filter((r) => routeStatus(r, c) !== null && vpcIds.has(r.vpcId));
  s.instances = s.instances.filter((i) => instanceStatus(i, c) !== null);
  const instanceIds = new Set(s.instances.map((i) => i.id));
  s.disks = s.disks.filter((d) => instanceIds.has(d.instanceId));
  s.eips = s.eips.filter((e) => eipView(e, c) !== null);
  s.securityGroups = s.securityGroups.filter((g) => g.deletedAtMs === undefined);
}
