/**
 * The functions' RAM role, as FC provides it: a role `fleet-functions` in the deployment account
 * and an "FC service" principal (a RAM user key allowed only `sts:AssumeRole`) that assumes it.
 * Functions get the resulting STS credentials, never a root key: Alibaba (and the sandbox) refuse
 * AssumeRole from a root key, so `ram_role` accounts only work with a role session.
 */
import { systemClock, type Clock } from '../core/clock';
import { loadConfig } from '../core/config';
import { createLogger } from '../core/log';
import { createCloudFactory } from '../cloud/factory';
import type { Sandbox } from '../sandbox/server';
import type { AccountKeys, LocalState } from './state';

/** What the functions call as themselves (lib/cloud `forFunction`, lib/crypto, lib/store, lib/invoke). */
export const FUNCTION_ROLE_ALLOW = [
  'sts:AssumeRole', // ram_role accounts
  'sts:GetCallerIdentity',
  'kms:GenerateDataKey', // envelope encryption of stored secrets
  'kms:Decrypt',
  'ots:*', // Tablestore (the sandbox does not check it; listed for the real policy)
  'fc:InvokeFunction', // async steps through the invoke API
];

/** Session length asked for; FC's own role sessions also last about an hour. */
export const FUNCTION_ROLE_DURATION_SECONDS = 3600;

export interface FunctionCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** Real (scaled) expiry, epoch ms. */
  expirationAtMs: number;
}

export interface FunctionRole {
  arn: string;
  /** The FC service principal's key (deployment account, `sts:AssumeRole` only). */
  serviceKey: AccountKeys;
  /** The latest session, refreshed first when less than a third of its life is left. */
  current(): Promise<FunctionCredentials>;
  /** The latest session without refreshing (environment of a new instance). */
  cached(): FunctionCredentials;
  /** Called after each rotation with the new session (the host recycles idle instances). */
  onRotate(listener: (c: FunctionCredentials) => void): void;
}

/**
 * Creates (or updates, keeping its id) the role and reuses the saved FC service key while the
 * sandbox still knows it; mutates `state` (the caller saves it). Assumes the role once.
 */
export async function setUpFunctionRole(
  sandbox: Sandbox,
  state: LocalState,
  roleName = 'fleet-functions',
  /** When sessions are refreshed (tests pass the sandbox's clock). */
  clock: Clock = systemClock,
): Promise<FunctionRole> {
  const deployment = state.deployment!;
  const role = await sandbox.putRole(deployment.accountId, {
    name: roleName,
    allow: FUNCTION_ROLE_ALLOW,
    maxSessionDuration: 3600,
  });
  const saved = state.fcService;
  const rec = saved && sandbox.core.state.keys[saved.accessKeyId];
  if (!saved || !rec || rec.secret !== saved.accessKeySecret || rec.accountId !== deployment.accountId) {
    const k = await sandbox.createAccessKey(deployment.accountId, ['sts:AssumeRole'], 'fc-service');
    state.fcService = { accountId: k.accountId, accessKeyId: k.accessKeyId, accessKeySecret: k.accessKeySecret };
  }
  state.functionRoleArn = role.arn;
  const serviceKey = state.fcService!;

  const config = loadConfig({
    FLEET_SANDBOX_ENDPOINT: sandbox.endpoint,
    FLEET_REGION: 'cn-hangzhou',
    FLEET_ACCOUNT_ID: deployment.accountId,
  });
  const sts = createCloudFactory({
    config,
    clock,
    log: createLogger({ component: 'fc-service' }, { level: 'warn' }),
    roleCredentials: { accessKeyId: serviceKey.accessKeyId, accessKeySecret: serviceKey.accessKeySecret },
    retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
  }).forFunction().sts;

  const assume = async (): Promise<{ creds: FunctionCredentials; refreshAtMs: number }> => {
    const askedAtMs = clock.now();
    const c = await sts.assumeRole({
      roleArn: role.arn,
      roleSessionName: 'fc-function',
      durationSeconds: FUNCTION_ROLE_DURATION_SECONDS,
    });
    // Expiration is whole seconds; a scaled session may be shorter than one second.
    const expirationAtMs =
      c.expirationAtMs > askedAtMs
        ? c.expirationAtMs
        : askedAtMs + FUNCTION_ROLE_DURATION_SECONDS * 1000 * sandbox.core.opts.stsTimeScale;
    const creds = {
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      securityToken: c.securityToken ?? '',
      expirationAtMs,
    };
    return { creds, refreshAtMs: askedAtMs + ((expirationAtMs - askedAtMs) * 2) / 3 };
  };

  let session = await assume();
  let refreshing: Promise<FunctionCredentials> | undefined;
  const listeners: Array<(c: FunctionCredentials) => void> = [];
  return {
    arn: role.arn,
    serviceKey,
    cached: () => session.creds,
    onRotate: (l) => void listeners.push(l),
    current() {
      if (clock.now() < session.refreshAtMs) return Promise.resolve(session.creds);
      refreshing ??= assume()
        .then((s) => {
          session = s;
          for (const l of listeners) l(s.creds);
          return s.creds;
        })
        .finally(() => (refreshing = undefined));
      return refreshing;
    },
  };
}
