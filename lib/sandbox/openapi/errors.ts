/**
 * Alibaba's gateway error envelope and the front door's own error codes, with the messages
 * the real gateway uses, so callers that match on `Code` (and people searching for messages)
 * see the same thing as on Alibaba Cloud.
 */
import { SandboxApiError } from './types';

/** `ecs.aliyuncs.com`-style HostId of a product's public endpoint. */
export function hostIdOf(product: string | undefined): string {
  switch (product) {
    case 'Ecs':
      return 'ecs.aliyuncs.com';
    case 'Vpc':
      return 'vpc.aliyuncs.com';
    case 'ResourceCenter':
      return 'resourcecenter.aliyuncs.com';
    case 'Sts':
      return 'sts.aliyuncs.com';
    case 'Kms':
      return 'kms.aliyuncs.com';
    case 'Quotas':
      return 'quotas.aliyuncs.com';
    default:
      return 'aliyuncs.com';
  }
}

/** The JSON body of an error response: `{RequestId, HostId, Code, Message, Recommend}` (+ extras like AccessDeniedDetail). */
export function errorBody(
  err: SandboxApiError,
  requestId: string,
  product: string | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    RequestId: requestId,
    HostId: hostIdOf(product),
    Code: err.code,
    Message: err.message,
    Recommend:
      err.recommend ??
      `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=${product ?? ''}&requestId=${requestId}`,
  };
  const extra = (err as SandboxApiError & { extra?: Record<string, unknown> }).extra;
  if (extra) Object.assign(body, extra);
  return body;
}

/** A SandboxApiError carrying extra body fields (e.g. `AccessDeniedDetail`). */
export function apiError(
  code: string,
  httpStatus: number,
  message: string,
  extra?: Record<string, unknown>,
): SandboxApiError {
  const e = new SandboxApiError(code, httpStatus, message);
  if (extra) (e as SandboxApiError & { extra?: Record<string, unknown> }).extra = extra;
  return e;
}

export const Errors = {
  accessKeyNotFound: () => apiError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.'),
  signatureMismatch: (detail = '') =>
    apiError('SignatureDoesNotMatch', 400, `Specified signature is not matched with our calculation.${detail}`),
  nonceUsed: () => apiError('SignatureNonceUsed', 400, 'Specified signature nonce was used already.'),
  timestampExpired: (_ts: string) =>
    apiError('InvalidTimeStamp.Expired', 400, 'Specified time stamp or date value is expired.'),
  timestampFormat: () =>
    apiError('InvalidTimeStamp.Format', 400, 'Specified time stamp or date value is not well formatted.'),
  missingParameter: (name: string) =>
    apiError(
      'MissingParameter',
      400,
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    ),
  invalidParameter: (name: string, code = `InvalidParameter`) =>
    apiError(code, 400, `The specified parameter "${name}" is not valid.`),
  tokenExpired: () => apiError('InvalidSecurityToken.Expired', 400, 'Specified SecurityToken is expired.'),
  tokenMissing: () => apiError('MissingSecurityToken', 400, 'SecurityToken is mandatory for this action.'),
  tokenMismatch: () =>
    apiError('InvalidSecurityToken.MismatchWithAccessKey', 400, 'Specified SecurityToken mismatch with the AccessKey.'),
  tokenMalformed: () => apiError('InvalidSecurityToken.Malformed', 400, 'Specified SecurityToken is malformed.'),
  actionNotFound: () =>
    apiError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.'),
  versionNotFound: (_v: string) => apiError('InvalidVersion', 400, 'Specified parameter Version is not valid.'),
  signatureMethod: () => apiError('InvalidSignatureMethod', 400, 'Specified signature method is not supported.'),
  throttlingUser: () => apiError('Throttling.User', 400, 'Request was denied due to user flow control.'),
  internal: () =>
    apiError(
      'InternalError',
      500,
      'The request processing has failed due to some unknown error, exception or failure.',
    ),
};
