import type { SealedSecret } from '../crypto/types';

export type StoredCredential =
  | { type: 'access_key'; accessKeyId: string; accessKeySecret: SealedSecret }
  | { type: 'ram_role'; roleArn: string; externalId?: string };

export interface VerificationError {
  code: string;
  message: string;
  hint: string;
}

export interface Verification {
  status: 'verified' | 'failed' | 'unverified';
  checkedAt: number | null;
  identity?: { accountId: string; arn: string };
  error?: VerificationError;
}

/** One audit entry: who changed which fields when (values are never recorded). */
export interface Change {
  atMs: number;
  by: string;
  what: 'create' | 'update' | 'verify';
  fields: string[];
}

/** The accounts table row (pk `id`). Secrets are sealed; `credentialRev` moves on every credential change. */
export interface AccountRecord {
  id: string;
  name: string;
  alibabaAccountId?: string;
  defaultRegion?: string;
  groups: string[];
  credential: StoredCredential;
  credentialRev: number;
  sshKeys: Record<string, { keyPairName: string; privateKey?: SealedSecret }>;
  verification: Verification;
  changes: Change[];
  createdAtMs: number;
  updatedAtMs: number;
}

/** Audit entries kept on the record (older ones remain in the log). */
export const MAX_CHANGES = 50;

/** `LTAI****wxyz`: enough to recognise a key, never enough to use it. */
export function maskKeyId(id: string): string {
  return id.length <= 8 ? '****' : `${id.slice(0, 4)}****${id.slice(-4)}`;
}

/** The account object of API.md §1. Write-only secrets appear only as `hasPrivateKey`. */
export function accountView(r: AccountRecord) {
  const sshKeys: Record<string, { keyPairName: string; hasPrivateKey: boolean }> = {};
  for (const [region, k] of Object.entries(r.sshKeys).sort(([a], [b]) => a.localeCompare(b))) {
    sshKeys[region] = { keyPairName: k.keyPairName, hasPrivateKey: k.privateKey !== undefined };
  }
  const c = r.credential;
  return {
    id: r.id,
    name: r.name,
    alibabaAccountId: r.alibabaAccountId ?? r.verification.identity?.accountId ?? null,
    defaultRegion: r.defaultRegion ?? null,
    groups: r.groups,
    credential:
      c.type === 'access_key'
        ? { type: c.type, accessKeyId: maskKeyId(c.accessKeyId) }
        : { type: c.type, roleArn: c.roleArn, hasExternalId: c.externalId !== undefined },
    sshKeys,
    verification: r.verification,
    createdAt: r.createdAtMs,
    updatedAt: r.updatedAtMs,
  };
}

export type AccountView = ReturnType<typeof accountView>;
