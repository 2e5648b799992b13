/** Value order and persisted form of the Tablestore sandbox (primary-key order drives GetRange). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  compareCell,
  comparePk,
  decValue,
  encValue,
  type CellValue,
  type PkValue,
} from '../../lib/sandbox/tablestore/values';

const s = (v: string): PkValue => ({ t: 'str', v });
const i = (v: bigint): PkValue => ({ t: 'int', v });

test('primary keys order column by column; INF_MIN/INF_MAX bound every value', () => {
  const keys: PkValue[][] = [
    [s('b'), i(1n)],
    [s('a'), i(2n)],
    [s('a'), i(-9223372036854775808n)],
    [s('a'), { t: 'max' }],
    [s('a'), { t: 'min' }],
    [s('a'), i(10n)],
  ];
  const sorted = [...keys].sort(comparePk).map((k) => k.map((v) => ('v' in v ? String(v.v) : v.t)).join('/'));
  assert.equal(sorted, ['a/min', 'a/-9223372036854775808', 'a/2', 'a/10', 'a/max', 'b/1']);
});

test('strings order by UTF-8 bytes (astral characters after U+FFFD), binaries bytewise', () => {
  assert.ok(comparePk([s('\uFFFD')], [s('😀')]) < 0, 'UTF-8 order, not UTF-16');
  assert.ok(comparePk([s('Z')], [s('a')]) < 0);
  assert.ok(comparePk([{ t: 'bin', v: Buffer.from([1, 255]) }], [{ t: 'bin', v: Buffer.from([2]) }]) < 0);
});

test('cell comparison: same type compares, different types do not', () => {
  assert.is(compareCell({ t: 'int', v: 5n }, { t: 'int', v: 7n }), -1);
  assert.is(compareCell({ t: 'bool', v: true }, { t: 'bool', v: false }), 1);
  assert.is(compareCell({ t: 'int', v: 5n }, { t: 'double', v: 5 }), undefined);
});

test('persisted form is exact for int64 extremes, special doubles and bytes', () => {
  const values: CellValue[] = [
    { t: 'int', v: 9223372036854775807n },
    { t: 'int', v: -9223372036854775808n },
    { t: 'double', v: -0 },
    { t: 'double', v: Number.NaN },
    { t: 'double', v: Infinity },
    { t: 'double', v: 0.1 + 0.2 },
    { t: 'bool', v: false },
    { t: 'str', v: 'ü😀' },
    { t: 'bin', v: Buffer.from([0, 255]) },
  ];
  const back = values.map((v) => decValue(JSON.parse(JSON.stringify(encValue(v)))));
  assert.equal(back, values);
  assert.ok(Object.is((back[2] as { v: number }).v, -0));
});

test.run();
