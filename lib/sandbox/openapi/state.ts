/**
 * Everything the sandbox remembers, and its persistence: one JSON file,
 * `${dataDir}/sandbox/state.json`, replaced atomically (write tmp, fsync, rename) so a crash
 * never leaves half a state behind.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxAccount } from './types';

/** An access key of a sandbox account: the root key, a RAM user's limited key, or STS temporary credentials. */
export interface AccessKeyRecord {
  accessKeyId: string;
  secret: string;
  accountId: string;
  kind: 'root' | 'limited' | 'sts';
  /** RAM-style action patterns (`ecs:Describe*`); absent = everything (root). */
  allow?: string[];
  /** RAM user name (limited keys) or role name (STS). */
  userName?: string;
  userId?: string;
  createdAtMs: number;
  // STS only
  securityToken?: string;
  expiresAtMs?: number;
  roleName?: string;
  roleId?: string;
  sessionName?: string;
  /** The account whose principal assumed the role (may differ from `accountId`). */
  callerAccountId?: string;
}

/** A RAM role that AssumeRole can assume: `acs:ram::<accountId>:role/<name>`. */
export interface RoleRecord {
  name: string;
  roleId: string;
  /** Accounts (besides the owner) whose principals may assume the role. */
  trustedAccountIds: string[];
  externalId?: string;
  /** What the role's sessions may do (RAM-style patterns); default `["*"]`. */
  allow: string[];
  maxSessionDuration: number;
  createdAtMs: number;
}

export interface KmsKeyRecord {
  keyId: string;
  keyVersionId: string;
  /** Base64 AES-256 master key material (sandbox only: never leaves the sandbox). */
  material: string;
  description: string;
  createdAtMs: number;
}

/** An injected fault: matching calls fail with `code`/`httpStatus` (or only wait `latencyMs`). */
export interface FaultRecord {
  id: string;
  action?: string;
  code?: string;
  httpStatus?: number;
  message?: string;
  rate: number;
  /** Calls still to fail; undefined = unlimited. */
  remaining?: number;
  latencyMs: number;
  /**
   * `after`: the call is carried out first, then the latency and error apply to its answer — the
   * cloud did the work but the caller never learned it (a lost response, a caller that timed out).
   */
  phase?: 'before' | 'after';
  createdAtMs: number;
}

export interface AccountRecord {
  account: SandboxAccount;
  roles: Record<string, RoleRecord>;
  kms: { keys: Record<string, KmsKeyRecord>; aliases: Record<string, string> };
  faults: FaultRecord[];
  /** Requests per second per access key; 0/absent = unlimited. */
  rateLimitPerSecond?: number;
  /** Per-API call limits per account and region (`SearchResources` → 20 per 1 s); absent = the documented defaults. */
  apiRateLimits?: Record<string, ApiRateLimit>;
  /** Added to every call of the account (real ms, not scaled): `ms`, or `byAction[action]` when set. */
  latency?: { ms: number; byAction?: Record<string, number> };
}

/** At most `limit` calls per `periodSeconds` of sandbox time (fixed windows, as ECS documents). */
export interface ApiRateLimit {
  limit: number;
  periodSeconds: number;
}

export interface SandboxState {
  version: 1;
  accounts: Record<string, AccountRecord>;
  keys: Record<string, AccessKeyRecord>;
  /** How far the sandbox clock is ahead of real time (admin `POST /__sandbox/clock`). */
  clockOffsetMs?: number;
}

export const emptyState = (): SandboxState => ({ version: 1, accounts: {}, keys: {} });

export const stateFile = (dataDir: string) => join(dataDir, 'sandbox', 'state.json');

/** Reads the persisted state, or a fresh one when there is none. */
export function loadState(dataDir: string): SandboxState {
  const file = stateFile(dataDir);
  if (!existsSync(file)) return emptyState();
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as SandboxState;
  if (parsed.version !== 1) throw new Error(`unsupported sandbox state version in ${file}`);
  return parsed;
}

/** Atomic replace: tmp file, fsync, rename. */
export function saveState(dataDir: string, state: SandboxState): void {
  const file = stateFile(dataDir);
  mkdirSync(join(dataDir, 'sandbox'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Debounced saver: `touch()` after each mutation, `flush()` on close. */
export function createSaver(dataDir: string, getState: () => SandboxState, delayMs = 50) {
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    saveState(dataDir, getState());
  };
  return {
    touch() {
      if (!timer) timer = setTimeout(flush, delayMs);
    },
    flush,
    pending: () => timer !== undefined,
  };
}
