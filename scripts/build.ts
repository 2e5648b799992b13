/** `npm run build`: bundles every function into dist/ (lib/build does the work). */
import { build } from '../lib/build';

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

const started = Date.now();
build()
  .then((fns) => {
    for (const f of fns) {
      const lazy = f.lazyBytes ? `  + lazy/ ${kib(f.lazyBytes)}, code caches ${kib(f.cacheBytes)}` : '';
      process.stdout.write(`${`dist/${f.name}/index.js`.padEnd(30) + kib(f.bytes).padStart(12)}${lazy}\n`);
    }
    process.stdout.write(`built ${fns.length} functions in ${Date.now() - started} ms\n`);
  })
  .catch((e) => {
    process.stderr.write(`build failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
