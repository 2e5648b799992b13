/** Input schemas of the token API (loaded lazily: only write paths need zod). */
import { z } from 'zod';

export const GROUP = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'a group is 1-63 letters, digits, ".", "_" or "-"');
export const GROUPS = z
  .array(GROUP)
  .max(50, 'at most 50 groups')
  .refine((g) => new Set(g).size === g.length, 'groups must not repeat');

/**
 * Characters a display string may not hold: controls (Cc), invisible format characters such as
 * zero-width spaces and bidi overrides (Cf), line and paragraph separators (Zl, Zp). They make
 * one name look like another, reorder what a reader sees, or break a log line.
 */
export const UNSAFE_TEXT = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** A lone surrogate (with the `u` flag a code point of its own) is not text: Tablestore would store U+FFFD. */
const LONE_SURROGATE = /\p{Cs}/u;

/** A short display string (names, later tags and labels): trimmed, visible text, no markup. */
export const displayText = (what: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .max(max, `${what} is at most ${max} characters`)
    .refine((v) => !LONE_SURROGATE.test(v), `${what} must be valid Unicode text`)
    .refine((v) => !UNSAFE_TEXT.test(v), `${what} may not hold control, invisible or line-separator characters`)
    .refine((v) => !/[<>]/.test(v), `${what} may not hold < or >`);

/** Display names of tokens and accounts. */
export const NAME = displayText('a name', 64);

/** How far ahead a token may expire: an expiry is for short-lived tokens; a lasting one has none. */
export const MAX_TOKEN_LIFETIME_MS = 366 * 24 * 60 * 60 * 1000;

/** `POST /v1/tokens` at `nowMs` (`expiresAt` is checked against it). */
export const createTokenSchema = (nowMs: number) =>
  z.strictObject({
    name: NAME,
    role: z.enum(['admin', 'operator', 'viewer'], { error: 'role must be "admin", "operator" or "viewer"' }),
    groups: GROUPS.default([]),
    expiresAt: z
      .number({ error: 'expiresAt is a time in epoch milliseconds' })
      .int('expiresAt is a time in epoch milliseconds')
      .refine((t) => t > nowMs, 'expiresAt must be in the future (epoch milliseconds, not seconds)')
      .refine((t) => t <= nowMs + MAX_TOKEN_LIFETIME_MS, 'expiresAt is at most 366 days ahead')
      .optional(),
  });
