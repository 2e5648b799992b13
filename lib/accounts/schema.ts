/**
 * Input schemas of the settings API (docs/API.md §1 "Accounts"). Messages describe the rule and
 * never echo a value, because values may be secrets.
 */
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { GROUPS, NAME } from '../auth/schema';
import { REGION_ID_RE } from '../core/ids';

export const REGION_ID = z.string().regex(REGION_ID_RE, 'a region id looks like "cn-hangzhou" or "ap-southeast-1"');

const ALIBABA_ACCOUNT_ID = z.string().regex(/^\d{16}$/, 'an Alibaba Cloud account id is 16 digits');

/** Long-term AccessKey ids start with LTAI; STS (`STS.`) keys expire and cannot be stored. */
const ACCESS_KEY_ID = z
  .string()
  .trim()
  .regex(
    /^LTAI[A-Za-z0-9]{12,28}$/,
    'an AccessKey ID is "LTAI" followed by 12-28 letters or digits (temporary STS keys cannot be stored)',
  );

const ACCESS_KEY_SECRET = z.string().regex(/^[A-Za-z0-9]{30}$/, 'an AccessKey secret is 30 letters or digits');

const ROLE_ARN = z
  .string()
  .trim()
  .regex(
    /^acs:ram::\d{16}:role\/[A-Za-z0-9._@-]{1,64}$/i,
    'a role ARN looks like "acs:ram::<16-digit account id>:role/<role name>"',
  );

const EXTERNAL_ID = z
  .string()
  .regex(/^[A-Za-z0-9=,.@:/_-]{2,1224}$/, 'an external id is 2-1224 letters, digits or =,.@:/-_');

export const CREDENTIAL = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('access_key'), accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET }),
    z.strictObject({ type: z.literal('ram_role'), roleArn: ROLE_ARN, externalId: EXTERNAL_ID.optional() }),
  ],
  { error: 'credential.type must be "access_key" or "ram_role"' },
);

/** ECS key pair names: 2-128 characters, starting with a letter, no "http(s)://". */
const KEY_PAIR_NAME = z
  .string()
  .regex(
    /^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5._:-]{1,127}$/u,
    'a key pair name is 2-128 characters: a letter first, then letters, digits, ".", "_", ":" or "-"',
  )
  .refine((s) => !/^https?:\/\//i.test(s), 'a key pair name may not start with http:// or https://');

const PEM =
  /^-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY)-----\r?\n[A-Za-z0-9+/=\r\n:,\- ]+\r?\n-----END \1-----\r?\n?$/;

/** A PEM private key that parses (OpenSSH's own format is checked for shape only). */
const PRIVATE_KEY = z
  .string()
  .max(16 * 1024, 'a private key is at most 16 KiB')
  .refine((s) => PEM.test(`${s.trim()}\n`), 'a private key is a PEM block (BEGIN … PRIVATE KEY)')
  .refine((s) => {
    if (!PEM.test(`${s.trim()}\n`) || s.includes('OPENSSH PRIVATE KEY') || s.includes('ENCRYPTED PRIVATE KEY'))
      return true;
    try {
      createPrivateKey({ key: `${s.trim()}\n`, format: 'pem' });
      return true;
    } catch {
      return false;
    }
  }, 'the private key does not parse (corrupted, or protected by a passphrase)');

export const SSH_KEY = z.strictObject({ keyPairName: KEY_PAIR_NAME, privateKey: PRIVATE_KEY.optional() });

const SSH_KEYS = z
  .record(REGION_ID, SSH_KEY)
  .refine((m) => Object.keys(m).length <= 64, 'at most 64 regions of SSH keys');

/** Minutes between periodic scans (0 = never; at most a week). */
const SCAN_INTERVAL = z
  .number('scanIntervalMinutes is a number of minutes')
  .int('scanIntervalMinutes is a whole number of minutes')
  .min(0, 'scanIntervalMinutes is 0-10080 (0 = no periodic scan)')
  .max(10080, 'scanIntervalMinutes is 0-10080 (0 = no periodic scan)');

export const CREATE_ACCOUNT = z.strictObject({
  name: NAME,
  alibabaAccountId: ALIBABA_ACCOUNT_ID.optional(),
  defaultRegion: REGION_ID.optional(),
  groups: GROUPS.optional(),
  credential: CREDENTIAL,
  sshKeys: SSH_KEYS.optional(),
  scanIntervalMinutes: SCAN_INTERVAL.optional(),
});

/** PATCH: every field optional; `null` clears an optional field or one region's SSH key. */
export const UPDATE_ACCOUNT = z
  .strictObject({
    name: NAME.optional(),
    alibabaAccountId: ALIBABA_ACCOUNT_ID.nullable().optional(),
    defaultRegion: REGION_ID.nullable().optional(),
    groups: GROUPS.optional(),
    credential: CREDENTIAL.optional(),
    sshKeys: z
      .record(REGION_ID, SSH_KEY.nullable())
      .refine((m) => Object.keys(m).length <= 64, 'at most 64 regions of SSH keys')
      .optional(),
    scanIntervalMinutes: SCAN_INTERVAL.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');

/** `GET /v1/accounts/{id}/changes` (query values arrive as strings over HTTP, numbers by direct invoke). */
export const CHANGES_QUERY = z.strictObject({
  id: z.string(),
  limit: z.coerce
    .number()
    .int('limit is a whole number')
    .min(1, 'limit is 1-200')
    .max(200, 'limit is 1-200')
    .optional(),
  cursor: z.string().max(4096, 'a cursor is at most 4096 characters').optional(),
});

export type CreateAccountInput = z.output<typeof CREATE_ACCOUNT>;
export type UpdateAccountInput = z.output<typeof UPDATE_ACCOUNT>;
export type CredentialInput = z.output<typeof CREDENTIAL>;
