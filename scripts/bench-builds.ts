/**
 * Server builds, billed (`tsx scripts/bench-builds.ts`; also part of `npm run bench`): the local
 * host and the sandbox at time scale 1 — realistic transitions: VPC 4 s, VSwitch 2.5 s, instance
 * Running 18 s, EIP 2 s — build BUILDS servers (dedicated network, EIP) at once and report per
 * build:
 * - billed: the summed handler time of its provision invocations (what FC bills: the time the
 *   instance ran the handler, without queueing or cold starts), median;
 * - cloud calls made for it (counted at the sandbox's front door);
 * - time-to-ready, against the sandbox's own transition times on the build's path (26.5 s);
 * against a baseline in the same run that builds the same server in ONE invocation, polling with
 * sleeps (1 s), as the seed's plugin would — its billed time is its whole duration. Then the peak
 * RSS of the provision instances. Targets: billed ≤ 5 % of the baseline's; time-to-ready within
 * 10 % of the transition times; provision < 256 MB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientToken } from '../lib/cloud/client-token';
import { createCloudFactory } from '../lib/cloud/factory';
import { systemClock } from '../lib/core/clock';
import { loadConfig } from '../lib/core/config';
import { createLogger } from '../lib/core/log';
import { startLocalHost, type LocalHost } from '../lib/local/host';
import { WAIT_MS } from '../lib/sandbox/cloud/lifecycle';
import { countCalls, median, peakRssByFunction, root, runIfMain } from './bench-common';

const BUILDS = Number(process.env.BENCH_BUILDS) || 3;
/** The sandbox's transition times on a dedicated build with an EIP. */
const TRANSITIONS_MS = WAIT_MS.vpcCreate + WAIT_MS.vSwitchCreate + WAIT_MS.instanceStarting + WAIT_MS.eipAssociate;

async function api(host: LocalHost, method: string, path: string, body?: unknown) {
  const res = await fetch(`${host.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${host.adminToken}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return (await res.json()) as Record<string, any>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The baseline: the same server in one invocation, polling each transition every second. */
async function baselineBuild(
  host: LocalHost,
  keys: { accessKeyId: string; accessKeySecret: string },
  spec: { regionId: string; imageId: string; instanceType: string; keyPairName: string; zoneId: string },
) {
  const config = loadConfig({ FLEET_SANDBOX_ENDPOINT: host.sandbox.endpoint, LOG_LEVEL: 'error' });
  const cloud = createCloudFactory({
    config,
    clock: systemClock,
    log: createLogger({}, { level: 'error' }),
    roleCredentials: keys,
  }).forAccount({ type: 'access_key', ...keys }, { regionId: spec.regionId });
  const started = Date.now();
  const poll = async (done: () => Promise<boolean>) => {
    while (!(await done())) await sleep(1000);
  };
  const t = (s: string) => clientToken('baseline', String(started), s);
  const { vpcId } = await cloud.vpc.createVpc({ cidrBlock: '10.0.0.0/16', clientToken: t('vpc') });
  await poll(async () => (await cloud.vpc.describeVpcs({ vpcIds: [vpcId] }))[0]?.status === 'Available');
  const { vSwitchId } = await cloud.vpc.createVSwitch({
    vpcId,
    zoneId: spec.zoneId,
    cidrBlock: '10.0.0.0/24',
    clientToken: t('vsw'),
  });
  await poll(async () => (await cloud.vpc.describeVSwitches({ vSwitchId }))[0]?.status === 'Available');
  const { securityGroupId } = await cloud.ecs.createSecurityGroup({ vpcId, clientToken: t('sg') });
  await cloud.ecs.authorizeSecurityGroup({
    securityGroupId,
    rules: ['22/22', '80/80', '443/443'].map((portRange) => ({
      ipProtocol: 'tcp',
      portRange,
      sourceCidrIp: '0.0.0.0/0',
    })),
    clientToken: t('rules'),
  });
  const { instanceIds } = await cloud.ecs.runInstances({
    imageId: spec.imageId,
    instanceType: spec.instanceType,
    securityGroupId,
    vSwitchId,
    keyPairName: spec.keyPairName,
    clientToken: t('run'),
  });
  const instanceId = instanceIds[0]!;
  await poll(async () => (await cloud.ecs.describeInstances({ instanceIds: [instanceId] }))[0]?.status === 'Running');
  const { allocationId } = await cloud.vpc.allocateEip({ bandwidthMbps: 5, clientToken: t('eip') });
  await cloud.vpc.associateEip({ allocationId, instanceId, clientToken: t('assoc') });
  await poll(async () => (await cloud.vpc.describeEips({ allocationId }))[0]?.status === 'InUse');
  return Date.now() - started;
}

export async function benchBuilds(): Promise<boolean> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-builds-'));
  let account = '';
  const calls = countCalls(() => account);
  const host = await startLocalHost({
    root,
    dataDir,
    port: 0,
    sandboxPort: 0,
    timeScale: 1,
    timers: false,
    onLog: false,
  });
  try {
    const keys = await host.sandbox.createAccount({ quotas: { vpcsPerRegion: 50, eipsPerRegion: 50 } });
    account = keys.accountId;
    const acc = await api(host, 'POST', '/v1/accounts', {
      name: 'bench',
      credential: { type: 'access_key', accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret },
    });
    const region = 'cn-hangzhou';
    const types = await api(host, 'GET', `/v1/catalog/${acc.id}/regions/${region}/instance-types`);
    const images = await api(host, 'GET', `/v1/catalog/${acc.id}/regions/${region}/images`);
    const pairs = await api(host, 'GET', `/v1/catalog/${acc.id}/regions/${region}/key-pairs`);
    const instanceType = (types.items.find((t: any) => /^ecs\.(g6|c6)\./.test(t.instanceType)) ?? types.items[0])
      .instanceType;
    const imageId = images.items[0].imageId;
    const keyPairName = pairs.items[0].keyPairName;
    const zones = await api(host, 'GET', `/v1/catalog/${acc.id}/regions/${region}/zones?instanceType=${instanceType}`);
    const zoneId = zones.items.find((z: any) => z.available).zoneId;

    // Ours: BUILDS at once, each timed from its 202 to `ready`.
    calls.reset();
    const startedAt = new Map<string, number>();
    const created = await Promise.all(
      Array.from({ length: BUILDS }, async (_, i) => {
        const t0 = Date.now();
        const s = await api(host, 'POST', '/v1/servers', {
          accountId: acc.id,
          regionId: region,
          name: `bench-${i + 1}`,
          instanceType,
          imageId,
          keyPairName,
        });
        startedAt.set(s.id, t0);
        return s.id as string;
      }),
    );
    const readyIn = new Map<string, number>();
    while (readyIn.size < created.length) {
      await sleep(100);
      for (const id of created) {
        if (readyIn.has(id)) continue;
        const s = await api(host, 'GET', `/v1/servers/${id}`);
        if (s.status === 'failed') throw new Error(`bench build failed: ${JSON.stringify(s.error)}`);
        if (s.status === 'ready') readyIn.set(id, Date.now() - startedAt.get(id)!);
      }
    }
    const ourCalls = calls.total() / BUILDS;
    const billed = created.map((id) => {
      const prefix = `${id}_`;
      return host.invocations
        .filter((r) => r.functionName === 'fleet-provision' && r.taskId?.startsWith(prefix))
        .reduce((a, r) => a + r.handlerMs, 0);
    });
    const invocations = created.map(
      (id) =>
        host.invocations.filter((r) => r.functionName === 'fleet-provision' && r.taskId?.startsWith(`${id}_`)).length,
    );
    const rss = peakRssByFunction(host).get('fleet-provision') ?? 0;

    // Baseline: one invocation, sleeping between polls (its billed time is all of it).
    calls.reset();
    const baseMs = await baselineBuild(host, keys, { regionId: region, imageId, instanceType, keyPairName, zoneId });
    const baseCalls = calls.total();

    const billedMs = median(billed);
    const readyMs = median([...readyIn.values()]);
    const billedOk = billedMs <= 0.05 * baseMs;
    const readyOk = readyMs <= 1.1 * TRANSITIONS_MS;
    const rssOk = rss < 256;
    const out = [
      `\nserver builds (${BUILDS} at once, dedicated + EIP, time scale 1; the sandbox's transitions on this path: ${(TRANSITIONS_MS / 1000).toFixed(1)} s)`,
      `  billed per build    median ${billedMs.toFixed(0)} ms over ${median(invocations)} invocations   baseline ${baseMs} ms   ratio ${((100 * billedMs) / baseMs).toFixed(1)} % (target ≤ 5 %) ${billedOk ? 'ok' : 'OVER'}`,
      `  time to ready       median ${(readyMs / 1000).toFixed(2)} s   transitions ${(TRANSITIONS_MS / 1000).toFixed(1)} s   +${((100 * (readyMs - TRANSITIONS_MS)) / TRANSITIONS_MS).toFixed(1)} % (target ≤ 10 %) ${readyOk ? 'ok' : 'OVER'}   baseline ${(baseMs / 1000).toFixed(2)} s`,
      `  cloud calls         ${ourCalls.toFixed(1)} per build   baseline ${baseCalls}`,
      `  provision peak RSS  ${rss.toFixed(0)} MiB (≤ 256 MB) ${rssOk ? 'ok' : 'OVER'}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    return billedOk && readyOk && rssOk;
  } finally {
    calls.restore();
    await host.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'server builds', benchBuilds);
