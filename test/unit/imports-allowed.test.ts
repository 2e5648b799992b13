/**
 * The layering of docs/DESIGN.md as a table: each folder and the folders (or single files) it may
 * import. Imports point down — functions → fc → domains → jobs → cloud/store/invoke/auth/crypto →
 * core — and a domain reads another only through that domain's read API. Every relative import
 * of every source file is checked against the table, and the folder graph must have no cycle.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A domain whose work runs as jobs: the stage engine, the invoker, and accounts through their read API. */
const JOB_DOMAIN = [
  'lib/core',
  'lib/store',
  'lib/auth',
  'lib/crypto',
  'lib/cloud',
  'lib/invoke',
  'lib/jobs',
  'lib/accounts/read.ts',
];

/** Folder → what it may import besides itself: folders (`lib/x`) or files (`lib/x/y.ts`). */
export const ALLOWED: Record<string, readonly string[]> = {
  'lib/core': [],
  'lib/store': ['lib/core'],
  'lib/crypto': ['lib/core'],
  'lib/cloud': ['lib/core'],
  'lib/invoke': ['lib/core'],
  'lib/auth': ['lib/core', 'lib/store'],
  'lib/jobs': ['lib/core', 'lib/store', 'lib/invoke', 'lib/cloud'],
  'lib/accounts': ['lib/core', 'lib/store', 'lib/auth', 'lib/crypto', 'lib/cloud'],
  'lib/catalog': ['lib/core', 'lib/store', 'lib/auth', 'lib/crypto', 'lib/cloud', 'lib/accounts/read.ts'],
  'lib/servers': JOB_DOMAIN,
  'lib/inventory': JOB_DOMAIN,
  'lib/console': ['lib/core'],
  'lib/fc': ['lib/core', 'lib/store', 'lib/cloud', 'lib/crypto', 'lib/invoke', 'lib/auth'],
  // The build compiles the console's browser assets into its bundle.
  'lib/build': ['lib/console/ui-compile.ts'],
  'lib/sandbox': ['lib/core'],
  // The host emulates FC: it routes with the functions' own router and guards with their route info.
  'lib/local': ['lib/core', 'lib/store', 'lib/cloud', 'lib/sandbox', 'lib/build', 'lib/fc', 'lib/invoke'],
  functions: [
    'lib/core',
    'lib/fc',
    'lib/auth',
    'lib/accounts',
    'lib/catalog',
    'lib/console',
    'lib/servers',
    'lib/inventory',
    'lib/jobs',
  ],
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The folder a repository path belongs to: `lib/<x>` or a top-level folder. */
const folderOf = (rel: string) => {
  const parts = rel.split('/');
  return parts[0] === 'lib' ? `lib/${parts[1]}` : parts[0]!;
};

/** Every relative import of `text` (static, dynamic, require), resolved to a repository path. */
export function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](\.[^'"]*)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => {
    const abs = resolve(dirname(file), s);
    if (existsSync(abs) && statSync(abs).isDirectory()) return relative(root, join(abs, 'index.ts'));
    const target = relative(root, abs);
    return /\.[a-z]+$/.test(target) ? target : `${target}.ts`;
  });
}

/** Imports of `file` (repository-relative) that the table does not allow. */
export function violations(fileRel: string, text: string): string[] {
  const from = folderOf(fileRel);
  const allowed = ALLOWED[from];
  if (!allowed) return [`${fileRel}: folder ${from} is not in the allowed-imports table`];
  return importsOf(join(root, fileRel), text)
    .filter((t) => {
      const to = folderOf(t);
      if (to === from) return false;
      return !allowed.includes(to) && !allowed.includes(t);
    })
    .map((t) => `${fileRel} → ${t}`);
}

const sources = ['lib', 'functions'].flatMap((d) => tsFiles(join(root, d))).map((f) => relative(root, f));

test('every import of lib/ and functions/ is one the table allows', () => {
  assert.ok(sources.length > 100, `found only ${sources.length} files`);
  const offenders = sources.flatMap((f) => violations(f, readFileSync(join(root, f), 'utf8')));
  assert.equal(offenders, []);
});

test('every lib folder is in the table (a new folder states its place)', () => {
  const folders = readdirSync(join(root, 'lib')).filter((d) => statSync(join(root, 'lib', d)).isDirectory());
  assert.equal(
    folders.filter((d) => !ALLOWED[`lib/${d}`]),
    [],
  );
});

test('the folder graph has no cycle, and the table itself has none', () => {
  const edges = new Map<string, Set<string>>();
  for (const f of sources) {
    for (const t of importsOf(join(root, f), readFileSync(join(root, f), 'utf8'))) {
      const a = folderOf(f);
      const b = folderOf(t);
      if (a !== b) (edges.get(a) ?? edges.set(a, new Set()).get(a)!).add(b);
    }
  }
  const tableEdges = new Map(Object.entries(ALLOWED).map(([k, v]) => [k, new Set(v.map(folderOf))]));
  for (const [name, graph] of [
    ['imports', edges],
    ['table', tableEdges],
  ] as const) {
    const state = new Map<string, 'open' | 'done'>();
    const cycle: string[] = [];
    const visit = (n: string, path: string[]): boolean => {
      if (state.get(n) === 'done') return false;
      if (state.get(n) === 'open') {
        cycle.push(...path.slice(path.indexOf(n)), n);
        return true;
      }
      state.set(n, 'open');
      for (const m of graph.get(n) ?? []) if (visit(m, [...path, n])) return true;
      state.set(n, 'done');
      return false;
    };
    for (const n of graph.keys()) if (visit(n, [])) break;
    assert.equal(cycle, [], `${name}: ${cycle.join(' → ')}`);
  }
});

test('the check sees upward, sideways and dynamic imports (it can fail)', () => {
  assert.equal(violations('lib/store/x.ts', "import { a } from '../fc/deps';"), ['lib/store/x.ts → lib/fc/deps.ts']);
  assert.equal(violations('lib/catalog/x.ts', "import { loadAccount } from '../accounts/read';"), []);
  assert.equal(violations('lib/catalog/x.ts', "import { createAccount } from '../accounts/service';"), [
    'lib/catalog/x.ts → lib/accounts/service.ts',
  ]);
  assert.equal(violations('lib/catalog/x.ts', "import { x } from '../accounts';"), [
    'lib/catalog/x.ts → lib/accounts/index.ts',
  ]);
  assert.equal(violations('lib/core/x.ts', "const m = await import('../cloud/factory');"), [
    'lib/core/x.ts → lib/cloud/factory.ts',
  ]);
  assert.equal(violations('functions/x/index.ts', "import { startSandbox } from '../../lib/sandbox/server';"), [
    'functions/x/index.ts → lib/sandbox/server.ts',
  ]);
});

test.run();
