/**
 * The one place that seals and opens an account's secrets (AccessKey secrets, SSH private keys):
 * each bound to its account and field (AAD / KMS EncryptionContext), opened only to sign cloud
 * requests or log in, and registered with the logger so it is redacted wherever it appears.
 */
import { registerSecret } from '../core/log';
import { secretAad, type SecretBox } from '../crypto';
import type { AccountCredential } from '../cloud/types';
import type { CredentialInput } from './schema';
import type { AccountRecord, StoredCredential } from './model';

const SECRET_FIELD = 'credential.accessKeySecret';
const sshAad = (region: string) => `sshKeys.${region}.privateKey`;
const aad = (id: string, field: string) => secretAad('accounts', id, field);

/** Seals a credential for storage (the AccessKey secret; a role has nothing secret). */
export async function sealCredential(id: string, c: CredentialInput, secrets: SecretBox): Promise<StoredCredential> {
  if (c.type === 'ram_role')
    return c.externalId
      ? { type: c.type, roleArn: c.roleArn, externalId: c.externalId }
      : { type: c.type, roleArn: c.roleArn };
  registerSecret(c.accessKeySecret);
  return {
    type: c.type,
    accessKeyId: c.accessKeyId,
    accessKeySecret: await secrets.seal(c.accessKeySecret, aad(id, SECRET_FIELD)),
  };
}

/** The credential ready to sign with. The only caller of `SecretBox.open` for account keys. */
export async function openCredential(rec: AccountRecord, secrets: SecretBox): Promise<AccountCredential> {
  const c = rec.credential;
  if (c.type === 'ram_role')
    return c.externalId
      ? { type: c.type, roleArn: c.roleArn, externalId: c.externalId }
      : { type: c.type, roleArn: c.roleArn };
  const accessKeySecret = await secrets.open(c.accessKeySecret, aad(rec.id, SECRET_FIELD));
  registerSecret(accessKeySecret);
  return { type: c.type, accessKeyId: c.accessKeyId, accessKeySecret };
}

/** An SSH private key, for the provisioning stages that log in. */
export async function openPrivateKey(
  rec: AccountRecord,
  regionId: string,
  secrets: SecretBox,
): Promise<string | undefined> {
  const k = rec.sshKeys[regionId]?.privateKey;
  if (!k) return undefined;
  const pem = await secrets.open(k, aad(rec.id, sshAad(regionId)));
  registerSecret(pem);
  return pem;
}

/** A credential from a request, ready to sign with (verification before it is stored). */
export const plainCredential = (c: CredentialInput): AccountCredential =>
  c.type === 'access_key'
    ? c
    : c.externalId
      ? { type: c.type, roleArn: c.roleArn, externalId: c.externalId }
      : { type: c.type, roleArn: c.roleArn };

/** Seals an SSH private key for `regionId` of account `id`. */
export async function sealPrivateKey(id: string, regionId: string, pem: string, secrets: SecretBox) {
  registerSecret(pem);
  return secrets.seal(pem, aad(id, sshAad(regionId)));
}
