/**
 * Credential sources. A ram_role account signs with STS credentials assumed from the function's
 * own role; they are cached per (roleArn, externalId) until ~5 minutes before they expire, and
 * concurrent callers share one AssumeRole (single flight).
 */
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import { registerSecret } from '../core/log';
import type { CredentialSource } from './transport';
import type { AssumedCredentials, RoleCredentials } from './types';

export const REFRESH_BEFORE_MS = 5 * 60_000;

/** A fixed AccessKey (or the function role's current keys, asked each time). */
export function staticSource(
  get: RoleCredentials | (() => RoleCredentials | Promise<RoleCredentials>),
): CredentialSource {
  return { get: async () => (typeof get === 'function' ? get() : get) };
}

export type AssumeRoleFn = (input: {
  roleArn: string;
  roleSessionName: string;
  durationSeconds: number;
  externalId?: string;
}) => Promise<AssumedCredentials>;

interface Entry {
  creds?: AssumedCredentials;
  inflight?: Promise<AssumedCredentials>;
}

export interface StsCache {
  source(roleArn: string, externalId?: string): CredentialSource;
  forget(roleArn: string, externalId?: string): void;
  /** AssumeRole calls made so far (for tests and metrics). */
  readonly assumeCount: number;
}

export function createStsCache(opts: {
  assumeRole: AssumeRoleFn;
  clock: Clock;
  log?: Logger;
  sessionName?: string;
  durationSeconds?: number;
  refreshBeforeMs?: number;
}): StsCache {
  const entries = new Map<string, Entry>();
  const refreshBefore = opts.refreshBeforeMs ?? REFRESH_BEFORE_MS;
  const duration = opts.durationSeconds ?? 3600;
  const session = sanitizeSessionName(opts.sessionName ?? 'alicloud-fleet');
  let assumeCount = 0;
  const keyOf = (roleArn: string, externalId?: string) => `${roleArn}\u0000${externalId ?? ''}`;

  async function get(roleArn: string, externalId?: string): Promise<AssumedCredentials> {
    const key = keyOf(roleArn, externalId);
    let e = entries.get(key);
    if (!e) entries.set(key, (e = {}));
    if (e.creds && opts.clock.now() < e.creds.expirationAtMs - refreshBefore) return e.creds;
    if (e.inflight) return e.inflight;
    const entry = e;
    assumeCount++;
    const input: Parameters<AssumeRoleFn>[0] = { roleArn, roleSessionName: session, durationSeconds: duration };
    if (externalId !== undefined) input.externalId = externalId;
    entry.inflight = opts
      .assumeRole(input)
      .then((c) => {
        registerSecret(c.accessKeySecret);
        registerSecret(c.securityToken);
        entry.creds = c;
        opts.log?.info('assumed role', { roleArn, expirationAtMs: c.expirationAtMs });
        return c;
      })
      .finally(() => {
        entry.inflight = undefined;
      });
    return entry.inflight;
  }

  return {
    source(roleArn, externalId) {
      return {
        get: async () => {
          const c = await get(roleArn, externalId);
          return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };
        },
        invalidate: () => {
          const e = entries.get(keyOf(roleArn, externalId));
          if (e) e.creds = undefined;
        },
      };
    },
    forget(roleArn, externalId) {
      entries.delete(keyOf(roleArn, externalId));
    },
    get assumeCount() {
      return assumeCount;
    },
  };
}

/** RoleSessionName: 2–64 of `[A-Za-z0-9.@_-]`. */
export function sanitizeSessionName(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9.@_-]/g, '-').slice(0, 64);
  return clean.length >= 2 ? clean : 'fleet';
}
