import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomId } from '../core/ids';

/** Prefix that secret scanners (and people) recognise in a leaked token. */
export const TOKEN_PREFIX = 'fleet_';
/** `fleet_<16 id chars>_<43 secret chars>`: the id finds the record, the rest is compared by hash. */
const TOKEN_SHAPE = /^fleet_([0-9a-z]{16})_([A-Za-z0-9_-]{43})$/;

/** A new API token and its record id: 256 random bits, base64url, with the scan-friendly prefix. */
export function generateToken(): { id: string; token: string } {
  const idPart = randomId(16);
  return { id: `tok-${idPart}`, token: `${TOKEN_PREFIX}${idPart}_${randomBytes(32).toString('base64url')}` };
}

/** The record id a well-formed token points at, or undefined. */
export function tokenIdOf(token: string): string | undefined {
  const m = TOKEN_SHAPE.exec(token);
  return m ? `tok-${m[1]}` : undefined;
}

/** Tokens are stored only as this hash; a token has 256 random bits, so no salt or KDF is needed. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time equality of two strings of any length (compares their SHA-256 digests). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
