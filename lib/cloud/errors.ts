/**
 * The one classification of Alibaba Cloud errors. Every SDK error goes through `classify`, so
 * retry decisions, HTTP answers and user hints agree everywhere. Secrets never reach a message.
 */
import { AppError, isAppError, type CloudErrorInfo } from '../core/errors';

export type CloudErrorKind =
  | 'auth'
  | 'permission'
  | 'quota'
  | 'not-found'
  | 'conflict'
  | 'throttled'
  | 'transient'
  | 'invalid';

export interface Classified {
  kind: CloudErrorKind;
  /** Alibaba `Code` verbatim (`Forbidden.RAM`), or a local code for network failures (`NetworkError`). */
  code: string;
  requestId?: string;
  httpStatus?: number;
  hint: string;
  /** Worth trying again with the same parameters (and ClientToken). */
  retryable: boolean;
  /** `Ecs:RunInstances` — the call that failed. */
  action?: string;
  /** A RAM denial: the RAM action refused (`ecs:RunInstances`), from `AccessDeniedDetail.AuthAction` or the call. */
  deniedAction?: string;
  /** Throttling answers may say when to come back (`x-acs-retry-after`, ms). */
  retryAfterMs?: number;
}

/** What `AppError.cloud` carries for cloud failures (a superset of core's CloudErrorInfo). */
export interface CloudErrorDetail extends CloudErrorInfo {
  kind: CloudErrorKind;
  retryable: boolean;
  action?: string;
  deniedAction?: string;
}

/** Busy / "try again" codes per operation (reference §3, Terraform's retry lists). */
const BUSY = new Set([
  'TaskConflict',
  'IncorrectVSwitchStatus',
  'IncorrectRouteEntryStatus',
  'IncorrectVpcStatus',
  'IncorrectEipStatus',
  'IncorrectInstanceStatus',
  'IncorrectInstanceStatus.Initializing',
  'LastTokenProcessing',
  'IdempotentProcessing',
  'OperationConflict',
  'OperationConflict.Eip',
  'ServiceBusy',
  'SystemBusy',
  'Operation.Conflict',
  'VpcRouterTableOperationConflict',
  'InvalidStatus.RouteEntry',
]);

const AUTH_HINTS: Record<string, string> = {
  'InvalidAccessKeyId.NotFound': 'the AccessKey ID does not exist',
  InvalidAccessKeyId: 'the AccessKey ID does not exist',
  'InvalidAccessKeyId.Inactive': 'the AccessKey is disabled',
  SignatureDoesNotMatch: 'the AccessKey secret is wrong',
  IncompleteSignature: 'the request signature is incomplete; check the AccessKey secret',
  'InvalidSecurityToken.Expired': 'the temporary STS credentials have expired',
  'InvalidSecurityToken.Malformed': 'the STS security token is malformed',
  'InvalidSecurityToken.MismatchWithAccessKey': 'the STS security token does not belong to this AccessKey',
  'InvalidTimeStamp.Expired': "the request timestamp is more than 15 minutes off; check the machine's clock",
  SignatureNonceUsed: 'the request nonce was already used (a replayed request)',
  InvalidAccessKeySecret: 'the AccessKey secret is wrong',
};

/** STS AssumeRole refusals that the user fixes in RAM (role trust policy, ARN). */
const ROLE_HINTS: Record<string, string> = {
  'EntityNotExist.Role': 'the RAM role does not exist; check the role ARN',
  'InvalidParameter.RoleArn': 'the role ARN is malformed',
  NoPermission: "the function's role may not assume this role; add it to the role's trust policy",
  'AuthenticationFail.NoPermission': "the function's role may not assume this role; add it to the role's trust policy",
  'InvalidParameter.ExternalId': 'the external id does not match the role trust policy',
};

function rawFields(e: unknown): {
  code?: string;
  requestId?: string;
  httpStatus?: number;
  message?: string;
  name?: string;
  authAction?: string;
  retryAfterMs?: number;
} {
  if (typeof e !== 'object' || e === null) return {};
  const o = e as Record<string, unknown>;
  const data = (o.data ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' && v !== 'undefined' ? v : undefined);
  const detail = (o.accessDeniedDetail ?? data.AccessDeniedDetail) as Record<string, unknown> | undefined;
  const out: ReturnType<typeof rawFields> = {};
  const code = str(o.code) ?? str(data.Code);
  if (code) out.code = code;
  const requestId = str(o.requestId) ?? str(data.RequestId);
  if (requestId) out.requestId = requestId;
  const status = typeof o.statusCode === 'number' ? o.statusCode : undefined;
  if (status) out.httpStatus = status;
  const message = str(data.Message) ?? str(o.message);
  if (message) out.message = message;
  if (str(o.name)) out.name = o.name as string;
  const authAction = str(detail?.AuthAction);
  if (authAction) out.authAction = authAction;
  if (typeof o.retryAfter === 'number' && Number.isFinite(o.retryAfter) && o.retryAfter >= 0)
    out.retryAfterMs = o.retryAfter;
  return out;
}

const NETWORK_CODES =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNABORTED|UND_ERR.*)$/;

function isNetworkFailure(f: ReturnType<typeof rawFields>): boolean {
  if (f.code && NETWORK_CODES.test(f.code)) return true;
  return /timeout|socket hang up|ECONNRESET|ECONNREFUSED/i.test(`${f.name ?? ''} ${f.code ?? ''} ${f.message ?? ''}`);
}

/** False for plain programming errors (TypeError, …): those are not cloud errors and are rethrown as they are. */
export function isCloudError(e: unknown): boolean {
  const f = rawFields(e);
  return (
    f.httpStatus !== undefined ||
    isNetworkFailure(f) ||
    (f.code !== undefined && !/^ERR_/.test(f.code) && f.name !== 'TypeError')
  );
}

/** `Ecs:RunInstances` → `ecs:RunInstances` (the RAM action name). */
export function ramAction(action: string | undefined): string | undefined {
  if (!action) return undefined;
  const [product, op] = action.split(':');
  return op ? `${(product ?? '').toLowerCase()}:${op}` : action;
}

/** Sorts any error thrown by an SDK call into one kind, with the code and a hint users can act on. */
export function classify(e: unknown, action?: string): Classified {
  const f = rawFields(e);
  const base = { requestId: f.requestId, httpStatus: f.httpStatus, action };
  const make = (kind: CloudErrorKind, code: string, hint: string, retryable: boolean): Classified => {
    const c: Classified = { kind, code, hint, retryable };
    if (base.requestId) c.requestId = base.requestId;
    if (base.httpStatus) c.httpStatus = base.httpStatus;
    if (action) c.action = action;
    return c;
  };
  const code = f.code;
  // No Alibaba answer at all: the network or a time-out.
  if (!f.httpStatus && isNetworkFailure(f)) {
    return make(
      'transient',
      code && NETWORK_CODES.test(code) ? code : 'NetworkError',
      'the cloud API could not be reached; it will be retried',
      true,
    );
  }
  const c = code ?? 'Unknown';
  if (AUTH_HINTS[c]) return make('auth', c, AUTH_HINTS[c], false);
  if (c.startsWith('InvalidAccessKeyId') || c.startsWith('InvalidSecurityToken'))
    return make('auth', c, 'the credentials were refused', false);
  // Resource Center answers a RAM denial with NoPermission too: that is not an AssumeRole trust problem.
  if (ROLE_HINTS[c] && !action?.startsWith('ResourceCenter:')) return make('permission', c, ROLE_HINTS[c], false);
  if (c.startsWith('Forbidden.') && c.endsWith('NotFound')) return make('not-found', c, notFoundHint(c), false); // KMS: Forbidden.KeyNotFound
  if (
    c === 'Forbidden.RAM' ||
    c === 'Forbidden' ||
    c.startsWith('Forbidden.') ||
    c === 'NoPermission' ||
    c.startsWith('NoPermission') ||
    c === 'Forbbiden.RAM' ||
    c === 'RAM.PERMISSION.DENIED' // Quota Center's own RAM check
  ) {
    const act = f.authAction ?? ramAction(action);
    const denied = make(
      'permission',
      c,
      act ? `the credential lacks the RAM permission ${act}` : 'the credential lacks a RAM permission',
      false,
    );
    if (act) denied.deniedAction = act;
    return denied;
  }
  if (c.startsWith('ServiceNotEnabled') || c.startsWith('ServiceNotOpen')) {
    const rc = !action || action.startsWith('ResourceCenter:');
    return make(
      'permission',
      c,
      rc
        ? 'Resource Center is not enabled for this account; enable it in the Resource Center console'
        : 'the cloud service is not activated for this account',
      false,
    );
  }
  if (c.includes('Throttling') || c === 'Throttled') {
    const t = make('throttled', c, 'the cloud API rate limit was hit; slow down', true);
    if (f.retryAfterMs !== undefined) t.retryAfterMs = f.retryAfterMs;
    return t;
  }
  if (
    c.startsWith('QuotaExceed') ||
    c.startsWith('QuotaExceeded') ||
    c === 'AuthorizationLimitExceed' ||
    c.endsWith('.QuotaExceeded') ||
    c.startsWith('FrequentPurchase')
  ) {
    return make('quota', c, quotaHint(c), false);
  }
  if (c === 'OperationDenied.NoStock' || c === 'Zone.NotOnSale' || c.startsWith('OperationDenied.NoStock')) {
    return make('quota', c, 'the instance type is sold out in this zone; pick another zone or type', false);
  }
  if (
    c === 'InvalidAccountStatus.NotEnoughBalance' ||
    c.startsWith('InvalidAccountStatus') ||
    c === 'InsufficientBalance'
  ) {
    return make('invalid', c, 'the Alibaba Cloud account has an overdue payment or not enough balance', false);
  }
  if (BUSY.has(c) || c.startsWith('DependencyViolation') || c.endsWith('.Processing')) {
    return make('conflict', c, busyHint(c), true);
  }
  if (c === 'IdempotentParameterMismatch')
    return make('conflict', c, 'the same ClientToken was used with other parameters', false);
  if (
    c.endsWith('AlreadyExist') ||
    c.endsWith('AlreadyExists') ||
    c.includes('Already') ||
    c.includes('Duplicate') ||
    c.includes('Overlapped') ||
    c.includes('Conflict')
  ) {
    return make('conflict', c, `the cloud refused a duplicate or overlapping request (${c})`, false);
  }
  if (c.startsWith('InvalidAction') || c === 'InvalidVersion' || c.startsWith('UnsupportedOperation')) {
    return make('invalid', c, `the cloud API does not support this call here (${c})`, false);
  }
  if (
    c.endsWith('.NotFound') ||
    c.endsWith('NotFound') ||
    c.endsWith('.NOT.FOUND') ||
    c === 'InvalidRegionId' ||
    c === 'EntityNotExist'
  ) {
    return make('not-found', c, notFoundHint(c), false);
  }
  const s = f.httpStatus ?? 0;
  if (
    s >= 500 ||
    c === 'ServiceUnavailable' ||
    c === 'InternalError' ||
    c.startsWith('InternalError') ||
    c === 'UnknownError' ||
    c === 'ServiceUnavailable.Timeout'
  ) {
    return make('transient', c, 'the cloud had a temporary failure; it will be retried', true);
  }
  return make(
    'invalid',
    c,
    `the cloud rejected the request (${c})${f.message ? `: ${scrubMessage(f.message)}` : ''}`,
    false,
  );
}

function quotaHint(c: string): string {
  if (c.includes('Vpc'))
    return 'the VPC quota of this region is used up (10 by default); delete a VPC or ask for a higher quota';
  if (c.includes('VSwitch')) return 'the VSwitch quota of this VPC is used up';
  if (c.includes('Eip')) return 'the EIP quota or the EIP bandwidth limit (200 Mbit/s pay-by-traffic) was reached';
  if (c.includes('KeyPair')) return 'the key pair quota of this region (500) is used up';
  if (c.includes('SecurityGroup') || c === 'AuthorizationLimitExceed')
    return 'the security group quota or its rule limit is used up';
  if (c.includes('Route') || c === 'QuotaExceeded')
    return 'a quota is used up (e.g. the route table is full: 48 or 200 custom entries)';
  return `a quota is used up (${c})`;
}

function busyHint(c: string): string {
  if (c.startsWith('DependencyViolation'))
    return `the resource still has dependent resources (${c}); retried after they are gone`;
  if (c === 'TaskConflict' || c === 'IncorrectRouteEntryStatus')
    return 'another route change in this VPC is still running; retried';
  if (c === 'IncorrectVSwitchStatus') return 'another VSwitch operation in this VPC is still running; retried';
  if (c === 'LastTokenProcessing' || c === 'IdempotentProcessing')
    return 'the same request is still being processed; retried';
  return `the resource is busy (${c}); retried`;
}

function notFoundHint(c: string): string {
  const what: Record<string, string> = {
    InvalidRegionId: 'the region id is not valid for this account',
    'InvalidVpcId.NotFound': 'the VPC does not exist in this region',
    'InvalidVSwitchId.NotFound': 'the VSwitch does not exist in this region',
    'InvalidSecurityGroupId.NotFound': 'the security group does not exist in this region',
    'InvalidInstanceId.NotFound': 'the instance does not exist in this region',
    'InvalidImageId.NotFound': 'the image does not exist in this region',
    'InvalidKeyPairName.NotFound': 'the key pair does not exist in this region',
    'InvalidAllocationId.NotFound': 'the EIP does not exist in this region',
    'InvalidZoneId.NotFound': 'the zone does not exist in this region',
    'EntityNotExist.Role': 'the RAM role does not exist',
    'Forbidden.KeyNotFound': 'the KMS key does not exist in this region',
    'Forbidden.AliasNotFound': 'the KMS key alias does not exist in this region',
  };
  return what[c] ?? `the resource does not exist (${c})`;
}

/** Cloud messages never carry our secrets, but may echo parameters: keep them short. */
function scrubMessage(m: string): string {
  const s = m.replace(/^code: \d+, /, '').replace(/ request id: [\w-]+$/, '');
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** Turns a classification into the product's AppError (docs/API.md §1 Errors). */
export function toCloudAppError(c: Classified, cause?: unknown): AppError {
  const cloud: CloudErrorDetail = { code: c.code, hint: c.hint, kind: c.kind, retryable: c.retryable };
  if (c.requestId) cloud.requestId = c.requestId;
  if (c.httpStatus) cloud.httpStatus = c.httpStatus;
  if (c.action) cloud.action = c.action;
  if (c.deniedAction) cloud.deniedAction = c.deniedAction;
  const opts = { cloud, retryable: c.retryable, cause: stripCause(cause) };
  if (c.kind === 'throttled')
    return new AppError('RateLimited', `Alibaba Cloud throttled the request: ${c.hint}`, opts);
  if (c.kind === 'transient' || (c.kind === 'conflict' && c.retryable)) {
    return new AppError('CloudUnavailable', `Alibaba Cloud failed after retries (${c.code}): ${c.hint}`, opts);
  }
  return new AppError('CloudRejected', `Alibaba Cloud refused the request (${c.code}): ${c.hint}`, opts);
}

/** Keeps the cause for debugging without SDK internals that could hold signed requests. */
function stripCause(e: unknown): unknown {
  if (e === undefined) return undefined;
  const f = rawFields(e);
  return { name: f.name, code: f.code, requestId: f.requestId, httpStatus: f.httpStatus };
}

/** The classification stored on an AppError produced by this layer, if any. */
export function cloudErrorOf(e: unknown): CloudErrorDetail | undefined {
  if (!isAppError(e) || !e.cloud) return undefined;
  const c = e.cloud as Partial<CloudErrorDetail>;
  return c.kind ? (c as CloudErrorDetail) : undefined;
}

/** True when the cloud answered `DryRunOperation`: a DryRun request that would have succeeded. */
export function isDryRunOk(e: unknown): boolean {
  return rawFields(e).code === 'DryRunOperation';
}

/** `isCloudKind(e, 'not-found')`: e.g. a delete that finds the resource already gone is done. */
export function isCloudKind(e: unknown, kind: CloudErrorKind): boolean {
  return cloudErrorOf(e)?.kind === kind;
}
