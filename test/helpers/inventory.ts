/**
 * Test helpers for the inventory: a region's worth of resources in the sandbox, the sandbox's
 * dump of what a scan must find, a call counter on the sandbox's front door, and an in-process
 * harness that runs scans stage by stage on the real store and cloud client (events recorded,
 * delivered by the test, deadlines chosen by the test).
 */
import { randomBytes } from 'node:crypto';
import { sealCredential } from '../../lib/accounts/secrets';
import type { AccountRecord } from '../../lib/accounts/model';
import { createCloudFactory, type CloudClient, type Tag } from '../../lib/cloud/index';
import { systemClock } from '../../lib/core/clock';
import { createLogger } from '../../lib/core/log';
import type { CallContext } from '../../lib/core/action';
import { createLocalSecretBox } from '../../lib/crypto';
import type { Invoker } from '../../lib/invoke';
import { scanRegionActions } from '../../lib/inventory';
import type { InventoryDeps } from '../../lib/inventory/deps';
import { ASSET_TYPES } from '../../lib/inventory/model';
import { launchScan } from '../../lib/inventory/start';
import type { StepInput } from '../../lib/jobs';
import { newResourceId } from '../../lib/sandbox/cloud/ids';
import { stateOf } from '../../lib/sandbox/cloud/state';
import { ApiRateLimiter } from '../../lib/sandbox/openapi/load';
import { createStore, createTablestoreClient, ensureTables, tables as T, type Store } from '../../lib/store';
import { LINUX_IMAGE, readyNetwork, type sandboxClock } from './cloud-client';
import type { TestSandbox } from './sandbox';

/** A VPC, VSwitch, security group, `instances` instances (with their system disks) and `eips` EIPs. */
export async function buildRegion(
  c: CloudClient,
  clock: ReturnType<typeof sandboxClock>,
  o: { instances: number; eips?: number; cidr?: string; tags?: Tag[] },
) {
  const net = await readyNetwork(c, clock, {
    cidr: o.cidr ?? '10.0.0.0/16',
    vswCidr: (o.cidr ?? '10.0.0.0/16').replace(/\.0\.0\/16$/, '.0.0/20'),
    ...(o.tags ? { tags: o.tags } : {}),
  });
  const instanceIds: string[] = [];
  for (let left = o.instances; left > 0; left -= 100) {
    const r = await c.ecs.runInstances({
      imageId: LINUX_IMAGE,
      instanceType: 'ecs.g6.large',
      securityGroupId: net.securityGroupId,
      vSwitchId: net.vSwitchId,
      amount: Math.min(100, left),
      ...(o.tags ? { tags: o.tags } : {}),
    });
    instanceIds.push(...r.instanceIds);
  }
  const eipIds: string[] = [];
  for (let i = 0; i < (o.eips ?? 0); i++) eipIds.push((await c.vpc.allocateEip({ bandwidthMbps: 5 })).allocationId);
  await clock.advance(120); // every instance Running, every VPC and VSwitch Available
  return { ...net, instanceIds, eipIds };
}

/** What the sandbox holds of the inventoried types: `[regionId, type, id]` sorted. */
export async function sandboxDump(sb: TestSandbox, accountId: string): Promise<string[]> {
  const dump = await sb.admin<Record<string, Array<{ id: string; regionId: string }>>>(
    `/accounts/${accountId}/resources`,
  );
  const out: string[] = [];
  for (const t of ASSET_TYPES) for (const r of dump[t] ?? []) out.push(`${r.regionId} ${t} ${r.id}`);
  return out.sort();
}

/**
 * Counts every call that reaches the sandbox's front door (after its signature, before its rate
 * limits: throttled calls count), by action. The sandbox must run in this process.
 */
export function countCalls() {
  const counts = new Map<string, number>();
  const orig = ApiRateLimiter.prototype.take;
  ApiRateLimiter.prototype.take = function (this: ApiRateLimiter, ...args: Parameters<ApiRateLimiter['take']>) {
    counts.set(args[2], (counts.get(args[2]) ?? 0) + 1);
    return orig.apply(this, args);
  };
  return {
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset: () => counts.clear(),
    restore: () => {
      ApiRateLimiter.prototype.take = orig;
    },
  };
}

export interface Harness {
  deps: InventoryDeps;
  store: Store;
  accountId: string;
  /** Events the engine sent, oldest first. */
  events: Array<{ fn: string; action: string; input: StepInput; delayMs: number }>;
  /** Delivers events until none is left (or `max`), each with the deadline `deadline()` gives. */
  drain(o?: { max?: number; deadline?: () => number; onEach?: (e: StepInput) => void }): Promise<number>;
  start(regions?: string[]): Promise<{ id: string }>;
}

/** A harness over the sandbox `sb` for the sandbox account `keys` (stored as a fleet account). */
export async function inventoryHarness(
  sb: TestSandbox,
  keys: { accountId: string; accessKeyId: string; accessKeySecret: string },
  prefix: string,
): Promise<Harness> {
  const log = createLogger({}, { level: 'error', write: () => {} });
  const store = createStore({
    tablePrefix: prefix,
    client: () => createTablestoreClient({ endpoint: sb.url, instance: 'fleet', credentials: keys }),
  });
  await ensureTables(store);
  const secrets = createLocalSecretBox(randomBytes(32).toString('base64'));
  const cloud = createCloudFactory({
    config: { sandboxEndpoint: sb.endpoint, region: 'cn-hangzhou', functionPrefix: 'fleet' },
    clock: systemClock,
    log,
    roleCredentials: keys,
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))),
  });
  const events: Harness['events'] = [];
  const invoker: Invoker = {
    async invokeAsync(fn, event, o = {}) {
      const e = event as { action: string; input: StepInput };
      events.push({ fn, action: e.action, input: e.input, delayMs: o.delayMs ?? 0 });
      return { requestId: 'r' };
    },
    async invokeSync() {
      throw new Error('not used');
    },
  };
  const deps: InventoryDeps = {
    store,
    invoker,
    cloud,
    secrets,
    clock: systemClock,
    log,
    random: Math.random,
    config: { jobOverdueMs: 30_000, timeScale: sb.sandbox.timeScale, region: 'cn-hangzhou' },
  };
  const accountId = `acc-${randomBytes(8).toString('hex')}`;
  const now = Date.now();
  const account: AccountRecord = {
    id: accountId,
    name: 'scan-test',
    groups: [],
    credential: await sealCredential(
      accountId,
      { type: 'access_key', accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret },
      secrets,
    ),
    credentialRev: 1,
    sshKeys: {},
    verification: { status: 'verified', checkedAt: now },
    createdAtMs: now,
    updatedAtMs: now,
  };
  await store.create(T.accounts, account);
  const actions = new Map(scanRegionActions().map((a) => [a.name, a]));
  return {
    deps,
    store,
    accountId,
    events,
    async drain(o = {}) {
      let n = 0;
      while (events.length && n < (o.max ?? 500)) {
        const e = events.shift()!;
        o.onEach?.(e.input);
        const ctx: CallContext<InventoryDeps> = {
          requestId: `req-${n}`,
          principal: { kind: 'invoke', role: 'admin', groups: [] },
          deps,
          log,
          deadlineAtMs: o.deadline ? o.deadline() : Date.now() + 300_000,
        };
        await actions.get(e.action)!.run(e.input as unknown as Record<string, unknown>, ctx);
        n++;
      }
      return n;
    },
    start: (regions) =>
      launchScan(deps, { id: accountId }, { trigger: 'api', by: 'test', ...(regions ? { regions } : {}) }),
  };
}

/** A data disk on `instanceId`, as if made in the console (the sandbox has no CreateDisk): its id. */
export function addDataDisk(sb: TestSandbox, accountId: string, instanceId: string): string {
  const core = sb.sandbox.core;
  const s = stateOf(core.account(accountId).account);
  const inst = s.instances.find((i) => i.id === instanceId);
  if (!inst) throw new Error(`no instance ${instanceId}`);
  const id = newResourceId('d', inst.regionId);
  s.disks.push({
    id,
    regionId: inst.regionId,
    createdAtMs: core.now(),
    tags: [],
    resourceGroupId: inst.resourceGroupId,
    zoneId: inst.zoneId,
    instanceId,
    category: 'cloud_essd',
    size: 100,
    type: 'data',
    imageId: '',
    device: '/dev/xvdb',
    name: 'data-1',
    description: '',
  });
  core.changed();
  return id;
}
