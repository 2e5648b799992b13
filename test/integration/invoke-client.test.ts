/**
 * The production invoke client (`@alicloud/fc20230330` through lib/invoke) against the local
 * host's FC 3.0 invoke API: signed Sync and Async calls, delays, task-id idempotency, refused
 * signatures, and retries of failing async calls as `maxAsyncRetryAttempts` says.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInvoker, type Invoker } from '../../lib/invoke';
import { build } from '../../lib/build';
import { findRoot } from '../../lib/local/host';
import { renderLocalModel } from '../../lib/local/function-env';
import { localFunction, startTestHost, type TestHost } from '../helpers/local';

const SCALE = 0.05;
const fixtures = mkdtempSync(join(tmpdir(), 'fleet-invoke-fn-'));
let host: TestHost;
let invoker: Invoker;

// A function that fails its first `failTimes` calls per key, and can crash its instance.
writeFileSync(join(fixtures, 'package.json'), '{"type":"commonjs"}');
writeFileSync(
  join(fixtures, 'index.js'),
  `const counts = new Map();
let active = 0;
exports.handler = async (event, context) => {
  const e = JSON.parse(event.toString());
  if (e.crash) process.exit(3);
  if (e.gate) {
    // Says it is running, then holds its instance until the test opens the gate.
    const fs = require('node:fs');
    fs.appendFileSync(e.gate + '.arrived', process.pid + '\\n');
    active++;
    const seen = active;
    while (!fs.existsSync(e.gate)) await new Promise((r) => setTimeout(r, 10));
    active--;
    return { pid: process.pid, concurrent: seen };
  }
  if (e.sleepMs) {
    active++;
    const seen = active;
    await new Promise((r) => setTimeout(r, e.sleepMs));
    active--;
    return { pid: process.pid, concurrent: seen };
  }
  const n = (counts.get(e.key) || 0) + 1;
  counts.set(e.key, n);
  if (n <= (e.failTimes || 0)) throw new Error('planned failure ' + n);
  return { key: e.key, attempts: n, fn: context.function.name, hasCredentials: !!context.credentials.accessKeySecret };
};`,
);

const flaky = (name: string, retries: number) =>
  // A generous FC time-out: a call held at the gate waits for other instances to start.
  localFunction(name, { code: fixtures, maxAsyncRetryAttempts: retries, asyncTask: true, timeoutSec: 120 });

const arrived = (gate: string) =>
  existsSync(`${gate}.arrived`) ? readFileSync(`${gate}.arrived`, 'utf8').split('\n').filter(Boolean) : [];
/** Waits for `cond`; the bound only turns a hang into a failure (a loaded machine is slow, not wrong). */
const until = async (what: string, cond: () => boolean, ms = 120_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

test.before(async () => {
  const model = await renderLocalModel(findRoot());
  model.functions.push(flaky('flaky', 2));
  host = await startTestHost({ timeScale: SCALE, model, timers: false });
  invoker = createInvoker({
    endpoint: host.url,
    credentials: { ...host.deploymentAccount },
    functionPrefix: 'fleet',
    region: host.model.region,
  });
});

test.after(async () => {
  await host?.close();
  rmSync(fixtures, { recursive: true, force: true });
});

test('sync invoke of a direct action through the SDK', async () => {
  const out = await invoker.invokeSync<{ ok: boolean; result: { status: string; version: string } }>('console', {
    action: 'health',
    input: {},
  });
  assert.equal(out, { ok: true, result: { status: 'ok', version: '0.1.0' } });
  const unknown = await invoker.invokeSync<{ ok: boolean; error: { code: string } }>('console', { action: 'nope' });
  assert.is(unknown.ok, false);
  assert.is(unknown.error.code, 'NotFound');
});

test('the function gets FC context: its name and the role credentials', async () => {
  const out = await invoker.invokeSync<{ fn: string; hasCredentials: boolean }>('flaky', { key: 'ctx' });
  assert.is(out.fn, 'fleet-flaky');
  assert.is(out.hasCredentials, true);
});

test('async with a delay runs once, after the (scaled) delay', async () => {
  const before = Date.now();
  const { taskId, requestId } = await invoker.invokeAsync(
    'flaky',
    { key: 'delayed' },
    { delayMs: 2000, taskId: 'delayed-1' },
  );
  assert.is(taskId, 'delayed-1');
  assert.match(requestId, /^1-/);
  const task = host.asyncTask('delayed-1')!;
  assert.is(task.dueAtMs - task.createdAtMs, 2000 * SCALE);
  await until('the delayed task', () => host.asyncTask('delayed-1')?.status === 'Succeeded');
  const run = host.invocations.find((i) => i.taskId === 'delayed-1')!;
  assert.ok(run.atMs - before >= 2000 * SCALE - 5, `ran after ${run.atMs - before} ms`);
});

test('the same task id is accepted again but runs once', async () => {
  await invoker.invokeAsync('flaky', { key: 'idem' }, { taskId: 'idem-1' });
  await invoker.invokeAsync('flaky', { key: 'idem' }, { taskId: 'idem-1' });
  await until('the task', () => host.asyncTask('idem-1')?.status === 'Succeeded');
  await host.drainAsync();
  assert.is(host.invocations.filter((i) => i.taskId === 'idem-1').length, 1);
  const out = await invoker.invokeSync<{ attempts: number }>('flaky', { key: 'idem' });
  assert.is(out.attempts, 2, 'one async run + this sync run');
});

test('a failing async call is retried per maxAsyncRetryAttempts, then succeeds', async () => {
  await invoker.invokeAsync('flaky', { key: 'retry-ok', failTimes: 2 }, { taskId: 'retry-ok' });
  await until('retries', () => ['Succeeded', 'Failed'].includes(host.asyncTask('retry-ok')?.status ?? ''));
  const task = host.asyncTask('retry-ok')!;
  assert.is(task.status, 'Succeeded');
  assert.is(task.attempts, 3);
  const runs = host.invocations.filter((i) => i.taskId === 'retry-ok');
  assert.equal(
    runs.map((r) => r.ok),
    [false, false, true],
  );
});

test('retries stop at maxAsyncRetryAttempts: the task fails with the last error', async () => {
  await invoker.invokeAsync('flaky', { key: 'retry-fail', failTimes: 10 }, { taskId: 'retry-fail' });
  await until('retries', () => ['Succeeded', 'Failed'].includes(host.asyncTask('retry-fail')?.status ?? ''));
  const task = host.asyncTask('retry-fail')!;
  assert.is(task.status, 'Failed');
  assert.is(task.attempts, 3);
  assert.is(task.lastError?.errorMessage, 'planned failure 3');
});

test('a wrong secret is refused with 403 SignatureNotMatch; an unknown key with InvalidAccessKeyID', async () => {
  const bad = createInvoker({
    endpoint: host.url,
    credentials: { ...host.deploymentAccount, accessKeySecret: 'not-the-secret' },
    functionPrefix: 'fleet',
  });
  const e1 = await bad.invokeSync('console', { action: 'health' }).then(
    () => undefined,
    (e: unknown) => e as { code: string; cloud?: { code: string; httpStatus?: number } },
  );
  assert.is(e1?.cloud?.code, 'SignatureNotMatch');
  assert.is(e1?.cloud?.httpStatus, 403);
  const unknown = createInvoker({
    endpoint: host.url,
    credentials: { accessKeyId: 'LTAInope', accessKeySecret: 'x' },
    functionPrefix: 'fleet',
  });
  const e2 = await unknown.invokeAsync('console', { action: 'health' }).then(
    () => undefined,
    (e: unknown) => e as { cloud?: { code: string; httpStatus?: number } },
  );
  assert.is(e2?.cloud?.code, 'InvalidAccessKeyID');
  assert.is(e2?.cloud?.httpStatus, 403);
});

test('an unknown function is 404 FunctionNotFound', async () => {
  const e = await invoker.invokeSync('ghost', {}).then(
    () => undefined,
    (err: unknown) => err as { cloud?: { code: string; httpStatus?: number } },
  );
  assert.is(e?.cloud?.code, 'FunctionNotFound');
  assert.is(e?.cloud?.httpStatus, 404);
});

test('a crashing instance fails only its call; the next call gets a fresh instance', async () => {
  const e = await invoker.invokeSync('flaky', { crash: true }).then(
    () => undefined,
    (err: unknown) => err as { code: string; cloud?: { code: string } },
  );
  assert.is(e?.code, 'Internal');
  assert.is(e?.cloud?.code, 'UnhandledInvocationError');
  const out = await invoker.invokeSync<{ attempts: number }>('flaky', { key: 'after-crash' });
  assert.is(out.attempts, 1);
});

test('a sync call is waited for as long as the function runs (6 s here), not cut at the SDK connect time-out', async () => {
  const out = await invoker.invokeSync<{ concurrent: number }>('flaky', { sleepMs: 6000 });
  assert.is(out.concurrent, 1);
});

test('like FC standard runtimes, an instance takes one request at a time; busy functions get more instances, up to the local cap of 4', async () => {
  const gate = join(fixtures, 'gate');
  const calls = Array.from({ length: 6 }, () =>
    invoker.invokeSync<{ pid: number; concurrent: number }>('flaky', { gate }),
  );
  // Six calls held inside the function: four instances hold one each, two calls wait for one.
  await until('4 calls running', () => arrived(gate).length === 4);
  writeFileSync(gate, '');
  const answers = await Promise.all(calls);
  assert.ok(
    answers.every((a) => a.concurrent === 1),
    JSON.stringify(answers),
  );
  assert.is(new Set(answers.map((a) => a.pid)).size, 4, JSON.stringify(answers));
  assert.is(arrived(gate).length, 6);
});

test('bundled like a function (the SDK in lazy/ chunks), the client works the same', async () => {
  // A throwaway project whose only function uses lib/invoke, built by the real build.
  const root = join(fixtures, 'bundle-probe');
  mkdirSync(join(root, 'functions', 'probe'), { recursive: true });
  symlinkSync(join(findRoot(), 'node_modules'), join(root, 'node_modules'));
  writeFileSync(
    join(root, 'functions', 'probe', 'index.ts'),
    `import { createInvoker } from ${JSON.stringify(join(findRoot(), 'lib', 'invoke'))};
export const handler = async (event: Buffer) => {
  const e = JSON.parse(event.toString());
  const inv = createInvoker({ endpoint: e.endpoint, credentials: e.credentials, functionPrefix: 'fleet' });
  return { sync: await inv.invokeSync('console', { action: 'health' }), queued: await inv.invokeAsync('flaky', { key: 'bundled' }, { taskId: 'bundled-1' }) };
};`,
  );
  const [probe] = await build({ root, outDir: join(root, 'dist') });
  assert.ok(probe!.bytes < 50 * 1024, `bundle is ${probe!.bytes} bytes: the SDK should be in lazy/`);
  assert.ok(readdirSync(join(root, 'dist', 'probe', 'lazy')).includes('fc20230330.js'));
  const { handler } = createRequire(import.meta.url)(probe!.file) as {
    handler: (e: Buffer) => Promise<{ sync: unknown; queued: { taskId: string } }>;
  };
  const out = await handler(Buffer.from(JSON.stringify({ endpoint: host.url, credentials: host.deploymentAccount })));
  assert.equal(out.sync, { ok: true, result: { status: 'ok', version: '0.1.0' } });
  assert.is(out.queued.taskId, 'bundled-1');
  await until('the bundled async call', () => host.asyncTask('bundled-1')?.status === 'Succeeded');
});

test.run();
