/**
 * Compiles the console's browser assets from `lib/console/ui/` with esbuild: the script
 * (`main.ts`, bundled, minified, one IIFE), the styles (`style.css`) and the icon. Each asset is
 * named by a hash of its content, so the page can cache it forever and a new build is a new URL.
 * Used by lib/build (the function bundle carries the compiled text) and, when the console runs
 * from source (tsx), on first use (lib/console/ui-assets.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

export interface UiAsset {
  /** `console-<hash>.js`: served at `/assets/<name>`. */
  name: string;
  kind: 'script' | 'style' | 'icon';
  contentType: string;
  body: string;
}

export interface CompiledUi {
  assets: UiAsset[];
  /** Repository-relative source files (so a build knows when the assets are stale). */
  inputs: string[];
}

const UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'ui');

/** Browsers the console supports: those with CSP 3, `<dialog>` and Trusted Types enforcement or none. */
const TARGET = ['chrome111', 'firefox115', 'safari16.4', 'edge111'];

const named = (stem: string, ext: string, body: string) =>
  `${stem}-${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${ext}`;

export function compileConsoleUi(root = resolve(UI_DIR, '../../..')): CompiledUi {
  const r = buildSync({
    absWorkingDir: root,
    entryPoints: [join(UI_DIR, 'main.ts'), join(UI_DIR, 'style.css')],
    outdir: 'out',
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: TARGET,
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const text = (ext: string) => {
    const f = r.outputFiles.find((o) => o.path.endsWith(ext));
    if (!f) throw new Error(`the console build produced no ${ext}`);
    return f.text;
  };
  const js = text('.js');
  const css = text('.css');
  const iconPath = join(UI_DIR, 'icon.svg');
  const icon = readFileSync(iconPath, 'utf8');
  return {
    assets: [
      { name: named('console', 'js', js), kind: 'script', contentType: 'text/javascript; charset=utf-8', body: js },
      { name: named('console', 'css', css), kind: 'style', contentType: 'text/css; charset=utf-8', body: css },
      { name: named('icon', 'svg', icon), kind: 'icon', contentType: 'image/svg+xml', body: icon },
    ],
    inputs: [
      ...Object.keys(r.metafile.inputs),
      relative(root, iconPath),
      relative(root, fileURLToPath(import.meta.url)),
    ].sort(),
  };
}
