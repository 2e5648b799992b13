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
  /** Tags of the VPC's system route table (VPC TagResources `ROUTETABLE`). */
  routeTableTags?: Tag[];
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
  kind: 'run' | 'stop' | 'start' | 'reboot' | 'delete';
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

/** One instance of a Cloud Assistant run; its status follows from the invocation's time and these. */
export interface InvocationTarget {
  instanceId: string;
  exitCode: number;
  output: string;
  /** Simulated run time after delivery. */
  runMs: number;
  /** Set when the run could not start (e.g. `InstanceNotRunning`): Aborted at once. */
  errorCode?: string;
}

/** A RunCommand call (RepeatMode Once). */
export interface Invocation {
  invokeId: string;
  commandId: string;
  regionId: string;
  name: string;
  description: string;
  type: string;
  /** The script as plain text. */
  content: string;
  workingDir: string;
  username: string;
  timeoutSeconds: number;
  parameters: string;
  createdAtMs: number;
  resourceGroupId: string;
  tags: Tag[];
  targets: InvocationTarget[];
}

/** Admin-scripted result of the next runs (`POST /__sandbox/accounts/{id}/command-outcomes`). */
export interface CommandOutcome {
  id: string;
  instanceId?: string;
  /** Substring of the script (plain text) this outcome applies to. */
  match?: string;
  exitCode: number;
  output: string;
  durationSeconds?: number;
  /** Runs still to answer; undefined = every matching run. */
  remaining?: number;
}

/** Admin stock override (`POST /__sandbox/accounts/{id}/stock`): a type (or all types) of a zone sold out or back. */
export interface StockOverride {
  zoneId: string;
  /** Absent: every instance type of the zone. */
  instanceType?: string;
  inStock: boolean;
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
  // Added later: absent in older persisted states, so read them with `?? []`.
  invocations?: Invocation[];
  commandOutcomes?: CommandOutcome[];
  stockOverrides?: StockOverride[];
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
