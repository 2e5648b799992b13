/**
 * RAM-style authorisation of limited keys and role sessions: `ecs:Describe*`, `sts:AssumeRole`,
 * `*`; a denied call answers `Forbidden.RAM` (403; Resource Center: `NoPermission` 400) with the
 * `AccessDeniedDetail` block naming the action, which the SDK surfaces as `accessDeniedDetail`.
 */
import { apiError } from './errors';
import type { AccessKeyRecord } from './state';
import type { SandboxApiError } from './types';

/** RAM service prefix of a product (`Ecs` → `ecs`). */
export const ramService = (product: string) => product.toLowerCase();

/** Actions every authenticated principal may call (Alibaba does not check RAM for them). */
const ALWAYS_ALLOWED = new Set(['sts:GetCallerIdentity']);

function matches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return re.test(action);
}

/** True when `allow` (RAM action patterns) grants `ramAction`. */
export function isAllowed(allow: string[] | undefined, ramAction: string): boolean {
  if (allow === undefined) return true;
  if (ALWAYS_ALLOWED.has(ramAction)) return true;
  return allow.some((p) => matches(p, ramAction));
}

/**
 * How each product refuses a call RAM does not allow. The gateway answer is `Forbidden.RAM` 403
 * (ECS error tables); Resource Center checks RAM itself and every one of its operations lists
 * `NoPermission` 400 "You are not authorized to perform this operation." instead.
 */
const DENIAL: Record<string, { code: string; status: number; message: string }> = {
  default: {
    code: 'Forbidden.RAM',
    status: 403,
    message: "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
  },
  ResourceCenter: { code: 'NoPermission', status: 400, message: 'You are not authorized to perform this operation.' },
  // Quota Center's public error-code table: its own RAM check, not the gateway's Forbidden.RAM.
  Quotas: { code: 'RAM.PERMISSION.DENIED', status: 400, message: 'You do not have access.' },
};

/** Throws the product's RAM denial (`Forbidden.RAM`, Resource Center `NoPermission`, Quota Center `RAM.PERMISSION.DENIED`) when the key may not call `product`/`action`. */
export function authorize(key: AccessKeyRecord, product: string, action: string): void {
  const ramAction = `${ramService(product)}:${action}`;
  if (isAllowed(key.allow, ramAction)) return;
  throw forbidden(key, ramAction, DENIAL[product] ?? DENIAL.default!);
}

function forbidden(
  key: AccessKeyRecord,
  ramAction: string,
  denial: { code: string; status: number; message: string },
): SandboxApiError {
  const principalType = key.kind === 'sts' ? 'AssumedRoleUser' : 'SubUser';
  const display = key.kind === 'sts' ? `${key.roleName}:${key.sessionName}` : (key.userName ?? key.accessKeyId);
  return apiError(denial.code, denial.status, denial.message, {
    AccessDeniedDetail: {
      AuthAction: ramAction,
      AuthPrincipalType: principalType,
      AuthPrincipalDisplayName: display,
      AuthPrincipalOwnerId: key.accountId,
      PolicyType: 'AccountLevelIdentityBasedPolicy',
      NoPermissionType: 'ImplicitDeny',
      EncodedDiagnosticMessage: Buffer.from(JSON.stringify({ action: ramAction })).toString('base64'),
    },
  });
}
