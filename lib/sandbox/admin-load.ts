/**
 * Admin inputs for load shaping and time: per-API rate limits, per-call latency, the clock.
 * Each validates hostile JSON into the stored shape or throws AdminError (400).
 */
import { DOCUMENTED_RATE_LIMITS, rateLimitsOf } from './openapi/load';
import type { AccountRecord, ApiRateLimit } from './openapi/state';
import { AdminError } from './openapi/types';

const ACTION = /^[A-Z][A-Za-z0-9]{1,63}$/;
const MAX_LATENCY_MS = 120_000;

/**
 * `{"SearchResources": {"limit": 20, "periodSeconds": 1}, "DescribeInstances": null}`: sets or
 * removes (`null`, or `limit: 0`) one rule per action; `{"reset": true}` restores the documented table.
 */
export function updateRateLimits(rec: AccountRecord, input: Record<string, unknown>): Record<string, ApiRateLimit> {
  if (input.reset === true) {
    delete rec.apiRateLimits;
    return rateLimitsOf(rec);
  }
  const next = rateLimitsOf(rec);
  for (const [action, v] of Object.entries(input)) {
    if (!ACTION.test(action)) throw new AdminError(400, `${action} is not an API action name`);
    if (v === null) {
      delete next[action];
      continue;
    }
    const r = v as Partial<ApiRateLimit> | undefined;
    const limit = r?.limit;
    const periodSeconds = r?.periodSeconds ?? 1;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > 1_000_000)
      throw new AdminError(400, `${action}.limit must be an integer 0..1000000 (0 = no limit)`);
    if (typeof periodSeconds !== 'number' || !(periodSeconds > 0) || periodSeconds > 86_400)
      throw new AdminError(400, `${action}.periodSeconds must be > 0 and at most 86400`);
    if (limit === 0) delete next[action];
    else next[action] = { limit, periodSeconds };
  }
  rec.apiRateLimits = next;
  return next;
}

/** `{"ms": 20, "byAction": {"SearchResources": 80}}`; `{"ms": 0}` without byAction turns it off. */
export function updateLatency(rec: AccountRecord, input: Record<string, unknown>) {
  const ms = input.ms ?? 0;
  const check = (v: unknown, name: string) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_LATENCY_MS)
      throw new AdminError(400, `${name} must be an integer 0..${MAX_LATENCY_MS} (real milliseconds)`);
    return v;
  };
  check(ms, 'ms');
  let byAction: Record<string, number> | undefined;
  if (input.byAction !== undefined) {
    if (!input.byAction || typeof input.byAction !== 'object' || Array.isArray(input.byAction))
      throw new AdminError(400, 'byAction must be an object of action → ms');
    byAction = {};
    for (const [action, v] of Object.entries(input.byAction as Record<string, unknown>)) {
      if (!ACTION.test(action)) throw new AdminError(400, `${action} is not an API action name`);
      byAction[action] = check(v, `byAction.${action}`);
    }
  }
  if (ms === 0 && !byAction) delete rec.latency;
  else rec.latency = { ms: ms as number, ...(byAction ? { byAction } : {}) };
  return rec.latency ?? { ms: 0 };
}

/** `{"advanceSeconds": 60}` (simulated seconds) and/or `{"frozen": true|false}`. */
export function clockInput(input: Record<string, unknown>): { advanceSeconds?: number; frozen?: boolean } {
  const out: { advanceSeconds?: number; frozen?: boolean } = {};
  if (input.advanceSeconds !== undefined) {
    const a = input.advanceSeconds;
    if (typeof a !== 'number' || !Number.isFinite(a) || a < 0 || a > 365 * 86_400)
      throw new AdminError(
        400,
        'advanceSeconds must be a number 0..31536000 (simulated seconds; time never goes back)',
      );
    out.advanceSeconds = a;
  }
  if (input.frozen !== undefined) {
    if (typeof input.frozen !== 'boolean') throw new AdminError(400, 'frozen must be a boolean');
    out.frozen = input.frozen;
  }
  return out;
}

export { DOCUMENTED_RATE_LIMITS };
