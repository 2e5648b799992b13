/**
 * ACS3-HMAC-SHA256 verification of FC 3.0 API calls (ROA style: the canonical URI is the request
 * path as sent, the payload hash covers the body). Mirrors @alicloud/openapi-core's signer.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface SignedRequest {
  method: string;
  /** Path exactly as on the wire (still percent-encoded), without the query. */
  rawPath: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type VerifyResult =
  | { ok: true; accessKeyId: string }
  | {
      ok: false;
      status: number;
      code: 'SignatureNotMatch' | 'InvalidAccessKeyID' | 'MissingRequiredHeader' | 'InvalidArgument';
      message: string;
    };

const header = (h: SignedRequest['headers'], name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/** Verifies the request against `secretOf(accessKeyId)` (undefined = unknown key). */
export function verifyAcs3(req: SignedRequest, secretOf: (accessKeyId: string) => string | undefined): VerifyResult {
  const auth = header(req.headers, 'authorization');
  if (!auth)
    return {
      ok: false,
      status: 400,
      code: 'MissingRequiredHeader',
      message: 'required HTTP header Authorization was not specified',
    };
  const m = /^(ACS3-HMAC-SHA256)\s+(.*)$/.exec(auth.trim());
  const fields: Record<string, string> = {};
  for (const part of (m?.[2] ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i > 0) fields[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  const { Credential: keyId, SignedHeaders: signed, Signature: signature } = fields;
  if (!m || !keyId || signed === undefined || !signature) {
    return {
      ok: false,
      status: 403,
      code: 'SignatureNotMatch',
      message: 'the Authorization header is not an ACS3-HMAC-SHA256 signature',
    };
  }
  const secret = secretOf(keyId);
  if (secret === undefined)
    return { ok: false, status: 403, code: 'InvalidAccessKeyID', message: `invalid access key ID '${keyId}'` };
  const payloadHash = createHash('sha256').update(req.body).digest('hex');
  if ((header(req.headers, 'x-acs-content-sha256') ?? '') !== payloadHash) {
    return {
      ok: false,
      status: 403,
      code: 'SignatureNotMatch',
      message: 'x-acs-content-sha256 does not match the body',
    };
  }
  const names = signed
    .split(';')
    .filter(Boolean)
    .map((n) => n.toLowerCase())
    .sort();
  const canonicalHeaders = names.map((n) => `${n}:${(header(req.headers, n) ?? '').trim()}\n`).join('');
  const keys = [...new Set(req.query.keys())].sort();
  const canonicalQuery = keys.map((k) => `${k}=${enc(req.query.get(k) ?? '')}`).join('&');
  const uri = req.rawPath.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  const canonical = `${req.method.toUpperCase()}\n${uri}\n${canonicalQuery}\n${canonicalHeaders}\n${names.join(';')}\n${payloadHash}`;
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  const expected = createHmac('sha256', secret).update(stringToSign).digest('hex');
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return {
      ok: false,
      status: 403,
      code: 'SignatureNotMatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your access key and signing method',
    };
  }
  return { ok: true, accessKeyId: keyId };
}
