/**
 * What a server's stages may do outside themselves, built once per invocation and only when a
 * stage first asks: the account's cloud client for the server's region (a short in-call retry:
 * a transient failure becomes a stage wait, not a paid sleep), one-at-a-time locks on the store
 * (route changes per VPC, the shared network), and the account's key pair for the region.
 */
import type { Clock } from '../core/clock';
import type { Principal } from '../core/principal';
import type { CloudClient, CloudFactory, Tag } from '../cloud/types';
import type { SecretBox } from '../crypto';
import type { Invoker } from '../invoke';
import { releaseLock, tryLock } from '../store/locks';
import * as T from '../store/tables';
import type { Store } from '../store/types';
import { loadAccount, openCredential } from '../accounts/read';
import type { ServerRecord } from './model';

export interface ServerActivities {
  cloud: Pick<CloudClient, 'ecs' | 'vpc' | 'quotas'>;
  /** The account's key pair name for the server's region, if one is configured. */
  accountKeyPair?: string;
  /** Takes `name` for this server (re-entrant) for `ttlMs`; false while another holds it. */
  lock(name: string, ttlMs: number): Promise<boolean>;
  unlock(name: string): Promise<void>;
  /** Queues `event` for an FC function of the deployment's account (the spec's `notify`). */
  notify(functionName: string, event: unknown, taskId: string): Promise<void>;
  /** The tags every resource of this server carries. */
  tags: Tag[];
}

export interface ActivityDeps {
  readonly store: Store;
  readonly cloud: CloudFactory;
  readonly secrets: SecretBox;
  readonly invoker: Invoker;
  clock: Clock;
}

/** Jobs act for the user who started them; their access was checked then. */
const JOB_PRINCIPAL: Principal = { kind: 'invoke', role: 'admin', groups: [] };

/** A stage retries in its own time (a wait), so a call retries only briefly in place. */
const STAGE_RETRY = { maxAttempts: 2, baseDelayMs: 100, throttledBaseDelayMs: 500, maxDelayMs: 1000, maxTotalMs: 3000 };

/** Tag keys the product owns: what created a resource, and for which server. */
export const TAG_MANAGED = 'fleet:managed';
export const TAG_SERVER = 'fleet:server';
export const TAG_SHARED = 'fleet:shared';

export const serverTags = (r: Pick<ServerRecord, 'id'>): Tag[] => [
  { key: TAG_MANAGED, value: 'true' },
  { key: TAG_SERVER, value: r.id },
];

/** The account's cloud client for a region, as a job uses it (short in-call retries). */
export async function accountCloud(deps: Omit<ActivityDeps, 'invoker' | 'clock'>, accountId: string, regionId: string) {
  const account = await loadAccount(deps.store, accountId, JOB_PRINCIPAL, { access: 'read', doing: 'run server jobs' });
  const cred = await openCredential(account, deps.secrets);
  return { account, cloud: deps.cloud.forAccount(cred, { regionId, retry: STAGE_RETRY }) };
}

export async function serverActivities(record: ServerRecord, deps: ActivityDeps): Promise<ServerActivities> {
  const { account, cloud } = await accountCloud(deps, record.accountId, record.regionId);
  const keyPair = account.sshKeys[record.regionId]?.keyPairName;
  return {
    cloud,
    ...(keyPair ? { accountKeyPair: keyPair } : {}),
    tags: serverTags(record),
    async lock(name, ttlMs) {
      return !!(await tryLock(deps.store, name, record.id, ttlMs, deps.clock.now()));
    },
    async unlock(name) {
      const held = await deps.store.get<{ name: string; holder: string; leaseUntilMs: number }>(T.locks, { name });
      if (held?.holder === record.id) await releaseLock(deps.store, { ...held, version: held.version });
    },
    async notify(functionName, event, taskId) {
      await deps.invoker.invokeAsync(functionName, event, { taskId, absolute: true });
    },
  };
}
