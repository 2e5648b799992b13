/**
 * The console function as FC runs it: the page has no inline code and names its assets by
 * content hash; every answer carries the strict CSP and the other security headers; an asset
 * is served with its type and cached for good; an unknown one is 404. The browser code has no
 * HTML sink at all (the CSP's Trusted Types would throw on one).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { handler } from '../../functions/console/index';

process.env.LOG_LEVEL = 'error';
const UI = new URL('../../lib/console/ui/', import.meta.url).pathname;

type Res = { statusCode: number; headers: Record<string, string>; body: string };
const get = async (path: string, method = 'GET') =>
  (await handler(
    Buffer.from(
      JSON.stringify({
        version: 'v1',
        rawPath: path,
        headers: {},
        queryParameters: {},
        body: '',
        isBase64Encoded: false,
        requestContext: { requestId: 'r', http: { method, path, sourceIp: '127.0.0.1', userAgent: 't' } },
      }),
    ),
    {
      requestId: 'r',
      credentials: { accessKeyId: 'LTAIconsolepage00', accessKeySecret: 'not-a-secret-console-page' },
      function: { name: 'fleet-console', handler: 'index.handler', memory: 128, timeout: 10 },
      region: 'cn-hangzhou',
      accountId: '1',
    } as any,
  )) as Res;

const assets = (html: string) => [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);

test('the page: no inline script or style, three hashed assets, strict headers', async () => {
  const r = await get('/');
  assert.is(r.statusCode, 200);
  assert.is(r.headers['content-type'], 'text/html; charset=utf-8');
  assert.not.match(r.body, /<script(?![^>]*\ssrc=)[^>]*>/, 'no inline script');
  assert.not.match(r.body, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style or handler');
  const csp = r.headers['content-security-policy']!;
  assert.equal(csp.split('; ').sort(), [
    "base-uri 'none'",
    "connect-src 'self'",
    "default-src 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "img-src 'self'",
    "require-trusted-types-for 'script'",
    "script-src 'self'",
    "style-src 'self'",
    "trusted-types 'none'",
  ]);
  assert.is(r.headers['x-content-type-options'], 'nosniff');
  assert.is(r.headers['referrer-policy'], 'no-referrer');
  assert.is(r.headers['x-frame-options'], 'DENY');
  assert.is(r.headers['cache-control'], 'no-store');
  assert.is(assets(r.body).length, 3);
});

test('each asset is served with its type, named by its content, cached for good, with the same headers', async () => {
  const page = await get('/');
  const types: Record<string, string> = {
    js: 'text/javascript; charset=utf-8',
    css: 'text/css; charset=utf-8',
    svg: 'image/svg+xml',
  };
  for (const path of assets(page.body)) {
    const r = await get(path);
    assert.is(r.statusCode, 200, path);
    const [, hash, ext] = /-([0-9a-f]{12})\.(js|css|svg)$/.exec(path)!;
    assert.is(r.headers['content-type'], types[ext!]);
    assert.is(createHash('sha256').update(r.body).digest('hex').slice(0, 12), hash, `${path} is named by its content`);
    assert.is(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.is(r.headers['content-security-policy'], page.headers['content-security-policy']);
    assert.is(r.headers['x-content-type-options'], 'nosniff');
  }
});

test('an unknown asset or path is 404; a write to the page is 405', async () => {
  assert.is((await get('/assets/console-000000000000.js')).statusCode, 404);
  assert.is((await get('/assets/..%2Fpackage.json')).statusCode, 404);
  assert.is((await get('/nothing')).statusCode, 404);
  assert.is((await get('/', 'POST')).statusCode, 405);
});

test('the browser code has no HTML sink and no eval', () => {
  const files = readdirSync(UI).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 5);
  const sinks =
    /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(|setTimeout\(\s*['"`]/;
  const found = files.filter((f) => sinks.test(readFileSync(join(UI, f), 'utf8')));
  assert.equal(found, []);
});

test.run();
