/**
 * KMS 2016-01-20 in the sandbox, enough for envelope encryption: `GenerateDataKey`, `Encrypt`,
 * `Decrypt`, `CreateKey`, `DescribeKey`. Every account has the key `alias/fleet`. Ciphertext
 * blobs are real AES-256-GCM wraps under the account's persisted master key (bound to the
 * account, key and EncryptionContext), so a tampered or foreign blob is refused.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SandboxCore } from './core';
import { requireParam } from './core';
import { apiError } from './errors';
import type { KmsKeyRecord } from './state';
import type { OpContext, ProductModule } from './types';

const MAGIC = Buffer.from('SBK1');
const KEY_ID_LEN = 36;

function invalidBlob() {
  return apiError('InvalidParameter', 400, 'The specified parameter CiphertextBlob is not valid.');
}

/** Canonical EncryptionContext (sorted JSON) used as additional authenticated data. */
function contextAad(raw: string | undefined): Buffer {
  if (raw === undefined || raw === '') return Buffer.alloc(0);
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    throw apiError('InvalidParameter', 400, 'The specified parameter EncryptionContext is not valid.');
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    throw apiError('InvalidParameter', 400, 'The specified parameter EncryptionContext is not valid.');
  }
  const rec = obj as Record<string, unknown>;
  return Buffer.from(
    JSON.stringify(
      Object.keys(rec)
        .sort()
        .map((k) => [k, String(rec[k])]),
    ),
  );
}

function resolveKey(core: SandboxCore, accountId: string, keyIdOrAlias: string): KmsKeyRecord {
  const kms = core.account(accountId).kms;
  if (keyIdOrAlias.startsWith('alias/')) {
    const id = kms.aliases[keyIdOrAlias];
    if (!id) throw apiError('Forbidden.AliasNotFound', 404, 'The specified Alias is not found.');
    return kms.keys[id]!;
  }
  const arn = /^acs:kms:[^:]*:\d+:key\/(.+)$/.exec(keyIdOrAlias);
  const key = kms.keys[arn ? arn[1]! : keyIdOrAlias];
  if (!key) throw apiError('Forbidden.KeyNotFound', 404, 'The specified Key is not found.');
  return key;
}

function wrap(accountId: string, key: KmsKeyRecord, plaintext: Buffer, aad: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', Buffer.from(key.material, 'base64'), iv);
  c.setAAD(Buffer.concat([Buffer.from(`${accountId}/${key.keyId}/`), aad]));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([MAGIC, Buffer.from(key.keyId), iv, c.getAuthTag(), ct]).toString('base64');
}

function unwrap(
  core: SandboxCore,
  accountId: string,
  blob: string,
  aad: Buffer,
): { key: KmsKeyRecord; plaintext: Buffer } {
  const raw = Buffer.from(blob, 'base64');
  if (raw.length < 4 + KEY_ID_LEN + 12 + 16 || !raw.subarray(0, 4).equals(MAGIC)) throw invalidBlob();
  const keyId = raw.subarray(4, 4 + KEY_ID_LEN).toString('latin1');
  const key = core.account(accountId).kms.keys[keyId];
  if (!key) throw invalidBlob();
  const iv = raw.subarray(4 + KEY_ID_LEN, 4 + KEY_ID_LEN + 12);
  const tag = raw.subarray(4 + KEY_ID_LEN + 12, 4 + KEY_ID_LEN + 28);
  const ct = raw.subarray(4 + KEY_ID_LEN + 28);
  try {
    const d = createDecipheriv('aes-256-gcm', Buffer.from(key.material, 'base64'), iv);
    d.setAAD(Buffer.concat([Buffer.from(`${accountId}/${key.keyId}/`), aad]));
    d.setAuthTag(tag);
    return { key, plaintext: Buffer.concat([d.update(ct), d.final()]) };
  } catch {
    throw invalidBlob();
  }
}

function dataKeyBytes(params: Record<string, string>): number {
  if (params.NumberOfBytes !== undefined && params.NumberOfBytes !== '') {
    const n = Number(params.NumberOfBytes);
    if (!Number.isInteger(n) || n < 1 || n > 1024)
      throw apiError('InvalidParameter', 400, 'The specified parameter NumberOfBytes is not valid.');
    return n;
  }
  const spec = params.KeySpec || 'AES_256';
  if (spec === 'AES_256') return 32;
  if (spec === 'AES_128') return 16;
  throw apiError('InvalidParameter', 400, 'The specified parameter KeySpec is not valid.');
}

export function createKmsModule(core: SandboxCore): ProductModule {
  const accountOf = (ctx: OpContext) => ctx.account.accountId;
  return {
    product: 'Kms',
    version: '2016-01-20',
    mutating: (action) => action === 'CreateKey',
    ops: {
      GenerateDataKey(ctx) {
        const key = resolveKey(core, accountOf(ctx), requireParam(ctx.params, 'KeyId'));
        // As in KMS, the wrapped plaintext is the base64 text of the data key: Decrypt returns it verbatim.
        const plaintext = randomBytes(dataKeyBytes(ctx.params)).toString('base64');
        return {
          KeyId: key.keyId,
          KeyVersionId: key.keyVersionId,
          Plaintext: plaintext,
          CiphertextBlob: wrap(
            accountOf(ctx),
            key,
            Buffer.from(plaintext, 'utf8'),
            contextAad(ctx.params.EncryptionContext),
          ),
        };
      },
      Encrypt(ctx) {
        const key = resolveKey(core, accountOf(ctx), requireParam(ctx.params, 'KeyId'));
        const plaintext = Buffer.from(requireParam(ctx.params, 'Plaintext'), 'utf8');
        if (plaintext.length > 6144)
          throw apiError('InvalidParameter', 400, 'The specified parameter Plaintext is not valid.');
        return {
          KeyId: key.keyId,
          KeyVersionId: key.keyVersionId,
          CiphertextBlob: wrap(accountOf(ctx), key, plaintext, contextAad(ctx.params.EncryptionContext)),
        };
      },
      Decrypt(ctx) {
        const { key, plaintext } = unwrap(
          core,
          accountOf(ctx),
          requireParam(ctx.params, 'CiphertextBlob'),
          contextAad(ctx.params.EncryptionContext),
        );
        return { KeyId: key.keyId, KeyVersionId: key.keyVersionId, Plaintext: plaintext.toString('utf8') };
      },
      CreateKey(ctx) {
        const key = core.createKmsKey(accountOf(ctx), ctx.params.Description ?? '');
        return { KeyMetadata: metadata(ctx, key) };
      },
      DescribeKey(ctx) {
        const key = resolveKey(core, accountOf(ctx), requireParam(ctx.params, 'KeyId'));
        return { KeyMetadata: metadata(ctx, key) };
      },
    },
  };
}

function metadata(ctx: OpContext, key: KmsKeyRecord) {
  const region = ctx.params.RegionId || ctx.account.regions[0] || 'cn-hangzhou';
  return {
    KeyId: key.keyId,
    Arn: `acs:kms:${region}:${ctx.account.accountId}:key/${key.keyId}`,
    KeyState: 'Enabled',
    KeySpec: 'Aliyun_AES_256',
    KeyUsage: 'ENCRYPT/DECRYPT',
    Origin: 'Aliyun_KMS',
    Creator: ctx.account.accountId,
    Description: key.description,
    CreationDate: new Date(key.createdAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    PrimaryKeyVersion: key.keyVersionId,
    ProtectionLevel: 'SOFTWARE',
  };
}
