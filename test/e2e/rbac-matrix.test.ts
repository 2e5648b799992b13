/**
 * The RBAC matrix through the HTTP API: each role (admin, operator, viewer, no token, bad token)
 * × each settings and catalog route × an account in its groups, out of its groups, and absent.
 * Out of scope answers 404 exactly like an absent account; a weak role answers 403.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { akCredential, startDomain, type Domain } from '../helpers/domain';
import * as T from '../../lib/store/tables';

let d: Domain;
const tok: Record<string, string> = {};
let inA = '';
let outB = '';
const absent = 'acc-zzzzzzzzzzzzzzzz';

test.before(async () => {
  d = await startDomain();
  const keys = await d.createSandboxAccount();
  for (const [role, groups] of [
    ['operator', ['blue', 'green']],
    ['viewer', ['blue']],
    ['admin', []],
  ] as const) {
    const r = await d.call('POST', '/v1/tokens', {
      token: d.adminToken,
      json: { name: `${role}-token`, role, groups },
    });
    assert.is(r.status, 201, r.raw);
    assert.match(r.body.token, /^fleet_/);
    tok[role] = r.body.token;
  }
  const a = await d.call('POST', '/v1/accounts', {
    token: d.adminToken,
    json: { name: 'A', groups: ['blue'], credential: akCredential(keys) },
  });
  const b = await d.call('POST', '/v1/accounts', {
    token: d.adminToken,
    json: { name: 'B', groups: ['red'], credential: akCredential(keys) },
  });
  inA = a.body.id;
  outB = b.body.id;
});
test.after(async () => {
  await d?.close();
});

type Who = 'admin' | 'operator' | 'viewer' | 'none' | 'bad';
const WHO: Who[] = ['admin', 'operator', 'viewer', 'none', 'bad'];
const tokenOf = (w: Who) =>
  w === 'none' ? undefined : w === 'bad' ? `fleet_0123456789abcdef_${'x'.repeat(43)}` : tok[w];

/** Expected status per caller for a route on an account in scope / out of scope / absent. */
interface Row {
  name: string;
  method: string;
  path: (id: string) => string;
  json?: unknown;
  query?: Record<string, string>;
  /** [admin, operator, viewer] in scope; out of scope and absent follow from it. */
  inScope: [number, number, number];
}

const ROWS: Row[] = [
  { name: 'accounts.get', method: 'GET', path: (id) => `/v1/accounts/${id}`, inScope: [200, 200, 200] },
  { name: 'accounts.changes', method: 'GET', path: (id) => `/v1/accounts/${id}/changes`, inScope: [200, 200, 200] },
  {
    name: 'accounts.update',
    method: 'PATCH',
    path: (id) => `/v1/accounts/${id}`,
    json: { name: 'renamed' },
    inScope: [200, 403, 403],
  },
  { name: 'accounts.verify', method: 'POST', path: (id) => `/v1/accounts/${id}/verify`, inScope: [200, 200, 403] },
  { name: 'catalog.regions', method: 'GET', path: (id) => `/v1/catalog/${id}/regions`, inScope: [200, 200, 200] },
  {
    name: 'catalog.zones',
    method: 'GET',
    path: (id) => `/v1/catalog/${id}/regions/cn-hangzhou/zones`,
    inScope: [200, 200, 200],
  },
  {
    name: 'catalog.keyPairs',
    method: 'GET',
    path: (id) => `/v1/catalog/${id}/regions/cn-hangzhou/key-pairs`,
    inScope: [200, 200, 200],
  },
  {
    name: 'catalog.images',
    method: 'GET',
    path: (id) => `/v1/catalog/${id}/regions/cn-hangzhou/images`,
    inScope: [200, 200, 200],
  },
  {
    name: 'catalog.instanceTypes',
    method: 'GET',
    path: (id) => `/v1/catalog/${id}/regions/cn-hangzhou/instance-types`,
    inScope: [200, 200, 200],
  },
  { name: 'catalog.clearCache', method: 'DELETE', path: (id) => `/v1/catalog/${id}/cache`, inScope: [204, 204, 403] },
  { name: 'accounts.delete', method: 'DELETE', path: (id) => `/v1/accounts/${id}`, inScope: [204, 403, 403] },
];

const roleIndex = { admin: 0, operator: 1, viewer: 2 } as const;

function expected(row: Row, who: Who, where: 'in' | 'out' | 'absent'): number {
  if (who === 'none' || who === 'bad') return 401;
  if (where === 'absent') return 404;
  if (where === 'out' && who !== 'admin') return 404;
  return row.inScope[roleIndex[who]];
}

test("lists show only accounts in the caller's groups", async () => {
  const ids = async (who: Who) =>
    ((await d.call('GET', '/v1/accounts', { token: tokenOf(who)! })).body.items as { id: string }[]).map((a) => a.id);
  assert.ok((await ids('admin')).includes(outB));
  assert.not.ok((await ids('operator')).includes(outB));
  assert.not.ok((await ids('viewer')).includes(outB));
  assert.ok((await ids('viewer')).includes(inA));
});

test('a 403 says what the role may not do for that action, and who may', async () => {
  const cases: Array<[Who, string, string, string]> = [
    ['operator', 'GET', '/v1/tokens', 'the operator role may not list tokens (admin only)'],
    ['viewer', 'POST', `/v1/accounts/${inA}/verify`, 'the viewer role may not verify accounts (operator or admin)'],
    ['operator', 'PATCH', `/v1/accounts/${inA}`, 'the operator role may not change accounts (admin only)'],
    [
      'viewer',
      'DELETE',
      `/v1/catalog/${inA}/cache`,
      'the viewer role may not clear catalog caches (operator or admin)',
    ],
  ];
  for (const [who, method, path, message] of cases) {
    const res = await d.call(method, path, {
      token: tokenOf(who)!,
      ...(method === 'PATCH' ? { json: { name: 'x' } } : {}),
    });
    assert.is(res.status, 403, res.raw);
    assert.is(res.body.error.message, message);
  }
});

test('inventory reads: role × in / out of scope / absent (the account named in the query)', async () => {
  const reads = [
    (id: string) => `/v1/assets?accountId=${id}`,
    (id: string) => `/v1/scans?accountId=${id}`,
    (id: string) => `/v1/assets/export?accountId=${id}`,
  ];
  const problems: string[] = [];
  for (const path of reads)
    for (const who of WHO)
      for (const [where, id] of [
        ['in', inA],
        ['out', outB],
        ['absent', absent],
      ] as const) {
        const token = tokenOf(who);
        const res = await d.call('GET', path(id), token ? { token } : {});
        const want = expected({ name: '', method: 'GET', path, inScope: [200, 200, 200] }, who, where);
        if (res.status !== want) problems.push(`GET ${path(id)} ${who} ${where}: ${res.status} (want ${want})`);
      }
  assert.equal(problems, []);
});

test('account-scoped routes: role × route × in / out of scope / absent', async () => {
  const problems: string[] = [];
  for (const row of ROWS) {
    // Admin deletes last, so every other cell sees the accounts.
    const order: Who[] = row.name === 'accounts.delete' ? ['operator', 'viewer', 'none', 'bad', 'admin'] : WHO;
    for (const who of order) {
      for (const [where, id] of [
        ['in', inA],
        ['out', outB],
        ['absent', absent],
      ] as const) {
        const token = tokenOf(who);
        const res = await d.call(row.method, row.path(id), {
          ...(token ? { token } : {}),
          ...(row.json ? { json: row.json } : {}),
        });
        const want = expected(row, who, where);
        if (res.status !== want)
          problems.push(`${row.name} ${who} ${where}: ${res.status} (want ${want}) ${res.raw.slice(0, 160)}`);
        if (res.status >= 400) {
          const code = { 401: 'Unauthenticated', 403: 'Forbidden', 404: 'NotFound' }[res.status as 401 | 403 | 404];
          if (res.body?.error?.code !== code)
            problems.push(`${row.name} ${who} ${where}: code ${res.body?.error?.code}`);
        }
      }
    }
  }
  assert.equal(problems, []);
});

test('global routes: tokens are admin-only; account creation is admin-only; lists are scoped', async () => {
  const cases: Array<[string, string, unknown, Record<Who, number>]> = [
    ['GET', '/v1/tokens', undefined, { admin: 200, operator: 403, viewer: 403, none: 401, bad: 401 }],
    [
      'POST',
      '/v1/tokens',
      { name: 'x', role: 'viewer', groups: [] },
      { admin: 201, operator: 403, viewer: 403, none: 401, bad: 401 },
    ],
    [
      'POST',
      '/v1/accounts',
      {
        name: 'C',
        credential: { type: 'access_key', accessKeyId: `LTAI${'q'.repeat(20)}`, accessKeySecret: 'q'.repeat(30) },
      },
      { admin: 201, operator: 403, viewer: 403, none: 401, bad: 401 },
    ],
    ['GET', '/v1/accounts', undefined, { admin: 200, operator: 200, viewer: 200, none: 401, bad: 401 }],
    [
      'DELETE',
      '/v1/tokens/tok-zzzzzzzzzzzzzzzz',
      undefined,
      { admin: 404, operator: 403, viewer: 403, none: 401, bad: 401 },
    ],
  ];
  const problems: string[] = [];
  for (const [method, path, json, want] of cases) {
    for (const who of WHO) {
      const token = tokenOf(who);
      const res = await d.call(method, path, { ...(token ? { token } : {}), ...(json ? { json } : {}) });
      if (res.status !== want[who]) problems.push(`${method} ${path} ${who}: ${res.status} (want ${want[who]})`);
    }
  }
  assert.equal(problems, []);
});

test('server routes: the role is checked before the object (a viewer may not write; an unknown server is 404)', async () => {
  const codes = { 200: undefined, 400: 'ValidationFailed', 401: 'Unauthenticated', 403: 'Forbidden', 404: 'NotFound' };
  const cases: Array<[string, string, unknown, Record<Who, keyof typeof codes>]> = [
    ['POST', '/v1/servers', { name: 'web-1' }, { admin: 400, operator: 400, viewer: 403, none: 401, bad: 401 }],
    ['GET', '/v1/servers', undefined, { admin: 200, operator: 200, viewer: 200, none: 401, bad: 401 }],
    [
      'GET',
      '/v1/servers/srv-zzzzzzzzzzzzzzzz',
      undefined,
      { admin: 404, operator: 404, viewer: 404, none: 401, bad: 401 },
    ],
    [
      'POST',
      '/v1/servers/srv-zzzzzzzzzzzzzzzz/retry',
      undefined,
      { admin: 404, operator: 404, viewer: 403, none: 401, bad: 401 },
    ],
    [
      'DELETE',
      '/v1/servers/srv-zzzzzzzzzzzzzzzz',
      undefined,
      { admin: 404, operator: 404, viewer: 403, none: 401, bad: 401 },
    ],
    [
      'POST',
      '/v1/servers/srv-zzzzzzzzzzzzzzzz/actions',
      { action: 'stop' },
      { admin: 404, operator: 404, viewer: 403, none: 401, bad: 401 },
    ],
  ];
  const problems: string[] = [];
  for (const [method, path, json, want] of cases) {
    for (const who of WHO) {
      const token = tokenOf(who);
      const res = await d.call(method, path, { ...(token ? { token } : {}), ...(json ? { json } : {}) });
      if (res.status !== want[who] || res.body?.error?.code !== codes[want[who]])
        problems.push(`${method} ${path} ${who}: ${res.status} ${res.body?.error?.code} (want ${want[who]})`);
    }
  }
  assert.equal(problems, []);
});

test('a revoked token stops working at once', async () => {
  const made = await d.call('POST', '/v1/tokens', {
    token: d.adminToken,
    json: { name: 'temp', role: 'viewer', groups: ['blue'] },
  });
  assert.is((await d.call('GET', '/v1/accounts', { token: made.body.token })).status, 200);
  const listed = await d.call('GET', '/v1/tokens', { token: d.adminToken });
  assert.ok(listed.body.items.some((t: { id: string }) => t.id === made.body.id));
  assert.not.ok(listed.raw.includes(made.body.token), 'a token is shown only when created');
  assert.is((await d.call('DELETE', `/v1/tokens/${made.body.id}`, { token: d.adminToken })).status, 204);
  assert.is((await d.call('GET', '/v1/accounts', { token: made.body.token })).status, 401);
});

test('a token with expiresAt is listed with it and answers 401 "expired" once that time has passed', async () => {
  const expiresAt = Date.now() + 3_600_000;
  const made = await d.call('POST', '/v1/tokens', {
    token: d.adminToken,
    json: { name: 'short-lived', role: 'viewer', groups: ['blue'], expiresAt },
  });
  assert.is(made.status, 201, made.raw);
  assert.is(made.body.expiresAt, expiresAt);
  const listed = await d.call('GET', '/v1/tokens', { token: d.adminToken });
  assert.is(listed.body.items.find((t: { id: string }) => t.id === made.body.id)?.expiresAt, expiresAt);
  assert.is((await d.call('GET', '/v1/accounts', { token: made.body.token })).status, 200);
  // Time passes: the stored expiry is moved into the past rather than waiting for it.
  const row = await d.store.get(T.tokens, { id: made.body.id });
  await d.store.update(T.tokens, { id: made.body.id }, row!.version, { expiresAtMs: Date.now() - 1 });
  const late = await d.call('GET', '/v1/accounts', { token: made.body.token });
  assert.is(late.status, 401, late.raw);
  assert.is(late.body.error.code, 'Unauthenticated');
  assert.match(late.body.error.message, /expired/);
  const past = await d.call('POST', '/v1/tokens', {
    token: d.adminToken,
    json: { name: 'x', role: 'viewer', expiresAt: Math.floor(Date.now() / 1000) },
  });
  assert.is(past.status, 400, past.raw);
  assert.equal(
    past.body.error.details.map((x: { path: string }) => x.path),
    ['expiresAt'],
  );
});

test.run();
