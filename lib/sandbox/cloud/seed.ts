/** Fills a fresh account's `cloud` state: resource group and two key pairs per region. */
import type { SandboxAccount } from '../openapi/types';
import { accountRegions, catalogOf } from './catalog';
import { randomId } from '../../core/ids';
import { fingerprint, generateEd25519Public } from './ssh-keys';
import { emptyState } from './state';

/** Seeded key pair names; unique across the account's regions (`sandbox-<region>-1|2`). */
export const seededKeyPairNames = (regionId: string) => [`sandbox-${regionId}-1`, `sandbox-${regionId}-2`];

/** Why: every account starts like a real one, with its default resource group and some key pairs. */
export function seedAccount(account: SandboxAccount, seed: unknown, now: number): void {
  const state = emptyState(`rg-acfm${randomId(11)}`);
  for (const region of accountRegions(account, catalogOf(seed))) {
    for (const name of seededKeyPairNames(region.regionId)) {
      const key = generateEd25519Public(name);
      state.keyPairs.push({
        name,
        regionId: region.regionId,
        fingerprint: fingerprint(key.blob),
        publicKey: key.publicKey,
        createdAtMs: now,
        tags: [],
        resourceGroupId: state.resourceGroupId,
      });
    }
  }
  account.cloud = state;
}
