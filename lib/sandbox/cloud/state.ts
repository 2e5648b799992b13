/**
 * The persisted resource state of one sandbox account (`account.cloud`): plain JSON only, so
 * the front door can save it as it is. Statuses are never stored; they are computed from the
 * timestamps here (see lifecycle.ts).
 */
import type { SandboxAccount } from '../openapi/types';

export interface Tag {
  Key: string;
  Value: string;
}

interface Owned {
  id: string;
  regionId: string;
  createdAtMs: number;
  /** Set when a delete was accepted; the resource is gone once its delete wait elapsed. */
  deletedAtMs?: number;
  tags: Tag[];
  resourceGroupId: string;
}

export interface KeyPair {
  name: string;
  regionId: string;
  fingerprint: string;
  publicKey: string;
  createdAtMs: number;
  tags: Tag[];
  resourceGroupId: string;
}

export interface Vpc extends Owned {
  name: string;
  description: string;
  cidrBlock: string;
  vRouterId: string;
  routeTableId: string;
}

export interface VSwitch extends Owned {
  vpcId: string;
  zoneId: string;
  cidrBlock: string;
  name: string;
  description: string;
}

export interface RouteEntry {
  id: string;
  regionId: string;
  vpcId: string;
  routeTableId: string;
  destinationCidrBlock: string;
  type: 'System' | 'Custom';
  nextHopType: string;
  nextHopId: string;
  name: string;
  description: string;
  createdAtMs: number;
  deletedAtMs?: number;
}

export interface SecurityRule {
  ipProtocol: string;
  portRange: string;
  sourceCidrIp: string;
  policy: string;
  priority: string;
  nicType: string;
  description: string;
  createdAtMs: number;
}

export interface SecurityGroup extends Owned {
  vpcId: string;
  name: string;
  description: string;
  type: string;
  rules: SecurityRule[];
}

/** The last lifecycle operation of an instance; its status follows from `kind` and `atMs`. */
export interface InstanceOp {
  kind: 'run' | 'stop' | 'start' | 'delete';
  atMs: number;
  fromStopped?: boolean;
}

export interface Instance extends Owned {
  zoneId: string;
  vpcId: string;
  vSwitchId: string;
  securityGroupIds: string[];
  imageId: string;
  instanceType: string;
  name: string;
  hostName: string;
  description: string;
  keyPairName: string;
  privateIp: string;
  publicIp: string;
  internetMaxBandwidthOut: number;
  internetChargeType: string;
  chargeType: string;
  systemDiskId: string;
  op: InstanceOp;
}

export interface Disk extends Owned {
  zoneId: string;
  instanceId: string;
  category: string;
  size: number;
  type: 'system' | 'data';
  imageId: string;
  device: string;
  name: string;
  description: string;
}

export interface Eip extends Owned {
  ip: string;
  bandwidth: number;
  internetChargeType: string;
  name: string;
  description: string;
  instanceId: string;
  /** `Associating` from this time, then `InUse`. */
  associatedAtMs?: number;
  /** `Unassociating` from this time, then `Available` (cleared on the next association). */
  unassociatedAtMs?: number;
}

export interface IdempotencyRecord {
  action: string;
  hash: string;
  result: Record<string, unknown>;
  atMs: number;
}

export interface CloudState {
  version: 1;
  resourceGroupId: string;
  keyPairs: KeyPair[];
  vpcs: Vpc[];
  vSwitches: VSwitch[];
  routeEntries: RouteEntry[];
  securityGroups: SecurityGroup[];
  instances: Instance[];
  disks: Disk[];
  eips: Eip[];
  /** ClientToken → first result, keyed by `<Action>:<token>`. */
  tokens: Record<string, IdempotencyRecord>;
}

export function emptyState(resourceGroupId: string): CloudState {
  return {
    version: 1,
    resourceGroupId,
    keyPairs: [],
    vpcs: [],
    vSwitches: [],
    routeEntries: [],
    securityGroups: [],
    instances: [],
    disks: [],
    eips: [],
    tokens: {},
  };
}

/** The account's state, created empty when a front door skipped seeding (defensive). */
export function stateOf(account: SandboxAccount): CloudState {
  const s = account.cloud as CloudState | undefined | null;
  if (s && typeof s === 'object' && s.version === 1) return s;
  const fresh = emptyState(`rg-acfm${account.accountId.slice(-11)}`);
  account.cloud = fresh;
  return fresh;
}
