/** FLEET_ADMIN_TOKEN_SHA256: the bootstrap token can be configured by its hash, not in plaintext. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { authenticate, authenticateBearer, type TokenRepo } from '../../lib/auth';
import { ManualClock } from '../../lib/core/clock';
import { loadConfig } from '../../lib/core/config';
import type { AppError } from '../../lib/core/errors';
import type { Store } from '../../lib/store/types';

const token = `fleet_admin_${'k'.repeat(40)}`;
const sha = createHash('sha256').update(token).digest('hex');
const tokens: TokenRepo = {
  create: async () => {},
  get: async () => undefined,
  list: async () => [],
  remove: async () => false,
};
const clock = new ManualClock(0);

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: AppError) => e.code,
  );

test('config reads FLEET_ADMIN_TOKEN_SHA256 (any case → lower) and refuses a malformed one', () => {
  assert.is(loadConfig({ FLEET_ADMIN_TOKEN_SHA256: sha.toUpperCase() }).adminTokenSha256, sha);
  assert.is(loadConfig({}).adminTokenSha256, undefined);
  assert.is(loadConfig({ FLEET_ADMIN_TOKEN_SHA256: '' }).adminTokenSha256, undefined);
  assert.throws(() => loadConfig({ FLEET_ADMIN_TOKEN_SHA256: 'abc' }), /FLEET_ADMIN_TOKEN_SHA256 must be 64 hex/);
  assert.throws(() => loadConfig({ FLEET_ADMIN_TOKEN_SHA256: 'g'.repeat(64) }), /64 hex/);
});

test('the hash alone authenticates the bootstrap token; the hash itself and other tokens do not', async () => {
  const cfg = loadConfig({ FLEET_ADMIN_TOKEN_SHA256: sha });
  const deps = { adminToken: cfg.adminToken, adminTokenSha256: cfg.adminTokenSha256, tokens, clock };
  const p = await authenticate(token, deps);
  assert.equal([p.kind, p.role], ['bootstrap', 'admin']);
  assert.is(await code(authenticate(sha, deps)), 'Unauthenticated');
  assert.is(await code(authenticate(`${token}x`, deps)), 'Unauthenticated');
  assert.is(await code(authenticate('', deps)), 'Unauthenticated');
});

test('plaintext still works, and an empty hash matches nothing', async () => {
  assert.is((await authenticate(token, { adminToken: token, tokens, clock })).kind, 'bootstrap');
  const emptyHash = createHash('sha256').update('').digest('hex');
  assert.is(await code(authenticate('x', { adminTokenSha256: '', tokens, clock })), 'Unauthenticated');
  assert.is(
    await code(authenticate('anything', { adminTokenSha256: emptyHash.slice(0, 10), tokens, clock })),
    'Unauthenticated',
  );
});

test("every function's bearer check (authenticateBearer) honours the hash from config", async () => {
  // The bootstrap match never reaches the token store; a store that throws proves it.
  const store = new Proxy(
    {},
    {
      get: () => () => {
        throw new Error('store touched');
      },
    },
  ) as unknown as Store;
  const config = loadConfig({ FLEET_ADMIN_TOKEN_SHA256: sha });
  assert.is((await authenticateBearer(token, { config, clock, store })).kind, 'bootstrap');
  assert.equal(config.adminToken, undefined);
});

test.run();
