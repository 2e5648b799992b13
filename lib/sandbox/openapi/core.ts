/**
 * The sandbox's in-memory world (accounts, keys, roles, KMS keys, faults) with its persistence,
 * shared by the RPC front door, the admin API and the STS/KMS products.
 */
import { randomBytes } from 'node:crypto';
import { newAccessKeyId, newAccessKeySecret, newAccountId, newKmsKeyId, newPrincipalId } from './ids';
import {
  createSaver,
  loadState,
  type AccessKeyRecord,
  type AccountRecord,
  type RoleRecord,
  type SandboxState,
} from './state';
import { SandboxClock } from './clock';
import type { CloudModule, ProductModule, SandboxAccount, SandboxQuotas } from './types';
import { AdminError, SandboxApiError } from './types';

export const DEFAULT_REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1'];
export const DEFAULT_QUOTAS: SandboxQuotas = {
  vpcsPerRegion: 10,
  routesPerTable: 200,
  eipBandwidthMbps: 200,
  eipsPerRegion: 20,
};
export const DEFAULT_KMS_ALIAS = 'alias/fleet';

export interface CoreOptions {
  dataDir: string;
  timeScale: number;
  /** Scale of STS credential lifetimes (defaults to timeScale). */
  stsTimeScale: number;
  seed: unknown;
  cloud?: CloudModule;
  now?: () => number;
}

export interface NewAccountOptions {
  regions?: string[];
  quotas?: Partial<SandboxQuotas>;
}

export interface NewRoleOptions {
  name: string;
  trustedAccountIds?: string[];
  externalId?: string;
  allow?: string[];
  maxSessionDuration?: number;
}

export { AdminError };

export class SandboxCore {
  readonly state: SandboxState;
  readonly products = new Map<string, ProductModule>();
  readonly clock: SandboxClock;
  /** Sandbox time (the clock's `now`): simulated waits, STS lifetimes, rate windows. */
  readonly now: () => number;
  private readonly saver;

  constructor(readonly opts: CoreOptions) {
    this.state = loadState(opts.dataDir);
    // State saved by an older sandbox lacks newer quotas: they take their defaults.
    for (const rec of Object.values(this.state.accounts))
      rec.account.quotas = { ...DEFAULT_QUOTAS, ...rec.account.quotas };
    this.clock = new SandboxClock(opts.now ?? Date.now, opts.timeScale, this.state.clockOffsetMs ?? 0);
    this.now = this.clock.now;
    this.saver = createSaver(opts.dataDir, () => {
      const offset = this.clock.currentOffsetMs();
      if (offset > 0) this.state.clockOffsetMs = offset;
      return this.state;
    });
    this.seedUnseeded();
  }

  /** Accounts created while lib/sandbox/cloud was absent get their resources once it is there. */
  private seedUnseeded() {
    if (!this.opts.cloud) return;
    for (const rec of Object.values(this.state.accounts)) {
      const c = rec.account.cloud;
      if (c === undefined || c === null || (typeof c === 'object' && Object.keys(c).length === 0)) {
        this.opts.cloud.seedAccount(rec.account, this.opts.seed, this.now());
        this.changed();
      }
    }
  }

  get timeScale() {
    return this.opts.timeScale;
  }

  /** Registers a product by its API version (`2014-05-26` → ECS). */
  register(mod: ProductModule) {
    this.products.set(mod.version, mod);
  }

  /** Marks the state dirty; it is written shortly after (and on close). */
  changed() {
    this.saver.touch();
  }

  flush() {
    this.saver.flush();
  }

  knownRegions(): string[] {
    const items = (this.opts.seed as { regions?: { items?: { regionId: string }[] } })?.regions?.items ?? [];
    return items.map((r) => r.regionId);
  }

  account(accountId: string): AccountRecord {
    const rec = this.state.accounts[accountId];
    if (!rec) throw new AdminError(404, `no sandbox account ${accountId}`);
    return rec;
  }

  /** A fresh simulated Alibaba account with its root AccessKey, seeded resources and the KMS key `alias/fleet`. */
  createAccount(o: NewAccountOptions = {}): { accountId: string; accessKeyId: string; accessKeySecret: string } {
    const known = new Set(this.knownRegions());
    const regions = o.regions ?? DEFAULT_REGIONS;
    if (!Array.isArray(regions) || regions.length === 0) throw new AdminError(400, 'regions must be a non-empty array');
    for (const r of regions) if (!known.has(r)) throw new AdminError(400, `unknown region ${r}`);
    const given = o.quotas ?? {};
    if (given === null || typeof given !== 'object' || Array.isArray(given))
      throw new AdminError(400, 'quotas must be an object');
    // Own names only: `constructor` or `toString` are not quotas even though every object has them.
    for (const k of Object.keys(given))
      if (!Object.hasOwn(DEFAULT_QUOTAS, k)) throw new AdminError(400, `unknown quota ${k}`);
    const quotas = { ...DEFAULT_QUOTAS, ...given };
    for (const [k, v] of Object.entries(quotas)) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        throw new AdminError(400, `quotas.${k} must be a non-negative integer`);
    }
    let accountId = newAccountId();
    while (this.state.accounts[accountId]) accountId = newAccountId();
    const now = this.now();
    const account: SandboxAccount = {
      accountId,
      regions: [...regions],
      quotas,
      resourceCenterEnabled: true,
      createdAtMs: now,
      cloud: {},
    };
    this.opts.cloud?.seedAccount(account, this.opts.seed, now);
    const rec: AccountRecord = { account, roles: {}, kms: { keys: {}, aliases: {} }, faults: [] };
    this.state.accounts[accountId] = rec;
    this.createKmsKey(accountId, 'default key of the sandbox account', DEFAULT_KMS_ALIAS);
    const key = this.addKey({ accountId, kind: 'root' });
    this.changed();
    return { accountId, accessKeyId: key.accessKeyId, accessKeySecret: key.secret };
  }

  /** A RAM user's AccessKey allowed only `allow` (RAM action patterns). */
  createLimitedKey(accountId: string, allow: string[], userName?: string) {
    this.account(accountId);
    if (!Array.isArray(allow) || allow.some((a) => typeof a !== 'string'))
      throw new AdminError(400, 'allow must be an array of strings');
    const key = this.addKey({
      accountId,
      kind: 'limited',
      allow: [...allow],
      userName: userName ?? `sandbox-user-${Object.keys(this.state.keys).length}`,
      userId: newPrincipalId(),
    });
    this.changed();
    return {
      accountId,
      accessKeyId: key.accessKeyId,
      accessKeySecret: key.secret,
      userName: key.userName!,
      allow: key.allow!,
    };
  }

  addKey(
    k: Omit<AccessKeyRecord, 'accessKeyId' | 'secret' | 'createdAtMs'> & Partial<AccessKeyRecord>,
  ): AccessKeyRecord {
    const rec: AccessKeyRecord = {
      ...k,
      accessKeyId: k.accessKeyId ?? newAccessKeyId(),
      secret: k.secret ?? newAccessKeySecret(),
      createdAtMs: this.now(),
    };
    this.state.keys[rec.accessKeyId] = rec;
    return rec;
  }

  /** A new RAM role; one of that name already exists → 409 (replace it with `putRole`). */
  createRole(accountId: string, o: NewRoleOptions): RoleRecord & { arn: string } {
    const rec = this.account(accountId);
    if (typeof o.name === 'string' && Object.hasOwn(rec.roles, o.name))
      throw new AdminError(409, `role ${o.name} already exists in account ${accountId}`);
    return this.putRole(accountId, o);
  }

  /** Creates or replaces a RAM role (a replaced role keeps its id, as an edited RAM role does). */
  putRole(accountId: string, o: NewRoleOptions): RoleRecord & { arn: string } {
    const rec = this.account(accountId);
    if (typeof o.name !== 'string' || !/^[A-Za-z0-9.-]{1,64}$/.test(o.name)) {
      throw new AdminError(400, 'name must be 1-64 letters, digits, periods or hyphens');
    }
    const trusted = o.trustedAccountIds ?? [];
    if (!Array.isArray(trusted) || trusted.some((t) => typeof t !== 'string'))
      throw new AdminError(400, 'trustedAccountIds must be strings');
    if (o.allow !== undefined && (!Array.isArray(o.allow) || o.allow.some((a) => typeof a !== 'string')))
      throw new AdminError(400, 'allow must be an array of strings');
    const max = o.maxSessionDuration ?? 43200;
    if (!Number.isInteger(max) || max < 3600 || max > 43200)
      throw new AdminError(400, 'maxSessionDuration must be 3600..43200');
    const role: RoleRecord = {
      name: o.name,
      roleId: (Object.hasOwn(rec.roles, o.name) ? rec.roles[o.name]?.roleId : undefined) ?? newPrincipalId(),
      trustedAccountIds: [...trusted],
      allow: o.allow ?? ['*'],
      maxSessionDuration: max,
      createdAtMs: this.now(),
      ...(o.externalId !== undefined ? { externalId: String(o.externalId) } : {}),
    };
    rec.roles[o.name] = role;
    this.changed();
    return { ...role, arn: `acs:ram::${accountId}:role/${o.name}` };
  }

  createKmsKey(accountId: string, description: string, alias?: string) {
    const rec = this.account(accountId);
    const keyId = newKmsKeyId();
    rec.kms.keys[keyId] = {
      keyId,
      keyVersionId: newKmsKeyId(),
      material: randomBytes(32).toString('base64'),
      description,
      createdAtMs: this.now(),
    };
    if (alias) rec.kms.aliases[alias] = keyId;
    this.changed();
    return rec.kms.keys[keyId]!;
  }

  /** Secret (and token) of any live key of any account: what the Tablestore service verifies with. */
  resolveSecret(accessKeyId: string): { secret: string; securityToken?: string; accountId: string } | undefined {
    const k = this.state.keys[accessKeyId];
    if (!k) return undefined;
    if (k.kind === 'sts' && (k.expiresAtMs ?? 0) <= this.now()) return undefined;
    return k.securityToken !== undefined
      ? { secret: k.secret, securityToken: k.securityToken, accountId: k.accountId }
      : { secret: k.secret, accountId: k.accountId };
  }

  /** Drops STS keys long past expiry so the state file does not grow without bound. */
  pruneExpiredKeys() {
    const cutoff = this.now() - 24 * 3600 * 1000;
    let dropped = false;
    for (const [id, k] of Object.entries(this.state.keys)) {
      if (k.kind === 'sts' && (k.expiresAtMs ?? 0) < cutoff) {
        delete this.state.keys[id];
        dropped = true;
      }
    }
    if (dropped) this.changed();
  }
}

/** Reads a required string parameter or throws Alibaba's MissingParameter. */
export function requireParam(params: Record<string, string>, name: string): string {
  const v = params[name];
  if (v === undefined || v === '') {
    throw new SandboxApiError(
      `MissingParameter`,
      400,
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    );
  }
  return v;
}
