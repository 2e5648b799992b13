/** What the inventory needs; the composition root's wide `Deps` provides it as is. */
import type { RetryPolicy } from '../cloud/retry';
import type { CloudClient, CloudFactory } from '../cloud/types';
import type { Config } from '../core/config';
import type { Principal } from '../core/principal';
import type { SecretBox } from '../crypto';
import type { JobsDeps } from '../jobs';
import { loadAccount, openCredential, type AccountRecord } from '../accounts/read';

export interface InventoryDeps extends JobsDeps {
  readonly cloud: CloudFactory;
  readonly secrets: SecretBox;
  /** `region`: where account-wide calls go when the account has no default region. */
  config: Pick<Config, 'timeScale' | 'jobLeaseMs' | 'jobOverdueMs' | 'region'>;
}

/** Scan jobs act for the system (they were authorised when the scan started). */
export const SYSTEM: Principal = { kind: 'invoke', role: 'admin', groups: [] };

/**
 * A stage's cloud calls retry briefly in the call (a blip, a throttled call after its retry-after)
 * and otherwise fail retryable, so the engine backs the stage off without holding the invocation.
 */
export const STAGE_RETRY: Partial<RetryPolicy> = { maxAttempts: 4, maxTotalMs: 15_000, maxDelayMs: 4000 };

/** The account of a job (a deleted account fails the job with NotFound). */
export const accountOf = (deps: InventoryDeps, accountId: string) =>
  loadAccount(deps.store, accountId, SYSTEM, { access: 'read', doing: 'run scans' });

/** The account's client in `regionId`, its credential opened once per call of this function. */
export function clientOf(deps: InventoryDeps, account: AccountRecord, regionId: string): () => Promise<CloudClient> {
  let client: Promise<CloudClient> | undefined;
  return () =>
    (client ??= openCredential(account, deps.secrets).then((cred) =>
      deps.cloud.forAccount(cred, { regionId, retry: STAGE_RETRY }),
    ));
}

export const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
