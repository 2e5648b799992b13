/**
 * Speeds of the local tooling, which tests do not assert (a loaded machine is slow, not wrong):
 * 1,000 sequential PutRows into the sandbox's Tablestore (official SDK, write-ahead log), target
 * ≤ 10 s; and the secret scan of a 3 MiB capture with 200 secrets, target ≤ 3 s.
 * Run alone with `tsx scripts/bench-tools.ts`, or as part of `npm run bench`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TableStore from 'tablestore';
import { startTablestoreServer } from '../lib/sandbox/tablestore/index';
import { runIfMain } from './bench-common';
import { scanCapture } from './secret-scan';

const alnum = (n: number) => {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(n)].map((b) => A[b % 62]).join('');
};

async function putRowsMs(n: number): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-ots-'));
  const s = await startTablestoreServer({ dataDir, keys: { AKBENCH: 'bench-secret' } });
  try {
    const c = new TableStore.Client({
      accessKeyId: 'AKBENCH',
      secretAccessKey: 'bench-secret',
      endpoint: s.endpoint,
      instancename: 'fleet',
      maxRetries: 0,
    });
    await c.createTable({
      tableMeta: { tableName: 'items', primaryKey: [{ name: 'id', type: 'INTEGER' }] },
      reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
      tableOptions: { timeToLive: -1, maxVersions: 1 },
    });
    const ignore = new TableStore.Condition(TableStore.RowExistenceExpectation.IGNORE, null);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await c.putRow({
        tableName: 'items',
        condition: ignore,
        primaryKey: [{ id: TableStore.Long.fromNumber(i) }],
        attributeColumns: [{ v: `value-${i}` }],
      });
    }
    return performance.now() - t0;
  } finally {
    await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function scanMs(): { ms: number; mib: number; secrets: number } {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-scan-'));
  try {
    const secrets = Array.from({ length: 200 }, (_, i) =>
      i % 4 === 3 ? `CAIS${randomBytes(180).toString('base64')}` : alnum(30),
    );
    const lines: string[] = [];
    for (let i = 0, bytes = 0; bytes < 3 * 1024 * 1024; i++) {
      const b = JSON.stringify({ id: `acc-${i}`, name: `account ${i}`, note: alnum(400), at: i * 1000 });
      lines.push(JSON.stringify(i % 3 ? { k: 'res', m: 'GET', p: '/v1/x', s: 200, h: {}, b } : { k: 'log', l: b }));
      bytes += b.length;
    }
    writeFileSync(
      join(dir, '1-1.secrets.jsonl'),
      secrets.map((v) => `${JSON.stringify({ v, src: 'bench' })}\n`).join(''),
    );
    writeFileSync(join(dir, '1-1.traffic.jsonl'), `${lines.join('\n')}\n`);
    const t0 = performance.now();
    const r = scanCapture(dir);
    return { ms: performance.now() - t0, mib: r.bytes / 1024 / 1024, secrets: r.secrets };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchTools(): Promise<boolean> {
  const put = await putRowsMs(1000);
  const scan = scanMs();
  const ok = put <= 10_000 && scan.ms <= 3000;
  process.stdout.write(
    '\ntools: the sandbox Tablestore and the secret scan\n' +
      `  1,000 sequential PutRows (official SDK): ${put.toFixed(0)} ms  target ≤ 10000 ms\n` +
      `  secret scan, ${scan.mib.toFixed(1)} MiB with ${scan.secrets} secrets: ${scan.ms.toFixed(0)} ms  target ≤ 3000 ms\n` +
      `  ${ok ? 'ok' : 'OVER TARGET'}\n`,
  );
  return ok;
}

runIfMain(import.meta.url, 'bench-tools', () => benchTools());
