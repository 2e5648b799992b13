/**
 * Builds per-account cloud clients. Built once per process (lib/fc/deps.ts), so the STS cache
 * survives warm invocations. Building a client is cheap: no SDK is loaded until the first call.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock';
import type { Config } from '../core/config';
import { AppError } from '../core/errors';
import type { Logger } from '../core/log';
import { registerSecret } from '../core/log';
import type { CallCtx } from './call';
import { createStsCache, staticSource, type StsCache } from './credentials';
import { createEcsApi } from './ecs';
import { assertRegionId, resolveEndpoint } from './endpoints';
import { createKmsApi } from './kms';
import { createQuotasApi } from './quotas';
import { createResourceCenterApi } from './resource-center';
import { DEFAULT_RETRY_POLICY, realSleep, type RetryPolicy } from './retry';
import { createStsApi } from './sts';
import { createTransport, type CredentialSource } from './transport';
import type { AccountCredential, CloudClient, CloudFactory, RoleCredentials } from './types';
import { createVpcApi } from './vpc';

export interface CloudFactoryOptions {
  config: Pick<Config, 'sandboxEndpoint' | 'region' | 'functionPrefix'>;
  clock: Clock;
  log: Logger;
  /** The function's own role (FC `context.credentials`); a function is called per request so rotated keys are used. */
  roleCredentials: RoleCredentials | (() => RoleCredentials | Promise<RoleCredentials>);
  retry?: Partial<RetryPolicy>;
  /** Injected for tests: back-off sleeper and jitter source. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** AssumeRole session length (default 3600 s) and how early to refresh (default 5 min). */
  sts?: { durationSeconds?: number; refreshBeforeMs?: number; sessionName?: string };
  readTimeoutMs?: number;
  /** Per-account clients kept for reuse, least recently used dropped first (default 32). */
  maxCachedClients?: number;
}

/** The factory plus what tests and metrics look at. */
export interface CloudFactoryInternals extends CloudFactory {
  readonly stsCache: StsCache;
}

const ROLE_ARN = /^acs:ram::\d{1,20}:role\/[A-Za-z0-9.@_\-/]{1,128}$/i;

function bad(path: string, problem: string): AppError {
  return new AppError('ValidationFailed', 'the cloud credential is not valid', { details: [{ path, problem }] });
}

/**
 * Identity of a cached client: the credential (an AccessKey by its id and a hash of its secret,
 * so a changed secret is a new client and the secret is not kept as a key), region and options.
 */
function clientKey(cred: AccountCredential, o: Parameters<CloudFactory['forAccount']>[1]): string {
  const who =
    cred.type === 'access_key'
      ? `ak\0${cred.accessKeyId}\0${createHash('sha256').update(cred.accessKeySecret).digest('base64url')}`
      : `role\0${cred.roleArn}\0${cred.externalId ?? ''}`;
  return `${who}\0${o.regionId}\0${o.endpoint ?? ''}\0${o.retry ? JSON.stringify(o.retry) : ''}`;
}

/** Rejects malformed credentials before anything is signed with them. */
export function checkCredential(cred: AccountCredential): void {
  if (!cred || typeof cred !== 'object') throw bad('credential', 'is required');
  if (cred.type === 'access_key') {
    if (typeof cred.accessKeyId !== 'string' || !/^[A-Za-z0-9.]{8,128}$/.test(cred.accessKeyId))
      throw bad('credential.accessKeyId', 'is not an AccessKey ID');
    if (
      typeof cred.accessKeySecret !== 'string' ||
      cred.accessKeySecret.length < 8 ||
      cred.accessKeySecret.length > 256
    )
      throw bad('credential.accessKeySecret', 'is not an AccessKey secret');
    return;
  }
  if (cred.type === 'ram_role') {
    if (typeof cred.roleArn !== 'string' || !ROLE_ARN.test(cred.roleArn))
      throw bad('credential.roleArn', 'must look like acs:ram::<accountId>:role/<name>');
    if (cred.externalId !== undefined && (typeof cred.externalId !== 'string' || cred.externalId.length > 256))
      throw bad('credential.externalId', 'is not valid');
    return;
  }
  throw bad('credential.type', 'must be access_key or ram_role');
}

export function createCloudFactory(opts: CloudFactoryOptions): CloudFactoryInternals {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  const deps = { clock: opts.clock, sleep: opts.sleep ?? realSleep, random: opts.random ?? Math.random, log: opts.log };
  const roleSource = staticSource(async () => {
    const c = typeof opts.roleCredentials === 'function' ? await opts.roleCredentials() : opts.roleCredentials;
    registerSecret(c.accessKeySecret);
    registerSecret(c.securityToken);
    return c;
  });

  const build = (
    credentials: CredentialSource,
    regionId: string,
    endpointOverride?: string,
    retry?: Partial<RetryPolicy>,
  ): CloudClient => {
    assertRegionId(regionId);
    // Fail at build time, not at the first call, when a stored endpoint is not allowed.
    if (endpointOverride !== undefined) resolveEndpoint('Ecs', regionId, opts.config, endpointOverride);
    const transport = createTransport({
      config: opts.config,
      regionId,
      credentials,
      ...(endpointOverride !== undefined ? { endpointOverride } : {}),
      ...(opts.readTimeoutMs !== undefined ? { readTimeoutMs: opts.readTimeoutMs } : {}),
    });
    // A caller with a latency budget (an HTTP request) may ask for fewer or shorter retries.
    const ctx: CallCtx = { transport, policy: retry ? { ...policy, ...retry } : policy, deps };
    return {
      regionId,
      sts: createStsApi(ctx),
      ecs: createEcsApi(ctx),
      vpc: createVpcApi(ctx),
      resourceCenter: createResourceCenterApi(ctx),
      quotas: createQuotasApi(ctx),
      kms: createKmsApi(ctx),
    };
  };

  const functionSts = () => build(roleSource, opts.config.region).sts;
  const stsCache = createStsCache({
    assumeRole: (input) => functionSts().assumeRole(input),
    clock: opts.clock,
    log: opts.log,
    sessionName: opts.sts?.sessionName ?? `${opts.config.functionPrefix}-fleet`,
    ...(opts.sts?.durationSeconds !== undefined ? { durationSeconds: opts.sts.durationSeconds } : {}),
    ...(opts.sts?.refreshBeforeMs !== undefined ? { refreshBeforeMs: opts.sts.refreshBeforeMs } : {}),
  });

  // Warm invocations reuse clients (and their SDK clients' connections) per credential and region.
  const clients = new Map<string, CloudClient>();
  const maxClients = opts.maxCachedClients ?? 32;

  return {
    stsCache,
    forAccount(cred, o) {
      checkCredential(cred);
      if (cred.type === 'access_key') registerSecret(cred.accessKeySecret);
      const key = clientKey(cred, o);
      const hit = clients.get(key);
      if (hit) {
        clients.delete(key); // most recently used goes last
        clients.set(key, hit);
        return hit;
      }
      const client =
        cred.type === 'access_key'
          ? build(
              staticSource({ accessKeyId: cred.accessKeyId, accessKeySecret: cred.accessKeySecret }),
              o.regionId,
              o.endpoint,
              o.retry,
            )
          : build(stsCache.source(cred.roleArn, cred.externalId), o.regionId, o.endpoint, o.retry);
      clients.set(key, client);
      if (clients.size > maxClients) clients.delete(clients.keys().next().value!);
      return client;
    },
    forFunction(o = {}) {
      return build(roleSource, o.regionId ?? opts.config.region, undefined, o.retry);
    },
    forgetRole(roleArn, externalId) {
      stsCache.forget(roleArn, externalId);
    },
  };
}
