/**
 * docs/API.md's route table is the truth about the HTTP API: every route a function serves is in
 * it with its function, action, role and state; every route in it is served by that function and
 * reached through s.yaml's custom-domain route table; and the README's short table agrees.
 * Routes come from the action lists each functions/<fn>/index.ts wires in; then each documented
 * route is sent to the real handler as an FC HTTP event.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { accountActions } from '../../lib/accounts';
import { tokenActions } from '../../lib/auth';
import { catalogActions } from '../../lib/catalog';
import { consoleActions } from '../../lib/console/actions';
import { provisionActions, serverActions } from '../../lib/servers';
import { inventoryActions, scanRegionActions } from '../../lib/inventory';
import { matchRoute, renderSYamlCached, toDeploymentModel, type DeploymentModel } from '../../lib/local/syaml';

// The handlers log one line per request; the config is read at the first request.
process.env.LOG_LEVEL = 'error';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** A route in the contract that no function serves yet. */
const PLANNED = 'planned';
const ROLES = new Set(['none', 'viewer', 'operator', 'admin']);

interface Route {
  method: string;
  /** `:param` segments, as the router writes them. */
  path: string;
  fn: string;
  action: string;
  role?: string;
  state: 'built' | typeof PLANNED;
  /** false: answered without a token. */
  auth: boolean;
}

type ActionLike = { name: string; http?: { method: string; path: string }; auth?: boolean };

/** Built functions: the action factory their index.ts wires in, and its actions. */
const BUILT: Record<string, { factory: string; actions: readonly ActionLike[] }> = {
  settings: { factory: 'accountActions', actions: [...tokenActions(), ...accountActions()] },
  catalog: { factory: 'catalogActions', actions: catalogActions() },
  console: { factory: 'consoleActions', actions: consoleActions },
  servers: { factory: 'serverActions', actions: serverActions() },
  provision: { factory: 'provisionActions', actions: provisionActions() },
  // Timer and direct invocation only: no HTTP route.
  sweeper: { factory: 'sweepJobs', actions: [] },
  inventory: { factory: 'inventoryActions', actions: inventoryActions() },
  'scan-region': { factory: 'scanRegionActions', actions: scanRegionActions() },
};

const fnDirs = () =>
  readdirSync(join(root, 'functions'))
    .filter((d) => existsSync(join(root, 'functions', d, 'index.ts')))
    .sort();

/** Every HTTP route the functions serve. */
function servedRoutes(): Route[] {
  const out: Route[] = [];
  for (const fn of fnDirs()) {
    const file = join(root, 'functions', fn, 'index.ts');
    const built = BUILT[fn];
    assert.ok(built, `functions/${fn} is not in BUILT: teach this test its routes`);
    assert.ok(readFileSync(file, 'utf8').includes(built!.factory), `functions/${fn} no longer uses ${built!.factory}`);
    for (const a of built!.actions)
      if (a.http) out.push({ ...a.http, fn, action: a.name, state: 'built', auth: a.auth !== false });
  }
  return out;
}

const cell = (s: string) => s.trim().replace(/^`|`$/g, '');
const toRouter = (p: string) => p.replace(/\{([A-Za-z]+)\}/g, ':$1');

/** The one table of `md` whose header starts `| method | path |`. */
function parseRouteTable(md: string): Route[] {
  const lines = md.split('\n');
  const heads = lines.flatMap((l, i) => (/^\|\s*method\s*\|\s*path\s*\|/i.test(l) ? [i] : []));
  if (heads.length !== 1) throw new Error(`expected one route table, found ${heads.length}`);
  const cols = lines[heads[0]!]!.split('|').slice(1, -1).map(cell);
  const rows: Route[] = [];
  for (const line of lines.slice(heads[0]! + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map(cell);
    const get = (c: string) => cells[cols.indexOf(c)] ?? '';
    rows.push({
      method: get('method').toUpperCase(),
      path: toRouter(get('path')),
      fn: get('function'),
      action: get('action'),
      role: get('role'),
      state: get('state') as Route['state'],
      auth: get('role') !== 'none',
    });
  }
  return rows;
}

const key = (r: Pick<Route, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** What differs between the documented and the served routes; empty when they agree. */
function compareRoutes(doc: Route[], served: Route[]): string[] {
  const problems: string[] = [];
  const byKey = new Map<string, Route>();
  for (const d of doc) {
    if (byKey.has(key(d))) problems.push(`documented twice: ${key(d)}`);
    byKey.set(key(d), d);
    if (!ROLES.has(d.role ?? '')) problems.push(`${key(d)}: role "${d.role}" is not one of ${[...ROLES].join(', ')}`);
  }
  const servedKeys = new Set(served.map(key));
  for (const s of served) {
    const d = byKey.get(key(s));
    if (!d) {
      problems.push(`served but not documented: ${key(s)} (${s.fn} ${s.action})`);
      continue;
    }
    if (d.fn !== s.fn) problems.push(`${key(s)}: documented as function ${d.fn}, served by ${s.fn}`);
    if (d.action !== s.action) problems.push(`${key(s)}: documented as action ${d.action}, served as ${s.action}`);
    if (d.state !== s.state) problems.push(`${key(s)}: documented as "${d.state}", is "${s.state}"`);
    if ((d.role === 'none') !== !s.auth)
      problems.push(`${key(s)}: role ${d.role}, but the route ${s.auth ? 'needs a' : 'takes no'} token`);
  }
  for (const d of doc)
    if (!servedKeys.has(key(d)) && d.state !== PLANNED) problems.push(`documented but not served: ${key(d)} (${d.fn})`);
  return problems;
}

const apiMd = () => readFileSync(join(root, 'docs/API.md'), 'utf8');
const sample = (path: string) => path.replace(/:[A-Za-z]+/g, 'x-sample');
let model: DeploymentModel;

test.before(async () => {
  model = toDeploymentModel(await renderSYamlCached(root, { PATH: process.env.PATH, HOME: process.env.HOME }));
});

test('docs/API.md and docs/DESIGN.md exist, and the README points to them', () => {
  for (const f of ['docs/API.md', 'docs/DESIGN.md']) assert.ok(existsSync(join(root, f)), f);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.match(readme, '`docs/API.md`');
  assert.match(readme, '`docs/DESIGN.md`');
});

test('the route table of docs/API.md is exactly the routes the functions serve', () => {
  const served = servedRoutes();
  assert.ok(served.length >= 20, `only ${served.length} routes found: is the enumeration broken?`);
  assert.ok(
    served.some((r) => r.fn === 'servers') && served.some((r) => r.fn === 'inventory'),
    'every function with routes is enumerated',
  );
  assert.equal(compareRoutes(parseRouteTable(apiMd()), served), []);
});

test('s.yaml sends every documented route to the documented function', () => {
  const resourceOf = new Map(model.functions.map((f) => [f.functionName, f.resource]));
  const wrong: string[] = [];
  for (const r of parseRouteTable(apiMd())) {
    const to = matchRoute(model.routes, sample(r.path), r.method)?.functionName;
    const fn = to === undefined ? undefined : resourceOf.get(to);
    if (fn !== r.fn) wrong.push(`${key(r)}: documented ${r.fn}, s.yaml sends it to ${fn ?? 'nothing'}`);
  }
  assert.equal(wrong, []);
});

test('each documented route is answered by its function handler (401 without a token, or 200 when open)', async () => {
  const handlers = new Map<string, (e: object, c: object) => Promise<unknown>>();
  const wrong: string[] = [];
  for (const r of parseRouteTable(apiMd())) {
    let handler = handlers.get(r.fn);
    if (!handler) {
      const file = join(root, 'functions', r.fn, 'index.ts');
      assert.ok(existsSync(file), `no functions/${r.fn}`);
      handler = (await import(pathToFileURL(file).href)).handler as (e: object, c: object) => Promise<unknown>;
      handlers.set(r.fn, handler);
    }
    const path = sample(r.path);
    const event = {
      version: 'v1',
      rawPath: path,
      headers: {},
      queryParameters: {},
      body: '',
      isBase64Encoded: false,
      requestContext: {
        accountId: '1',
        domainName: 'docs.test',
        requestId: 'docs-routes',
        http: { method: r.method, path, sourceIp: '127.0.0.1', userAgent: 'docs-routes' },
        time: '',
        timeEpoch: '0',
      },
    };
    // Credentials only so the deps can be built; no request reaches Tablestore without a token.
    const context = {
      requestId: 'docs-routes',
      credentials: { accessKeyId: 'LTAIdocsroutes00', accessKeySecret: 'not-a-secret-docs-routes' },
      function: { name: `fleet-${r.fn}`, handler: 'index.handler', memory: 256, timeout: 30 },
      region: 'cn-hangzhou',
      accountId: '1',
    };
    const res = (await handler(event, context)) as { statusCode: number };
    // An open route with a parameter (a console asset) answers a made-up value with its own 404.
    const want = r.role === 'none' ? (r.path.includes(':') ? [200, 404] : [200]) : [401];
    if (!want.includes(res.statusCode))
      wrong.push(`${key(r)} on ${r.fn}: ${res.statusCode}, expected ${want.join(' or ')}`);
  }
  assert.equal(wrong, []);
});

test('the README route table lists only documented routes, with their roles', () => {
  const doc = new Map(parseRouteTable(apiMd()).map((r) => [key(r), r]));
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const head = lines.findIndex((l) => /^\|\s*route\s*\|\s*role\s*\|/i.test(l));
  assert.ok(head >= 0, 'README has a | route | role | … | table');
  const end = lines.findIndex((l, i) => i > head && !l.startsWith('|'));
  const rows = lines.slice(head + 2, end < 0 ? undefined : end);
  assert.ok(rows.length >= 5, `README route table has ${rows.length} rows`);
  const wrong: string[] = [];
  for (const row of rows) {
    const [route = '', role = ''] = row.split('|').slice(1, -1).map(cell);
    const [method = '', path = ''] = route.split(/\s+/);
    const d = doc.get(`${method} ${toRouter(path)}`);
    if (!d) wrong.push(`README lists ${route}, docs/API.md does not`);
    else if (d.role !== role) wrong.push(`${route}: README says ${role}, docs/API.md ${d.role}`);
  }
  assert.equal(wrong, []);
});

test('the comparison fails on a missing, an extra or a misattributed route', () => {
  const md = apiMd();
  const served = servedRoutes();
  const baseline = compareRoutes(parseRouteTable(md), served);
  /** The problems an edit of the document adds. */
  const added = (edited: string) => compareRoutes(parseRouteTable(edited), served).filter((p) => !baseline.includes(p));
  const line = md.split('\n').find((l) => l.includes('`/v1/accounts/{id}/changes`'));
  assert.ok(line, 'the changes route is documented');
  assert.equal(added(md.replace(`${line}\n`, '')), [
    'served but not documented: GET /v1/accounts/:id/changes (settings accounts.changes)',
  ]);
  const orphans = '| GET | `/v1/nothing-here` | servers | `servers.nothing` | viewer | built |';
  assert.equal(added(md.replace(`${line}\n`, `${line}\n${orphans}\n`)), [
    'documented but not served: GET /v1/nothing-here (servers)',
  ]);
  assert.equal(added(md.replace(line, line.replace('| settings |', '| catalog |'))), [
    'GET /v1/accounts/:id/changes: documented as function catalog, served by settings',
  ]);
  assert.equal(added(md.replace(line, line.replace('| viewer |', '| none |'))), [
    'GET /v1/accounts/:id/changes: role none, but the route needs a token',
  ]);
  assert.equal(added(md.replace(line, line.replace('| built |', `| ${PLANNED} |`))), [
    'GET /v1/accounts/:id/changes: documented as "planned", is "built"',
  ]);
});

/** Citations of the docs must name where they live now (`docs/API.md`, `docs/DESIGN.md`). */
test('sources cite docs/API.md and docs/DESIGN.md, not the old top-level names', () => {
  const self = fileURLToPath(import.meta.url);
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? files(p) : /\.(ts|md|yaml)$/.test(n) && p !== self ? [p] : [];
    });
  const stale = /(?<!docs\/)\b(?:API|DESIGN)\.md\b|\bDESIGN(?:'s| principle)/;
  const found = [...['lib', 'functions', 'scripts', 'test'].flatMap((d) => files(join(root, d))), join(root, 's.yaml')]
    .concat(join(root, 'README.md'))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((l, i) => (stale.test(l) ? [`${relative(root, f)}:${i + 1}: ${l.trim()}`] : [])),
    );
  assert.equal(found, []);
});

test.run();
