/**
 * ACS3-HMAC-SHA256 verification of the local FC invoke API against signatures made by the SDK's
 * own signer (`OpenApiUtil.getAuthorization`), all from the headers: the signature, the date's
 * freshness (±15 min), the headers a signature must cover; then the body against its hash, and
 * each nonce once per window.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { OpenApiUtil } from '@alicloud/openapi-core';
import { bodyMatches, MAX_SKEW_MS, NonceWindow, verifyAcs3 } from '../../lib/local/acs3';

const NOW = Date.UTC(2026, 2, 4, 5, 6, 7);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const secrets = (id: string) => (id === 'AKID' ? 'right-secret' : undefined);

function signed(
  secret: string,
  body: string,
  o: { date?: string; unsigned?: string[]; tamper?: (h: Record<string, string>) => void } = {},
) {
  const hash = createHash('sha256').update(body).digest('hex');
  const headers: Record<string, string> = {
    host: '127.0.0.1:9000',
    'x-acs-action': 'InvokeFunction',
    'x-acs-version': '2023-03-30',
    'x-acs-date': o.date ?? iso(NOW),
    'x-acs-signature-nonce': 'n-1',
    'x-acs-content-sha256': hash,
    'content-type': 'application/octet-stream',
  };
  const pathname = '/2023-03-30/functions/fleet-console/invocations';
  const query = { qualifier: 'LATEST' };
  // Headers left out of the signature are added after signing, as a forger would.
  const late = Object.fromEntries((o.unsigned ?? []).map((n) => [n, headers[n]!]));
  for (const n of o.unsigned ?? []) delete headers[n];
  headers.authorization = OpenApiUtil.getAuthorization(
    { pathname, method: 'POST', query, headers } as never,
    'ACS3-HMAC-SHA256',
    hash,
    'AKID',
    secret,
  );
  Object.assign(headers, late);
  o.tamper?.(headers);
  return { method: 'POST', rawPath: pathname, query: new URLSearchParams(query), headers };
}
const code = (v: ReturnType<typeof verifyAcs3>) => (v.ok ? 'ok' : `${v.status} ${v.code}`);

test('the SDK signature verifies; wrong secret, unknown key, tampering and no Authorization do not', () => {
  const good = verifyAcs3(signed('right-secret', '{"a":1}'), secrets, NOW);
  assert.ok(good.ok);
  assert.equal(good.ok && [good.accessKeyId, good.nonce, good.dateMs], ['AKID', 'n-1', NOW]);
  assert.is(code(verifyAcs3(signed('wrong-secret', '{"a":1}'), secrets, NOW)), '403 SignatureNotMatch');
  assert.is(code(verifyAcs3(signed('right-secret', '{}'), () => undefined, NOW)), '403 InvalidAccessKeyID');
  const moved = signed('right-secret', '{}', { tamper: (h) => (h['x-acs-date'] = iso(NOW + 1000)) });
  assert.is(code(verifyAcs3(moved, secrets, NOW)), '403 SignatureNotMatch');
  const noAuth = signed('right-secret', '{}', { tamper: (h) => delete h.authorization });
  assert.is(code(verifyAcs3(noAuth, secrets, NOW)), '400 MissingRequiredHeader');
});

test('the signature covers the claimed body hash; the body must then match it', () => {
  const v = verifyAcs3(signed('right-secret', '{"a":1}'), secrets, NOW);
  assert.ok(v.ok && bodyMatches(Buffer.from('{"a":1}'), v.contentSha256));
  assert.not.ok(v.ok && bodyMatches(Buffer.from('{"a":2}'), v.contentSha256));
  const swapped = signed('right-secret', '{"a":1}', {
    tamper: (h) => (h['x-acs-content-sha256'] = createHash('sha256').update('{"a":2}').digest('hex')),
  });
  assert.is(code(verifyAcs3(swapped, secrets, NOW)), '403 SignatureNotMatch');
});

test('x-acs-date must be within 15 minutes either way (a request from 2001 is refused)', () => {
  const at = (ms: number) => code(verifyAcs3(signed('right-secret', '{}', { date: iso(ms) }), secrets, NOW));
  assert.is(at(NOW - MAX_SKEW_MS), 'ok');
  assert.is(at(NOW + MAX_SKEW_MS), 'ok');
  assert.is(at(NOW - MAX_SKEW_MS - 1000), '400 InvalidTimeStamp.Expired');
  assert.is(at(NOW + MAX_SKEW_MS + 1000), '400 InvalidTimeStamp.Expired');
  assert.is(at(Date.UTC(2001, 0, 1)), '400 InvalidTimeStamp.Expired');
  for (const bad of ['yesterday', '2026-03-04 05:06:07', '2026-03-04T05:06:07+08:00'])
    assert.is(
      code(verifyAcs3(signed('right-secret', '{}', { date: bad }), secrets, NOW)),
      '400 InvalidTimeStamp.Format',
    );
  const none = signed('right-secret', '{}', { tamper: (h) => delete h['x-acs-date'] });
  assert.is(code(verifyAcs3(none, secrets, NOW)), '400 MissingRequiredHeader');
});

test('the signature must cover host, date, nonce, body hash, every x-acs-* header and content-type', () => {
  for (const n of [
    'host',
    'x-acs-date',
    'x-acs-signature-nonce',
    'x-acs-content-sha256',
    'x-acs-action',
    'content-type',
  ]) {
    const v = verifyAcs3(signed('right-secret', '{}', { unsigned: [n] }), secrets, NOW);
    assert.is(code(v), '403 SignatureNotMatch', n);
    assert.match(!v.ok ? v.message : '', n);
  }
  const empty = signed('right-secret', '{}', {
    tamper: (h) => (h.authorization = h.authorization!.replace(/SignedHeaders=[^,]*/, 'SignedHeaders=')),
  });
  assert.is(code(verifyAcs3(empty, secrets, NOW)), '403 SignatureNotMatch');
  const noNonce = signed('right-secret', '{}', { tamper: (h) => delete h['x-acs-signature-nonce'] });
  assert.is(code(verifyAcs3(noNonce, secrets, NOW)), '400 MissingRequiredHeader');
});

test('a nonce is accepted once while its date is in the window; the window holds a bounded number', () => {
  const w = new NonceWindow(3);
  assert.is(w.claim('AKID', 'a', NOW, NOW), 'ok');
  assert.is(w.claim('AKID', 'a', NOW, NOW + 60_000), 'used');
  assert.is(w.claim('OTHER', 'a', NOW, NOW), 'ok', 'nonces are per key');
  assert.is(w.claim('AKID', 'b', NOW, NOW), 'ok');
  assert.is(w.claim('AKID', 'c', NOW, NOW), 'full', 'never forgets a live nonce to make room');
  assert.is(w.claim('AKID', 'a', NOW, NOW + 1000), 'used');
  // Once the dates are out of the window (a replay would be refused for its date), room is made.
  const later = NOW + MAX_SKEW_MS + 2000;
  assert.is(w.claim('AKID', 'c', later, later), 'ok');
  assert.is(w.size, 1);
});

test.run();
