/**
 * 1,000 random or malformed bodies per write route of settings and catalog, through the FC
 * adapter in-process (same handler code as the functions) against the sandbox: every answer is a
 * 4xx with an error code — never a 500 — and nothing is stored. Seeded: FUZZ_SEED reproduces a run.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { akCredential, startDomain, type Domain } from '../helpers/domain';
import * as T from '../../lib/store/tables';

const N = Number(process.env.FUZZ_N ?? 1000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
let s = seed;
/** mulberry32: small, seedable. */
const rnd = () => {
  s = (s + 0x6d2b79f5) | 0;
  let t = Math.imul(s ^ (s >>> 15), 1 | s);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
/** Any value as text: String() throws on objects whose prototype was replaced through "__proto__". */
const text = (v: unknown): string => {
  try {
    return typeof v === 'string' ? v : (JSON.stringify(v) ?? 'x');
  } catch {
    return 'x';
  }
};
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a'.repeat(10_000),
  '🙂'.repeat(100),
  '<script>',
  '../../etc/passwd',
  '%00',
  '\ud800',
  'LTAI',
  'acs:ram::1:role/',
  '-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----',
  'null',
  'true',
  '1e999',
  '__proto__',
  'cn-hangzhou ',
  'CN-HANGZHOU',
  'ecs.g6.large',
  'x'.repeat(65),
];
const WEIRD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -0,
  [],
  {},
  [null],
  { a: 1 },
  [[[[[]]]]],
  ...WEIRD_STRINGS,
];

function randomJson(depth = 0): unknown {
  const k = int(depth > 3 ? 4 : 7);
  if (k === 0) return pick(WEIRD_VALUES);
  if (k === 1) return rnd() * 1e6 - 5e5;
  if (k === 2) return pick(WEIRD_STRINGS);
  if (k === 3)
    return rnd()
      .toString(36)
      .slice(2, 2 + int(40));
  if (k === 4) return Array.from({ length: int(4) }, () => randomJson(depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = int(4); i > 0; i--)
    o[
      pick(['name', 'type', 'groups', 'credential', 'x', '__proto__', 'constructor', 'role', 'sshKeys', 'cn-hangzhou'])
    ] = randomJson(depth + 1);
  return o;
}

/** Values of the wrong type or shape for each field: guaranteed to break it. */
const BREAK: Record<string, unknown[]> = {
  name: ['', '   ', 42, null, [], {}, 'x'.repeat(65), 'a\u0001b', '<b>'],
  role: ['root', '', 1, null, ['admin'], 'Admin'],
  groups: [
    'blue',
    [1],
    ['a b'],
    ['x'.repeat(80)],
    [''],
    ['a', 'a'],
    Array.from({ length: 51 }, (_, i) => `g${i}`),
    null,
    {},
  ],
  alibabaAccountId: ['123', 12345678901234568, 'abcdefghijklmnop', '', '1'.repeat(17), []],
  defaultRegion: ['Hangzhou', 'cn_hangzhou', '', 'cn', 5, {}, 'cn-hangzhou-a-b-c-d'],
  credential: [
    null,
    'access_key',
    [],
    {},
    { type: 'password' },
    { type: 'access_key' },
    { type: 'ram_role' },
    { type: 'access_key', accessKeyId: 'AKID', accessKeySecret: 'x'.repeat(30) },
    { type: 'access_key', accessKeyId: `LTAI${'a'.repeat(20)}`, accessKeySecret: 'short' },
    { type: 'ram_role', roleArn: 'arn:aws:iam::123:role/x' },
    { type: 'ram_role', roleArn: 'acs:ram::1234567890123456:role/ok', externalId: 'x' },
    { type: 'access_key', accessKeyId: `STS.${'a'.repeat(20)}`, accessKeySecret: 'x'.repeat(30) },
  ],
  sshKeys: [
    [],
    'x',
    { Hangzhou: { keyPairName: 'k1' } },
    { 'cn-hangzhou': { keyPairName: '1abc' } },
    { 'cn-hangzhou': { keyPairName: 'k1', privateKey: 'not a key' } },
    {
      'cn-hangzhou': {
        keyPairName: 'k1',
        privateKey: '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n',
      },
    },
    { 'cn-hangzhou': { keyPairName: 'https://k' } },
    { 'cn-hangzhou': {} },
    { 'cn-hangzhou': { keyPairName: 'k1', extra: 1 } },
  ],
};

interface Route {
  name: string;
  method: string;
  path: () => string;
  valid: () => Record<string, unknown>;
  fields: string[];
  required: string[];
}

let d: Domain;
let accountId = '';
let keys: { accessKeyId: string; accessKeySecret: string; accountId: string };

/** One malformed request body for `route`. */
function malformed(route: Route): { body?: string; json?: unknown } {
  const kind = int(10);
  if (kind === 0) {
    return {
      body: pick([
        '{',
        '{"name":',
        '[]',
        '"str"',
        '123',
        'null',
        'true',
        '{"a":1}}',
        '\u0000',
        '{"name":"x",}',
        '['.repeat(5000),
        '{"a":'.repeat(3000),
        'x'.repeat(70_000),
        JSON.stringify({ name: 'y'.repeat(70_000) }),
        "{'name':'x'}",
        '\ufeff{}',
        '{"__proto__":{"role":"admin"},"name":"x","role":"viewer"}',
        '{"constructor":{"prototype":{"x":1}},"name":"x"}',
      ]),
    };
  }
  if (kind === 1) {
    // any JSON value; an object gets an unknown field so that it cannot be a valid (PATCH) body
    const v = randomJson();
    return { json: v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...v, zzUnknown: 1 } : v };
  }
  const body: Record<string, unknown> = route.valid();
  for (let i = int(3); i > 0; i--) body[pick(route.fields)] = randomJson();
  // the guaranteed breaker
  const how = int(3);
  if (how === 0) body[pick(['unknownField', 'ID', '__proto__x', 'credentials', 'Name'])] = randomJson();
  else if (how === 1 && route.required.length) delete body[pick(route.required)];
  else {
    const f = pick(route.fields);
    body[f] = pick(BREAK[f] ?? [null]);
  }
  return { json: body };
}

const ROUTES: Route[] = [
  {
    name: 'accounts.create',
    method: 'POST',
    path: () => '/v1/accounts',
    valid: () => ({ name: 'fuzz', groups: ['blue'], defaultRegion: 'cn-hangzhou', credential: akCredential(keys) }),
    fields: ['name', 'groups', 'alibabaAccountId', 'defaultRegion', 'credential', 'sshKeys'],
    required: ['name', 'credential'],
  },
  {
    name: 'accounts.update',
    method: 'PATCH',
    path: () => `/v1/accounts/${accountId}`,
    valid: () => ({ name: 'renamed' }),
    fields: ['name', 'groups', 'alibabaAccountId', 'defaultRegion', 'credential', 'sshKeys'],
    required: [],
  },
  {
    name: 'tokens.create',
    method: 'POST',
    path: () => '/v1/tokens',
    valid: () => ({ name: 'fuzz', role: 'viewer', groups: ['blue'] }),
    fields: ['name', 'role', 'groups'],
    required: ['name', 'role'],
  },
];

async function snapshot() {
  const rows: string[] = [];
  for (const t of [T.accounts, T.tokens]) for await (const r of d.store.scan(t)) rows.push(JSON.stringify(r));
  return rows.sort();
}

test.before(async () => {
  d = await startDomain({ via: 'inprocess' });
  keys = await d.createSandboxAccount();
  const a = await d.call('POST', '/v1/accounts', {
    token: d.adminToken,
    json: { name: 'target', credential: akCredential(keys) },
  });
  accountId = a.body.id;
  console.log(`fuzz seed ${seed}, ${N} bodies per route`);
});
test.after(async () => {
  await d?.close();
});

for (const route of ROUTES) {
  test(`${route.name}: ${N} malformed bodies → 4xx with a code, nothing stored`, async () => {
    const before = await snapshot();
    const bad: string[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < N; i++) {
      const req = malformed(route);
      const res = await d.call(route.method, route.path(), { token: d.adminToken, ...req });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (
        res.status < 400 ||
        res.status >= 500 ||
        typeof res.body?.error?.code !== 'string' ||
        typeof res.body?.error?.requestId !== 'string'
      ) {
        bad.push(`${res.status} ${res.raw.slice(0, 200)} ← ${(req.body ?? JSON.stringify(req.json)).slice(0, 200)}`);
        if (bad.length > 5) break;
      }
    }
    assert.equal(bad, [], `seed ${seed}`);
    assert.equal(await snapshot(), before, 'nothing stored');
    console.log(route.name, Object.fromEntries(statuses));
  });
}

test(`DELETE routes with ${N} random ids and queries → 4xx, nothing removed`, async () => {
  const before = await snapshot();
  const bad: string[] = [];
  for (let i = 0; i < N; i++) {
    let junk = 'x';
    try {
      junk = encodeURIComponent(text(randomJson())).slice(0, 300) || 'x';
    } catch {
      junk = '%E0%A4%A';
    }
    const [method, path, query] = pick([
      ['DELETE', `/v1/tokens/${junk}`, undefined],
      ['DELETE', `/v1/accounts/${junk}`, undefined],
      ['DELETE', `/v1/catalog/${junk}/cache`, undefined],
      ['DELETE', `/v1/catalog/${accountId}/cache`, { regionId: text(randomJson()).slice(0, 200) || 'X' }],
      ['POST', `/v1/accounts/${junk}/verify`, undefined],
    ] as const);
    const res = await d.call(method, path, { token: d.adminToken, ...(query ? { query } : {}) });
    if (res.status < 400 || res.status >= 500 || typeof res.body?.error?.code !== 'string') {
      bad.push(`${res.status} ${method} ${path} ${JSON.stringify(query)} ${res.raw.slice(0, 200)}`);
      if (bad.length > 5) break;
    }
  }
  assert.equal(bad, [], `seed ${seed}`);
  assert.equal(await snapshot(), before);
});

test(`catalog GETs with ${N} random path and query values → no 5xx; errors carry a code`, async () => {
  const bad: string[] = [];
  const val = () => text(randomJson());
  for (let i = 0; i < N; i++) {
    let region = 'cn-hangzhou';
    try {
      region = int(3) ? 'cn-hangzhou' : encodeURIComponent(val()).slice(0, 100) || 'x';
    } catch {
      region = '%ZZ';
    }
    const [path, query] = pick([
      [`/v1/catalog/${accountId}/regions/${region}/zones`, { instanceType: val() }],
      [`/v1/catalog/${accountId}/regions/${region}/images`, { owner: val() }],
      [`/v1/catalog/${accountId}/regions/${region}/instance-types`, { zoneId: val() }],
      [`/v1/catalog/${accountId}/regions/${region}/key-pairs`, { [val().slice(0, 20) || 'k']: val() }],
    ] as const);
    const q = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v).slice(0, 300)]));
    const res = await d.call('GET', path, { token: d.adminToken, query: q });
    if (res.status >= 500 || (res.status >= 400 && typeof res.body?.error?.code !== 'string')) {
      bad.push(`${res.status} ${path} ${JSON.stringify(q).slice(0, 120)} ${res.raw.slice(0, 200)}`);
      if (bad.length > 5) break;
    }
  }
  assert.equal(bad, [], `seed ${seed}`);
});

test.run();
