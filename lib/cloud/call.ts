/**
 * One cloud call = retry policy + classification + DryRun handling + one STS refresh on an
 * expired token. Every wrapper in ecs/vpc/sts/resource-center/kms goes through `callCloud`.
 */
import { withRetry, type RetryDeps, type RetryPolicy } from './retry';
import { isDryRunOk } from './errors';
import type { Transport } from './transport';
import type { Product } from './endpoints';
import type { DryRunResult } from './types';

/** Upper bound on pages one listing walks: a guard against a cloud that never stops paging. */
export const MAX_PAGES = 1000;

export interface CallCtx {
  transport: Transport;
  policy: RetryPolicy;
  deps: RetryDeps;
}

export const DRY_RUN_OK: DryRunResult = Object.freeze({ wouldSucceed: true as const });

function codeOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? ((e as { code?: unknown }).code as string | undefined) : undefined;
}

/**
 * Runs `fn` under the retry policy. With `dryRun`, the cloud's `DryRunOperation` answer becomes
 * `{wouldSucceed: true}`. `fn` is called again unchanged on retry, so its ClientToken is reused.
 */
export async function callCloud<T>(
  ctx: CallCtx,
  action: string,
  fn: () => Promise<T>,
  opts: { dryRun?: boolean } = {},
): Promise<T> {
  let refreshed = false;
  const once = async (): Promise<T> => {
    try {
      const r = await fn();
      if (opts.dryRun) {
        ctx.deps.log?.warn('cloud call with DryRun answered without DryRunOperation', { action });
        return DRY_RUN_OK as T;
      }
      return r;
    } catch (e) {
      if (opts.dryRun && isDryRunOk(e)) return DRY_RUN_OK as T;
      if (codeOf(e) === 'InvalidSecurityToken.Expired' && ctx.transport.credentials.invalidate && !refreshed) {
        refreshed = true;
        ctx.transport.credentials.invalidate();
        return once();
      }
      throw e;
    }
  };
  return withRetry(action, () => once(), ctx.policy, ctx.deps);
}

/** A generic RPC call (VPC, ResourceCenter, STS, KMS) with `DryRun` sent only when asked. */
export function rpcCall(
  ctx: CallCtx,
  product: Exclude<Product, 'Ecs'>,
  action: string,
  params: Record<string, string | number | boolean | undefined>,
  opts: { dryRun?: boolean } = {},
): Promise<Record<string, unknown>> {
  const p = opts.dryRun ? { ...params, DryRun: true } : params;
  return callCloud(ctx, `${product}:${action}`, () => ctx.transport.rpc(product, action, p), opts);
}

// Small readers for raw PascalCase JSON bodies: Alibaba omits empty fields and wraps lists.
export const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
export const num = (v: unknown): number =>
  typeof v === 'number' ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : 0;
export const bool = (v: unknown): boolean => v === true || v === 'true';
export const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
/** `list(body, 'Vpcs', 'Vpc')` → body.Vpcs.Vpc as an array (also when Alibaba sends one object). */
export function list(v: unknown, ...path: string[]): Record<string, unknown>[] {
  let cur: unknown = v;
  for (const k of path) cur = obj(cur)[k];
  if (Array.isArray(cur)) return cur.map(obj);
  return cur && typeof cur === 'object' ? [obj(cur)] : [];
}
export function strings(v: unknown, ...path: string[]): string[] {
  let cur: unknown = v;
  for (const k of path) cur = obj(cur)[k];
  return Array.isArray(cur) ? cur.map(str).filter(Boolean) : typeof cur === 'string' && cur ? [cur] : [];
}
/** Optional string: only set when non-empty. */
export const optStr = (v: unknown): string | undefined => (str(v) === '' ? undefined : str(v));

/** Splits `items` into chunks of `size` (ids per Describe call). */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
