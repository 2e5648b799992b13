/**
 * PlainBuffer codec of the Tablestore sandbox, checked against the SDK's own writer and reader:
 * what the SDK writes parses (checksums verified), what the sandbox writes the SDK reads.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import TableStore from 'tablestore';
import { CELL_OP, readColumnValue, readRow, writeRow, writeRows } from '../../lib/sandbox/tablestore/plain-buffer';
import { OtsError } from '../../lib/sandbox/tablestore/errors';

const TS = TableStore;
const B = TS.PlainBufferBuilder;

function sdkRead(buf: Buffer, many = false) {
  const input = new TS.PlainBufferInputStream({
    buffer: buf.buffer,
    offset: buf.byteOffset,
    limit: buf.byteOffset + buf.length,
  });
  const coded = new TS.PlainBufferCodedInputStream(input);
  return many ? coded.readRows() : coded.readRow();
}

test('reads a put row written by the SDK: every type, timestamps, checksums', () => {
  const buf: Buffer = B.serializeForPutRow(
    [{ s: 'key' }, { i: TS.Long.fromString('-9223372036854775808') }, { b: Buffer.from([9, 8]) }],
    [
      { str: 'värde' },
      { dbl: 2.5 },
      { yes: true },
      { no: false },
      { int: TS.Long.fromString('9007199254740993') },
      { bin: Buffer.from([0, 1]) },
      { old: 'x', timestamp: 1700000000123 },
    ],
  );
  const row = readRow(buf);
  assert.equal(
    row.pk.map((c) => c.name),
    ['s', 'i', 'b'],
  );
  assert.equal(row.pk[0]!.value, { t: 'str', v: 'key' });
  assert.equal(row.pk[1]!.value, { t: 'int', v: -9223372036854775808n });
  assert.equal(row.pk[2]!.value, { t: 'bin', v: Buffer.from([9, 8]) });
  assert.equal(row.cells, [
    { name: 'str', value: { t: 'str', v: 'värde' } },
    { name: 'dbl', value: { t: 'double', v: 2.5 } },
    { name: 'yes', value: { t: 'bool', v: true } },
    { name: 'no', value: { t: 'bool', v: false } },
    { name: 'int', value: { t: 'int', v: 9007199254740993n } },
    { name: 'bin', value: { t: 'bin', v: Buffer.from([0, 1]) } },
    { name: 'old', value: { t: 'str', v: 'x' }, ts: 1700000000123 },
  ]);
  assert.is(row.deleteMarker, false);
});

test('reads update cells (PUT with timestamp, DELETE one version, DELETE_ALL, INCREMENT) and delete rows', () => {
  const buf: Buffer = B.serializeForUpdateRow(
    [{ id: 'k' }],
    [
      { PUT: [{ a: 'v', timestamp: 1700000000000 }] },
      { DELETE: [{ b: 1700000000001 }] },
      { DELETE_ALL: ['c'] },
      { INCREMENT: [{ n: TS.Long.fromNumber(3) }] },
    ],
  );
  const row = readRow(buf);
  assert.equal(row.cells, [
    { name: 'a', value: { t: 'str', v: 'v' }, ts: 1700000000000 },
    { name: 'b', op: CELL_OP.DELETE_ONE_VERSION, ts: 1700000000001 },
    { name: 'c', op: CELL_OP.DELETE_ALL_VERSION },
    { name: 'n', value: { t: 'int', v: 3n }, op: CELL_OP.INCREMENT },
  ]);
  const del = readRow(B.serializeForDeleteRow([{ id: 'k' }]));
  assert.is(del.deleteMarker, true);
  const range = readRow(B.serializePrimaryKey([{ id: TS.INF_MIN }, { n: TS.INF_MAX }]));
  assert.equal(
    range.pk.map((c) => c.value.t),
    ['min', 'max'],
  );
});

test('a flipped byte fails the checksum with OTSParameterInvalid', () => {
  const buf: Buffer = Buffer.from(B.serializeForPutRow([{ id: 'key' }], [{ col: 'value' }]));
  const at = buf.indexOf(Buffer.from('value'));
  buf[at] = buf[at]! ^ 0x20;
  try {
    readRow(buf);
    assert.unreachable('corrupt row accepted');
  } catch (e) {
    assert.instance(e, OtsError);
    assert.is((e as OtsError).code, 'OTSParameterInvalid');
    assert.match((e as OtsError).message, 'hecksum');
  }
});

test('condition operands (serialised column values) parse', () => {
  assert.equal(readColumnValue(B.serializeColumnValue(TS.Long.fromNumber(-5))), { t: 'int', v: -5n });
  assert.equal(readColumnValue(B.serializeColumnValue('abc')), { t: 'str', v: 'abc' });
  assert.equal(readColumnValue(B.serializeColumnValue(1.5)), { t: 'double', v: 1.5 });
  assert.equal(readColumnValue(B.serializeColumnValue(true)), { t: 'bool', v: true });
});

test('rows written by the sandbox are read by the SDK, checksums and all', () => {
  const rows = writeRows([
    {
      pk: [
        { name: 'id', value: { t: 'str', v: 'ünï' } },
        { name: 'n', value: { t: 'int', v: 9223372036854775807n } },
      ],
      cells: [
        { name: 'a', value: { t: 'str', v: 'x' }, ts: 1700000000000 },
        { name: 'b', value: { t: 'double', v: -1.25 }, ts: 1700000000001 },
        { name: 'c', value: { t: 'bool', v: true }, ts: 1700000000002 },
        { name: 'd', value: { t: 'bin', v: Buffer.from([1, 2, 3]) }, ts: 1700000000003 },
        { name: 'e', value: { t: 'int', v: -42n }, ts: 1700000000004 },
      ],
    },
    { pk: [{ name: 'id', value: { t: 'bin', v: Buffer.from([255]) } }], cells: [] },
    { cells: [{ name: 'only', value: { t: 'str', v: 'attr' }, ts: 5 }] },
  ]);
  const [r1, r2, r3] = sdkRead(rows, true);
  assert.is(r1.primaryKey[0].value, 'ünï');
  assert.is(String(r1.primaryKey[1].value), '9223372036854775807');
  assert.equal(
    r1.attributes.map((a: { columnValue: unknown }) =>
      typeof a.columnValue === 'object' ? String(a.columnValue) : a.columnValue,
    ),
    ['x', -1.25, true, '\x01\x02\x03', '-42'],
  );
  assert.equal(
    r1.attributes.map((a: { timestamp: unknown }) => Number(String(a.timestamp))),
    [1700000000000, 1700000000001, 1700000000002, 1700000000003, 1700000000004],
  );
  assert.equal(r2.primaryKey[0].value, Buffer.from([255]));
  assert.equal(r2.attributes, []);
  assert.equal(r3.primaryKey, []);
  assert.is(r3.attributes[0].columnValue, 'attr');
  assert.is(writeRow(undefined).length, 0);
  assert.is(
    sdkRead(writeRow({ pk: [{ name: 'k', value: { t: 'str', v: 'v' } }], cells: [] })).primaryKey[0].value,
    'v',
  );
});

test.run();
