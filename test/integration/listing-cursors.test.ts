/**
 * Every listing that takes a cursor (today `GET /v1/accounts/{id}/changes`) against forged,
 * tampered, truncated and foreign cursors: each is 400 `ValidationFailed` on path `cursor`, never
 * another account's rows and never a 500. The forged cursors are what a caller can make by hand:
 * base64url JSON of a start key with the query fingerprint (a hash of public values).
 */
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { akCredential, startDomain, type Domain } from '../helpers/domain';

let d: Domain;
/** `mine` is in the viewer's group; `theirs` is not, and sorts after `mine` (a backward range from it passes through it). */
let mine: string;
let theirs: string;
let viewer: string;

test.before(async () => {
  d = await startDomain({ via: 'inprocess' });
  const keys = await d.createSandboxAccount();
  const ids: string[] = [];
  for (const name of ['first', 'second']) {
    const r = await d.call('POST', '/v1/accounts', {
      token: d.adminToken,
      json: { name, credential: akCredential(keys) },
    });
    assert.is(r.status, 201, r.raw);
    ids.push(r.body.id);
  }
  [mine, theirs] = ids.sort() as [string, string];
  for (const [id, groups, name] of [
    [mine, ['blue'], 'ours'],
    [theirs, ['red'], 'their-hidden-name'],
  ] as const) {
    for (let i = 0; i < 3; i++) {
      const r = await d.call('PATCH', `/v1/accounts/${id}`, {
        token: d.adminToken,
        json: { groups, name: `${name}-${i}` },
      });
      assert.is(r.status, 200, r.raw);
    }
  }
  const t = await d.call('POST', '/v1/tokens', {
    token: d.adminToken,
    json: { name: 'blue-viewer', role: 'viewer', groups: ['blue'] },
  });
  viewer = t.body.token;
});
test.after(async () => {
  await d?.close();
});

const changes = (id: string, cursor: string, token = viewer) =>
  d.call('GET', `/v1/accounts/${id}/changes`, { token, query: { cursor, limit: '2' } });

/** A cursor made by hand the way the store used to make them: public fingerprint + any start key. */
function handMade(start: unknown[]): string {
  const fp = createHash('sha256')
    .update(JSON.stringify(['account_changes', { accountId: mine }, null, null, null, true]))
    .digest('base64url')
    .slice(0, 10);
  return Buffer.from(JSON.stringify({ f: fp, k: start }), 'utf8').toString('base64url');
}

function assertRefused(r: { status: number; body: any; raw: string }, what: string) {
  assert.is(r.status, 400, `${what}: ${r.raw}`);
  assert.is(r.body.error.code, 'ValidationFailed', what);
  assert.equal(
    r.body.error.details.map((x: { path: string }) => x.path),
    ['cursor'],
    what,
  );
  assert.not.ok(r.raw.includes(theirs), `${what}: the answer names the other account`);
  assert.not.ok(r.raw.includes('their-hidden-name'), `${what}: the answer holds the other account's data`);
}

test('a hand-made cursor pointing at another account is refused (no foreign rows, no ids)', async () => {
  assertRefused(await changes(mine, handMade([theirs, '~'])), 'forged start key in another account');
  assertRefused(await changes(mine, handMade([mine, '~'])), 'forged start key in the same account');
});

test('a cursor with a start key of the wrong type is 400, not 500', async () => {
  assertRefused(await changes(mine, handMade([mine, 5])), 'number for a string key column');
  assertRefused(await changes(mine, handMade([mine, 1e300])), 'huge number');
});

test('tampered, truncated, foreign and garbage cursors are 400; the real one pages', async () => {
  const first = await d.call('GET', `/v1/accounts/${mine}/changes`, { token: viewer, query: { limit: '2' } });
  assert.is(first.status, 200, first.raw);
  const real = first.body.nextCursor as string;
  assert.type(real, 'string');
  assert.not.ok(real.includes(mine.slice(4)), 'the cursor does not show the key in clear');
  assert.not.ok(Buffer.from(real, 'base64url').toString('latin1').includes(mine), 'nor in its base64');
  const next = await changes(mine, real);
  assert.is(next.status, 200, next.raw);
  assert.is(next.body.items.length, 2);

  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  for (let i = 0; i < real.length; i += Math.max(1, Math.floor(real.length / 12)))
    assertRefused(await changes(mine, flip(real, i)), `one character changed at ${i}`);
  assertRefused(await changes(mine, real.slice(0, -3)), 'truncated');
  assertRefused(await changes(mine, real.slice(0, 10)), 'truncated to 10 characters');
  assertRefused(await changes(mine, `${real}AAAA`), 'extended');
  for (const garbage of ['nonsense', '!!!!', '====', 'A', '-_-_', 'x'.repeat(4096)])
    assertRefused(await changes(mine, garbage), `garbage ${garbage.slice(0, 8)}`);

  // An admin's cursor of the other account's trail does not page this one.
  const theirsPage = await d.call('GET', `/v1/accounts/${theirs}/changes`, {
    token: d.adminToken,
    query: { limit: '1' },
  });
  assert.type(theirsPage.body.nextCursor, 'string');
  assertRefused(await changes(mine, theirsPage.body.nextCursor), 'cursor of another account');
  assertRefused(await changes(mine, theirsPage.body.nextCursor, d.adminToken), 'cursor of another account (admin)');
});

test.run();
