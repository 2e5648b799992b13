/**
 * The invoker's retries (lib/invoke with the `invoke` back-off), against a scripted HTTP server
 * standing in for FC's invoke endpoint: an async call with a task id is retried on any transient
 * failure (FC runs one task per id); a sync call or an id-less async call only when FC surely ran
 * nothing (429 throttling), never on a 5xx that may have run it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInvoker } from '../../lib/invoke';

let server: Server;
let url = '';
/** What the next requests answer, in order; then 202/200. */
let script: number[] = [];
const seen: Array<{ type: string | undefined; taskId: string | undefined }> = [];

test.before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({
        type: req.headers['x-fc-invocation-type'] as string | undefined,
        taskId: req.headers['x-fc-async-task-id'] as string | undefined,
      });
      const status = script.shift();
      if (status) {
        const code = status === 429 ? 'ResourceExhausted' : 'ServiceUnavailable';
        res.writeHead(status, { 'content-type': 'application/json', 'x-fc-request-id': 'r-fail' });
        res.end(JSON.stringify({ Code: code, Message: 'scripted failure', RequestId: 'r-fail' }));
        return;
      }
      const async = req.headers['x-fc-invocation-type'] === 'Async';
      res.writeHead(async ? 202 : 200, { 'content-type': 'application/json', 'x-fc-request-id': 'r-ok' });
      res.end(async ? '' : '{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.after(() => new Promise<void>((r) => server.close(() => r())));

const sleeps: number[] = [];
const invoker = () =>
  createInvoker({
    endpoint: url,
    credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
    functionPrefix: 'fleet',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });

const reset = (s: number[]) => {
  script = s;
  seen.length = 0;
  sleeps.length = 0;
};

test('async with a task id: retried through 5xx until FC accepts it, same task id each time', async () => {
  reset([503, 500]);
  const out = await invoker().invokeAsync('provision', { a: 1 }, { taskId: 'srv-1-vpc-1' });
  assert.is(out.requestId, 'r-ok');
  assert.equal(
    seen.map((s) => s.taskId),
    ['srv-1-vpc-1', 'srv-1-vpc-1', 'srv-1-vpc-1'],
  );
  assert.is(sleeps.length, 2);
});

test('async without a task id and sync: a 5xx is not retried (it may have run)', async () => {
  reset([503]);
  const e1 = await invoker()
    .invokeAsync('provision', {})
    .then(
      () => undefined,
      (e: { code: string }) => e,
    );
  assert.is(e1?.code, 'CloudUnavailable');
  assert.is(seen.length, 1);
  reset([500]);
  const e2 = await invoker()
    .invokeSync('console', {})
    .then(
      () => undefined,
      (e: { code: string }) => e,
    );
  assert.is(e2?.code, 'CloudUnavailable');
  assert.is(seen.length, 1);
});

test('throttled (429) before admission: retried for sync and id-less async calls too', async () => {
  reset([429, 429]);
  assert.equal(await invoker().invokeSync('console', {}), { ok: true });
  assert.is(seen.length, 3);
  reset([429]);
  await invoker().invokeAsync('provision', {});
  assert.is(seen.length, 2);
});

test('retries are bounded: a task FC keeps refusing fails after the policy attempts', async () => {
  reset([503, 503, 503, 503, 503, 503]);
  const e = await invoker()
    .invokeAsync('provision', {}, { taskId: 't' })
    .then(
      () => undefined,
      (e: { code: string }) => e,
    );
  assert.is(e?.code, 'CloudUnavailable');
  assert.is(seen.length, 4);
});

test.run();
