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
  diskName?: string;
  category: string;
  sizeGiB: number;
  status: string;
  instanceId?: string;
  type: string;
  encrypted: boolean;
  diskChargeType?: string;
  deleteWithInstance: boolean;
  zoneId: string;
  tags: Tag[];
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
/** Cloud Assistant RunCommand on running instances (RepeatMode Once). */
export interface RunCommandInput extends Idempotent {
  /** 1..100 instances, all Running and all of the script's OS. */
  instanceIds: string[];
  /** The script as plain text (sent Base64-encoded). */
  script: string;
  /** Default `RunShellScript`. */
  type?: 'RunShellScript' | 'RunBatScript' | 'RunPowerShellScript';
  name?: string;
  description?: string;
  /** Default 60. */
  timeoutSeconds?: number;
  workingDir?: string;
  username?: string;
  /** Values for `{{name}}` placeholders (turns on EnableParameter); ≤ 10. */
  parameters?: Record<string, string>;
  tags?: Tag[];
}
/** One instance's run of one invocation (DescribeInvocationResults). */
export interface InvocationResult {
  invokeId: string;
  commandId: string;
  instanceId: string;
  /** `Pending` `Running` `Success` `Failed` `Timeout` `Aborted` `Invalid` `Error` `Cancelled` `Stopping` `Terminated` */
  invocationStatus: string;
  /** Legacy: `Running` `Finished` `Failed` `Stopped`… */
  invokeRecordStatus: string;
  exitCode: number;
  /** Decoded output; the cloud keeps the first 24 KB. */
  output: string;
  /** Bytes of output beyond 24 KB that were dropped. */
  droppedBytes: number;
  /** `ExitCodeNonzero`, `ExecutionTimeout`, `InstanceNotRunning`, … (absent when none). */
  errorCode?: string;
  errorInfo?: string;
  startTime?: string;
  finishedTime?: string;
}
/** One RunCommand call with its overall and per-instance status (DescribeInvocations). */
export interface CommandInvocation {
  invokeId: string;
  commandId: string;
  commandName: string;
  commandType: string;
  /** `Pending` `Running` `Success` `Failed` `PartialFailed` `Stopping` `Stopped` `Scheduled` */
  invocationStatus: string;
  creationTime: string;
  timeoutSeconds: number;
  instances: {
    instanceId: string;
    invocationStatus: string;
    exitCode: number;
    errorCode?: string;
    /** Only with `includeOutput`. */
    output?: string;
    droppedBytes: number;
    startTime?: string;
    finishTime?: string;
  }[];
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
  /** By ids (batched 100 a call), VPC and/or tags (every given tag must match); every page of 100. */
  describeSecurityGroups(input?: {
    securityGroupIds?: string[];
    vpcId?: string;
    tags?: Tag[];
  }): Promise<SecurityGroup[]>;
  authorizeSecurityGroup(input: { securityGroupId: string; rules: SecurityGroupRule[] } & Idempotent): Promise<void>;
  runInstances: DryRunnable<RunInstancesInput, { instanceIds: string[] }>;
  /** By ids (any number: batched 100 a call) or by filter (all pages). Unknown ids are simply absent. */
  describeInstances: DryRunnable<{ instanceIds?: string[]; vpcId?: string; status?: string; tags?: Tag[] }, Instance[]>;
  describeDisks: DryRunnable<{ diskIds?: string[]; instanceId?: string }, Disk[]>;
  deleteInstance: DryRunnable<{ instanceId: string; force?: boolean }, void>;
  deleteSecurityGroup(input: { securityGroupId: string }): Promise<void>;
  allocatePublicIpAddress(input: { instanceId: string }): Promise<{ ipAddress: string }>;
  /** Stopped → Starting → Running; `IncorrectInstanceStatus` from any other status. */
  startInstance: DryRunnable<{ instanceId: string }, void>;
  /** Running → Stopping → Stopped. */
  stopInstance: DryRunnable<{ instanceId: string; forceStop?: boolean }, void>;
  /** Running → Starting → Running. */
  rebootInstance: DryRunnable<{ instanceId: string; forceStop?: boolean }, void>;
  /** Starts a script on instances; poll `describeInvocationResults({invokeId})` for the outcome. */
  runCommand(input: RunCommandInput): Promise<{ commandId: string; invokeId: string }>;
  /** Invocations (newest first), every page of 50. */
  describeInvocations(input?: {
    invokeId?: string;
    instanceId?: string;
    commandId?: string;
    includeOutput?: boolean;
  }): Promise<CommandInvocation[]>;
  /** Per-instance results, every page of 50. */
  describeInvocationResults(input: {
    invokeId?: string;
    instanceId?: string;
    commandId?: string;
    invokeRecordStatus?: string;
  }): Promise<InvocationResult[]>;
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
export interface RouteTable {
  routeTableId: string;
  vpcId: string;
  routerId: string;
  /** `System` | `Custom` */
  routeTableType: string;
  status: string;
  vSwitchIds: string[];
  tags: Tag[];
}
export interface VpcApi {
  createVpc: DryRunnable<
    { cidrBlock: string; vpcName?: string; description?: string; tags?: Tag[] } & Idempotent,
    { vpcId: string; vRouterId: string; routeTableId: string }
  >;
  /** All pages of 50; `vpcIds` batched 20 a call; `tags`: every given tag must match. */
  describeVpcs: DryRunnable<{ vpcIds?: string[]; vpcName?: string; tags?: Tag[] }, Vpc[]>;
  deleteVpc: DryRunnable<{ vpcId: string } & Idempotent, void>;
  createVSwitch: DryRunnable<
    { vpcId: string; zoneId: string; cidrBlock: string; vSwitchName?: string; tags?: Tag[] } & Idempotent,
    { vSwitchId: string }
  >;
  /** All pages of 50. */
  describeVSwitches: DryRunnable<{ vpcId?: string; vSwitchId?: string; zoneId?: string; tags?: Tag[] }, VSwitch[]>;
  /** Route tables of the region (or of one VPC), all pages of 50. */
  describeRouteTableList(input?: { vpcId?: string; routeTableId?: string; tags?: Tag[] }): Promise<RouteTable[]>;
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
  /** All pages of 100; `allocationIds` batched 50 a call (the API's maximum). */
  describeEips(input?: {
    allocationId?: string;
    allocationIds?: string[];
    associatedInstanceId?: string;
    eipAddress?: string;
    tags?: Tag[];
  }): Promise<Eip[]>;
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
  /** One page (`maxResults` 1..100, larger is capped at 100), so callers can checkpoint `nextToken`. */
  searchResources(input: {
    filters?: ResourceFilter[];
    maxResults?: number;
    nextToken?: string;
  }): Promise<ResourcePage>;
  /** Every page. */
  searchAllResources(input: { filters?: ResourceFilter[] }): Promise<CloudResource[]>;
}

// ---------------------------------------------------------------- Quota Center
export interface ProductQuota {
  productCode: string;
  /** `vpc_quota_instances_num_cn-hangzhou`, `vpc_quota_route_entrys_num`, … */
  quotaActionCode: string;
  quotaName: string;
  description: string;
  totalQuota: number;
  totalUsage: number;
  adjustable: boolean;
  /** e.g. `{regionId: 'cn-hangzhou'}` */
  dimensions: Record<string, string>;
  unit?: string;
  quotaArn?: string;
}
export interface QuotasApi {
  /** One quota; `QUOTA.NOT.FOUND` (not-found) when the product has none by that code. */
  getProductQuota(input: {
    productCode: string;
    quotaActionCode: string;
    dimensions?: Record<string, string>;
  }): Promise<ProductQuota>;
  /** Every quota of a product, all pages of 100. */
  listProductQuotas(input: {
    productCode: string;
    quotaActionCode?: string;
    dimensions?: Record<string, string>;
    quotaCategory?: 'CommonQuota' | 'FlowControl' | 'WhiteListLabel';
    keyword?: string;
  }): Promise<ProductQuota[]>;
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
  /** Quota Center (one central endpoint; the region only names the client). */
  quotas: QuotasApi;
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
