import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError, isAppError } from '../core/errors';
import type { KmsPort, SealedSecret, SecretBox } from './types';

const ALG = 'aes-256-gcm';

function encrypt(key: Buffer, plaintext: Buffer, aad: string) {
  const iv = randomBytes(12);
  const c = createCipheriv(ALG, key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return { iv, tag: c.getAuthTag(), ct };
}

function decrypt(key: Buffer, iv: Buffer, tag: Buffer, ct: Buffer, aad: string): Buffer {
  const d = createDecipheriv(ALG, key, iv);
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(tag);
  return Buffer.concat([d.update(ct), d.final()]);
}

/** Never says why: a tampered record, a moved record and a wrong key look the same to a caller. */
const cannotOpen = (cause?: unknown) =>
  new AppError('Internal', 'a stored secret could not be decrypted', {
    cause: cause instanceof Error ? new Error(cause.message) : undefined,
  });

const b64 = (b: Buffer) => b.toString('base64');
const unb64 = (s: unknown) => {
  if (typeof s !== 'string') throw cannotOpen();
  return Buffer.from(s, 'base64');
};

function sealWith(dataKey: Buffer, plaintext: string, aad: string) {
  const { iv, tag, ct } = encrypt(dataKey, Buffer.from(plaintext, 'utf8'), aad);
  return { iv: b64(iv), tag: b64(tag), ct: b64(ct) };
}

function openWith(dataKey: Buffer, s: SealedSecret, aad: string): string {
  try {
    const iv = unb64(s.iv);
    const tag = unb64(s.tag);
    if (iv.length !== 12 || tag.length !== 16) throw new Error('bad iv or tag length');
    return decrypt(dataKey, iv, tag, unb64(s.ct), aad).toString('utf8');
  } catch (e) {
    throw cannotOpen(e);
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Local master key (base64, 32 bytes): for deployments without KMS and for the sandbox. Each
 * record still gets its own data key, wrapped by the master key, so the format matches KMS's.
 */
export function createLocalSecretBox(masterKeyB64: string): SecretBox {
  const master = Buffer.from(masterKeyB64, 'base64');
  if (master.length !== 32) throw new Error('config: the secrets master key must be 32 bytes, base64-encoded');
  const WRAP_AAD = 'fleet/data-key';
  return {
    kind: 'local',
    async seal(plaintext, aad) {
      const dataKey = randomBytes(32);
      const w = encrypt(master, dataKey, WRAP_AAD);
      const body = sealWith(dataKey, plaintext, aad);
      dataKey.fill(0);
      return { v: 1, kind: 'local', wrappedKey: b64(Buffer.concat([w.iv, w.tag, w.ct])), ...body };
    },
    async open(sealed, aad) {
      if (sealed?.kind !== 'local') throw cannotOpen();
      let dataKey: Buffer;
      try {
        const raw = unb64(sealed.wrappedKey);
        dataKey = decrypt(master, raw.subarray(0, 12), raw.subarray(12, 28), raw.subarray(28), WRAP_AAD);
      } catch (e) {
        throw cannotOpen(e);
      }
      return openWith(dataKey, sealed, aad);
    },
  };
}

/**
 * The KMS `EncryptionContext` of a data key: the same record-and-field binding as the AES-GCM AAD,
 * enforced by KMS too, so a wrapped key copied to another record or field is refused at Decrypt.
 */
export const kmsContext = (aad: string): Record<string, string> => ({ aad });

/** How long an opened data key is kept in memory (per warm instance), and how many at most. */
const DATA_KEY_TTL_MS = 5 * 60_000;
const DATA_KEYS_MAX = 100;

/**
 * KMS envelope encryption: a fresh data key per record from GenerateDataKey; KMS Decrypt is
 * called only when a secret is opened (to sign a request), never to list or show an account.
 * A decrypted data key is kept in memory for a few minutes (keyed by its wrapped blob and its
 * binding), so the stages of a build do not call KMS once each — the same trade AWS's
 * data-key caching makes; it never leaves the process and is zeroed when dropped.
 */
export function createKmsSecretBox(kms: KmsPort, keyId: string, now: () => number = Date.now): SecretBox {
  const opened = new Map<string, { key: Buffer; untilMs: number }>();
  const cached = (id: string) => {
    const hit = opened.get(id);
    if (hit && hit.untilMs > now()) return Buffer.from(hit.key);
    if (hit) {
      hit.key.fill(0);
      opened.delete(id);
    }
    return undefined;
  };
  const remember = (id: string, key: Buffer) => {
    if (opened.size >= DATA_KEYS_MAX) {
      const [first] = opened;
      first?.[1].key.fill(0);
      if (first) opened.delete(first[0]);
    }
    opened.set(id, { key: Buffer.from(key), untilMs: now() + DATA_KEY_TTL_MS });
  };
  return {
    kind: 'kms',
    async seal(plaintext, aad) {
      const dk = await kms.generateDataKey({ keyId, encryptionContext: kmsContext(aad) });
      const dataKey = Buffer.from(dk.plaintext);
      dk.plaintext.fill(0);
      if (dataKey.length !== 32) throw new AppError('Internal', 'KMS returned a data key of the wrong size');
      const body = sealWith(dataKey, plaintext, aad);
      dataKey.fill(0);
      return { v: 1, kind: 'kms', keyId: dk.keyId || keyId, ec: 1, wrappedKey: dk.ciphertextBlob, ...body };
    },
    async open(sealed, aad) {
      if (sealed?.kind !== 'kms') throw cannotOpen();
      const id = createHash('sha256').update(`${sealed.wrappedKey}\0${aad}`).digest('base64');
      let dataKey: Buffer | undefined = cached(id);
      if (!dataKey) {
        let plaintext: Buffer;
        try {
          ({ plaintext } = await kms.decrypt({
            ciphertextBlob: sealed.wrappedKey,
            encryptionContext: kmsContext(aad),
          }));
        } catch (e) {
          // An outage stays retryable; anything else (a rejected blob) is an unopenable record.
          if (isAppError(e) && e.retryable) throw e;
          throw cannotOpen(e);
        }
        if (plaintext.length !== 32) throw cannotOpen();
        dataKey = plaintext;
        // Only a key that opens its record is kept.
        const copy = Buffer.from(dataKey);
        const value = openWith(dataKey, sealed, aad);
        remember(id, copy);
        copy.fill(0);
        return value;
      }
      return openWith(dataKey, sealed, aad);
    },
  };
}

/** Which box a deployment uses: KMS when a key id is configured, else the local master key. */
export function createSecretBox(secrets: { kmsKeyId?: string; masterKey?: string }, kms?: () => KmsPort): SecretBox {
  if (secrets.kmsKeyId) {
    if (!kms) throw new Error('config: FLEET_KMS_KEY_ID is set but no KMS client is available');
    return createKmsSecretBox(kms(), secrets.kmsKeyId);
  }
  if (secrets.masterKey) return createLocalSecretBox(secrets.masterKey);
  throw new Error('config: set FLEET_KMS_KEY_ID (KMS) or FLEET_MASTER_KEY (base64, 32 bytes) to store secrets');
}

/** The AAD that ties a ciphertext to one field of one record. */
export const secretAad = (table: string, id: string, field: string) => `fleet/${table}/${id}/${field}`;
