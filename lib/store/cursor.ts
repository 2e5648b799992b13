/**
 * Opaque page cursors: base64url JSON of the next start key plus a fingerprint of the query, so a
 * cursor replayed against another query or table is refused (400) instead of scanning nonsense.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../core/errors';
import type { PkValue } from './types';

/** A short hash of everything that defines a range (table, bounds, direction). */
export function queryFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 10);
}

export function encodeCursor(fingerprint: string, key: PkValue[]): string {
  return Buffer.from(JSON.stringify({ f: fingerprint, k: key }), 'utf8').toString('base64url');
}

/** The start key a cursor carries; a malformed or foreign cursor is the caller's error. */
export function decodeCursor(cursor: string, fingerprint: string, pkLength: number): PkValue[] {
  const bad = (problem: string) =>
    new AppError('ValidationFailed', 'the cursor is not valid for this listing', {
      details: [{ path: 'cursor', problem }],
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad('is not a cursor this API returned');
  }
  const { f, k } = (parsed ?? {}) as { f?: unknown; k?: unknown };
  if (
    typeof f !== 'string' ||
    !Array.isArray(k) ||
    k.length !== pkLength ||
    !k.every((v) => typeof v === 'string' || typeof v === 'number')
  ) {
    throw bad('is not a cursor this API returned');
  }
  if (f !== fingerprint) throw bad('belongs to a different listing (filters changed?)');
  return k as PkValue[];
}
