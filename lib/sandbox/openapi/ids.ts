/** Identifier shapes of Alibaba accounts, access keys and STS credentials (sandbox-generated). */
import { randomBytes, randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random string over `alphabet` (unbiased: rejection sampling by randomInt). */
export function randomString(n: number, alphabet = ALNUM): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** 16-digit account id, like `1968132000123456`. */
export const newAccountId = () => String(randomInt(1, 10)) + randomString(15, '0123456789');
/** Long-term AccessKey id: `LTAI` + 20 alphanumerics. */
export const newAccessKeyId = () => `LTAI${randomString(20)}`;
/** AccessKey secret: 30 alphanumerics. */
export const newAccessKeySecret = () => randomString(30);
/** STS AccessKey id: `STS.` + 25 alphanumerics. */
export const newStsAccessKeyId = () => `STS.NU${randomString(23)}`;
/** STS secret, like Alibaba's 44-character ones. */
export const newStsSecret = () => randomString(44);
/** STS security token: opaque, `CAIS…` like Alibaba's. */
export const newSecurityToken = () => `CAIS${randomBytes(180).toString('base64').replace(/=+$/, '')}`;
/** 17-digit RAM principal ids (user ids, role ids). */
export const newPrincipalId = () => String(randomInt(1, 10)) + randomString(16, '0123456789');
/** KMS key id: a UUID-shaped lower-case id. */
export const newKmsKeyId = () => {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
