/**
 * A secret at rest (envelope encryption). The plaintext is sealed with a fresh AES-256-GCM data
 * key; the data key itself is stored beside it, wrapped by KMS (`kind: "kms"`) or by the
 * deployment's local master key (`kind: "local"`). All binary fields are base64.
 */
export interface SealedSecret {
  v: 1;
  kind: 'kms' | 'local';
  /** KMS key id that wrapped the data key (kms only). */
  keyId?: string;
  /**
   * 1 = the KMS-wrapped data key is bound to `{aad}` as KMS `EncryptionContext` (kms only), so KMS
   * itself refuses it for another record or field. Every KMS record has it; open always sends the context.
   */
  ec?: 1;
  /** KMS CiphertextBlob, or iv|tag|ciphertext of the data key under the master key. */
  wrappedKey: string;
  iv: string;
  tag: string;
  ct: string;
}

/** Seals and opens secrets; `aad` binds a ciphertext to its record and field. */
export interface SecretBox {
  readonly kind: SealedSecret['kind'];
  seal(plaintext: string, aad: string): Promise<SealedSecret>;
  open(sealed: SealedSecret, aad: string): Promise<string>;
}

/** The two KMS calls envelope encryption needs (KMS 2016-01-20); lib/cloud's `KmsApi` fits it. */
export interface KmsPort {
  /** A fresh AES-256 data key: plaintext (32 bytes) and the KMS-wrapped copy to store. */
  generateDataKey(input: {
    keyId: string;
    encryptionContext?: Readonly<Record<string, string>>;
  }): Promise<{ plaintext: Buffer; ciphertextBlob: string; keyId: string }>;
  /** `encryptionContext` must equal the one the data key was generated with. */
  decrypt(input: {
    ciphertextBlob: string;
    encryptionContext?: Readonly<Record<string, string>>;
  }): Promise<{ plaintext: Buffer }>;
}
