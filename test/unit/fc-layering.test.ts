/**
 * The layering of docs/DESIGN.md: imports point down (functions → fc → domains → cloud/store/invoke → core).
 * Domain and lower folders never import lib/fc (its types live in lib/core), and core imports
 * nothing above it. Checked on the sources, resolving each relative import to its folder.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Folders above the domains: they may import lib/fc; nothing else may. */
const ABOVE_DOMAINS = new Set(['fc', 'local', 'sandbox']);

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** `lib/<folder>` each relative import of `file` lands in (undefined outside lib). */
function importedLibFolders(file: string): Array<{ spec: string; folder: string | undefined }> {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"](\.[^'"]*)['"]/g)].map((m) => {
    const rel = relative(join(root, 'lib'), resolve(dirname(file), m[1]!)).split('/');
    return { spec: m[1]!, folder: rel[0] === '..' ? undefined : rel[0] };
  });
}

const libFolders = readdirSync(join(root, 'lib')).filter((d) => statSync(join(root, 'lib', d)).isDirectory());

test('domain and lower folders never import lib/fc', () => {
  const guarded = libFolders.filter((d) => !ABOVE_DOMAINS.has(d));
  assert.ok(
    guarded.includes('accounts') &&
      guarded.includes('auth') &&
      guarded.includes('catalog') &&
      guarded.includes('console'),
    guarded.join(),
  );
  const offenders: string[] = [];
  for (const d of guarded) {
    for (const f of tsFiles(join(root, 'lib', d))) {
      for (const i of importedLibFolders(f)) if (i.folder === 'fc') offenders.push(`${relative(root, f)} → ${i.spec}`);
    }
  }
  assert.equal(offenders, []);
});

test('lib/core imports only lib/core', () => {
  const offenders = tsFiles(join(root, 'lib/core')).flatMap((f) =>
    importedLibFolders(f)
      .filter((i) => i.folder !== 'core')
      .map((i) => `${relative(root, f)} → ${i.spec}`),
  );
  assert.equal(offenders, []);
});

test('the rule sees a violation (guards against a regex that matches nothing)', () => {
  const found = importedLibFolders(join(root, 'lib/fc/not-built.ts')).map((i) => i.folder);
  assert.ok(found.includes('auth') && found.includes('core') && found.includes('fc'), found.join());
});

test.run();
