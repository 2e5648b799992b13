/**
 * `tsx scripts/bench-body-limits.ts`: how the local host holds up against big bodies nobody
 * authorised. It runs `npm start` (lib/local/main.ts) as its own process on free ports, then
 *   1. sends 8 parallel 31 MB `POST /v1/accounts` without a token, and while they are being sent
 *      an admin `GET /v1/accounts`;
 *   2. sends 8 parallel unsigned 31 MB `POST` to the FC invoke API.
 * It prints each answer's status and time, the admin GET's latency, the host process's peak RSS
 * (VmHWM) and the peak of host + function instances sampled every 50 ms. A refused client that
 * is still writing may see the connection reset before it reads the answer (the host closes
 * the connection rather than read the rest). Not a test: figures depend on the machine.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, runIfMain } from './bench-common';

const BODY_BYTES = 31 * 1024 * 1024;
const PARALLEL = 8;
const CHUNK = Buffer.alloc(1024 * 1024, 'x');

/** kB of a /proc/<pid>/status field, 0 when the process is gone. */
function procKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Pids of `pid`'s children (function instances are forked by the host). */
function children(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out;
}

interface Shot {
  status: number | string;
  ms: number;
  sentBytes: number;
}

/** One POST of `BODY_BYTES`, written in 1 MiB chunks with backpressure; the answer or the error. */
function bigPost(
  url: string,
  path: string,
  onSent: () => void = () => undefined,
  headers: Record<string, string> = {},
): Promise<Shot> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let sent = 0;
    let done = false;
    const finish = (status: number | string) => {
      if (done) return;
      done = true;
      onSent();
      resolve({ status, ms: Date.now() - t0, sentBytes: sent });
    };
    const req = request(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(BODY_BYTES), ...headers },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => finish(res.statusCode ?? 0));
      res.on('error', (e) => finish(`error ${e.message}`));
    });
    req.on('error', (e) => finish(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    const pump = () => {
      while (sent < BODY_BYTES && !done) {
        const n = Math.min(CHUNK.length, BODY_BYTES - sent);
        sent += n;
        if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return void req.once('drain', pump);
      }
      if (!done) {
        req.end();
        onSent();
      }
    };
    pump();
  });
}

async function timedGet(url: string, path: string, token: string): Promise<{ status: number; ms: number }> {
  const t0 = Date.now();
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return { status: res.status, ms: Date.now() - t0 };
}

const summary = (shots: Shot[]) =>
  shots.map((s) => `${s.status} in ${s.ms} ms after ${(s.sentBytes / 1048576).toFixed(1)} MiB sent`).join('\n    ');

export async function benchBodyLimits(): Promise<boolean> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-body-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'lib/local/main.ts')], {
    cwd: root,
    env: { ...process.env, PORT: '0', SANDBOX_PORT: '0', FLEET_DATA_DIR: dataDir, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  let peakTreeKb = 0;
  let peakInstances = 0;
  const sampler = setInterval(() => {
    const pid = child.pid!;
    const kids = children(pid);
    const total = [pid, ...kids].reduce((kb, p) => kb + procKb(p, 'VmRSS'), 0);
    if (total > peakTreeKb) [peakTreeKb, peakInstances] = [total, kids.length];
  }, 50);
  try {
    const started = Date.now();
    while (!/admin token\s+\S+/.test(out)) {
      if (child.exitCode !== null) throw new Error(`npm start exited: ${out}`);
      if (Date.now() - started > 120_000) throw new Error('npm start did not get ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = /API \+ console\s+(http:\/\/\S+?)\//.exec(out)![1]!;
    const token = /admin token\s+(\S+)/.exec(out)![1]!;
    const warm = await timedGet(url, '/v1/accounts', token);
    const idleKb = procKb(child.pid!, 'VmRSS');
    peakTreeKb = 0;

    // The admin's GET goes out once every flood body was sent (or refused): the moment the host
    // has the most to chew on.
    let pending = PARALLEL;
    let allSent!: () => void;
    const sent = new Promise<void>((r) => (allSent = r));
    const once = () => {
      let called = false;
      return () => {
        if (!called && (called = true) && --pending === 0) allSent();
      };
    };
    const posts = Array.from({ length: PARALLEL }, () => bigPost(url, '/v1/accounts', once()));
    await sent;
    const admin = await timedGet(url, '/v1/accounts', token);
    const http = await Promise.all(posts);

    const invokes = await Promise.all(
      Array.from({ length: PARALLEL }, () => bigPost(url, '/2023-03-30/functions/fleet-console/invocations')),
    );
    const after = await timedGet(url, '/v1/accounts', token);

    process.stdout.write(
      [
        `body limits: ${PARALLEL} parallel ${BODY_BYTES / 1048576} MiB bodies without credentials`,
        `  admin GET /v1/accounts   idle ${warm.ms} ms; during the HTTP flood ${admin.status} in ${admin.ms} ms; after ${after.ms} ms`,
        `  POST /v1/accounts (no token):\n    ${summary(http)}`,
        `  POST invoke API (unsigned):\n    ${summary(invokes)}`,
        `  host RSS: idle ${(idleKb / 1024).toFixed(0)} MiB, peak (VmHWM) ${(procKb(child.pid!, 'VmHWM') / 1024).toFixed(0)} MiB`,
        `  host + instances RSS, peak sampled during the floods: ${(peakTreeKb / 1024).toFixed(0)} MiB (${peakInstances} instances)`,
        '',
      ].join('\n'),
    );
    return true;
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, 'bench-body-limits', benchBodyLimits);
