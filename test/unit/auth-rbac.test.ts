import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../lib/core/clock';
import type { Principal } from '../../lib/fc/types';
import {
  authenticate,
  authorize,
  createToken,
  deleteToken,
  generateToken,
  hashToken,
  listTokens,
  safeEqual,
  tokenIdOf,
  type Access,
  type TokenRecord,
  type TokenRepo,
} from '../../lib/auth';

const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};
async function codeOf(p: Promise<unknown>) {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
}

const P = (role: Principal['role'], groups: string[] = []): Principal => ({ kind: 'token', role, groups });
const inGroup = { groups: ['blue', 'green'] };
const outGroup = { groups: ['red'] };
const noGroup = { groups: [] };

test('the role × access × scope matrix', () => {
  const expect: Record<string, Record<Access, [string, string, string]>> = {
    // [in scope, out of scope, no account]
    admin: {
      read: ['ok', 'ok', 'ok'],
      operate: ['ok', 'ok', 'ok'],
      write: ['ok', 'ok', 'ok'],
      admin: ['ok', 'ok', 'ok'],
    },
    operator: {
      read: ['ok', 'NotFound', 'ok'],
      operate: ['ok', 'NotFound', 'ok'],
      write: ['Forbidden', 'NotFound', 'Forbidden'],
      admin: ['Forbidden', 'NotFound', 'Forbidden'],
    },
    viewer: {
      read: ['ok', 'NotFound', 'ok'],
      operate: ['Forbidden', 'NotFound', 'Forbidden'],
      write: ['Forbidden', 'NotFound', 'Forbidden'],
      admin: ['Forbidden', 'NotFound', 'Forbidden'],
    },
  };
  for (const [role, row] of Object.entries(expect)) {
    const p = P(role as Principal['role'], ['green']);
    for (const [action, [i, o, n]] of Object.entries(row) as [Access, [string, string, string]][]) {
      assert.is(
        code(() => authorize(p, { access: action, doing: 'do it', account: inGroup })),
        i,
        `${role} ${action} in`,
      );
      assert.is(
        code(() => authorize(p, { access: action, doing: 'do it', account: outGroup })),
        o,
        `${role} ${action} out`,
      );
      assert.is(
        code(() => authorize(p, { access: action, doing: 'do it' })),
        n,
        `${role} ${action} none`,
      );
    }
  }
});

test('an account without groups is visible only to admins; anonymous is Unauthenticated', () => {
  assert.is(
    code(() => authorize(P('viewer', ['x']), { access: 'read', doing: 'read accounts', account: noGroup })),
    'NotFound',
  );
  assert.is(
    code(() => authorize(P('admin'), { access: 'read', doing: 'read accounts', account: noGroup })),
    'ok',
  );
  assert.is(
    code(() => authorize({ kind: 'anonymous', role: 'none', groups: [] }, { access: 'read', doing: 'read accounts' })),
    'Unauthenticated',
  );
});

test('a refusal says what the role may not do and who may', () => {
  const message = (role: Principal['role'], need: Parameters<typeof authorize>[1]) => {
    try {
      authorize(P(role, ['blue']), need);
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.is(
    message('operator', { access: 'admin', doing: 'list tokens' }),
    'the operator role may not list tokens (admin only)',
  );
  assert.is(
    message('viewer', { access: 'operate', doing: 'verify accounts', account: inGroup }),
    'the viewer role may not verify accounts (operator or admin)',
  );
  assert.is(
    message('operator', { access: 'write', doing: 'change accounts', account: inGroup }),
    'the operator role may not change accounts (admin only)',
  );
});

test('tokens: prefix, shape, id inside, hash only', () => {
  const a = generateToken();
  const b = generateToken();
  assert.match(a.token, /^fleet_[0-9a-z]{16}_[A-Za-z0-9_-]{43}$/);
  assert.is(tokenIdOf(a.token), a.id);
  assert.is.not(a.token, b.token);
  assert.is(hashToken(a.token).length, 64);
  assert.is(tokenIdOf('fleet_short'), undefined);
  assert.ok(safeEqual('abc', 'abc'));
  assert.not.ok(safeEqual('abc', 'abd'));
  assert.not.ok(safeEqual('abc', 'abcd'));
});

function memRepo(): TokenRepo & { rows: Map<string, TokenRecord> } {
  const rows = new Map<string, TokenRecord>();
  return {
    rows,
    async create(r) {
      rows.set(r.id, r);
    },
    async get(id) {
      return rows.get(id);
    },
    async list() {
      return [...rows.values()];
    },
    async remove(id) {
      return rows.delete(id);
    },
  };
}

test('create, authenticate, list, revoke', async () => {
  const tokens = memRepo();
  const deps = { adminToken: 'boot-strap-admin-token', tokens, clock: new ManualClock(1000) };
  const admin = await authenticate('boot-strap-admin-token', deps);
  assert.equal(admin, { kind: 'bootstrap', role: 'admin', groups: [], name: 'bootstrap admin' });

  const made = await createToken({ name: 'ci', role: 'operator', groups: ['blue'] }, admin, deps);
  assert.is(made.role, 'operator');
  assert.is(made.createdAt, 1000);
  const stored = [...tokens.rows.values()][0]!;
  assert.not.ok(JSON.stringify(stored).includes(made.token), 'the token itself is never stored');
  assert.is(stored.tokenHash, hashToken(made.token));

  const p = await authenticate(made.token, deps);
  assert.equal(p, { kind: 'token', role: 'operator', groups: ['blue'], tokenId: made.id, name: 'ci' });

  const listed = await listTokens(deps);
  assert.equal(
    listed.items.map((t) => t.id),
    [made.id],
  );
  assert.not.ok(JSON.stringify(listed).includes(stored.tokenHash));
  assert.not.ok('token' in listed.items[0]!);

  // one changed character: same id, wrong hash
  const last = made.token.at(-1) === 'A' ? 'B' : 'A';
  assert.is(await codeOf(authenticate(`${made.token.slice(0, -1)}${last}`, deps)), 'Unauthenticated');
  for (const h of [
    undefined,
    '',
    'Bearer',
    'nope',
    'boot-strap-admin-toke',
    'boot-strap-admin-tokenX',
    `${made.token}x`,
  ]) {
    assert.is(await codeOf(authenticate(h, deps)), 'Unauthenticated', String(h));
  }
  await deleteToken(made.id, deps);
  assert.is(await codeOf(authenticate(made.token, deps)), 'Unauthenticated');
  assert.is(await codeOf(deleteToken(made.id, deps)), 'NotFound');
});

test('a token with expiresAt works until then, answers 401 "expired" after, and lists its expiry', async () => {
  const tokens = memRepo();
  const clock = new ManualClock(1_000_000);
  const deps = { tokens, clock };
  const admin = P('admin');
  const made = await createToken({ name: 'short', role: 'viewer', expiresAt: 1_000_000 + 60_000 }, admin, deps);
  assert.is(made.expiresAt, 1_060_000);
  const forever = await createToken({ name: 'long', role: 'viewer' }, admin, deps);
  assert.not.ok('expiresAt' in forever);
  assert.is((await authenticate(made.token, deps)).tokenId, made.id);
  clock.advance(59_999);
  assert.is((await authenticate(made.token, deps)).tokenId, made.id);
  clock.advance(1);
  try {
    await authenticate(made.token, deps);
    assert.unreachable('an expired token authenticated');
  } catch (e) {
    assert.is((e as { code: string }).code, 'Unauthenticated');
    assert.match((e as Error).message, /expired/);
  }
  assert.is((await authenticate(forever.token, deps)).tokenId, forever.id);
  // Only the holder of the token learns that it expired: a wrong secret is the plain 401.
  const wrong = `${made.token.slice(0, -1)}${made.token.at(-1) === 'A' ? 'B' : 'A'}`;
  const e = await authenticate(wrong, deps).catch((x: Error) => x);
  assert.not.match((e as Error).message, /expired/);
  const listed = await listTokens(deps);
  const expiryOf = Object.fromEntries(listed.items.map((t) => [t.name, (t as { expiresAt?: number }).expiresAt]));
  assert.equal(expiryOf, { short: 1_060_000, long: undefined });
});

test('expiresAt is epoch ms in the future, at most a year ahead', async () => {
  const clock = new ManualClock(1_700_000_000_000);
  const deps = { tokens: memRepo(), clock };
  const year = 366 * 24 * 3600 * 1000;
  for (const expiresAt of [
    1_700_000_000_000,
    1_600_000_000_000,
    1_700_000_000,
    1.7e15,
    1_700_000_000_000 + year + 1,
    1.5,
    '2030-01-01',
    null,
  ]) {
    const e = await createToken({ name: 'x', role: 'viewer', expiresAt }, P('admin'), deps).catch((x) => x);
    assert.is(e.code, 'ValidationFailed', String(expiresAt));
    assert.equal(
      e.details.map((x: { path: string }) => x.path),
      ['expiresAt'],
    );
  }
  assert.is(deps.tokens.rows.size, 0);
  const ok = await createToken({ name: 'x', role: 'viewer', expiresAt: 1_700_000_000_000 + year }, P('admin'), deps);
  assert.is(ok.expiresAt, 1_700_000_000_000 + year);
});

test('token input is validated with paths', async () => {
  const deps = { tokens: memRepo(), clock: new ManualClock() };
  const admin = P('admin');
  for (const bad of [
    {},
    { name: 'x', role: 'root' },
    { name: '', role: 'viewer' },
    { name: 'x', role: 'viewer', groups: ['a b'] },
    { name: 'x', role: 'viewer', extra: 1 },
    null,
    'str',
    [],
  ]) {
    try {
      await createToken(bad, admin, deps);
      assert.unreachable(JSON.stringify(bad));
    } catch (e) {
      const err = e as { code: string; details: { path: string; problem: string }[] };
      assert.is(err.code, 'ValidationFailed');
      assert.ok(err.details.length > 0 && typeof err.details[0]!.path === 'string');
    }
  }
  assert.is(deps.tokens.rows.size, 0);
});

test.run();
