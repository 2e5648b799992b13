/**
 * Public shapes of the cloud client layer. Domains code against these; `factory.ts` builds them.
 * Results are camelCase and only carry what the product uses; ids keep Alibaba's shapes.
 */

import type { RetryPolicy } from './retry';

/** The function's own RAM role (FC `context.credentials`), used for AssumeRole and KMS. */
export interface RoleCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** A stored account's credential, secrets already decrypted by the caller. */
export type AccountCredential =
  | { type: 'access_key'; accessKeyId: string; accessKeySecret: string }
  | { type: 'ram_role'; roleArn: string; externalId?: string };

/** Answer of any operation called with `dryRun: true` that the cloud would have accepted. */
export interface DryRunResult {
  wouldSucceed: true;
}

/** An operation that accepts `DryRun`: with `dryRun: true` it answers `{wouldSucceed: true}` or throws. */
export interface DryRunnable<I, O> {
  (input: I & { dryRun: true }): Promise<DryRunResult>;
  (input: I & { dryRun?: false }): Promise<O>;
}

/** Creates carry a ClientToken: the same token on every retry of one step (docs/DESIGN.md principle 3). */
export interface Idempotent {
  clientToken?: string;
}

export interface Tag {
  key: string;
  value: string;
}

// ---------------------------------------------------------------- STS
export interface CallerIdentity {
  accountId: string;
  arn: string;
  userId: string;
  identityType: string;
}
export interface AssumedCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  expirationAtMs: number;
}
export interface StsApi {
  getCallerIdentity(): Promise<CallerIdentity>;
  assumeRole(input: {
    roleArn: string;
    roleSessionName: string;
    durationSeconds?: number;
    externalId?: string;
  }): Promise<AssumedCredentials>;
}

// ---------------------------------------------------------------- ECS
export interface Region {
  regionId: string;
  localName: string;
  regionEndpoint: string;
  status: string;
}
export interface Zone {
  zoneId: string;
  localName: string;
  availableInstanceTypes: string[];
  availableResourceCreation: string[];
}
export interface AvailableZone {
  zoneId: string;
  /** `Available` | `SoldOut` */
  status: string;
  /** `WithStock` | `ClosedWithStock` | `WithoutStock` | `ClosedWithoutStock` */
  statusCategory: string;
  /** The requested instance type is offered here and in stock. */
  inStock: boolean;
}
export interface KeyPair {
  keyPairName: string;
  keyPairFingerPrint: string;
  creationTime?: string;
  resourceGroupId?: string;
  tags: Tag[];
}
export interface Image {
  imageId: string;
  imageName: string;
  osType: string;
  osName: string;
  architecture: string;
  status: string;
  imageOwnerAlias?: string;
  size?: number;
}
export interface InstanceType {
  instanceTypeId: string;
  instanceTypeFamily: string;
  cpuCoreCount: number;
  memorySizeGiB: number;
}
export interface Instance {
  instanceId: string;
  instanceName: string;
  instanceType: string;
  cpu: number;
  memoryMiB: number;
  osName: string;
  osType: string;
  status: string;
  regionId: string;
  zoneId: string;
  instanceChargeType: string;
  creationTime: string;
  expiredTime?: string;
  resourceGroupId?: string;
  keyPairName?: string;
  vpcId?: string;
  vSwitchId?: string;
  privateIpAddresses: string[];
  publicIpAddresses: string[];
  eip?: { allocationId: string; ipAddress: string };
  securityGroupIds: string[];
  tags: Tag[];
}
export interface Disk {
  diskId: string;
  category: string;
  sizeGiB: number;
  status: string;
  instanceId?: string;
  type: string;
  encrypted: boolean;
  diskChargeType?: string;
  deleteWithInstance: boolean;
  zoneId: string;
}
export interface SecurityGroup {
  securityGroupId: string;
  securityGroupName: string;
  vpcId: string;
  description?: string;
  creationTime?: string;
  resourceGroupId?: string;
  tags: Tag[];
}
export interface SecurityGroupRule {
  ipProtocol: string;
  /** `22/22` */
  portRange: string;
  sourceCidrIp: string;
  policy?: 'accept' | 'drop';
  priority?: number;
  nicType?: 'intranet' | 'internet';
  description?: string;
}
export interface RunInstancesInput extends Idempotent {
  imageId: string;
  instanceType: string;
  securityGroupId: string;
  vSwitchId: string;
  keyPairName?: string;
  instanceName?: string;
  hostName?: string;
  internetMaxBandwidthOut?: number;
  systemDisk?: { category?: string; sizeGiB?: number };
  /** Plain text; base64-encoded here. */
  userData?: string;
  tags?: Tag[];
  instanceChargeType?: string;
  amount?: number;
}
export interface EcsApi {
  describeRegions(input?: { acceptLanguage?: string }): Promise<Region[]>;
  describeZones(input?: { acceptLanguage?: string }): Promise<Zone[]>;
  /** Zones where `instanceType` can be created, with stock; sorted by zone id. */
  describeAvailableResource(input: { instanceType: string; instanceChargeType?: string }): Promise<AvailableZone[]>;
  /** Every key pair of the region (all pages, 50 per call). */
  describeKeyPairs(input?: { keyPairName?: string }): Promise<KeyPair[]>;
  importKeyPair(input: {
    keyPairName: string;
    publicKeyBody: string;
    tags?: Tag[];
  }): Promise<{ keyPairName: string; keyPairFingerPrint: string }>;
  /** Images by owner (`system` | `self` | `others` | `marketplace`); every page unless `limit`. */
  describeImages: DryRunnable<{ imageOwnerAlias?: string; imageId?: string; limit?: number }, Image[]>;
  describeInstanceTypes(input?: { instanceTypes?: string[] }): Promise<InstanceType[]>;
  createSecurityGroup(
    input: { vpcId: string; securityGroupName?: string; description?: string; tags?: Tag[] } & Idempotent,
  ): Promise<{ securityGroupId: string }>;
  /** By ids (batched 100 a call) or by VPC; every page. */
  describeSecurityGroups(input?: { securityGroupIds?: string[]; vpcId?: string }): Promise<SecurityGroup[]>;
  authorizeSecurityGroup(input: { securityGroupId: string; rules: SecurityGroupRule[] } & Idempotent): Promise<void>;
  runInstances: DryRunnable<RunInstancesInput, { instanceIds: string[] }>;
  /** By ids (any number: batched 100 a call) or by filter (all pages). Unknown ids are simply absent. */
  describeInstances: DryRunnable<{ instanceIds?: string[]; vpcId?: string; status?: string; tags?: Tag[] }, Instance[]>;
  describeDisks: DryRunnable<{ diskIds?: string[]; instanceId?: string }, Disk[]>;
  deleteInstance: DryRunnable<{ instanceId: string; force?: boolean }, void>;
  deleteSecurityGroup(input: { securityGroupId: string }): Promise<void>;
  allocatePublicIpAddress(input: { instanceId: string }): Promise<{ ipAddress: string }>;
}

// ---------------------------------------------------------------- VPC
export interface Vpc {
  vpcId: string;
  vpcName: string;
  cidrBlock: string;
  status: string;
  vRouterId: string;
  routeTableIds: string[];
  vSwitchIds: string[];
  isDefault: boolean;
  creationTime?: string;
  tags: Tag[];
}
export interface VSwitch {
  vSwitchId: string;
  vpcId: string;
  zoneId: string;
  cidrBlock: string;
  status: string;
  vSwitchName: string;
  availableIpAddressCount?: number;
  routeTableId?: string;
  tags: Tag[];
}
export interface RouteEntry {
  routeEntryId?: string;
  routeTableId: string;
  destinationCidrBlock: string;
  type: string;
  status: string;
  nextHops: { nextHopType: string; nextHopId: string }[];
}
export interface Eip {
  allocationId: string;
  ipAddress: string;
  status: string;
  instanceId?: string;
  instanceType?: string;
  bandwidthMbps: number;
  internetChargeType: string;
  name?: string;
  tags: Tag[];
}
export interface VpcApi {
  createVpc: DryRunnable<
    { cidrBlock: string; vpcName?: string; description?: string; tags?: Tag[] } & Idempotent,
    { vpcId: string; vRouterId: string; routeTableId: string }
  >;
  /** All pages; `vpcIds` batched 20 a call. */
  describeVpcs: DryRunnable<{ vpcIds?: string[]; vpcName?: string }, Vpc[]>;
  deleteVpc: DryRunnable<{ vpcId: string } & Idempotent, void>;
  createVSwitch: DryRunnable<
    { vpcId: string; zoneId: string; cidrBlock: string; vSwitchName?: string; tags?: Tag[] } & Idempotent,
    { vSwitchId: string }
  >;
  describeVSwitches: DryRunnable<{ vpcId?: string; vSwitchId?: string; zoneId?: string }, VSwitch[]>;
  deleteVSwitch: DryRunnable<{ vSwitchId: string }, void>;
  createRouteEntry: DryRunnable<
    {
      routeTableId: string;
      destinationCidrBlock: string;
      nextHopId: string;
      nextHopType?: string;
      routeEntryName?: string;
    } & Idempotent,
    { routeEntryId: string }
  >;
  /** Every entry of a route table (all pages). */
  describeRouteEntryList(input: {
    routeTableId: string;
    destinationCidrBlock?: string;
    routeEntryType?: string;
  }): Promise<RouteEntry[]>;
  deleteRouteEntry: DryRunnable<
    { routeTableId: string; routeEntryId?: string; destinationCidrBlock?: string; nextHopId?: string },
    void
  >;
  allocateEip(
    input: { bandwidthMbps?: number; internetChargeType?: string; name?: string; tags?: Tag[] } & Idempotent,
  ): Promise<{ allocationId: string; ipAddress: string }>;
  associateEip(input: { allocationId: string; instanceId: string; instanceType?: string } & Idempotent): Promise<void>;
  unassociateEip(
    input: { allocationId: string; instanceId?: string; instanceType?: string } & Idempotent,
  ): Promise<void>;
  releaseEip(input: { allocationId: string }): Promise<void>;
  /** All pages. */
  describeEips(input?: { allocationId?: string; associatedInstanceId?: string; eipAddress?: string }): Promise<Eip[]>;
}

// ---------------------------------------------------------------- Resource Center
export interface ResourceCenterStatus {
  enabled: boolean;
  /** Initial indexing finished. */
  initialized: boolean;
}
export interface ResourceFilter {
  key: string;
  matchType?: 'Equals' | 'Prefix' | 'Contain' | 'NotEquals' | 'NotContain' | 'Exists' | 'NotExists';
  values: string[];
}
export interface CloudResource {
  accountId: string;
  resourceId: string;
  resourceType: string;
  resourceName: string;
  regionId: string;
  zoneId?: string;
  createTime?: string;
  expireTime?: string;
  resourceGroupId?: string;
  tags: Tag[];
  ipAddresses: string[];
  ipAddressAttributes: { ipAddress: string; networkType: string; version?: string }[];
}
export interface ResourcePage {
  resources: CloudResource[];
  /** Absent when this was the last page. */
  nextToken?: string;
}
export interface ResourceCenterApi {
  getServiceStatus(): Promise<ResourceCenterStatus>;
  /** One page (`maxResults` ≤ 500), so callers can checkpoint `nextToken`. */
  searchResources(input: {
    filters?: ResourceFilter[];
    maxResults?: number;
    nextToken?: string;
  }): Promise<ResourcePage>;
  /** Every page. */
  searchAllResources(input: { filters?: ResourceFilter[] }): Promise<CloudResource[]>;
}

// ---------------------------------------------------------------- KMS
export interface KmsApi {
  /** A fresh AES-256 data key: plaintext (32 bytes) and the KMS-wrapped copy to store. */
  generateDataKey(input: {
    keyId: string;
    encryptionContext?: KmsEncryptionContext;
  }): Promise<{ plaintext: Buffer; ciphertextBlob: string; keyId: string }>;
  /** `encryptionContext` must equal the one given to `generateDataKey`, or KMS refuses the blob. */
  decrypt(input: {
    ciphertextBlob: string;
    encryptionContext?: KmsEncryptionContext;
  }): Promise<{ plaintext: Buffer; keyId: string }>;
}

/** KMS `EncryptionContext`: string pairs bound to a ciphertext (sent as JSON; not secret, not stored by KMS). */
export type KmsEncryptionContext = Readonly<Record<string, string>>;

// ---------------------------------------------------------------- factory
/** Everything one account can do in one region. Cheap to build; SDKs load on first call. */
export interface CloudClient {
  regionId: string;
  sts: StsApi;
  ecs: EcsApi;
  vpc: VpcApi;
  resourceCenter: ResourceCenterApi;
  kms: KmsApi;
}

export interface CloudFactory {
  /**
   * A client acting as a stored account (its AccessKey, or a role assumed from the function's role).
   * `endpoint` (if an account stores one) is only accepted when it is an Alibaba host, or the
   * configured sandbox endpoint in sandbox mode; anything else throws `ValidationFailed`.
   */
  forAccount(
    cred: AccountCredential,
    opts: { regionId: string; endpoint?: string; retry?: Partial<RetryPolicy> },
  ): CloudClient;
  /** A client acting as the function itself (KMS for envelope encryption, STS). */
  forFunction(opts?: { regionId?: string; retry?: Partial<RetryPolicy> }): CloudClient;
  /** Drops cached STS credentials of a role (e.g. after the account's credential changed). */
  forgetRole(roleArn: string, externalId?: string): void;
}
