/**
 * Who is calling: verifies a V3 (ACS3-HMAC-SHA256) or V1 (HMAC-SHA1) signed RPC request
 * against the sandbox's keys and answers with Alibaba's exact error codes when it is not valid
 * (unknown key, wrong signature, replayed nonce, stale timestamp, STS token problems).
 */
import { Errors } from './errors';
import {
  parseV3Authorization,
  safeEqual,
  sha256Hex,
  v1Signature,
  v1StringToSign,
  v3CanonicalRequest,
  v3Signature,
} from './signing';
import type { AccessKeyRecord } from './state';
import type { Caller } from './types';

export interface IncomingRpc {
  method: string;
  pathname: string;
  /** Query-string parameters (decoded). */
  query: Record<string, string>;
  /** Form-body parameters (decoded), empty when the body is not a form. */
  form: Record<string, string>;
  /** Lower-cased header names; repeated headers joined by ','. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface Authenticated {
  key: AccessKeyRecord;
  caller: Caller;
  signatureVersion: 'v1' | 'v3';
}

/** Allowed clock skew between the caller's timestamp and the sandbox (Alibaba: 15 minutes). */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** Remembers nonces per key for twice the skew window; bounded per key. */
export class NonceCache {
  private readonly byKey = new Map<string, Map<string, number>>();
  constructor(
    private readonly ttlMs = 2 * MAX_SKEW_MS,
    private readonly maxPerKey = 100_000,
  ) {}

  /** True when the nonce is new (and records it), false when it was seen before. */
  claim(accessKeyId: string, nonce: string, now: number): boolean {
    let m = this.byKey.get(accessKeyId);
    if (!m) this.byKey.set(accessKeyId, (m = new Map()));
    for (const [n, exp] of m) {
      if (exp > now && m.size < this.maxPerKey) break;
      m.delete(n);
    }
    const exp = m.get(nonce);
    if (exp !== undefined && exp > now) return false;
    m.set(nonce, now + this.ttlMs);
    return true;
  }
}

/** Parses `yyyy-MM-ddTHH:mm:ssZ` (and other ISO-8601 UTC forms); NaN when malformed. */
function parseTimestamp(ts: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(ts)) return Number.NaN;
  return Date.parse(ts);
}

function checkTimestamp(ts: string | undefined, name: string, now: number) {
  if (!ts) throw Errors.missingParameter(name);
  const t = parseTimestamp(ts);
  if (Number.isNaN(t)) throw Errors.timestampFormat();
  if (Math.abs(now - t) > MAX_SKEW_MS) throw Errors.timestampExpired(ts);
}

function checkToken(key: AccessKeyRecord, token: string | undefined, now: number) {
  if (key.kind !== 'sts') {
    if (token) throw Errors.tokenMismatch();
    return;
  }
  if (!token) throw Errors.tokenMissing();
  if (!key.securityToken || !safeEqual(token, key.securityToken)) throw Errors.tokenMismatch();
  if ((key.expiresAtMs ?? 0) <= now) throw Errors.tokenExpired();
}

/** The `Caller` of a key, with its RAM ARN. */
export function callerOf(key: AccessKeyRecord): Caller {
  const arn =
    key.kind === 'root'
      ? `acs:ram::${key.accountId}:root`
      : key.kind === 'limited'
        ? `acs:ram::${key.accountId}:user/${key.userName}`
        : `acs:ram::${key.accountId}:assumed-role/${key.roleName}/${key.sessionName}`;
  return { accessKeyId: key.accessKeyId, kind: key.kind, arn };
}

/** Headers that must be covered by a V3 signature when present (else they could be swapped). */
const MUST_SIGN = [
  'host',
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
  'x-acs-security-token',
];

/**
 * Verifies the request and returns the key that signed it.
 * Order: key → STS token → timestamp → signature → nonce (a nonce is only burnt by a valid signature).
 */
export function authenticate(
  req: IncomingRpc,
  lookup: (accessKeyId: string) => AccessKeyRecord | undefined,
  nonces: NonceCache,
  now: number,
  /** The machine's clock for timestamps and nonces (the sandbox clock may run ahead of it). */
  realNow = now,
): Authenticated {
  const v3 = parseV3Authorization(req.headers.authorization);
  if (v3) {
    if (v3.algorithm !== 'ACS3-HMAC-SHA256') throw Errors.signatureMethod();
    const key = lookup(v3.accessKeyId);
    if (!key) throw Errors.accessKeyNotFound();
    checkToken(key, req.headers['x-acs-security-token'], now);
    checkTimestamp(req.headers['x-acs-date'], 'x-acs-date', realNow);
    const nonce = req.headers['x-acs-signature-nonce'];
    if (!nonce) throw Errors.missingParameter('x-acs-signature-nonce');
    const bodyHash = sha256Hex(req.body);
    const claimed = req.headers['x-acs-content-sha256'];
    if (claimed !== undefined && claimed.toLowerCase() !== bodyHash)
      throw Errors.signatureMismatch(' (x-acs-content-sha256 does not match the body)');
    const signed = new Set(v3.signedHeaders.map((h) => h.toLowerCase()));
    for (const h of MUST_SIGN)
      if (req.headers[h] !== undefined && !signed.has(h))
        throw Errors.signatureMismatch(` (header ${h} is not signed)`);
    const canonical = v3CanonicalRequest({
      method: req.method,
      pathname: req.pathname,
      query: req.query,
      headers: req.headers,
      signedHeaders: v3.signedHeaders,
      hashedPayload: claimed ?? bodyHash,
    });
    if (!safeEqual(v3Signature(canonical, key.secret), v3.signature.toLowerCase())) throw Errors.signatureMismatch();
    if (!nonces.claim(key.accessKeyId, nonce, realNow)) throw Errors.nonceUsed();
    return { key, caller: callerOf(key), signatureVersion: 'v3' };
  }

  const params = { ...req.form, ...req.query };
  const accessKeyId = params.AccessKeyId;
  if (!accessKeyId) throw Errors.missingParameter('AccessKeyId');
  const key = lookup(accessKeyId);
  if (!key) throw Errors.accessKeyNotFound();
  if (!params.Signature) throw Errors.missingParameter('Signature');
  if ((params.SignatureMethod ?? 'HMAC-SHA1') !== 'HMAC-SHA1') throw Errors.signatureMethod();
  checkToken(key, params.SecurityToken, now);
  checkTimestamp(params.Timestamp, 'Timestamp', realNow);
  const nonce = params.SignatureNonce;
  if (!nonce) throw Errors.missingParameter('SignatureNonce');
  if (!safeEqual(v1Signature(req.method, params, key.secret), params.Signature)) {
    // Alibaba's V1 gateway tells the caller what it signed, which is how people debug encoders.
    throw Errors.signatureMismatch(` server string to sign is:${v1StringToSign(req.method, params)}`);
  }
  if (!nonces.claim(key.accessKeyId, nonce, realNow)) throw Errors.nonceUsed();
  return { key, caller: callerOf(key), signatureVersion: 'v1' };
}
