/** Compiles the instance runtime (`worker.ts`) to one CommonJS file the host forks. */
import { build } from 'esbuild';
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export async function compileWorker(root: string, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, 'worker.cjs');
  const tmp = `${out}.${process.pid}.tmp`;
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'lib', 'local', 'worker.ts')],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'silent',
  });
  renameSync(tmp, out);
  return out;
}
