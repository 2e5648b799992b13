/**
 * The sandbox admin API (`/__sandbox/*`, docs/API.md §3): accounts, limited keys, roles, faults,
 * rate limits, latency, the clock, Resource Center toggle, the resource dump, and the routes
 * the cloud state owns (stock, command outcomes). No signature, so it trusts only this
 * machine, and not every page a browser on it opens: the socket must be loopback, the `Host`
 * a loopback name (no DNS rebinding), any `Origin` a loopback origin, and every POST/PUT a JSON
 * body (a cross-site form or `text/plain` post cannot be one without a CORS preflight, which the
 * sandbox never grants). Who is asking is checked before the body is read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clockInput, updateLatency, updateRateLimits } from './admin-load';
import type { NewRoleOptions, SandboxCore } from './openapi/core';
import { newFault } from './openapi/faults';
import { rateLimitsOf } from './openapi/load';
import { AdminError } from './openapi/types';

function json(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i;
const LOOPBACK_ORIGIN = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i;
const CODES: Record<number, string> = {
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
};

/** Whether a socket address is this machine (the admin API refuses anything else). */
export const isLoopback = (addr: string | undefined) => addr !== undefined && LOOPBACK.has(addr);

/** Why this request may not use the admin API, from its socket and headers; undefined = it may. */
function refusal(req: IncomingMessage): AdminError | undefined {
  if (!isLoopback(req.socket.remoteAddress)) return new AdminError(403, 'the sandbox admin API is loopback only');
  if (!LOOPBACK_HOST.test(req.headers.host ?? ''))
    return new AdminError(403, 'the sandbox admin API answers only to a loopback Host (127.0.0.1, localhost, [::1])');
  const origin = req.headers.origin;
  if (origin !== undefined && !LOOPBACK_ORIGIN.test(origin))
    return new AdminError(403, `the sandbox admin API does not answer pages from ${origin}`);
  const method = req.method ?? 'GET';
  if ((method === 'POST' || method === 'PUT') && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
    return new AdminError(415, `${method} needs content-type: application/json`);
  return undefined;
}

function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const v = JSON.parse(body.toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new AdminError(400, 'body must be a JSON object');
}

/** Serves one admin request; `readBody` is called only once the caller passed the checks. */
export async function handleAdmin(
  core: SandboxCore,
  req: IncomingMessage,
  res: ServerResponse,
  readBody: () => Promise<Buffer>,
): Promise<void> {
  try {
    const refused = refusal(req);
    if (refused) {
      res.shouldKeepAlive = false; // the body, if any, is never read
      throw refused;
    }
    const body = await readBody();
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname.replace(/\/+$/, '');
    const input = method === 'GET' || method === 'DELETE' ? (body.length ? parseBody(body) : {}) : parseBody(body);

    if (path === '/__sandbox/health' && method === 'GET') return json(res, 200, { ok: true });
    if (path === '/__sandbox/clock' && (method === 'GET' || method === 'POST')) {
      const c = clockInput(method === 'POST' ? input : {});
      if (c.frozen !== undefined) core.clock.freeze(c.frozen);
      if (c.advanceSeconds) core.clock.advance(c.advanceSeconds);
      if (method === 'POST') core.changed();
      return json(res, 200, core.clock.view());
    }
    if (path === '/__sandbox/accounts' && method === 'POST') {
      return json(res, 201, core.createAccount(input as { regions?: string[]; quotas?: Record<string, number> }));
    }
    if (path === '/__sandbox/accounts' && method === 'GET') {
      // Never a key: the secrets were shown once, by POST.
      const items = Object.values(core.state.accounts)
        .map(({ account: a, roles }) => ({
          accountId: a.accountId,
          regions: a.regions,
          createdAtMs: a.createdAtMs,
          resourceCenterEnabled: a.resourceCenterEnabled,
          roles: Object.keys(roles).sort(),
        }))
        .sort((a, b) => a.createdAtMs - b.createdAtMs || a.accountId.localeCompare(b.accountId));
      return json(res, 200, { items });
    }
    const m = /^\/__sandbox\/accounts\/(\d+)(?:\/([a-z-]+)(?:\/([^/]+))?)?$/.exec(path);
    if (!m) throw new AdminError(404, `no admin route ${method} ${path}`);
    const accountId = m[1]!;
    const sub = m[2];
    const item = m[3];
    const rec = core.account(accountId);
    const now = core.now();

    if (item !== undefined) {
      if (sub === 'roles' && method === 'PUT') {
        let name: string;
        try {
          name = decodeURIComponent(item);
        } catch {
          throw new AdminError(400, 'the role name in the path is not valid percent-encoding');
        }
        return json(res, 200, core.putRole(accountId, { ...(input as Partial<NewRoleOptions>), name }));
      }
      throw new AdminError(404, `no admin route ${method} ${path}`);
    }

    switch (`${method} ${sub ?? ''}`) {
      case 'GET ':
        return json(res, 200, {
          accountId,
          regions: rec.account.regions,
          quotas: rec.account.quotas,
          resourceCenterEnabled: rec.account.resourceCenterEnabled,
          balanceEnough: !rec.account.balanceInsufficient,
          roles: Object.values(rec.roles).map((r) => ({ ...r, arn: `acs:ram::${accountId}:role/${r.name}` })),
          faults: rec.faults,
          rateLimitPerSecond: rec.rateLimitPerSecond ?? 0,
          apiRateLimits: rateLimitsOf(rec),
          latency: rec.latency ?? { ms: 0 },
          kmsAliases: rec.kms.aliases,
        });
      case 'POST access-keys': {
        const allow = input.allow ?? ['*'];
        const userName = input.userName === undefined ? undefined : String(input.userName);
        return json(res, 201, core.createLimitedKey(accountId, allow as string[], userName));
      }
      case 'POST roles':
        return json(res, 201, core.createRole(accountId, input as unknown as NewRoleOptions));
      case 'POST faults': {
        const f = newFault(input, now);
        rec.faults.push(f);
        core.changed();
        return json(res, 201, f);
      }
      case 'GET faults':
        return json(res, 200, { faults: rec.faults });
      case 'DELETE faults': {
        const n = rec.faults.length;
        rec.faults = [];
        core.changed();
        return json(res, 200, { cleared: n });
      }
      case 'GET resources':
        return json(res, 200, core.opts.cloud ? core.opts.cloud.listResources(rec.account, now, core.timeScale) : {});
      case 'POST resource-center': {
        if (typeof input.enabled !== 'boolean') throw new AdminError(400, 'enabled must be a boolean');
        rec.account.resourceCenterEnabled = input.enabled;
        core.changed();
        return json(res, 200, { enabled: input.enabled });
      }
      case 'POST balance': {
        if (typeof input.enough !== 'boolean') throw new AdminError(400, 'enough must be a boolean');
        if (input.enough) delete rec.account.balanceInsufficient;
        else rec.account.balanceInsufficient = true;
        core.changed();
        return json(res, 200, { enough: input.enough });
      }
      case 'POST rate-limit': {
        const perSecond = input.perSecond;
        if (typeof perSecond !== 'number' || perSecond < 0)
          throw new AdminError(400, 'perSecond must be a number >= 0 (0 = unlimited)');
        rec.rateLimitPerSecond = perSecond;
        core.changed();
        return json(res, 200, { perSecond });
      }
      case 'POST quotas': {
        const q = input as Record<string, unknown>;
        for (const [k, v] of Object.entries(q)) {
          // Own quota names only: `constructor` and `toString` are on every object's prototype.
          if (!Object.hasOwn(rec.account.quotas, k)) throw new AdminError(400, `unknown quota ${k}`);
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
            throw new AdminError(400, `quotas.${k} must be a non-negative integer`);
        }
        Object.assign(rec.account.quotas, q);
        core.changed();
        return json(res, 200, rec.account.quotas);
      }
      case 'GET rate-limits':
        return json(res, 200, rateLimitsOf(rec));
      case 'POST rate-limits': {
        const limits = updateRateLimits(rec, input);
        core.changed();
        return json(res, 200, limits);
      }
      case 'GET latency':
        return json(res, 200, rec.latency ?? { ms: 0 });
      case 'POST latency': {
        const latency = updateLatency(rec, input);
        core.changed();
        return json(res, 200, latency);
      }
      default: {
        const route = sub ? core.opts.cloud?.admin?.[sub] : undefined;
        if (!route || (method !== 'GET' && method !== 'POST' && method !== 'DELETE'))
          throw new AdminError(404, `no admin route ${method} ${path}`);
        const out = route(rec.account, method, input, { now, timeScale: core.timeScale, seed: core.opts.seed });
        if (method !== 'GET') core.changed();
        return json(res, 200, out);
      }
    }
  } catch (e) {
    if (e instanceof AdminError)
      return json(res, e.status, { error: { code: CODES[e.status] ?? 'ValidationFailed', message: e.message } });
    console.error('[sandbox] admin error', e);
    return json(res, 500, { error: { code: 'Internal', message: 'internal error' } });
  }
}
