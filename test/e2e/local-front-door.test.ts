/**
 * The local host's custom domain as FC's front door: what can be refused from the headers is
 * (a route that needs a token and has none: 401 before the body), a body is read only up to its
 * route's limit (413 at once, the connection closed, whatever size the client declares or
 * sends), and the path the host routes on is the path the function gets, dot segments refused.
 * The routes' auth and limits come from the bundles themselves (`handler.httpRoutes`).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderLocalModel } from '../../lib/local/function-env';
import { findRoot } from '../../lib/local/host';
import { earlyAnswer, send } from '../helpers/raw-http';
import { localFunction, startTestHost, type TestHost } from '../helpers/local';

const MiB = 1024 * 1024;
const fixtures = mkdtempSync(join(tmpdir(), 'fleet-echo-fn-'));
writeFileSync(join(fixtures, 'package.json'), '{"type":"commonjs"}');
writeFileSync(
  join(fixtures, 'index.js'),
  `exports.handler = async (event) => {
  const e = JSON.parse(event.toString());
  return { statusCode: 200, body: JSON.stringify({ rawPath: e.rawPath, path: e.requestContext.http.path, bytes: e.body.length }) };
};`,
);

let host: TestHost;
test.before(async () => {
  const model = await renderLocalModel(findRoot());
  model.functions.push(localFunction('echo', { code: fixtures, http: true }));
  model.routes.unshift({ path: '/echo*', functionName: 'fleet-echo' });
  host = await startTestHost({ model, timers: false });
});
test.after(async () => {
  await host?.close();
  rmSync(fixtures, { recursive: true, force: true });
});

const errorOf = (text: string) => (JSON.parse(text) as { error: { code: string; requestId: string } }).error;

test('no token on a route that needs one: 401 from the headers, before the 31 MB body is sent', async () => {
  const res = await earlyAnswer(host.url, { path: '/v1/accounts', declared: 31 * MiB, first: 128 * 1024 });
  assert.is(res.status, 401);
  assert.is(errorOf(res.text).code, 'Unauthenticated');
  assert.is(errorOf(res.text).requestId, res.headers['x-fc-request-id']);
  assert.ok(res.refused, 'the connection is closed: the rest of the body is not read');
  assert.ok(res.pushedAfter < 16 * MiB, `pushed ${res.pushedAfter} bytes after the answer`);
  for (const authorization of ['Basic YTpi', 'Bearer', 'Bearer two words']) {
    const bad = await earlyAnswer(host.url, {
      path: '/v1/catalog/acc-1/regions',
      method: 'GET',
      headers: { authorization },
      declared: 4 * MiB,
      first: 0,
    });
    assert.is(bad.status, 401, authorization);
  }
});

test('with a token, a body over 64 KiB is 413 PayloadTooLarge as soon as it is over, never read to its end', async () => {
  const token = { authorization: 'Bearer fleet_not_checked_here' };
  const res = await earlyAnswer(host.url, { path: '/v1/accounts', headers: token, declared: 31 * MiB, first: 0 });
  assert.is(res.status, 413, 'a declared length over the limit: refused before a byte is read');
  assert.is(errorOf(res.text).code, 'PayloadTooLarge');
  assert.ok(res.refused);
  const chunked = await earlyAnswer(host.url, {
    path: '/v1/tokens',
    headers: token,
    declared: 31 * MiB,
    first: 65 * 1024,
    chunked: true,
  });
  assert.is(chunked.status, 413, 'no length declared: refused once 64 KiB went past');
  assert.is(errorOf(chunked.text).code, 'PayloadTooLarge');
  assert.ok(chunked.refused);
  assert.ok(chunked.pushedAfter < 16 * MiB, `pushed ${chunked.pushedAfter} bytes after the answer`);
});

test('Expect: 100-continue — a refused request never invites the body; an accepted one does', async () => {
  const refused = await earlyAnswer(host.url, {
    path: '/v1/accounts',
    headers: { expect: '100-continue' },
    declared: 31 * MiB,
    first: 0,
  });
  assert.is(refused.status, 401);
  const ok = await send(host.url, {
    method: 'POST',
    path: '/v1/tokens',
    headers: {
      expect: '100-continue',
      authorization: `Bearer ${host.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ name: 'continued', role: 'viewer', groups: [] }),
  });
  assert.is(ok.status, 201, ok.text);
});

test('routes without a token and bodies within the limit still work', async () => {
  const page = await host.fetch('/');
  assert.is(page.status, 200);
  const body = 'x'.repeat(60 * 1024);
  const echo = await send(host.url, { method: 'POST', path: '/echo/a', body });
  assert.is(echo.status, 200, echo.text);
  assert.is((JSON.parse(echo.text) as { bytes: number }).bytes, body.length);
});

test('a bundle that describes no routes gets FC own limit (32 MiB): 33 MiB is refused before it is read', async () => {
  const res = await earlyAnswer(host.url, { path: '/echo/big', declared: 33 * MiB, first: 0 });
  assert.is(res.status, 413);
  assert.ok(res.refused);
});

test('the function gets the very path the host routed on: raw, undecoded, not normalised', async () => {
  for (const path of ['/echo/a%2Fb', '/echo/%7Euser/x%20y', '/echo//double', '/echo/back\\slash']) {
    const res = await send(host.url, { path });
    assert.is(res.status, 200, `${path}: ${res.text}`);
    assert.equal(JSON.parse(res.text), { rawPath: path, path, bytes: 0 });
  }
});

test('dot segments are refused, plain or percent-encoded, never resolved', async () => {
  for (const path of [
    '/v1/accounts/%2e%2e/tokens',
    '/v1/accounts/../tokens',
    '/v1/catalog/%2E%2e/tokens',
    '/v1/accounts/./x',
    '/echo/.%2e/v1/tokens',
  ]) {
    const res = await send(host.url, { path, headers: { authorization: `Bearer ${host.adminToken}` } });
    assert.is(res.status, 400, `${path}: ${res.text}`);
    assert.is(errorOf(res.text).code, 'ValidationFailed');
  }
  const dotsInNames = await send(host.url, { path: '/echo/a..b/.hidden/...' });
  assert.is(dotsInNames.status, 200, 'only whole . and .. segments are dot segments');
});

test.run();
