/** The Tablestore sandbox's write-ahead log: replay, torn tails, compaction, crash leftovers. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wal, readFrames } from '../../lib/sandbox/tablestore/wal';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'ts-wal-'));
  dirs.push(d);
  return d;
};
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('records appended are replayed in order after reopening', () => {
  const dir = fresh();
  const { wal, records } = Wal.open(dir);
  assert.equal(records, []);
  for (let i = 0; i < 50; i++) wal.append({ i, s: `r${i}` });
  wal.close();
  const again = Wal.open(dir);
  assert.equal(
    again.records,
    Array.from({ length: 50 }, (_, i) => ({ i, s: `r${i}` })),
  );
  again.wal.close();
});

test('a torn tail (half a frame, or a corrupt frame) is cut off; later appends survive', () => {
  const dir = fresh();
  const { wal } = Wal.open(dir);
  wal.append({ n: 1 });
  wal.append({ n: 2 });
  wal.close();
  const file = join(dir, 'wal-0.log');
  const good = statSync(file).size;
  // Half of a frame: a length header promising more bytes than exist.
  const torn = Buffer.alloc(12);
  torn.writeUInt32LE(100, 0);
  appendFileSync(file, torn);
  const r1 = Wal.open(dir);
  assert.equal(r1.records, [{ n: 1 }, { n: 2 }]);
  assert.is(statSync(file).size, good, 'tail truncated');
  r1.wal.append({ n: 3 });
  r1.wal.close();
  // A complete-looking frame whose CRC does not match.
  const bad = Buffer.alloc(8 + 4);
  bad.writeUInt32LE(4, 0);
  bad.writeUInt32LE(12345, 4);
  bad.write('{"x"', 8);
  appendFileSync(file, bad);
  const r2 = Wal.open(dir);
  assert.equal(r2.records, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  r2.wal.close();
});

test('readFrames stops at the first bad frame', () => {
  const { records, validBytes } = readFrames(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
  assert.equal(records, []);
  assert.is(validBytes, 0);
});

test('compaction writes a snapshot, starts an empty log and removes the old generation', () => {
  const dir = fresh();
  const { wal } = Wal.open(dir, { compactBytes: 200 });
  for (let i = 0; i < 20; i++) wal.append({ i });
  assert.ok(wal.wantsCompaction());
  wal.compact([{ state: 'all' }]);
  assert.not.ok(wal.wantsCompaction());
  wal.append({ after: true });
  wal.close();
  assert.equal(readdirSync(dir).sort(), ['snapshot-1.log', 'wal-1.log']);
  const again = Wal.open(dir);
  assert.equal(again.records, [{ state: 'all' }, { after: true }]);
  again.wal.close();
});

test('leftovers of a crash during compaction (a .tmp snapshot, an older generation) are ignored and removed', () => {
  const dir = fresh();
  const { wal } = Wal.open(dir);
  wal.append({ v: 1 });
  wal.compact([{ v: 1 }]);
  wal.append({ v: 2 });
  wal.close();
  writeFileSync(join(dir, 'snapshot-2.log.tmp'), 'partial garbage');
  writeFileSync(join(dir, 'wal-0.log'), 'stale');
  const again = Wal.open(dir);
  assert.equal(again.records, [{ v: 1 }, { v: 2 }]);
  again.wal.close();
  assert.equal(readdirSync(dir).sort(), ['snapshot-1.log', 'wal-1.log']);
});

test.run();
