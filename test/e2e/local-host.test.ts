/**
 * The local host end to end: the custom domain's routes reach the built bundles in their own
 * processes with FC's event format; limits and errors come back in docs/API.md's shape; timers fire;
 * nothing is left running after close.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestHost, type TestHost } from '../helpers/local';

let host: TestHost;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Waits for `cond`; the bound only turns a hang into a failure (a loaded machine is slow, not wrong). */
const until = async (what: string, cond: () => boolean, ms = 120_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test.before(async () => {
  host = await startTestHost({ timeScale: 0.001 });
});

test.after(async () => {
  await host?.close();
});

test('GET /healthz answers {status, version} without a token, with an FC request id', async () => {
  const res = await host.fetch('/healthz');
  assert.is(res.status, 200);
  assert.equal(await res.json(), { status: 'ok', version: '0.1.0' });
  assert.match(res.headers.get('x-fc-request-id') ?? '', /^1-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{12}$/);
});

test('GET / serves the console page', async () => {
  const res = await host.fetch('/');
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  const html = await res.text();
  assert.match(html, /<title>alicloud-fleet console<\/title>/);
  // The page's script comes from the console function too, and talks to the API.
  const src = /<script src="([^"]+)"/.exec(html)?.[1];
  assert.ok(src, 'the page names its script');
  const js = await host.fetch(src!);
  assert.is(js.status, 200);
  const code = await js.text();
  assert.match(code, /\/v1\/accounts/);
  assert.match(code, /\/v1\/servers/);
});

test('a body over 64 KiB answers 413 PayloadTooLarge with the request id', async () => {
  const res = await host.fetch('/v1/servers', {
    method: 'POST',
    token: host.adminToken,
    json: { pad: 'x'.repeat(70 * 1024) },
  });
  assert.is(res.status, 413);
  const body = (await res.json()) as { error: { code: string; requestId: string } };
  assert.is(body.error.code, 'PayloadTooLarge');
  assert.is(body.error.requestId, res.headers.get('x-fc-request-id'));
});

test('malformed JSON answers 400 ValidationFailed, not 500', async () => {
  const res = await host.fetch('/v1/servers', {
    method: 'POST',
    token: host.adminToken,
    headers: { 'content-type': 'application/json' },
    body: '{"name": ',
  });
  assert.is(res.status, 400);
  const body = (await res.json()) as { error: { code: string } };
  assert.is(body.error.code, 'ValidationFailed');
});

test('auth comes first on every function: 401 without a token, the answer with the admin token', async () => {
  for (const path of ['/v1/servers', '/v1/scans', '/v1/orphans']) {
    const anon = await host.fetch(path);
    assert.is(anon.status, 401, path);
    assert.is(((await anon.json()) as { error: { code: string } }).error.code, 'Unauthenticated');
    const admin = await host.fetch(path, { token: host.adminToken });
    assert.is(admin.status, 200, path);
  }
});

test('functions run in their own processes: one per function, reused', async () => {
  await host.fetch('/healthz');
  await host.fetch('/v1/servers');
  const pids = host.instancePids();
  assert.ok(pids.length >= 2, `pids ${pids}`);
  assert.is(new Set(pids).size, pids.length);
  assert.not.ok(pids.includes(process.pid));
  await host.fetch('/healthz');
  assert.equal(host.instancePids().sort(), pids.sort());
});

test('the sweeper timer fires on its schedule (time scale 0.001)', async () => {
  await until('a sweeper timer invocation', () =>
    host.invocations.some((i) => i.trigger === 'timer' && i.functionName === 'fleet-sweeper' && i.ok),
  );
  const fired = new Set(host.invocations.filter((i) => i.trigger === 'timer').map((i) => i.functionName));
  const withTimers = new Set(host.model.functions.filter((f) => f.timers.length).map((f) => f.functionName));
  for (const fn of fired) assert.ok(withTimers.has(fn), `${fn} has no timer trigger`);
});

test('close() stops every function process and the sandbox', async () => {
  const pids = host.instancePids();
  const sandboxUrl = host.sandbox.url;
  assert.ok(pids.length > 0);
  await host.close();
  assert.equal(host.instancePids(), []);
  for (const pid of pids) assert.not.ok(alive(pid), `instance ${pid} survived close`);
  const refused = await fetch(`${host.url}/healthz`).then(
    () => false,
    () => true,
  );
  assert.ok(refused, 'host port closed');
  const sandboxGone = await fetch(sandboxUrl).then(
    () => false,
    () => true,
  );
  assert.ok(sandboxGone, 'sandbox port closed');
});

test.run();
