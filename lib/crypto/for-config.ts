import type { KmsPort, SecretBox } from './types';
import { createSecretBox } from './secret-box';

const boxes = new Map<string, SecretBox>();

/**
 * The deployment's SecretBox, one per warm instance. `kms` builds a KMS client acting as the
 * function's own role; it is only called when `kmsKeyId` is configured.
 */
export function secretBoxFor(secrets: { kmsKeyId?: string; masterKey?: string }, kms: () => KmsPort): SecretBox {
  const key = `${secrets.kmsKeyId ?? ''}\n${secrets.masterKey ?? ''}`;
  let box = boxes.get(key);
  if (!box) {
    box = createSecretBox(secrets, kms);
    if (boxes.size >= 4) boxes.clear();
    boxes.set(key, box);
  }
  return box;
}
