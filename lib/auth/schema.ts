/** Input schemas of the token API (loaded lazily: only write paths need zod). */
import { z } from 'zod';

export const GROUP = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'a group is 1-63 letters, digits, ".", "_" or "-"');
export const GROUPS = z
  .array(GROUP)
  .max(50, 'at most 50 groups')
  .refine((g) => new Set(g).size === g.length, 'groups must not repeat');

/** Display names of tokens and accounts: short, printable, no markup. */
export const NAME = z
  .string()
  .trim()
  .min(1, 'a name is required')
  .max(64, 'a name is at most 64 characters')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the class exists to refuse control characters
  .regex(/^[^\u0000-\u001f\u007f<>]+$/u, 'a name has no control characters or angle brackets')
  // A lone surrogate is not text: Tablestore would store U+FFFD instead (found by the fuzz test).
  .refine(
    (v) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(v),
    'a name must be valid Unicode text',
  );

export const CREATE_TOKEN = z.strictObject({
  name: NAME,
  role: z.enum(['admin', 'operator', 'viewer'], { error: 'role must be "admin", "operator" or "viewer"' }),
  groups: GROUPS.default([]),
});
