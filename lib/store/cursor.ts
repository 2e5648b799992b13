/**
 * Opaque, tamper-proof page cursors. A cursor is the next start key sealed with AES-256-GCM under
 * the deployment's cursor key (`cursor-key.ts`), with the query's fingerprint as associated data:
 * the caller can neither read the key nor make, alter or move a cursor to another query (other
 * table, bounds, filters, account) without the seal failing. Authenticated encryption rather than
 * a bare MAC, because a start key may name a row the caller may not see (a scope-filtered listing
 * stops on a row it filtered out). A cursor also carries when it was issued and expires.
 *
 * Layout (base64url): version byte 1 · 12-byte random nonce · ciphertext of `{"k":[…],"t":ms}` ·
 * 16-byte tag. Random nonces are safe far beyond the number of pages a deployment will ever serve.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '../core/errors';
import type { PkValue } from './types';

/** How long a cursor pages: ample to walk a listing, short enough that a leaked one dies. */
export const CURSOR_TTL_MS = 24 * 60 * 60 * 1000;
/** Longer than any cursor this store makes (a 4-column key of long strings is ~1 KiB). */
const MAX_CURSOR_CHARS = 4096;
const VERSION = 1;
const NONCE = 12;
const TAG = 16;

export const badCursor = (problem: string) =>
  new AppError('ValidationFailed', 'the cursor is not valid for this listing', {
    details: [{ path: 'cursor', problem }],
  });

const NOT_OURS = 'is not a cursor of this listing: pass back nextCursor unchanged, with the same filters and account';

/** A hash of everything that defines a range (table, bounds, direction): the cursor's associated data. */
export function queryFingerprint(parts: unknown): Buffer {
  return createHash('sha256').update(JSON.stringify(parts)).digest();
}

/** Seals `start` for the query `fingerprint` (the store's only way to make a cursor). */
export function sealCursor(key: Buffer, fingerprint: Buffer, start: PkValue[], issuedAtMs: number): string {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.concat([Buffer.from([VERSION]), fingerprint]));
  const body = Buffer.concat([cipher.update(JSON.stringify({ k: start, t: issuedAtMs }), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]).toString('base64url');
}

/**
 * The start key a cursor of this query carries. Anything this store did not seal for this very
 * query, and anything older than `CURSOR_TTL_MS`, is the caller's 400 — never a 500.
 */
export function openCursor(
  key: Buffer,
  cursor: string,
  fingerprint: Buffer,
  pkLength: number,
  nowMs: number,
): PkValue[] {
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor))
    throw badCursor(NOT_OURS);
  const raw = Buffer.from(cursor, 'base64url');
  if (raw.length < 1 + NONCE + TAG + 1 || raw[0] !== VERSION) throw badCursor(NOT_OURS);
  let parsed: unknown;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(1, 1 + NONCE));
    decipher.setAAD(Buffer.concat([Buffer.from([VERSION]), fingerprint]));
    decipher.setAuthTag(raw.subarray(raw.length - TAG));
    const plain = Buffer.concat([decipher.update(raw.subarray(1 + NONCE, raw.length - TAG)), decipher.final()]);
    parsed = JSON.parse(plain.toString('utf8'));
  } catch {
    throw badCursor(NOT_OURS);
  }
  const { k, t } = (parsed ?? {}) as { k?: unknown; t?: unknown };
  // Sealed by us, so a bad shape means another version of this code made it: still the caller's 400.
  if (
    typeof t !== 'number' ||
    !Array.isArray(k) ||
    k.length !== pkLength ||
    !k.every((v) => typeof v === 'string' || typeof v === 'number')
  )
    throw badCursor(NOT_OURS);
  if (nowMs - t > CURSOR_TTL_MS) throw badCursor('has expired: start the listing again without a cursor');
  return k as PkValue[];
}
