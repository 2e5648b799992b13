/**
 * ClientToken idempotency as ECS and VPC document it: the same token with the same parameters
 * returns the first result (same ids); the same token with other parameters fails with
 * `IdempotentParameterMismatch`. DryRun requests are never recorded.
 */
import { createHash } from 'node:crypto';
import type { OpContext } from '../openapi/types';
import { apiError } from './errors';
import { isDryRun } from './context';
import { opt } from './params';
import { stateOf } from './state';

/** Signature and transport parameters (V1) that are not part of "the request". */
const COMMON = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'SecurityToken',
  'ClientToken',
  'RequestId',
  'callback',
]);

const MAX_TOKENS = 10_000;

export function paramsHash(params: Record<string, string>): string {
  const entries = Object.entries(params)
    .filter(([k]) => !COMMON.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

/** Runs `create` at most once per (action, ClientToken). */
export function idempotent(ctx: OpContext, create: () => Record<string, unknown>): Record<string, unknown> {
  const token = opt(ctx.params, 'ClientToken');
  if (token === undefined || isDryRun(ctx)) return create();
  if (token.length > 64 || !/^[\x20-\x7e]+$/.test(token)) {
    throw apiError('InvalidClientToken.ValueNotSupported', 400, 'The ClientToken provided is invalid.');
  }
  const s = stateOf(ctx.account);
  const key = `${ctx.action}:${token}`;
  const hash = paramsHash(ctx.params);
  const prior = s.tokens[key];
  if (prior) {
    if (prior.hash !== hash) {
      throw apiError(
        'IdempotentParameterMismatch',
        400,
        'The specified parameters are different from before with the same ClientToken.',
      );
    }
    return structuredClone(prior.result);
  }
  const result = create();
  s.tokens[key] = { action: ctx.action, hash, result: structuredClone(result), atMs: ctx.now() };
  const keys = Object.keys(s.tokens);
  if (keys.length > MAX_TOKENS) {
    keys
      .sort((a, b) => s.tokens[a]!.atMs - s.tokens[b]!.atMs)
      .slice(0, keys.length - MAX_TOKENS)
      .forEach((k) => {
        delete s.tokens[k];
      });
  }
  return result;
}
