/**
 * Credentials for code that runs outside FC (the `npm run invoke` and `npm run ensure-tables`
 * CLIs): `@alicloud/credentials`' default chain — environment (`ALIBABA_CLOUD_ACCESS_KEY_ID`…),
 * OIDC, the `aliyun` CLI profile, `~/.alibabacloud/credentials`, the ECS RAM role, a credentials
 * URI — the same order every Alibaba SDK uses. Inside FC the functions use `context.credentials`.
 */
import { AppError } from '../core/errors';
import type { RoleCredentials } from './types';

/** The first credential the default chain finds; a clear error when there is none. */
export async function defaultChainCredentials(): Promise<RoleCredentials> {
  const mod = (await import('@alicloud/credentials')) as unknown as {
    default: { default?: unknown } & (new () => { getCredential(): Promise<Record<string, string | undefined>> });
  };
  const Credential = (mod.default.default ?? mod.default) as new () => {
    getCredential(): Promise<Record<string, string | undefined>>;
  };
  let c: Record<string, string | undefined>;
  try {
    c = await new Credential().getCredential();
  } catch (e) {
    throw new AppError(
      'Unauthenticated',
      'no Alibaba Cloud credentials found: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, ' +
        'configure a profile in ~/.alibabacloud/credentials, or run where a RAM role is attached',
      { cause: e },
    );
  }
  if (!c.accessKeyId || !c.accessKeySecret)
    throw new AppError('Unauthenticated', 'the credential chain gave no AccessKey');
  return {
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    ...(c.securityToken ? { securityToken: c.securityToken } : {}),
  };
}
