/**
 * A fabricated account and OpContext for unit tests of the simulated resources (pure logic, no
 * front door). `call` mimics the front door: it invokes the op handler with flat string params.
 */
import { readFileSync } from 'node:fs';
import type { OpContext, OpHandler, SandboxAccount, SandboxQuotas } from '../openapi/types';
import { cloudModule } from './index';

let seedCache: unknown;
export function loadSeed(): unknown {
  seedCache ??= JSON.parse(readFileSync(new URL('../seed/sandbox-seed.json', import.meta.url), 'utf8'));
  return seedCache;
}

export interface Harness {
  account: SandboxAccount;
  seed: unknown;
  /** Simulated now; tests advance it. */
  clock: { ms: number };
  timeScale: number;
  call(
    product: 'Ecs' | 'Vpc' | 'ResourceCenter' | 'Quotas',
    action: string,
    params?: Record<string, string | number | boolean>,
    // biome-ignore lint/suspicious/noExplicitAny: sandbox answers are read field by field in tests
  ): Promise<Record<string, any>>;
}

export function harness(
  o: { regions?: string[]; quotas?: Partial<SandboxQuotas>; timeScale?: number; resourceCenterEnabled?: boolean } = {},
): Harness {
  const seed = loadSeed();
  const clock = { ms: Date.UTC(2026, 0, 1) };
  const account: SandboxAccount = {
    accountId: '1234567890123456',
    regions: o.regions ?? ['cn-hangzhou', 'cn-beijing', 'ap-southeast-1'],
    quotas: { vpcsPerRegion: 10, routesPerTable: 200, eipBandwidthMbps: 200, eipsPerRegion: 20, ...o.quotas },
    resourceCenterEnabled: o.resourceCenterEnabled ?? true,
    createdAtMs: clock.ms,
    cloud: undefined,
  };
  cloudModule.seedAccount(account, seed, clock.ms);
  const h: Harness = {
    account,
    seed,
    clock,
    timeScale: o.timeScale ?? 1,
    async call(product, action, params = {}) {
      const mod = cloudModule.products.find((m) => m.product === product);
      const op: OpHandler | undefined = mod?.ops[action];
      if (!op) throw new Error(`no op ${product}.${action}`);
      const flat = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
      const ctx: OpContext = {
        account,
        caller: { accessKeyId: 'LTAItest', kind: 'root', arn: `acs:ram::${account.accountId}:root` },
        product,
        version: mod!.version,
        action,
        params: flat,
        requestId: 'REQ',
        now: () => clock.ms,
        timeScale: h.timeScale,
        seed,
      };
      const out = await op(ctx);
      return JSON.parse(JSON.stringify(out));
    },
  };
  return h;
}
