import type { SealedSecret } from '../crypto/types';
import type { ChangeRow } from './changes';

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
  /** Minutes between periodic scans; absent = the default (60), 0 = never. */
  scanIntervalMinutes?: number;
  /**
   * The change this row's last write made, written in that same conditional write: the
   * crash-safe copy of the newest `account_changes` row (lib/accounts/changes.ts).
   */
  lastChange?: ChangeRow;
  /** Set by DELETE just before the row is removed: the account is gone for every reader. */
  deletedAtMs?: number;
  createdAtMs: number;
  updatedAtMs: number;
}

/** How often the periodic scan runs when an account does not say (docs/API.md). */
export const DEFAULT_SCAN_INTERVAL_MINUTES = 60;

/** `LTAI****wxyz`: enough to recognise a key, never enough to use it. */
export function maskKeyId(id: string): string {
  return id.length <= 8 ? '****' : `${id.slice(0, 4)}****${id.slice(-4)}`;
}

/** The account object of docs/API.md §1. Write-only secrets appear only as `hasPrivateKey`. */
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
    scanIntervalMinutes: r.scanIntervalMinutes ?? DEFAULT_SCAN_INTERVAL_MINUTES,
    createdAt: r.createdAtMs,
    updatedAt: r.updatedAtMs,
  };
}

export type AccountView = ReturnType<typeof accountView>;
