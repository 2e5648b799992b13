import { randomBytes, randomUUID } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Lower-case base-36 random string of `n` characters (unbiased). */
export function randomId(n: number, rand: (size: number) => Buffer = randomBytes): string {
  let out = '';
  while (out.length < n) {
    for (const b of rand(n * 2)) {
      if (b < 252 && out.length < n) out += ALPHABET[b % 36];
    }
  }
  return out;
}

/** Product object ids: `acc-…`, `srv-…`, `scn-…`, `tok-…`. */
export const newId = (prefix: string) => `${prefix}-${randomId(16)}`;

/** Request ids look like Alibaba's (an upper-case UUID) so logs line up with cloud request ids. */
export const newRequestId = () => randomUUID().toUpperCase();

/** Alibaba region ids (`cn-hangzhou`, `ap-southeast-1`, `cn-shanghai-finance-1`): the one shape check every layer uses. */
export const REGION_ID_RE = /^[a-z]{2,8}(-[a-z0-9]{1,20}){1,4}$/;

/** Account ids as `newId('acc')` makes them. */
export const ACCOUNT_ID_RE = /^acc-[0-9a-z]{16}$/;
