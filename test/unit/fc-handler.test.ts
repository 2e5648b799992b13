import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError } from '../../lib/core/errors';
import { createLogger } from '../../lib/core/log';
import { createFcHandler, classifyEvent } from '../../lib/fc/handler';
import type { Action, CallContext, FcContext, FcHttpEvent, FcHttpResult, Principal } from '../../lib/fc/types';

const lines: string[] = [];
const log = createLogger({}, { level: 'debug', write: (l) => lines.push(l) });
interface D {
  log: typeof log;
  tag: string;
}

const context = (requestId = 'CTX-REQ-1'): FcContext => ({
  requestId,
  credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' },
  function: { name: 'fleet-test', handler: 'index.handler', memory: 512, timeout: 60 },
  region: 'cn-hangzhou',
  accountId: '123',
});

function httpEvent(
  method: string,
  path: string,
  opts: {
    body?: string;
    b64?: boolean;
    headers?: Record<string, string>;
    query?: Record<string, string>;
    reqId?: string;
  } = {},
): FcHttpEvent {
  return {
    version: 'v1',
    rawPath: path,
    headers: opts.headers ?? {},
    ...(opts.query ? { queryParameters: opts.query } : {}),
    ...(opts.body !== undefined ? { body: opts.b64 ? Buffer.from(opts.body).toString('base64') : opts.body } : {}),
    isBase64Encoded: !!opts.b64,
    requestContext: {
      accountId: '123',
      domainName: 'api.example.com',
      requestId: opts.reqId ?? 'EVT-REQ-1',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '1.2.3.4', userAgent: 'test' },
      time: '',
      timeEpoch: '0',
    },
  };
}

const seen: Array<{ input: Record<string, unknown>; ctx: CallContext<D> }> = [];
const actions: Action<D>[] = [
  {
    name: 'health',
    http: { method: 'GET', path: '/healthz' },
    auth: false,
    run: async (_i, ctx) => ({ status: 'ok', tag: ctx.deps.tag }),
  },
  {
    name: 'things.create',
    http: { method: 'POST', path: '/v1/things/:id', status: 201 },
    run: async (input, ctx) => {
      seen.push({ input, ctx });
      return { created: input.id, principal: ctx.principal.kind };
    },
  },
  { name: 'things.delete', http: { method: 'DELETE', path: '/v1/things/:id' }, run: async () => undefined },
  {
    name: 'things.put',
    http: { method: 'PUT', path: '/v1/things/:id' },
    run: async (input, ctx) => {
      seen.push({ input, ctx });
      return {};
    },
  },
  {
    name: 'things.patch',
    http: { method: 'PATCH', path: '/v1/things/:id' },
    run: async (input, ctx) => {
      seen.push({ input, ctx });
      return {};
    },
  },
  {
    name: 'look.get',
    http: { method: 'GET', path: '/v1/look/:id' },
    run: async (input, ctx) => {
      seen.push({ input, ctx });
      return {};
    },
  },
  {
    name: 'look.delete',
    http: { method: 'DELETE', path: '/v1/look/:id' },
    run: async (input, ctx) => {
      seen.push({ input, ctx });
      return {};
    },
  },
  {
    name: 'declared',
    http: { method: 'POST', path: '/v1/declared', query: ['dryRun'] },
    run: async (input, ctx) => {
      seen.push({ input, ctx });
      return {};
    },
  },
  {
    name: 'boom',
    http: { method: 'GET', path: '/v1/boom' },
    auth: false,
    run: async () => {
      throw new Error('db password=hunter2 leaked');
    },
  },
  {
    name: 'conflict',
    http: { method: 'GET', path: '/v1/conflict' },
    auth: false,
    run: async () => {
      throw new AppError('Conflict', 'busy', { details: [{ reason: 'x' }] });
    },
  },
  {
    name: 'page',
    http: { method: 'GET', path: '/' },
    auth: false,
    run: async () => ({
      rawHttp: true,
      statusCode: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html></html>',
    }),
  },
  { name: 'echo', run: async (input, ctx) => ({ input, principal: ctx.principal }) },
  {
    name: 'step',
    throwRetryable: true,
    run: async (input) => {
      throw new AppError(input.kind === 'retry' ? 'CloudUnavailable' : 'CloudRejected', 'cloud said no', {
        retryable: input.kind === 'retry',
      });
    },
  },
  {
    name: 'step.sync',
    run: async () => {
      throw new AppError('CloudUnavailable', 'down', { retryable: true });
    },
  },
];

const authenticate = async (token: string | undefined): Promise<Principal> => {
  if (token === 'good') return { kind: 'token', role: 'operator', groups: ['g'], tokenId: 'tok-1' };
  throw new AppError('Unauthenticated', 'missing or unknown token');
};

let timerCalls = 0;
const handler = createFcHandler<D>({
  actions,
  makeDeps: () => ({ log, tag: 'deps-ok' }),
  authenticate,
  onTimer: async (ev, ctx) => {
    timerCalls++;
    return { trigger: ev.triggerName, principal: ctx.principal.kind };
  },
});
const noAuth = createFcHandler<D>({ actions, makeDeps: () => ({ log, tag: 'x' }) });

const call = async (ev: unknown, ctx = context()) =>
  (await handler(Buffer.from(JSON.stringify(ev)), ctx)) as FcHttpResult;
const json = (r: FcHttpResult) => JSON.parse(r.body);

test('classifyEvent tells the three shapes apart', () => {
  assert.is(classifyEvent(httpEvent('GET', '/')).kind, 'http');
  assert.is(
    classifyEvent(Buffer.from(JSON.stringify({ triggerTime: 't', triggerName: 'n', payload: '' }))).kind,
    'timer',
  );
  assert.is(classifyEvent('{"action":"a"}').kind, 'invoke');
  assert.is(classifyEvent('nope').kind, 'invalid');
  assert.is(classifyEvent('[1]').kind, 'invalid');
});

test('unauthenticated health route answers JSON with the context request id', async () => {
  const r = await call(httpEvent('GET', '/healthz'));
  assert.is(r.statusCode, 200);
  assert.equal(json(r), { status: 'ok', tag: 'deps-ok' });
  assert.is(r.headers['x-request-id'], 'CTX-REQ-1');
  assert.match(r.headers['content-type']!, 'application/json');
});

test('HEAD is answered by the GET route without a body', async () => {
  const r = await call(httpEvent('HEAD', '/healthz'));
  assert.equal([r.statusCode, r.body], [200, '']);
});

test('request id falls back to the event when the context has none', async () => {
  const r = await call(httpEvent('GET', '/healthz', { reqId: 'EVT-9' }), { ...context(), requestId: '' });
  assert.is(r.headers['x-request-id'], 'EVT-9');
});

test('input merges body and path params (later wins); route status used', async () => {
  seen.length = 0;
  const r = await call(
    httpEvent('POST', '/v1/things/a%2Fb', {
      headers: { Authorization: 'Bearer good', 'Content-Type': 'application/json' },
      body: '{"name":"n","id":"fromBody"}',
    }),
  );
  assert.is(r.statusCode, 201);
  assert.equal(json(r), { created: 'a/b', principal: 'token' });
  assert.equal(seen[0]!.input, { id: 'a/b', name: 'n' });
  assert.is(seen[0]!.ctx.http!.headers.authorization, 'Bearer good');
  assert.is(seen[0]!.ctx.principal.tokenId, 'tok-1');
});

test('GET and DELETE merge the query into the input (path params win)', async () => {
  seen.length = 0;
  const r = await call(
    httpEvent('GET', '/v1/look/a', { headers: { authorization: 'Bearer good' }, query: { q: '1', id: 'fromQuery' } }),
  );
  assert.is(r.statusCode, 200);
  const d = await call(
    httpEvent('DELETE', '/v1/look/b', { headers: { authorization: 'Bearer good' }, query: { force: 'true' } }),
  );
  assert.is(d.statusCode, 200);
  assert.equal(
    seen.map((s) => s.input),
    [
      { q: '1', id: 'a' },
      { force: 'true', id: 'b' },
    ],
  );
});

test('writes refuse undeclared query parameters (URLs get logged) and never run the action', async () => {
  seen.length = 0;
  for (const method of ['POST', 'PUT', 'PATCH']) {
    const r = await call(
      httpEvent(method, '/v1/things/x', {
        headers: { authorization: 'Bearer good' },
        query: { accessKeySecret: 'Sup3rSecretValue' },
        body: '{"name":"n"}',
      }),
    );
    assert.is(r.statusCode, 400, method);
    const e = json(r).error;
    assert.is(e.code, 'ValidationFailed');
    assert.equal(e.details, [
      { path: 'accessKeySecret', problem: 'is not accepted as a query parameter on this route; send it in the body' },
    ]);
    assert.not.match(r.body, 'Sup3rSecretValue');
  }
  assert.is(seen.length, 0);
  const ok = await call(
    httpEvent('POST', '/v1/declared', {
      headers: { authorization: 'Bearer good' },
      query: { dryRun: 'true' },
      body: '{"a":1}',
    }),
  );
  assert.is(ok.statusCode, 200);
  assert.equal(seen[0]!.input, { dryRun: 'true', a: 1 });
  const bad = await call(
    httpEvent('POST', '/v1/declared', {
      headers: { authorization: 'Bearer good' },
      query: { dryRun: 'true', other: 'x' },
    }),
  );
  assert.is(bad.statusCode, 400);
  assert.equal(
    json(bad).error.details.map((d: { path: string }) => d.path),
    ['other'],
  );
});

test('base64 bodies are decoded', async () => {
  seen.length = 0;
  const r = await call(
    httpEvent('POST', '/v1/things/x', { headers: { authorization: 'bearer good' }, body: '{"name":"ü"}', b64: true }),
  );
  assert.is(r.statusCode, 201);
  assert.is(seen[0]!.input.name, 'ü');
});

test('authentication comes before body validation', async () => {
  const r = await call(httpEvent('POST', '/v1/things/x', { body: '{"broken":' }));
  assert.is(r.statusCode, 401);
});

test('missing or bad token → 401 with the API error body', async () => {
  const r = await call(httpEvent('POST', '/v1/things/x', { body: '{}' }));
  assert.is(r.statusCode, 401);
  assert.equal(json(r), {
    error: { code: 'Unauthenticated', message: 'missing or unknown token', requestId: 'CTX-REQ-1' },
  });
  assert.is(r.headers['x-request-id'], 'CTX-REQ-1');
});

test('no authenticate configured → auth-needing route is 401, open route still works', async () => {
  const r = (await noAuth(
    httpEvent('POST', '/v1/things/x', { headers: { authorization: 'Bearer good' } }),
    context(),
  )) as FcHttpResult;
  assert.is(r.statusCode, 401);
  assert.is(json(r).error.code, 'Unauthenticated');
  const h = (await noAuth(httpEvent('GET', '/healthz'), context())) as FcHttpResult;
  assert.is(h.statusCode, 200);
});

test('malformed JSON → 400 ValidationFailed, not 500', async () => {
  for (const body of ['{"a":', 'nul', '[1,2]', '"str"', 'null']) {
    const r = await call(httpEvent('POST', '/v1/things/x', { headers: { authorization: 'Bearer good' }, body }));
    assert.is(r.statusCode, 400, body);
    assert.is(json(r).error.code, 'ValidationFailed');
    assert.is(json(r).error.details[0].path, '');
  }
});

test('malformed JSON answer quotes no 6 chars of the body (4 shapes): a fixed text plus at most the position', async () => {
  const secret = 'Abcdefghij0123456789XyZ';
  const bodies = [
    `{"accessKeySecret":${secret}}`,
    `{"accessKeySecret":"${secret}" "x":1}`,
    `{"k":"v","accessKeySecret":${secret}`,
    `{"accessKeySecret":"${secret}`,
  ];
  for (const body of bodies) {
    const r = await call(httpEvent('POST', '/v1/things/x', { headers: { authorization: 'Bearer good' }, body }));
    assert.is(r.statusCode, 400, body);
    for (let i = 0; i + 6 <= secret.length; i++)
      assert.not.ok(r.body.includes(secret.slice(i, i + 6)), `${body} leaked ${secret.slice(i, i + 6)}: ${r.body}`);
    assert.match(json(r).error.details[0].problem, /^is not valid JSON( \(at position \d+\))?$/);
  }
});

test('body over 64 KiB → 413 PayloadTooLarge (plain and base64); exactly 64 KiB passes', async () => {
  const big = JSON.stringify({ x: 'a'.repeat(64 * 1024) });
  for (const b64 of [false, true]) {
    const r = await call(
      httpEvent('POST', '/v1/things/x', { headers: { authorization: 'Bearer good' }, body: big, b64 }),
    );
    assert.is(r.statusCode, 413);
    assert.is(json(r).error.code, 'PayloadTooLarge');
  }
  const exact = JSON.stringify({ x: 'a'.repeat(64 * 1024 - 8) });
  assert.is(Buffer.byteLength(exact), 64 * 1024);
  const ok = await call(
    httpEvent('POST', '/v1/things/x', { headers: { authorization: 'Bearer good' }, body: exact, b64: true }),
  );
  assert.is(ok.statusCode, 201);
});

test('multi-byte characters count as bytes toward the limit', async () => {
  const body = JSON.stringify({ x: 'é'.repeat(40 * 1024) }); // 40 Ki chars, 80 KiB
  const r = await call(httpEvent('POST', '/v1/things/x', { headers: { authorization: 'Bearer good' }, body }));
  assert.is(r.statusCode, 413);
});

test('unknown route → 404 NotFound; wrong method on a known path → 405 MethodNotAllowed with Allow', async () => {
  const r = await call(httpEvent('GET', '/v1/nope'));
  assert.is(r.statusCode, 404);
  assert.is(json(r).error.code, 'NotFound');
  const m = await call(httpEvent('GET', '/v1/things/x'));
  assert.is(m.statusCode, 405);
  assert.is(json(m).error.code, 'MethodNotAllowed');
  assert.is(m.headers.allow, 'DELETE, PATCH, POST, PUT');
  const p = await call(httpEvent('PUT', '/v1/declared'));
  assert.equal([p.statusCode, json(p).error.code, p.headers.allow], [405, 'MethodNotAllowed', 'POST']);
});

test('bad percent-encoding in the path → 400', async () => {
  const r = await call(httpEvent('POST', '/v1/things/%E0%A4%A', { headers: { authorization: 'Bearer good' } }));
  assert.is(r.statusCode, 400);
  assert.is(json(r).error.details[0].path, 'id');
});

test('undefined result → 204 with empty body', async () => {
  const r = await call(httpEvent('DELETE', '/v1/things/x', { headers: { authorization: 'Bearer good' } }));
  assert.is(r.statusCode, 204);
  assert.is(r.body, '');
  assert.is(r.headers['x-request-id'], 'CTX-REQ-1');
});

test('unknown errors → 500 Internal without the message; logged with the stack, redacted', async () => {
  lines.length = 0;
  const r = await call(httpEvent('GET', '/v1/boom'));
  assert.is(r.statusCode, 500);
  assert.equal(json(r), { error: { code: 'Internal', message: 'internal error', requestId: 'CTX-REQ-1' } });
  assert.not.match(r.body, 'hunter2');
  const err = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
  assert.ok(err, 'bug logged');
  assert.match(err.stack, 'Error: db password');
});

test('AppErrors keep their status and details', async () => {
  const r = await call(httpEvent('GET', '/v1/conflict'));
  assert.is(r.statusCode, 409);
  assert.equal(json(r).error.details, [{ reason: 'x' }]);
});

test('raw responses pass through with the request id', async () => {
  const r = await call(httpEvent('GET', '/'));
  assert.is(r.body, '<html></html>');
  assert.is(r.headers['content-type'], 'text/html');
  assert.is(r.headers['x-request-id'], 'CTX-REQ-1');
});

test('one log line per request with method, path, status, ms, requestId and no body', async () => {
  lines.length = 0;
  await call(
    httpEvent('POST', '/v1/things/x', {
      headers: { authorization: 'Bearer good' },
      body: '{"secretish":"BODY-MARKER"}',
    }),
  );
  const reqLines = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
  assert.is(reqLines.length, 1);
  const l = reqLines[0];
  assert.equal(
    [l.method, l.path, l.status, l.requestId, typeof l.ms],
    ['POST', '/v1/things/x', 201, 'CTX-REQ-1', 'number'],
  );
  assert.not.match(lines.join('\n'), 'BODY-MARKER');
});

test('direct invoke runs the action as admin and answers {ok, result}', async () => {
  const r = (await handler(Buffer.from(JSON.stringify({ action: 'echo', input: { a: 1 } })), context())) as {
    ok: boolean;
    result: { input: unknown; principal: Principal };
  };
  assert.equal(r, { ok: true, result: { input: { a: 1 }, principal: { kind: 'invoke', role: 'admin', groups: [] } } });
});

test('direct invoke errors answer {ok:false, error:{code, message}}', async () => {
  const unknown = (await handler({ action: 'nope' }, context())) as {
    ok: boolean;
    error: { code: string; message: string };
  };
  assert.is(unknown.ok, false);
  assert.is(unknown.error.code, 'NotFound');
  const conflict = (await handler({ action: 'conflict' }, context())) as {
    ok: boolean;
    error: { code: string; message: string };
  };
  assert.equal([conflict.ok, conflict.error.code, conflict.error.message], [false, 'Conflict', 'busy']);
  const boom = (await handler({ action: 'boom' }, context())) as {
    ok: boolean;
    error: { code: string; message: string };
  };
  assert.equal([boom.error.code, boom.error.message], ['Internal', 'internal error']);
  const badInput = (await handler({ action: 'echo', input: [1] }, context())) as {
    ok: boolean;
    error: { code: string };
  };
  assert.is(badInput.error.code, 'ValidationFailed');
  const garbage = (await handler(Buffer.from('{not json'), context())) as { ok: boolean; error: { code: string } };
  assert.equal([garbage.ok, garbage.error.code], [false, 'ValidationFailed']);
});

test('throwRetryable actions throw retryable errors (FC async retry) and answer the rest', async () => {
  try {
    await handler({ action: 'step', input: { kind: 'retry' } }, context());
    assert.unreachable('should throw');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'CloudUnavailable');
  }
  const final = (await handler({ action: 'step', input: { kind: 'final' } }, context())) as {
    ok: boolean;
    error: { code: string };
  };
  assert.equal([final.ok, final.error.code], [false, 'CloudRejected']);
  const sync = (await handler({ action: 'step.sync' }, context())) as {
    ok: boolean;
    error: { code: string; retryable?: boolean };
  };
  assert.equal([sync.ok, sync.error.code, sync.error.retryable], [false, 'CloudUnavailable', true]);
});

test('timer events reach onTimer as the timer principal', async () => {
  timerCalls = 0;
  const r = await handler(
    Buffer.from(JSON.stringify({ triggerTime: '2026-01-01T00:00:00Z', triggerName: 'every-minute', payload: '' })),
    context(),
  );
  assert.equal(r, { ok: true, result: { trigger: 'every-minute', principal: 'timer' } });
  assert.is(timerCalls, 1);
  const none = (await noAuth({ triggerTime: 't', triggerName: 'n', payload: '' }, context())) as {
    ok: boolean;
    error: { code: string };
  };
  assert.equal([none.ok, none.error.code], [false, 'NotFound']);
});

test('makeDeps failing → 500 for HTTP, ok:false for invoke', async () => {
  const broken = createFcHandler<D>({
    actions,
    makeDeps: () => {
      throw new Error('config: LOG_LEVEL bad');
    },
    log,
  });
  const r = (await broken(httpEvent('GET', '/healthz'), context())) as FcHttpResult;
  assert.is(r.statusCode, 500);
  assert.is(JSON.parse(r.body).error.code, 'Internal');
  const i = (await broken({ action: 'echo' }, context())) as { ok: boolean };
  assert.is(i.ok, false);
});

test.run();
