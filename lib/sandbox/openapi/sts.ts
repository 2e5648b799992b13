/**
 * STS 2015-04-01 in the sandbox: `AssumeRole` (roles created through the admin API, trust by
 * account, ExternalId, durations scaled by the STS time scale) and `GetCallerIdentity`.
 */
import type { SandboxCore } from './core';
import { requireParam } from './core';
import { apiError } from './errors';
import { newSecurityToken, newStsAccessKeyId, newStsSecret } from './ids';
import type { OpContext, ProductModule } from './types';

const ROLE_ARN = /^acs:ram::(\d+):role\/(.+)$/i;

/** ISO-8601 without milliseconds, as Alibaba writes `Expiration`. */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function createStsModule(core: SandboxCore): ProductModule {
  return {
    product: 'Sts',
    version: '2015-04-01',
    ops: {
      AssumeRole(ctx: OpContext) {
        const callerKey = core.state.keys[ctx.caller.accessKeyId]!;
        if (callerKey.kind === 'root') {
          throw apiError('NoPermission', 403, 'Roles may not be assumed by root accounts.');
        }
        const roleArn = requireParam(ctx.params, 'RoleArn');
        const sessionName = requireParam(ctx.params, 'RoleSessionName');
        if (!/^[A-Za-z0-9.@_-]{2,64}$/.test(sessionName)) {
          throw apiError('InvalidParameter.RoleSessionName', 400, 'The parameter RoleSessionName is wrongly formed.');
        }
        const m = ROLE_ARN.exec(roleArn);
        if (!m) throw apiError('InvalidParameter.RoleArn', 400, 'The parameter RoleArn is wrongly formed.');
        const ownerId = m[1]!;
        const roleName = m[2]!;
        const owner = core.state.accounts[ownerId];
        const role =
          owner?.roles[roleName] ??
          Object.values(owner?.roles ?? {}).find((r) => r.name.toLowerCase() === roleName.toLowerCase());
        if (!owner || !role) throw apiError('EntityNotExist.Role', 404, 'The specified Role not exists.');
        const raw = ctx.params.DurationSeconds;
        const duration = raw === undefined || raw === '' ? 3600 : Number(raw);
        if (!Number.isInteger(duration) || duration < 900 || duration > role.maxSessionDuration) {
          throw apiError(
            'InvalidParameter.DurationSeconds',
            400,
            `The Min/Max value of DurationSeconds is 15min/${role.maxSessionDuration / 3600}hr.`,
          );
        }
        const callerAccount = callerKey.accountId;
        const trusted = callerAccount === ownerId || role.trustedAccountIds.includes(callerAccount);
        const externalOk = role.externalId === undefined || ctx.params.ExternalId === role.externalId;
        if (!trusted || !externalOk) {
          throw apiError(
            'NoPermission',
            403,
            'No permission perform sts:AssumeRole on this Role. Maybe you are not authorized to perform sts:AssumeRole or the specified role does not trust you',
          );
        }
        const now = ctx.now();
        // Exact scaled lifetime; Expiration (whole seconds, as Alibaba writes it) is rounded down,
        // so a caller that refreshes at Expiration is never late.
        const expiresAtMs = now + Math.round(duration * 1000 * core.opts.stsTimeScale);
        const key = core.addKey({
          accessKeyId: newStsAccessKeyId(),
          secret: newStsSecret(),
          accountId: ownerId,
          kind: 'sts',
          allow: [...role.allow],
          securityToken: newSecurityToken(),
          expiresAtMs,
          roleName: role.name,
          roleId: role.roleId,
          sessionName,
          callerAccountId: callerAccount,
        });
        core.changed();
        return {
          AssumedRoleUser: {
            AssumedRoleId: `${role.roleId}:${sessionName}`,
            Arn: `acs:ram::${ownerId}:role/${role.name}/${sessionName}`,
          },
          Credentials: {
            SecurityToken: key.securityToken!,
            Expiration: isoSeconds(expiresAtMs),
            AccessKeySecret: key.secret,
            AccessKeyId: key.accessKeyId,
          },
        };
      },

      GetCallerIdentity(ctx: OpContext) {
        const key = core.state.keys[ctx.caller.accessKeyId]!;
        const accountId = key.accountId;
        if (key.kind === 'root') {
          return {
            IdentityType: 'Account',
            AccountId: accountId,
            PrincipalId: accountId,
            UserId: accountId,
            Arn: ctx.caller.arn,
          };
        }
        if (key.kind === 'limited') {
          return {
            IdentityType: 'RAMUser',
            AccountId: accountId,
            PrincipalId: key.userId!,
            UserId: key.userId!,
            Arn: ctx.caller.arn,
          };
        }
        return {
          IdentityType: 'AssumedRoleUser',
          AccountId: accountId,
          PrincipalId: `${key.roleId}:${key.sessionName}`,
          RoleId: key.roleId!,
          Arn: ctx.caller.arn,
        };
      },
    },
  };
}
