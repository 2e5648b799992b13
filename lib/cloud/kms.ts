/** KMS 2016-01-20: the two calls envelope encryption needs (lib/crypto's `KmsPort`). */
import { rpcCall, str, type CallCtx } from './call';
import type { KmsApi, KmsEncryptionContext } from './types';

/** `EncryptionContext` as KMS takes it: a JSON object of strings (omitted when there is none). */
const context = (c: KmsEncryptionContext | undefined) =>
  c && Object.keys(c).length ? { EncryptionContext: JSON.stringify(c) } : {};

export function createKmsApi(ctx: CallCtx): KmsApi {
  return {
    async generateDataKey(input) {
      const b = await rpcCall(ctx, 'Kms', 'GenerateDataKey', {
        KeyId: input.keyId,
        KeySpec: 'AES_256',
        ...context(input.encryptionContext),
      });
      return {
        plaintext: Buffer.from(str(b.Plaintext), 'base64'),
        ciphertextBlob: str(b.CiphertextBlob),
        keyId: str(b.KeyId) || input.keyId,
      };
    },
    async decrypt(input) {
      const b = await rpcCall(ctx, 'Kms', 'Decrypt', {
        CiphertextBlob: input.ciphertextBlob,
        ...context(input.encryptionContext),
      });
      return { plaintext: Buffer.from(str(b.Plaintext), 'base64'), keyId: str(b.KeyId) };
    },
  };
}
