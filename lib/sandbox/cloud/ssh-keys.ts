/** OpenSSH public keys: parsing, RFC 4716 (MD5) fingerprints, and generating key pairs. */
import { createHash, generateKeyPairSync } from 'node:crypto';

const TYPES = [
  'ssh-rsa',
  'ssh-dss',
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
];

/** The key blob of an OpenSSH public key line, or null when it is not one. */
export function parsePublicKey(body: string): { type: string; blob: Buffer } | null {
  const [type, b64] = body.trim().split(/\s+/);
  if (!type || !b64 || !TYPES.includes(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  const blob = Buffer.from(b64, 'base64');
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (blob.subarray(4, 4 + len).toString() !== type) return null;
  return { type, blob };
}

/** `aa:bb:…` MD5 of the key blob, the fingerprint format ECS documents (RFC 4716). */
export const fingerprint = (blob: Buffer) => createHash('md5').update(blob).digest('hex').match(/../g)!.join(':');

const sshString = (b: Buffer) => {
  const l = Buffer.alloc(4);
  l.writeUInt32BE(b.length);
  return Buffer.concat([l, b]);
};
/** SSH mpint: big-endian, with a leading zero byte when the high bit is set. */
const mpint = (b: Buffer) => sshString(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);

/** A new RSA 2048 key pair as CreateKeyPair returns it (PKCS#1 PEM private key). */
export function generateRsa(comment: string): { publicKey: string; privateKeyPem: string; blob: Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const blob = Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    mpint(Buffer.from(jwk.e!, 'base64url')),
    mpint(Buffer.from(jwk.n!, 'base64url')),
  ]);
  return {
    publicKey: `ssh-rsa ${blob.toString('base64')} ${comment}`,
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    blob,
  };
}

/** A fresh ed25519 public key line (cheap; used for seeded key pairs). */
export function generateEd25519Public(comment: string): { publicKey: string; blob: Buffer } {
  const { publicKey } = generateKeyPairSync('ed25519');
  const x = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const blob = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(x)]);
  return { publicKey: `ssh-ed25519 ${blob.toString('base64')} ${comment}`, blob };
}
