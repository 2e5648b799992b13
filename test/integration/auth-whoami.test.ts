/**
 * `GET /v1/whoami`: any valid token learns its own role, groups and expiry (what the console uses
 * to show only the controls that would work); no token, a made-up one or a revoked one is 401.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startDomain, type Domain } from '../helpers/domain';

let d: Domain;

test.before(async () => {
  d = await startDomain({ via: 'inprocess' });
});
test.after(async () => d?.close());

test('the bootstrap admin is an admin without groups and without expiry', async () => {
  const r = await d.call('GET', '/v1/whoami', { token: d.adminToken });
  assert.is(r.status, 200, r.raw);
  assert.equal(r.body, { kind: 'bootstrap', role: 'admin', groups: [], name: 'bootstrap admin' });
});

test('a minted token sees its own role, groups, id and expiry, and never its secret', async () => {
  const expiresAt = Date.now() + 3_600_000;
  for (const [role, groups] of [
    ['viewer', ['blue']],
    ['operator', ['blue', 'green']],
    ['admin', []],
  ] as const) {
    const made = await d.call('POST', '/v1/tokens', {
      token: d.adminToken,
      json: { name: `${role}-me`, role, groups, ...(role === 'viewer' ? { expiresAt } : {}) },
    });
    assert.is(made.status, 201, made.raw);
    const r = await d.call('GET', '/v1/whoami', { token: made.body.token });
    assert.is(r.status, 200, r.raw);
    assert.equal(r.body, {
      kind: 'token',
      role,
      groups,
      name: `${role}-me`,
      tokenId: made.body.id,
      ...(role === 'viewer' ? { expiresAt } : {}),
    });
    // `fleet_<16 id chars>_<secret>`: the secret may itself hold `_`, so it is cut by position.
    const secret = made.body.token.slice('fleet_'.length + 17);
    assert.is(secret.length, 43);
    assert.not.ok(r.raw.includes(secret), 'the secret part is not echoed');
  }
});

test('no token, a made-up token and a revoked token are 401', async () => {
  assert.is((await d.call('GET', '/v1/whoami')).status, 401);
  assert.is((await d.call('GET', '/v1/whoami', { token: `fleet_0123456789abcdef_${'x'.repeat(43)}` })).status, 401);
  const made = await d.call('POST', '/v1/tokens', { token: d.adminToken, json: { name: 'gone', role: 'viewer' } });
  assert.is((await d.call('GET', '/v1/whoami', { token: made.body.token })).status, 200);
  assert.is((await d.call('DELETE', `/v1/tokens/${made.body.id}`, { token: d.adminToken })).status, 204);
  assert.is((await d.call('GET', '/v1/whoami', { token: made.body.token })).status, 401);
});

test('whoami takes only GET (405 with Allow)', async () => {
  const r = await d.call('POST', '/v1/whoami', { token: d.adminToken, json: {} });
  assert.is(r.status, 405, r.raw);
  assert.is(r.body.error.code, 'MethodNotAllowed');
});

test.run();
