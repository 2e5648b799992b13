/**
 * A function instance may die or hang at any moment, loading included: every request is still
 * answered (502 ProcessExited / 504 FunctionTimeout over HTTP, an UnhandledInvocationError over
 * the invoke API) within the function's timeout, and the next request gets a fresh instance.
 * Each fixture misbehaves only the first time it loads (a marker file remembers).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInvoker, type Invoker } from '../../lib/invoke';
import type { DeploymentModel } from '../../lib/local/syaml';
import { localFunction, startTestHost, type TestHost } from '../helpers/local';

const fixtures = mkdtempSync(join(tmpdir(), 'fleet-death-fn-'));
const ONCE = {
  exit: `process.exit(7);`,
  // Blocks the loading thread for good: no CPU burnt, only a kill ends it.
  hang: `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`,
};

/** A function whose module misbehaves (`kind`) on its first load only, then answers its pid. */
function fixture(name: string, kind: keyof typeof ONCE, timeoutSec: number) {
  const dir = join(fixtures, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
  writeFileSync(
    join(dir, 'index.js'),
    `const fs = require('node:fs');
const marker = __dirname + '/loaded-once';
if (!fs.existsSync(marker)) { fs.writeFileSync(marker, ''); ${ONCE[kind]} }
exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ pid: process.pid }) });`,
  );
  return localFunction(name, { code: dir, http: true, timeoutSec });
}

const model: DeploymentModel = {
  region: 'cn-hangzhou',
  functions: [
    fixture('exit-http', 'exit', 30),
    fixture('hang-http', 'hang', 1),
    fixture('exit-invoke', 'exit', 30),
    fixture('hang-invoke', 'hang', 1),
  ],
  routes: [
    { path: '/exit*', functionName: 'fleet-exit-http' },
    { path: '/hang*', functionName: 'fleet-hang-http' },
  ],
};

let host: TestHost;
let invoker: Invoker;
// Only turns a hang into a failure; nothing here depends on how fast an answer comes.
const NEVER = 60_000;

test.before(async () => {
  host = await startTestHost({ model, timers: false });
  invoker = createInvoker({
    endpoint: host.url,
    credentials: { ...host.deploymentAccount },
    functionPrefix: 'fleet',
    timeoutMs: NEVER,
  });
});
test.after(async () => {
  await host?.close();
  rmSync(fixtures, { recursive: true, force: true });
});

const get = (path: string) => host.fetch(path, { signal: AbortSignal.timeout(NEVER) });

test('HTTP: an instance that exits while loading answers 502 ProcessExited; the next request gets a fresh one', async () => {
  const first = await get('/exit');
  assert.is(first.status, 502);
  assert.is(((await first.json()) as { errorType: string }).errorType, 'ProcessExited');
  const second = await get('/exit');
  assert.is(second.status, 200);
  assert.equal(host.instancePids('fleet-exit-http'), [((await second.json()) as { pid: number }).pid]);
});

test('HTTP: an instance still loading after the timeout answers 504 FunctionTimeout and is replaced', async () => {
  const first = await get('/hang');
  assert.is(first.status, 504);
  assert.is(((await first.json()) as { errorType: string }).errorType, 'FunctionTimeout');
  const second = await get('/hang');
  assert.is(second.status, 200);
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as { message: string; cloud?: { code: string } },
  );

test('invoke API: exiting while loading is an UnhandledInvocationError (ProcessExited), then a fresh instance answers', async () => {
  const e = await failure(invoker.invokeSync('exit-invoke', {}));
  assert.is(e?.cloud?.code, 'UnhandledInvocationError');
  assert.match(e?.message ?? '', /exited/);
  const ok = await invoker.invokeSync<{ statusCode: number }>('exit-invoke', {});
  assert.is(ok.statusCode, 200);
});

test('invoke API: the timeout counts from the call, loading included', async () => {
  const e = await failure(invoker.invokeSync('hang-invoke', {}));
  assert.is(e?.cloud?.code, 'UnhandledInvocationError');
  assert.match(e?.message ?? '', /timed out after 1 seconds/);
  const ok = await invoker.invokeSync<{ statusCode: number }>('hang-invoke', {});
  assert.is(ok.statusCode, 200);
});

test.run();
