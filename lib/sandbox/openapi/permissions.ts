/**
 * RAM-style authorisation of limited keys and role sessions: `ecs:Describe*`, `sts:AssumeRole`,
 * `*`; a denied call answers `Forbidden.RAM` (403) naming the action, with the
 * `AccessDeniedDetail` block the SDK surfaces as `accessDeniedDetail`.
 */
import { apiError } from './errors';
import type { AccessKeyRecord } from './state';
import type { SandboxApiError } from './types';

/** RAM service prefix of a product (`Ecs` → `ecs`). */
export const ramService = (product: string) => product.toLowerCase();

/** Actions every authenticated principal may call (Alibaba does not check RAM for them). */
const ALWAYS_ALLOWED = new Set(['sts:GetCallerIdentity']);

function matches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(action);
}

/** True when `allow` (RAM action patterns) grants `ramAction`. */
export function isAllowed(allow: string[] | undefined, ramAction: string): boolean {
  if (allow === undefined) return true;
  if (ALWAYS_ALLOWED.has(ramAction)) return true;
  return allow.some((p) => matches(p, ramAction));
}

/** Throws `Forbidden.RAM` when the key may not call `product`/`action`. */
export function authorize(key: AccessKeyRecord, product: string, action: string): void {
  const ramAction = `${ramService(product)}:${action}`;
  if (isAllowed(key.allow, ramAction)) return;
  throw forbidden(key, ramAction);
}

function forbidden(key: AccessKeyRecord, ramAction: string): SandboxApiError {
  const principalType = key.kind === 'sts' ? 'AssumedRoleUser' : 'SubUser';
  const display = key.kind === 'sts' ? `${key.roleName}:${key.sessionName}` : (key.userName ?? key.accessKeyId);
  return apiError(
    'Forbidden.RAM',
    403,
    "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
    {
      AccessDeniedDetail: {
        AuthAction: ramAction,
        AuthPrincipalType: principalType,
        AuthPrincipalDisplayName: display,
        AuthPrincipalOwnerId: key.accountId,
        PolicyType: 'AccountLevelIdentityBasedPolicy',
        NoPermissionType: 'ImplicitDeny',
        EncodedDiagnosticMessage: Buffer.from(JSON.stringify({ action: ramAction })).toString('base64'),
      },
    },
  );
}
