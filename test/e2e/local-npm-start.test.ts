/**
 * `npm start` as a user runs it: a real process tree (npm → tsx → host → function instances) on
 * free ports with a temp data dir. It serves /healthz, prints the admin token and the sandbox
 * account, reuses them on restart, and SIGTERM leaves no process of its group behind. (How fast
 * it starts is `npm start`'s own banner figure, not a test: a loaded machine is slow, not wrong.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRoot } from '../../lib/local/host';
import { freePort } from '../helpers/free-port';

const root = findRoot();
const dataDir = mkdtempSync(join(tmpdir(), 'fleet-npm-start-'));
const started: ChildProcess[] = [];

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

async function npmStart(env: Record<string, string>) {
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      SANDBOX_PORT: String(sandboxPort),
      FLEET_DATA_DIR: dataDir,
      SANDBOX_TIME_SCALE: '0.01',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the test can see every descendant
  });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const t0 = Date.now();
  let health: unknown;
  // The bound only turns a host that never comes up into a failure.
  while (Date.now() - t0 < 180_000) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(30_000) });
      if (res.ok) {
        health = await res.json();
        break;
      }
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // The banner is printed right after the server is ready.
  for (let i = 0; i < 600 && !out.includes('accessKeySecret='); i++) await new Promise((r) => setTimeout(r, 50));
  return { child, port, health, output: () => out };
}

async function stop(child: ChildProcess): Promise<number | null | 'hung'> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  process.kill(child.pid!, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 60_000)));
  const code = await Promise.race([exited, hung]);
  clearTimeout(timer);
  for (let i = 0; i < 600 && groupAlive(child.pid!); i++) await new Promise((r) => setTimeout(r, 50));
  return code;
}

test.after(() => {
  for (const c of started) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

let firstKeys = '';
let firstToken = '';

test('npm start serves /healthz and prints the token and the sandbox account', async () => {
  const run = await npmStart({ FLEET_ADMIN_TOKEN: '' });
  assert.equal(run.health, { status: 'ok', version: '0.1.0' }, run.output());
  const out = run.output();
  const token = /admin token\s+(\S+)/.exec(out)?.[1] ?? '';
  const keys = /accountId=(\d+) accessKeyId=(\S+) accessKeySecret=(\S+)/.exec(out);
  assert.ok(token.length >= 32, out);
  assert.ok(keys, out);
  firstKeys = keys![0];
  firstToken = token;
  // The printed token works against the API.
  const res = await fetch(`http://127.0.0.1:${run.port}/v1/servers`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(60_000),
  });
  assert.is(res.status, 200);
  assert.equal(await res.json(), { items: [] });
  // The printed ram_role recipe works as printed: the role is created, then verified as an account.
  const curls = [...out.matchAll(/curl -s -X POST (\S+) [^\n]*\n\s+-d '([^']+)'/g)].map((m) => ({
    url: m[1]!,
    body: m[2]!,
  }));
  assert.is(curls.length, 2, out);
  const made = await fetch(curls[0]!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: curls[0]!.body,
  });
  assert.is(made.status, 201, await made.clone().text());
  const added = await fetch(curls[1]!.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: curls[1]!.body,
    signal: AbortSignal.timeout(60_000),
  });
  const account = (await added.json()) as { verification: { status: string; identity?: { arn: string } } };
  assert.is(added.status, 201, JSON.stringify(account));
  assert.is(account.verification.status, 'verified', JSON.stringify(account));
  assert.match(account.verification.identity?.arn ?? '', /fleet-operator/);
  // A function instance is running now; SIGTERM must take it down too.
  const code = await stop(run.child);
  assert.is(code, 0, run.output());
  assert.not.ok(groupAlive(run.child.pid!), 'a process of npm start survived SIGTERM');
});

test('a restart reuses the saved token and sandbox account from FLEET_DATA_DIR', async () => {
  const run = await npmStart({ FLEET_ADMIN_TOKEN: '' });
  assert.equal(run.health, { status: 'ok', version: '0.1.0' }, run.output());
  const out = run.output();
  assert.ok(out.includes(firstKeys), out);
  assert.is(/admin token\s+(\S+)/.exec(out)?.[1], firstToken);
  assert.is(await stop(run.child), 0);
  assert.not.ok(groupAlive(run.child.pid!));
});

test.run();
