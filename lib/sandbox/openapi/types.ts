/**
 * The contract between the sandbox's OpenAPI front door (signing, accounts, admin API, STS, KMS,
 * faults, persistence: `lib/sandbox/openapi/`) and the simulated resources of each account
 * (ECS, VPC, Resource Center: `lib/sandbox/cloud/`).
 */

/** Quotas a sandbox account is created with (admin API `POST /__sandbox/accounts`). */
export interface SandboxQuotas {
  vpcsPerRegion: number; // default 10
  routesPerTable: number; // default 200
  eipBandwidthMbps: number; // default 200
  /** EIPs held per region (Alibaba: 20 per account; the sandbox counts per region). */
  eipsPerRegion: number; // default 20
}

/** One simulated Alibaba Cloud account as the front door stores it. */
export interface SandboxAccount {
  accountId: string; // 16 digits, like a real Alibaba account id
  regions: string[]; // region ids enabled for this account (>= 3)
  quotas: SandboxQuotas;
  resourceCenterEnabled: boolean;
  /** Admin flag (`POST /__sandbox/accounts/{id}/balance {enough:false}`): purchases fail like an overdue account. Absent = enough. */
  balanceInsufficient?: boolean;
  createdAtMs: number;
  /** Owned by lib/sandbox/cloud: JSON-serialisable resource state; persisted by the front door. */
  cloud: unknown;
}

/** Who signed the request. */
export interface Caller {
  accessKeyId: string;
  kind: 'root' | 'limited' | 'sts';
  /** `acs:ram::<accountId>:root`, `acs:ram::<id>:user/<name>` or `acs:ram::<id>:assumed-role/<role>/<session>`. */
  arn: string;
}

export interface OpContext {
  account: SandboxAccount;
  caller: Caller;
  product: string; // 'Ecs' | 'Vpc' | 'ResourceCenter' | 'Sts' | 'Kms'
  version: string;
  action: string;
  /** Every request parameter, flat and as sent (`Tag.1.Key`, `InstanceIds` as the JSON string). */
  params: Record<string, string>;
  requestId: string;
  /** Real epoch ms now. */
  now(): number;
  /** Multiply every simulated wait by this (SANDBOX_TIME_SCALE; 1 = realistic, 0.01 = 100x faster). */
  timeScale: number;
  /** Sandbox seed data: `reference/samples/sandbox-seed.json`, parsed. */
  seed: unknown;
}

/** Throw this from an operation: the front door renders Alibaba's error body with it. */
export class SandboxApiError extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly recommend?: string,
  ) {
    super(message);
  }
}

/** Admin-level input mistakes: the admin API answers `status` (400, 404) with the message. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Returns the response body without RequestId (the front door adds it). */
export type OpHandler = (ctx: OpContext) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface ProductModule {
  product: string;
  version: string;
  ops: Record<string, OpHandler>;
  /** Whether an action mutates state (front door persists after it); defaults to "not Describe…, Get…, List…, Search…". */
  mutating?(action: string): boolean;
}

/** What lib/sandbox/cloud exports from its index.ts, for the front door. */
export interface CloudModule {
  products: ProductModule[];
  /** Fill `account.cloud` for a fresh account: regions, zones, types, images, two key pairs per region. */
  seedAccount(account: SandboxAccount, seed: unknown, now: number): void;
  /** Every live resource of an account by type (`ACS::ECS::Instance` → [...]) for leak checks. */
  listResources(account: SandboxAccount, now: number, timeScale: number): Record<string, unknown[]>;
  /**
   * Admin routes owned by the cloud state (`/__sandbox/accounts/{id}/<route>`, e.g. `stock`,
   * `command-outcomes`): answer the JSON body, or throw AdminError.
   */
  admin?: Record<string, CloudAdminRoute>;
}

export type CloudAdminRoute = (
  account: SandboxAccount,
  method: 'GET' | 'POST' | 'DELETE',
  input: Record<string, unknown>,
  ctx: { now: number; timeScale: number; seed: unknown },
) => unknown;
