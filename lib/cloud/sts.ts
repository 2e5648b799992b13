/** STS wrappers: who a credential is (verification), and AssumeRole for ram_role accounts. */
import { rpcCall, str, obj, type CallCtx } from './call';
import type { AssumedCredentials, CallerIdentity, StsApi } from './types';

export function parseExpiration(v: unknown): number {
  const ms = Date.parse(str(v));
  return Number.isFinite(ms) ? ms : 0;
}

export function createStsApi(ctx: CallCtx): StsApi {
  return {
    async getCallerIdentity(): Promise<CallerIdentity> {
      const b = await rpcCall(ctx, 'Sts', 'GetCallerIdentity', {});
      return { accountId: str(b.AccountId), arn: str(b.Arn), userId: str(b.UserId), identityType: str(b.IdentityType) };
    },
    async assumeRole(input): Promise<AssumedCredentials> {
      const b = await rpcCall(ctx, 'Sts', 'AssumeRole', {
        RoleArn: input.roleArn,
        RoleSessionName: input.roleSessionName,
        DurationSeconds: input.durationSeconds,
        ExternalId: input.externalId,
      });
      const c = obj(b.Credentials);
      return {
        accessKeyId: str(c.AccessKeyId),
        accessKeySecret: str(c.AccessKeySecret),
        securityToken: str(c.SecurityToken),
        expirationAtMs: parseExpiration(c.Expiration),
      };
    },
  };
}
