/**
 * Scan bench: 10,000 assets over 10 regions in a sandbox account, 20 ms of latency on every
 * cloud call, the documented rate limits on (SearchResources 20/s, DescribeEipAddresses
 * 600/min…), real time (time scale 1). A scan through the local host (the built inventory and
 * scan-region bundles) is measured against
 * - the lower bound of cloud calls for that inventory: per region ⌈assets/100⌉ SearchResources
 *   pages + per type ⌈n/ids-per-call⌉ (instances, disks, security groups 100, VPCs 20, EIPs 50,
 *   VSwitch and route-table listings 50 a page), + DescribeRegions and the Resource Center check;
 * - what the rate limit allows: SearchResources calls ÷ 20/s (the account's limit: the sandbox,
 *   like Resource Center's one endpoint, counts them per account);
 * - a baseline in the same run that enriches one resource per call, region after region.
 * Peak RSS of the scan-region and inventory instances (VmHWM; the export of all 10,000 assets
 * included) against their 256 MB. Targets: calls ≤ 1.1 × bound, wall ≤ 1.25 × rate floor.
 * Run alone: `tsx scripts/bench-scan.ts` (~5 min, mostly the baseline).
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../lib/build';
import { createCloudFactory, type CloudClient } from '../lib/cloud/index';
import { systemClock } from '../lib/core/clock';
import { createLogger } from '../lib/core/log';
import { ASSET_TYPES, type AssetType } from '../lib/inventory/model';
import { IDS_PER_CALL, RC_PAGE } from '../lib/inventory/collect';
import { startLocalHost, type LocalHost } from '../lib/local/host';
import { countCalls, peakRssByFunction, root, runIfMain } from './bench-common';

const REGIONS = [
  'cn-qingdao',
  'cn-beijing',
  'cn-zhangjiakou',
  'cn-huhehaote',
  'cn-wulanchabu',
  'cn-hangzhou',
  'cn-shanghai',
  'cn-shenzhen',
  'cn-heyuan',
  'cn-guangzhou',
];
/** Per region: 4 VPCs (+4 route tables), 8 VSwitches, 8 security groups, 10 EIPs, 483 instances + 483 disks = 1000. */
const PER_REGION = { vpcs: 4, vSwitchesPerVpc: 2, sgsPerVpc: 2, eips: 10, instances: 483 };
const LATENCY_MS = 20;
const LIMIT_MIB = 256;
const IMAGE = 'ubuntu_22_04_x64_20G_alibase_20250722.vhd';

/** Calls of one sandbox account reaching the front door (throttled ones included), by action. */
/** CPU seconds (user + system) used so far by each live function instance, by function name. */
function cpuByFunction(host: LocalHost): Map<string, number> {
  const out = new Map<string, number>();
  const tick = 100; // USER_HZ on Linux
  for (const pid of host.instancePids()) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const fn = env.find((e) => e.startsWith('FC_FUNCTION_NAME='))?.slice('FC_FUNCTION_NAME='.length) ?? '?';
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(fn, (out.get(fn) ?? 0) + (Number(f[11]) + Number(f[12])) / tick);
    } catch {
      /* gone, or no /proc */
    }
  }
  return out;
}

async function seedRegion(c: CloudClient, admin: (p: string, b?: unknown) => Promise<any>, regionId: string) {
  const zones = await c.ecs.describeZones();
  const zoneId = zones[1]!.zoneId;
  let vswOfFirst = '';
  let sgOfFirst = '';
  for (let v = 0; v < PER_REGION.vpcs; v++) {
    const vpc = await c.vpc.createVpc({ cidrBlock: `10.${v}.0.0/16` });
    await admin('/clock', { advanceSeconds: 10 });
    for (let w = 0; w < PER_REGION.vSwitchesPerVpc; w++) {
      const vsw = await c.vpc.createVSwitch({ vpcId: vpc.vpcId, zoneId, cidrBlock: `10.${v}.${w * 16}.0/20` });
      await admin('/clock', { advanceSeconds: 10 });
      if (!vswOfFirst) vswOfFirst = vsw.vSwitchId;
    }
    for (let g = 0; g < PER_REGION.sgsPerVpc; g++) {
      const sg = await c.ecs.createSecurityGroup({ vpcId: vpc.vpcId });
      if (!sgOfFirst) sgOfFirst = sg.securityGroupId;
    }
  }
  for (let e = 0; e < PER_REGION.eips; e++) await c.vpc.allocateEip({ bandwidthMbps: 5 });
  for (let left = PER_REGION.instances; left > 0; left -= 100) {
    await c.ecs.runInstances({
      imageId: IMAGE,
      instanceType: 'ecs.g6.large',
      securityGroupId: sgOfFirst,
      vSwitchId: vswOfFirst,
      amount: Math.min(100, left),
      tags: [{ key: 'bench', value: regionId }],
    });
  }
  void regionId;
}

/** The fewest calls that can read this inventory (see the header). */
function lowerBound(dump: Record<string, Array<{ regionId: string }>>) {
  let calls = 2; // DescribeRegions + GetResourceCenterServiceStatus
  let pages = 0;
  for (const r of REGIONS) {
    const n = (t: string) => (dump[t] ?? []).filter((x) => x.regionId === r).length;
    const all = ASSET_TYPES.reduce((s, t) => s + n(t), 0);
    pages += Math.ceil(all / RC_PAGE);
    for (const t of ASSET_TYPES) {
      const per = IDS_PER_CALL[t as AssetType];
      calls += Math.ceil(n(t) / (Number.isFinite(per) ? per : 50));
    }
  }
  return { calls: calls + pages, searchPages: pages };
}

/** The baseline: each region in turn, its resources listed, then one Describe call per resource. */
async function baseline(client: (regionId: string) => CloudClient) {
  for (const r of REGIONS) {
    const c = client(r);
    const all = await c.resourceCenter.searchAllResources({
      filters: [
        { key: 'RegionId', values: [r] },
        { key: 'ResourceType', values: [...ASSET_TYPES] },
      ],
    });
    for (const res of all) {
      const id = res.resourceId;
      switch (res.resourceType) {
        case 'ACS::ECS::Instance':
          await c.ecs.describeInstances({ instanceIds: [id] });
          break;
        case 'ACS::ECS::Disk':
          await c.ecs.describeDisks({ diskIds: [id] });
          break;
        case 'ACS::ECS::SecurityGroup':
          await c.ecs.describeSecurityGroups({ securityGroupIds: [id] });
          break;
        case 'ACS::VPC::VPC':
          await c.vpc.describeVpcs({ vpcIds: [id] });
          break;
        case 'ACS::VPC::VSwitch':
          await c.vpc.describeVSwitches({ vSwitchId: id });
          break;
        case 'ACS::VPC::RouteTable':
          await c.vpc.describeRouteTableList({ routeTableId: id });
          break;
        case 'ACS::EIP::EipAddress':
          await c.vpc.describeEips({ allocationId: id });
          break;
      }
    }
  }
}

export async function benchScan(opts: { skipBuild?: boolean } = {}): Promise<boolean> {
  if (!opts.skipBuild) await build({ root });
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-scan-'));
  let scanned = '';
  const calls = countCalls(() => scanned);
  const host = await startLocalHost({
    port: 0,
    sandboxPort: 0,
    dataDir,
    timeScale: 1,
    timers: false,
    build: false,
    // BENCH_SCAN_INSTANCES=<n>: the local host's cap on instances per function (default 4; FC's is higher).
    ...(process.env.BENCH_SCAN_INSTANCES ? { maxInstancesPerFunction: Number(process.env.BENCH_SCAN_INSTANCES) } : {}),
    // BENCH_SCAN_LOG=<file>: every function log line (info) goes there, to see where time goes.
    onLog: process.env.BENCH_SCAN_LOG
      ? (fn, line) => appendFileSync(process.env.BENCH_SCAN_LOG!, `${Date.now()} [${fn}] ${line}\n`)
      : false,
    env: {
      LOG_LEVEL: process.env.BENCH_SCAN_LOG ? 'info' : 'warn',
      // e.g. BENCH_SCAN_NODE_OPTIONS='--require ./scripts/cpu-profile.cjs' to profile the functions
      ...(process.env.BENCH_SCAN_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SCAN_NODE_OPTIONS } : {}),
    },
  });
  try {
    const admin = async (path: string, body?: unknown, method?: string) => {
      const res = await fetch(`${host.sandbox.url}/__sandbox${path}`, {
        method: method ?? (body === undefined ? 'GET' : 'POST'),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`admin ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const api = async (method: string, path: string, json?: unknown) => {
      const res = await fetch(`${host.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${host.adminToken}`,
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
      const isJson = (res.headers.get('content-type') ?? '').startsWith('application/json');
      return { body: isJson ? JSON.parse(text) : text, headers: res.headers };
    };

    // ---- seed 10,000 assets (no latency, sandbox clock held and moved by hand)
    const keys = await host.sandbox.createAccount({ regions: REGIONS, quotas: { vpcsPerRegion: 20 } });
    scanned = keys.accountId;
    const factory = createCloudFactory({
      config: { sandboxEndpoint: host.sandbox.endpoint, region: 'cn-hangzhou', functionPrefix: 'fleet' },
      clock: systemClock,
      log: createLogger({}, { level: 'error', write: () => {} }),
      roleCredentials: keys,
    });
    const client = (regionId: string) =>
      factory.forAccount(
        { type: 'access_key', accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret },
        { regionId },
      );
    await admin('/clock', { frozen: true });
    const t0 = Date.now();
    for (const r of REGIONS) await seedRegion(client(r), admin, r);
    await admin('/clock', { advanceSeconds: 300 });
    await admin('/clock', { frozen: false }); // rate windows follow the sandbox clock
    const dump = (await admin(`/accounts/${keys.accountId}/resources`)) as Record<string, Array<{ regionId: string }>>;
    const assets = ASSET_TYPES.reduce((s, t) => s + (dump[t]?.length ?? 0), 0);
    process.stdout.write(
      `\nscan bench: seeded ${assets} assets over ${REGIONS.length} regions in ${Date.now() - t0} ms\n`,
    );

    const account = await api('POST', '/v1/accounts', {
      name: 'bench-scan',
      credential: { type: 'access_key', accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret },
    });
    await admin(`/accounts/${keys.accountId}/latency`, { ms: LATENCY_MS });
    const bound = lowerBound(dump);

    // ---- the scan
    calls.reset();
    const cpu0 = cpuByFunction(host);
    const self0 = process.cpuUsage();
    const started = Date.now();
    const post = await api('POST', '/v1/scans', { accountId: account.body.id });
    let scan = post.body;
    while (scan.status === 'running') {
      await new Promise((r) => setTimeout(r, 25));
      scan = (await api('GET', `/v1/scans/${post.body.id}`)).body;
    }
    const wallMs = Date.now() - started;
    const selfCpu = process.cpuUsage(self0);
    const load = loadavg()[0]!;
    const cpu1 = cpuByFunction(host);
    const fnCpu = [...cpu1].map(([fn, s]) => `${fn.replace('fleet-', '')} ${(s - (cpu0.get(fn) ?? 0)).toFixed(1)} s`);
    const scanCalls = calls.total();
    const byAction = Object.fromEntries([...calls.counts].sort());
    const floorMs = (bound.searchPages / 20) * 1000;

    // ---- the inventory function over all 10,000 assets: a listing and the whole export
    let exported = 0;
    let cursor: string | undefined;
    do {
      const r = await api(
        'GET',
        `/v1/assets/export?accountId=${account.body.id}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      exported += String(r.body).split('\n').filter(Boolean).length;
      cursor = r.headers.get('x-next-cursor') ?? undefined;
    } while (cursor);
    await api('GET', `/v1/assets?accountId=${account.body.id}&limit=500`);
    const rss = peakRssByFunction(host);

    // ---- the baseline: one resource per call, region after region
    calls.reset();
    const b0 = Date.now();
    if (process.env.BENCH_SCAN_BASELINE !== '0') await baseline(client);
    const baseMs = Date.now() - b0;
    const baseCalls = calls.total();

    const callsOk = scanCalls <= 1.1 * bound.calls;
    const wallOk = wallMs <= 1.25 * floorMs;
    const rssRows = ['scan-region', 'inventory'].map((fn) => {
      const mib = rss.get(`fleet-${fn}`);
      return { fn, mib, ok: mib !== undefined && mib < LIMIT_MIB };
    });
    const lines = [
      `scan: ${scan.status}, source ${scan.source}, found ${scan.counts.found} (sandbox holds ${assets}), exported ${exported}`,
      `  wall time      ${(wallMs / 1000).toFixed(2)} s   rate-limit floor ${(floorMs / 1000).toFixed(2)} s (${bound.searchPages} SearchResources ÷ 20/s)   ratio ${(wallMs / floorMs).toFixed(2)} (target ≤ 1.25) ${wallOk ? 'ok' : 'OVER'}`,
      `  cloud calls    ${scanCalls}   lower bound ${bound.calls}   ratio ${(scanCalls / bound.calls).toFixed(3)} (target ≤ 1.1) ${callsOk ? 'ok' : 'OVER'}`,
      `  by action      ${JSON.stringify(byAction)}`,
      `  CPU during the scan: ${fnCpu.join(', ')}; sandbox + host process ${((selfCpu.user + selfCpu.system) / 1e6).toFixed(1)} s (1-min load average ${load.toFixed(1)} on ${availableParallelism()} CPUs at the end of the scan)`,
      `baseline (one resource per call, region after region): ${baseCalls} calls, ${(baseMs / 1000).toFixed(1)} s  → the scan makes ${(baseCalls / scanCalls).toFixed(1)}× fewer calls, ${(baseMs / wallMs).toFixed(1)}× faster`,
      ...rssRows.map(
        (r) =>
          `  peak RSS ${r.fn.padEnd(12)} ${r.mib === undefined ? 'n/a' : `${r.mib.toFixed(1)} MiB`} (limit ${LIMIT_MIB} MB) ${r.ok ? 'ok' : 'OVER'}`,
      ),
      `(${LATENCY_MS} ms latency per call, documented rate limits on, time scale 1; calls counted at the sandbox's front door, throttled ones included)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return scan.status === 'succeeded' && callsOk && wallOk && rssRows.every((r) => r.ok);
  } finally {
    calls.restore();
    await host.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'bench-scan', () => benchScan());
