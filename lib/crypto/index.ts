export type { SealedSecret, SecretBox, KmsPort } from './types';
export { createLocalSecretBox, createKmsSecretBox, createSecretBox, kmsContext, secretAad } from './secret-box';
export { secretBoxFor } from './for-config';
