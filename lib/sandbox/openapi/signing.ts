/**
 * Alibaba OpenAPI request signatures, as the gateway recomputes them to verify a request:
 * V1 (RPC HMAC-SHA1 over sorted parameters) and V3 (ACS3-HMAC-SHA256 over a canonical request).
 * Pure functions: the front door (`auth.ts`) decides what to do with a mismatch.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding as Alibaba signs it: space `%20`, `*` `%2A`, `~` kept. */
export function percentEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/!/g, '%21')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** V1 string to sign: `METHOD&%2F&enc(sorted enc(k)=enc(v) joined by &)`; `Signature` itself excluded. */
export function v1StringToSign(method: string, params: Record<string, string>): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort(byCodeUnit)
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

/** V1 signature: `base64(hmac_sha1(secret + "&", stringToSign))`. */
export function v1Signature(method: string, params: Record<string, string>, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(v1StringToSign(method, params)).digest('base64');
}

export const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** The parts of an `Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…` header. */
export interface V3Authorization {
  algorithm: string;
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses a V3 Authorization header; undefined when it is not one. */
export function parseV3Authorization(header: string | undefined): V3Authorization | undefined {
  if (!header) return undefined;
  const m = /^(ACS3-[A-Z0-9-]+)\s+(.*)$/.exec(header.trim());
  if (!m) return undefined;
  const fields: Record<string, string> = {};
  for (const part of (m[2] ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  if (!fields.Credential || !fields.Signature || fields.SignedHeaders === undefined) return undefined;
  return {
    algorithm: m[1] ?? '',
    accessKeyId: fields.Credential,
    signedHeaders: fields.SignedHeaders.split(';').filter(Boolean),
    signature: fields.Signature,
  };
}

/** V3 canonical request: `METHOD\nURI\nCanonicalQuery\nCanonicalHeaders\nSignedHeaders\nHashedPayload`. */
export function v3CanonicalRequest(input: {
  method: string;
  pathname: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  signedHeaders: string[];
  hashedPayload: string;
}): string {
  const uri = (input.pathname || '/').replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  const query = Object.keys(input.query)
    .sort(byCodeUnit)
    .map((k) => `${percentEncode(k)}=${percentEncode(input.query[k] ?? '')}`)
    .join('&');
  const names = [...input.signedHeaders].map((h) => h.toLowerCase()).sort(byCodeUnit);
  const headers = names.map((h) => `${h}:${(input.headers[h] ?? '').trim()}\n`).join('');
  return `${input.method.toUpperCase()}\n${uri}\n${query}\n${headers}\n${names.join(';')}\n${input.hashedPayload}`;
}

/** V3 signature: `hex(hmac_sha256(secret, "ACS3-HMAC-SHA256\n" + hex(sha256(canonicalRequest))))`. */
export function v3Signature(canonicalRequest: string, secret: string, algorithm = 'ACS3-HMAC-SHA256'): string {
  const stringToSign = `${algorithm}\n${sha256Hex(canonicalRequest)}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

/** Constant-time string comparison (signatures). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
