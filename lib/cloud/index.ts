/**
 * The cloud client layer: per-account clients (AccessKey or AssumeRole) for ECS, VPC, Resource
 * Center, STS and KMS, one error classification and one retry policy. Importing this costs
 * nothing heavy: the SDKs load on the first call.
 */
export type * from './types';
export { createCloudFactory, checkCredential, type CloudFactoryOptions, type CloudFactoryInternals } from './factory';
export {
  classify,
  toCloudAppError,
  cloudErrorOf,
  isCloudKind,
  ramAction,
  type CloudErrorKind,
  type Classified,
  type CloudErrorDetail,
} from './errors';
export { withRetry, backoffMs, DEFAULT_RETRY_POLICY, type RetryPolicy, type RetryDeps } from './retry';
export { resolveEndpoint, alibabaEndpoint, assertRegionId, type Product, type Endpoint } from './endpoints';
export { REFRESH_BEFORE_MS } from './credentials';
export { clientToken } from './client-token';
