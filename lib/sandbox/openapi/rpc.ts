/**
 * The OpenAPI RPC front door: picks the product by API version and the operation by action,
 * authenticates the signature, applies the per-key and per-API rate limits, RAM permissions,
 * the account's latency and injected faults, runs the operation and renders Alibaba's JSON body (or error envelope).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { authenticate, type IncomingRpc, NonceCache } from './auth';
import type { SandboxCore } from './core';
import { errorBody, Errors } from './errors';
import { applyFaults, RateLimiter } from './faults';
import { ApiRateLimiter, latencyOf } from './load';
import { authorize } from './permissions';
import { SandboxApiError, type OpContext } from './types';

/** Signing and envelope parameters, not passed to operations. */
const ENVELOPE = new Set([
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'AccessKeyId',
  'SecurityToken',
  'Timestamp',
  'Format',
  'Action',
  'Version',
]);

const isApiError = (e: unknown): e is SandboxApiError =>
  e instanceof SandboxApiError ||
  (typeof e === 'object' &&
    e !== null &&
    typeof (e as SandboxApiError).code === 'string' &&
    typeof (e as SandboxApiError).httpStatus === 'number');

/** Read-only by Alibaba's naming; anything else may change state and is persisted. */
export const isMutating = (action: string) => !/^(Describe|Get|List|Search|Query|Check)/.test(action);

function toRecord(sp: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of sp) out[k] = v;
  return out;
}

function send(
  res: ServerResponse,
  status: number,
  requestId: string,
  body: Record<string, unknown>,
  extra: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...extra,
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-acs-request-id': requestId,
  });
  res.end(text);
}

export class RpcFrontDoor {
  readonly nonces = new NonceCache();
  readonly limiter = new RateLimiter();
  readonly apiLimiter = new ApiRateLimiter();

  constructor(private readonly core: SandboxCore) {}

  async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    let product: string | undefined;
    try {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
      const form = (headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')
        ? toRecord(new URLSearchParams(body.toString('utf8')))
        : {};
      const rpc: IncomingRpc = {
        method: req.method ?? 'POST',
        pathname: url.pathname,
        query: toRecord(url.searchParams),
        form,
        headers,
        body,
      };
      const params = { ...form, ...rpc.query };
      const v3 = (headers.authorization ?? '').startsWith('ACS3-');
      const version =
        (v3 ? (headers['x-acs-version'] ?? params.Version) : (params.Version ?? headers['x-acs-version'])) ?? '';
      const action =
        (v3 ? (headers['x-acs-action'] ?? params.Action) : (params.Action ?? headers['x-acs-action'])) ?? '';
      if (!version) throw Errors.missingParameter('Version');
      if (!action) throw Errors.missingParameter('Action');
      const mod = this.core.products.get(version);
      if (!mod) throw Errors.versionNotFound(version);
      product = mod.product;
      const op = Object.hasOwn(mod.ops, action) ? mod.ops[action] : undefined;
      if (!op) throw Errors.actionNotFound();

      const now = this.core.now();
      const realNow = this.core.clock.real();
      const { key, caller } = authenticate(rpc, (id) => this.core.state.keys[id], this.nonces, now, realNow);
      const rec = this.core.state.accounts[key.accountId];
      if (!rec) throw Errors.accessKeyNotFound();
      this.limiter.take(key.accessKeyId, rec.rateLimitPerSecond, realNow);
      this.apiLimiter.take(rec, (params.RegionId ?? '').slice(0, 64), action, now, this.core.timeScale);
      authorize(key, mod.product, action);
      const latency = latencyOf(rec, action);
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      if (await applyFaults(rec, action)) this.core.changed();

      const opParams: Record<string, string> = {};
      for (const [k, v] of Object.entries(params)) if (!ENVELOPE.has(k)) opParams[k] = v;
      const ctx: OpContext = {
        account: rec.account,
        caller,
        product: mod.product,
        version,
        action,
        params: opParams,
        requestId,
        now: this.core.now,
        timeScale: this.core.timeScale,
        seed: this.core.opts.seed,
      };
      const mutating = mod.mutating ? mod.mutating(action) : isMutating(action);
      let result: Record<string, unknown>;
      try {
        result = await op(ctx);
      } finally {
        // also after a failure: an operation may have recorded state (a ClientToken, a conflict) before refusing
        if (mutating) this.core.changed();
      }
      if (await applyFaults(rec, action, Math.random, 'after')) this.core.changed();
      send(res, 200, requestId, { RequestId: requestId, ...result });
    } catch (e) {
      if (isApiError(e)) {
        send(
          res,
          e.httpStatus,
          requestId,
          errorBody(e, requestId, product),
          (e as { headers?: Record<string, string> }).headers,
        );
        return;
      }
      console.error(`[sandbox] ${requestId} internal error`, e);
      send(res, 500, requestId, errorBody(Errors.internal(), requestId, product));
    }
  }
}
