/**
 * ACS3-HMAC-SHA256 verification of FC 3.0 API calls (ROA style: the canonical URI is the request
 * path as sent, the payload hash covers the body). Mirrors @alicloud/openapi-core's signer.
 * Everything is checked from the headers, before the body is read: the signature covers the
 * claimed `x-acs-content-sha256`, and the body must then hash to it (`bodyMatches`). A signed
 * request is good for ±15 minutes around its `x-acs-date`, once (`NonceWindow`).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Alibaba's window for a signed request's timestamp, either way. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

export interface SignedRequestHead {
  method: string;
  /** Path exactly as on the wire (still percent-encoded), without the query. */
  rawPath: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
}

export type Acs3Failure = { ok: false; status: number; code: string; message: string };
export type Acs3Verdict =
  | { ok: true; accessKeyId: string; nonce: string; dateMs: number; contentSha256: string }
  | Acs3Failure;

/** Headers every signature must cover; `x-acs-*` and `content-type` too whenever sent. */
const MUST_SIGN = ['host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const NONCE = /^[\x21-\x7e]{1,128}$/;

const header = (h: SignedRequestHead['headers'], name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
};
const fail = (status: number, code: string, message: string): Acs3Failure => ({ ok: false, status, code, message });
const missing = (name: string) => fail(400, 'MissingRequiredHeader', `required HTTP header ${name} was not specified`);
const mismatch = (why = 'Check your access key and signing method') =>
  fail(
    403,
    'SignatureNotMatch',
    `The request signature we calculated does not match the signature you provided. ${why}`,
  );

/** Verifies the signed head of a request against `secretOf(accessKeyId)` (undefined = unknown key). */
export function verifyAcs3(
  req: SignedRequestHead,
  secretOf: (accessKeyId: string) => string | undefined,
  nowMs: number,
): Acs3Verdict {
  const auth = header(req.headers, 'authorization');
  if (!auth) return missing('Authorization');
  const m = /^(ACS3-HMAC-SHA256)\s+(.*)$/.exec(auth.trim());
  const fields: Record<string, string> = {};
  for (const part of (m?.[2] ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i > 0) fields[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  const { Credential: keyId, SignedHeaders: signed, Signature: signature } = fields;
  if (!m || !keyId || signed === undefined || !signature)
    return mismatch('(the Authorization header is not an ACS3-HMAC-SHA256 signature)');
  const secret = secretOf(keyId);
  if (secret === undefined) return fail(403, 'InvalidAccessKeyID', `invalid access key ID '${keyId}'`);

  const date = header(req.headers, 'x-acs-date');
  if (!date) return missing('x-acs-date');
  if (!ISO_UTC.test(date))
    return fail(400, 'InvalidTimeStamp.Format', 'x-acs-date must be an ISO 8601 UTC time (yyyy-MM-ddTHH:mm:ssZ)');
  const dateMs = Date.parse(date);
  if (!(Math.abs(nowMs - dateMs) <= MAX_SKEW_MS))
    return fail(400, 'InvalidTimeStamp.Expired', 'x-acs-date is more than 15 minutes away from the server time');
  const nonce = header(req.headers, 'x-acs-signature-nonce');
  if (!nonce) return missing('x-acs-signature-nonce');
  if (!NONCE.test(nonce)) return fail(400, 'InvalidArgument', 'x-acs-signature-nonce must be 1-128 visible characters');
  const claimed = header(req.headers, 'x-acs-content-sha256');
  if (!claimed) return missing('x-acs-content-sha256');
  if (!/^[0-9a-f]{64}$/.test(claimed)) return mismatch('(x-acs-content-sha256 is not a hex SHA-256)');

  const names = [...new Set(signed.split(';').map((n) => n.trim().toLowerCase()))].filter(Boolean).sort();
  const sent = Object.keys(req.headers).filter((n) => n.startsWith('x-acs-') || n === 'content-type');
  for (const n of [...MUST_SIGN, ...sent])
    if (!names.includes(n)) return mismatch(`(header ${n} must be signed: add it to SignedHeaders)`);

  const canonicalHeaders = names.map((n) => `${n}:${(header(req.headers, n) ?? '').trim()}\n`).join('');
  const keys = [...new Set(req.query.keys())].sort();
  const canonicalQuery = keys.map((k) => `${k}=${enc(req.query.get(k) ?? '')}`).join('&');
  const uri = req.rawPath.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  const canonical = `${req.method.toUpperCase()}\n${uri}\n${canonicalQuery}\n${canonicalHeaders}\n${names.join(';')}\n${claimed}`;
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  const expected = Buffer.from(createHmac('sha256', secret).update(stringToSign).digest('hex'));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return mismatch();
  return { ok: true, accessKeyId: keyId, nonce, dateMs, contentSha256: claimed };
}

/** The body a verified head promised (`x-acs-content-sha256`). */
export const bodyMatches = (body: Buffer, contentSha256: string) =>
  createHash('sha256').update(body).digest('hex') === contentSha256;

/**
 * The nonces of accepted requests, each kept until its request's date leaves the window (after
 * that the date check refuses a replay anyway). Bounded: when `max` live nonces are held, new
 * requests are refused until some expire, rather than forgetting one that could be replayed.
 */
export class NonceWindow {
  private readonly seen = new Map<string, number>();
  private sweptAtMs = 0;

  constructor(private readonly max = 100_000) {}

  /** 'ok' and remembered; 'used' when seen in the window; 'full' when no more can be held. */
  claim(accessKeyId: string, nonce: string, dateMs: number, nowMs: number): 'ok' | 'used' | 'full' {
    const key = `${accessKeyId}\n${nonce}`;
    const until = this.seen.get(key);
    if (until !== undefined && until >= nowMs) return 'used';
    if (this.seen.size >= this.max && nowMs - this.sweptAtMs >= 1000) {
      this.sweptAtMs = nowMs; // at most one sweep a second while full
      for (const [k, t] of this.seen) if (t < nowMs) this.seen.delete(k);
    }
    if (this.seen.size >= this.max) return 'full';
    this.seen.set(key, dateMs + MAX_SKEW_MS);
    return 'ok';
  }

  get size() {
    return this.seen.size;
  }
}
