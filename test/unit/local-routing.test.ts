/**
 * Pure parts of the local host: custom-domain route matching and FC's HTTP event and result
 * format (ACS3 verification: local-acs3.test.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Socket } from 'node:net';
import { IncomingMessage } from 'node:http';
import { canonicalHeaderName, fromOutcome, toHttpEvent } from '../../lib/local/http-event';
import { matchRoute, toDeploymentModel, type DomainRoute } from '../../lib/local/syaml';

test('exact paths beat wildcards; the longest wildcard wins; methods filter', () => {
  const routes: DomainRoute[] = [
    { path: '/*', functionName: 'console' },
    { path: '/v1/servers*', functionName: 'servers' },
    { path: '/v1/servers/special*', functionName: 'special' },
    { path: '/healthz', functionName: 'health' },
    { path: '/v1/only-post*', functionName: 'poster', methods: ['POST'] },
  ];
  assert.is(matchRoute(routes, '/healthz', 'GET')?.functionName, 'health');
  assert.is(matchRoute(routes, '/healthz/x', 'GET')?.functionName, 'console');
  assert.is(matchRoute(routes, '/v1/servers/abc', 'GET')?.functionName, 'servers');
  assert.is(matchRoute(routes, '/v1/servers/special/1', 'GET')?.functionName, 'special');
  assert.is(matchRoute(routes, '/v1/only-post', 'POST')?.functionName, 'poster');
  assert.is(matchRoute(routes, '/v1/only-post', 'GET')?.functionName, 'console');
  assert.is(matchRoute(routes.slice(1), '/nothing', 'GET'), undefined);
});

test('deployment model defaults follow FC (3 async retries, timeout 3 s)', () => {
  const m = toDeploymentModel({
    resources: {
      f: {
        component: 'fc3',
        props: { region: 'cn-beijing', functionName: 'p-f', code: './dist/f', runtime: 'nodejs20' },
      },
      d: {
        component: 'fc3-domain',
        props: { routeConfig: { routes: [{ path: '/*', functionName: 'p-f', methods: ['get'] }] } },
      },
    },
  });
  assert.is(m.region, 'cn-beijing');
  assert.is(m.functions[0]!.maxAsyncRetryAttempts, 3);
  assert.is(m.functions[0]!.timeoutSec, 3);
  assert.is(m.functions[0]!.handler, 'index.handler');
  assert.equal(m.routes, [{ path: '/*', functionName: 'p-f', methods: ['GET'] }]);
});

function fakeRequest(method: string, url: string, headers: Record<string, string>): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  req.url = url;
  req.httpVersion = '1.1';
  const raw: string[] = [];
  for (const [k, v] of Object.entries(headers)) raw.push(k, v);
  req.rawHeaders = raw;
  req.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return req;
}

test('HTTP event: canonical header names, joined query values, text vs base64 bodies', () => {
  assert.is(canonicalHeaderName('x-fc-request-id'), 'X-Fc-Request-Id');
  const req = fakeRequest('POST', '/v1/servers?a=1&a=2&b=x%20y', {
    'content-type': 'application/json',
    authorization: 'Bearer t',
    host: 'h:1',
  });
  const ev = toHttpEvent(
    req,
    '/v1/servers',
    Buffer.from('{"x":1}'),
    'req-1',
    '123',
    new Date(Date.UTC(2026, 2, 4, 5, 6, 7)),
  );
  assert.is(ev.version, 'v1');
  assert.is(ev.rawPath, '/v1/servers');
  assert.is(ev.headers['Content-Type'], 'application/json');
  assert.is(ev.headers.Authorization, 'Bearer t');
  assert.equal(ev.queryParameters, { a: '1,2', b: 'x y' });
  assert.is(ev.body, '{"x":1}');
  assert.is(ev.isBase64Encoded, false);
  assert.is(ev.requestContext.requestId, 'req-1');
  assert.is(ev.requestContext.accountId, '123');
  assert.is(ev.requestContext.http.method, 'POST');
  assert.is(ev.requestContext.time, '04/Mar/2026:05:06:07 +0000');
  assert.is(ev.requestContext.timeEpoch, String(Date.UTC(2026, 2, 4, 5, 6, 7)));
  const bin = toHttpEvent(
    fakeRequest('PUT', '/f', { 'content-type': 'application/octet-stream' }),
    '/f',
    Buffer.from([0, 255, 1]),
    'r',
    '1',
  );
  assert.is(bin.isBase64Encoded, true);
  assert.is(bin.body, Buffer.from([0, 255, 1]).toString('base64'));
});

test('HTTP event: the path is the raw path the host routed on, never re-parsed or normalised', () => {
  for (const raw of ['/v1/accounts/a%2Fb', '/v1/x\\..\\tokens', '/v1/%7Euser', '//v1//accounts']) {
    const ev = toHttpEvent(fakeRequest('GET', `${raw}?a=1`, {}), raw, Buffer.alloc(0), 'r', '1');
    assert.is(ev.rawPath, raw);
    assert.is(ev.requestContext.http.path, raw);
    assert.equal(ev.queryParameters, { a: '1' });
  }
});

test('results: HTTP-shaped objects are unpacked, other values are a 200 body, errors a 502', () => {
  const http = fromOutcome(
    {
      ok: true,
      kind: 'json',
      data: JSON.stringify({
        statusCode: 201,
        headers: { 'Content-Type': 'text/plain' },
        body: 'aGk=',
        isBase64Encoded: true,
      }),
      durationMs: 1,
    },
    'r',
  );
  assert.is(http.statusCode, 201);
  assert.is(http.headers['content-type'], 'text/plain');
  assert.is(http.body.toString(), 'hi');
  const plain = fromOutcome({ ok: true, kind: 'json', data: '{"a":1}', durationMs: 1 }, 'r');
  assert.is(plain.statusCode, 200);
  assert.is(plain.body.toString(), '{"a":1}');
  const err = fromOutcome({ ok: false, errorType: 'TypeError', errorMessage: 'boom', durationMs: 1 }, 'r');
  assert.is(err.statusCode, 502);
  assert.is(JSON.parse(err.body.toString()).errorType, 'TypeError');
  assert.is(
    fromOutcome({ ok: false, errorType: 'FunctionTimeout', errorMessage: 't', durationMs: 1 }, 'r').statusCode,
    504,
  );
});

test.run();
