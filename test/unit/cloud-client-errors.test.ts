import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classify, cloudErrorOf, isCloudError, isCloudKind, toCloudAppError } from '../../lib/cloud/errors';
import { errorBody } from '../../lib/core/errors';

/** The shape @alicloud/openapi-core throws (ClientError/ServerError/ThrottlingError). */
function sdkError(code: string, statusCode: number, extra: Record<string, unknown> = {}) {
  const name = code.includes('Throttling') ? 'ThrottlingError' : statusCode >= 500 ? 'ServerError' : 'ClientError';
  return Object.assign(new Error(`code: ${statusCode}, some message request id: REQ-${code}`), {
    name,
    code,
    statusCode,
    requestId: `REQ-${code}`,
    data: { Code: code, RequestId: `REQ-${code}`, Message: 'some message', ...(extra.data as object) },
    ...extra,
  });
}

const cases: [string, number, string, boolean, RegExp][] = [
  ['InvalidAccessKeyId.NotFound', 404, 'auth', false, /AccessKey ID does not exist/],
  ['SignatureDoesNotMatch', 400, 'auth', false, /secret is wrong/],
  ['InvalidSecurityToken.Expired', 400, 'auth', false, /expired/],
  ['InvalidTimeStamp.Expired', 400, 'auth', false, /clock/],
  ['QuotaExceeded.Vpc', 400, 'quota', false, /VPC quota/],
  ['QuotaExceed.KeyPair', 400, 'quota', false, /key pair quota/],
  ['OperationDenied.NoStock', 400, 'quota', false, /sold out/],
  ['Throttling.User', 400, 'throttled', true, /rate limit/],
  ['Throttling', 400, 'throttled', true, /rate limit/],
  ['ServiceUnavailable', 503, 'transient', true, /temporary/],
  ['InternalError', 500, 'transient', true, /temporary/],
  ['TaskConflict', 400, 'conflict', true, /route change/],
  ['IncorrectVSwitchStatus', 400, 'conflict', true, /VSwitch/],
  ['IncorrectRouteEntryStatus', 400, 'conflict', true, /route change/],
  ['LastTokenProcessing', 400, 'conflict', true, /still being processed/],
  ['OperationConflict', 409, 'conflict', true, /busy/],
  ['DependencyViolation.RouteEntry', 400, 'conflict', true, /dependent/],
  ['DependencyViolation', 400, 'conflict', true, /dependent/],
  ['IdempotentParameterMismatch', 400, 'conflict', false, /ClientToken/],
  ['KeyPair.AlreadyExist', 400, 'conflict', false, /duplicate/],
  ['InvalidVpcId.NotFound', 404, 'not-found', false, /VPC does not exist/],
  ['InvalidInstanceId.NotFound', 404, 'not-found', false, /instance does not exist/],
  ['ServiceNotEnabled', 400, 'permission', false, /Resource Center is not enabled/],
  ['NoPermission', 403, 'permission', false, /trust policy/],
  ['Forbidden.KeyNotFound', 404, 'not-found', false, /KMS key does not exist/],
  ['InvalidParameter', 400, 'invalid', false, /rejected the request \(InvalidParameter\)/],
];

for (const [code, status, kind, retryable, hint] of cases) {
  test(`${code} → ${kind}${retryable ? ' (retryable)' : ''}`, () => {
    const c = classify(
      sdkError(code, status),
      code === 'ServiceNotEnabled' ? 'ResourceCenter:SearchResources' : 'Vpc:CreateVpc',
    );
    assert.is(c.kind, kind);
    assert.is(c.code, code);
    assert.is(c.retryable, retryable);
    assert.is(c.requestId, `REQ-${code}`);
    assert.is(c.httpStatus, status);
    assert.match(c.hint, hint);
  });
}

test('Forbidden.RAM names the missing action from AccessDeniedDetail, else from the call', () => {
  const withDetail = sdkError('Forbidden.RAM', 403, { accessDeniedDetail: { AuthAction: 'ecs:RunInstances' } });
  const c = classify(withDetail, 'Ecs:RunInstances');
  assert.is(c.kind, 'permission');
  assert.is(c.retryable, false);
  assert.match(c.hint, 'ecs:RunInstances');
  const bare = classify(sdkError('Forbidden.RAM', 403), 'Vpc:DescribeVpcs');
  assert.match(bare.hint, 'vpc:DescribeVpcs');
  // The denied action is a field (callers never parse the hint), and it survives into AppError.cloud.
  const other = classify(
    sdkError('Forbidden.RAM', 403, { accessDeniedDetail: { AuthAction: 'ecs:DescribeInstanceStatus' } }),
    'Ecs:DescribeInstances',
  );
  assert.equal([other.deniedAction, bare.deniedAction], ['ecs:DescribeInstanceStatus', 'vpc:DescribeVpcs']);
  assert.is((toCloudAppError(other).cloud as { deniedAction?: string }).deniedAction, 'ecs:DescribeInstanceStatus');
  assert.is(classify(sdkError('InvalidAccessKeyId.NotFound', 404), 'Ecs:DescribeRegions').deniedAction, undefined);
});

test('a throttling answer keeps its retry-after', () => {
  const c = classify(sdkError('Throttling.User', 400, { retryAfter: 750 }));
  assert.is(c.kind, 'throttled');
  assert.is(c.retryAfterMs, 750);
  assert.is(classify(sdkError('Throttling.User', 400)).retryAfterMs, undefined);
});

test('network failures and time-outs are transient; programming errors are not cloud errors', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', errno: -111 });
  const c = classify(refused, 'Ecs:DescribeRegions');
  assert.is(c.kind, 'transient');
  assert.is(c.code, 'ECONNREFUSED');
  assert.ok(c.retryable);
  const timeout = Object.assign(new Error('ReadTimeout(15000)'), { name: 'ReadTimeoutError' });
  assert.is(classify(timeout).kind, 'transient');
  assert.ok(isCloudError(refused));
  assert.ok(isCloudError(sdkError('Forbidden.RAM', 403)));
  assert.not.ok(isCloudError(new TypeError('x is undefined')));
});

test('AppError mapping: 422 user-fixable, 429 throttled, 502 transient and busy-after-retries', () => {
  const auth = toCloudAppError(classify(sdkError('SignatureDoesNotMatch', 400), 'Sts:GetCallerIdentity'));
  assert.is(auth.code, 'CloudRejected');
  assert.is(auth.status, 422);
  assert.is(auth.retryable, false);
  assert.equal(
    { ...auth.cloud },
    {
      code: 'SignatureDoesNotMatch',
      hint: 'the AccessKey secret is wrong',
      kind: 'auth',
      retryable: false,
      requestId: 'REQ-SignatureDoesNotMatch',
      httpStatus: 400,
      action: 'Sts:GetCallerIdentity',
    },
  );
  assert.is(cloudErrorOf(auth)?.kind, 'auth');
  assert.ok(isCloudKind(auth, 'auth'));
  assert.not.ok(isCloudKind(auth, 'not-found'));
  assert.not.ok(isCloudKind(new Error('x'), 'auth'));
  const thr = toCloudAppError(classify(sdkError('Throttling.User', 400)));
  assert.is(thr.code, 'RateLimited');
  assert.is(thr.status, 429);
  assert.ok(thr.retryable);
  const un = toCloudAppError(classify(sdkError('ServiceUnavailable', 503)));
  assert.is(un.code, 'CloudUnavailable');
  assert.is(un.status, 502);
  const busy = toCloudAppError(classify(sdkError('TaskConflict', 400)));
  assert.is(busy.code, 'CloudUnavailable');
  assert.ok(busy.retryable);
  const body = errorBody(auth, 'R1');
  assert.equal(body.error.details, [
    {
      cloudCode: 'SignatureDoesNotMatch',
      cloudRequestId: 'REQ-SignatureDoesNotMatch',
      hint: 'the AccessKey secret is wrong',
    },
  ]);
});

test('a secret in the SDK error message is not in the AppError message, its cause or its cloud details', () => {
  const secret = 'Sup3rS3cretValue0123456789abcd';
  const e = sdkError('InvalidParameter', 400, { data: { Message: `bad value ${secret}`.slice(0, 12) } });
  (e as Error).message = `code: 400, contains ${secret} request id: X`;
  const app = toCloudAppError(classify(e), e);
  assert.not.match(app.message, secret);
  assert.not.match(JSON.stringify(app.cause), secret);
  assert.not.match(JSON.stringify(app.cloud), secret);
});

test.run();
