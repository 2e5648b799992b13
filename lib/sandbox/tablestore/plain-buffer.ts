/**
 * PlainBuffer, the row encoding inside Tablestore's protobuf messages: reads the rows the SDK
 * writes (put / update / delete / primary keys / condition values) and writes rows the SDK's
 * reader accepts (CRC8 per cell folded into a row checksum; never CELL_TYPE in responses).
 */
import { ots } from './errors';
import type { CellValue, PkColumn, PkValue } from './values';

export const TAG = {
  ROW_PK: 0x1,
  ROW_DATA: 0x2,
  CELL: 0x3,
  CELL_NAME: 0x4,
  CELL_VALUE: 0x5,
  CELL_TYPE: 0x6,
  CELL_TIMESTAMP: 0x7,
  DELETE_ROW_MARKER: 0x8,
  ROW_CHECKSUM: 0x9,
  CELL_CHECKSUM: 0x0a,
} as const;
export const VT = {
  INTEGER: 0,
  DOUBLE: 1,
  BOOLEAN: 2,
  STRING: 3,
  BLOB: 7,
  INF_MIN: 9,
  INF_MAX: 0xa,
  AUTO_INCREMENT: 0xb,
} as const;
/** Cell operation types of UpdateRow. */
export const CELL_OP = { DELETE_ALL_VERSION: 0x1, DELETE_ONE_VERSION: 0x3, INCREMENT: 0x4 } as const;
const HEADER = 0x75;

const CRC8_TABLE = (() => {
  const t = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff;
    t[i] = c;
  }
  return t;
})();

export function crc8Byte(crc: number, b: number): number {
  return CRC8_TABLE[(crc ^ b) & 0xff]!;
}
export function crc8Bytes(crc: number, buf: Uint8Array, start = 0, end = buf.length): number {
  for (let i = start; i < end; i++) crc = CRC8_TABLE[(crc ^ buf[i]!) & 0xff]!;
  return crc;
}
function crc8Int32(crc: number, v: number): number {
  for (let i = 0; i < 4; i++) crc = crc8Byte(crc, (v >>> (i * 8)) & 0xff);
  return crc;
}

/** One attribute cell of a write: `op` is a CELL_OP for UpdateRow deletes/increments. */
export interface ParsedCell {
  name: string;
  value?: CellValue;
  op?: number;
  ts?: number;
}
export interface ParsedRow {
  pk: PkColumn[];
  cells: ParsedCell[];
  deleteMarker: boolean;
}

class Reader {
  pos = 0;
  tag = 0;
  constructor(readonly buf: Buffer) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw ots.parameterInvalid('Invalid plain buffer: unexpected end of data.');
  }
  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  nextTag(): number {
    this.tag = this.pos >= this.buf.length ? 0 : this.byte();
    return this.tag;
  }
  is(tag: number): boolean {
    return this.tag === tag;
  }
  expect(tag: number, what: string): void {
    if (this.tag !== tag) throw ots.parameterInvalid(`Invalid plain buffer: expect ${what} but it was ${this.tag}.`);
  }
}

/** Reads a type byte and the value after it (the SQLVariant body); returns value and crc. */
function readVariant(r: Reader, crc: number): { value: CellValue | PkValue; crc: number } {
  const type = r.byte();
  crc = crc8Byte(crc, type);
  switch (type) {
    case VT.INTEGER: {
      const start = r.pos;
      const b = r.bytes(8);
      return { value: { t: 'int', v: b.readBigInt64LE(0) }, crc: crc8Bytes(crc, r.buf, start, start + 8) };
    }
    case VT.DOUBLE: {
      const start = r.pos;
      const b = r.bytes(8);
      return { value: { t: 'double', v: b.readDoubleLE(0) }, crc: crc8Bytes(crc, r.buf, start, start + 8) };
    }
    case VT.BOOLEAN: {
      const v = r.byte();
      return { value: { t: 'bool', v: v !== 0 }, crc: crc8Byte(crc, v !== 0 ? 1 : 0) };
    }
    case VT.STRING:
    case VT.BLOB: {
      const len = r.u32();
      const b = r.bytes(len);
      crc = crc8Bytes(crc8Int32(crc, len), b);
      const value: CellValue =
        type === VT.STRING ? { t: 'str', v: b.toString('utf8') } : { t: 'bin', v: Buffer.from(b) };
      return { value, crc };
    }
    case VT.INF_MIN:
      return { value: { t: 'min' }, crc };
    case VT.INF_MAX:
      return { value: { t: 'max' }, crc };
    case VT.AUTO_INCREMENT:
      return { value: { t: 'auto' }, crc };
    default:
      throw ots.parameterInvalid(`Invalid plain buffer: unsupported value type ${type}.`);
  }
}

function readName(r: Reader): { name: string; crc: number } {
  r.nextTag();
  r.expect(TAG.CELL_NAME, 'TAG_CELL_NAME');
  const len = r.u32();
  const b = r.bytes(len);
  return { name: b.toString('utf8'), crc: crc8Bytes(0, b) };
}

function readCellValue(r: Reader, crc: number): { value: CellValue | PkValue; crc: number } {
  r.u32(); // length of type + value
  return readVariant(r, crc);
}

function checkCellCrc(r: Reader, crc: number): void {
  r.expect(TAG.CELL_CHECKSUM, 'TAG_CELL_CHECKSUM');
  const got = r.byte();
  if (got !== crc) throw ots.parameterInvalid(`Checksum mismatch. expected:${got},actual:${crc}.`);
  r.nextTag();
}

/** Parses one row (header included) as the SDK serialises put, update, delete and key rows. */
export function readRow(buf: Buffer): ParsedRow {
  const r = new Reader(buf);
  if (r.u32() !== HEADER) throw ots.parameterInvalid('Invalid plain buffer: bad header.');
  r.nextTag();
  const pk: PkColumn[] = [];
  const cells: ParsedCell[] = [];
  let rowCrc = 0;
  if (r.is(TAG.ROW_PK)) {
    r.nextTag();
    while (r.is(TAG.CELL)) {
      const { name, crc: c0 } = readName(r);
      r.nextTag();
      r.expect(TAG.CELL_VALUE, 'TAG_CELL_VALUE');
      const { value, crc } = readCellValue(r, c0);
      if (value.t === 'double' || value.t === 'bool')
        throw ots.parameterInvalid(`Invalid primary key type of ${name}.`);
      r.nextTag();
      checkCellCrc(r, crc);
      rowCrc = crc8Byte(rowCrc, crc);
      pk.push({ name, value: value as PkValue });
    }
  }
  if (r.is(TAG.ROW_DATA)) {
    r.nextTag();
    while (r.is(TAG.CELL)) {
      const { name, crc: c0 } = readName(r);
      let crc = c0;
      const cell: ParsedCell = { name };
      r.nextTag();
      if (r.is(TAG.CELL_VALUE)) {
        const v = readCellValue(r, crc);
        if (v.value.t === 'min' || v.value.t === 'max' || v.value.t === 'auto') {
          throw ots.parameterInvalid(`Invalid value type of column ${name}.`);
        }
        cell.value = v.value;
        crc = v.crc;
        r.nextTag();
      }
      if (r.is(TAG.CELL_TYPE)) {
        cell.op = r.byte();
        r.nextTag();
      }
      if (r.is(TAG.CELL_TIMESTAMP)) {
        const start = r.pos;
        cell.ts = Number(r.bytes(8).readBigInt64LE(0));
        crc = crc8Bytes(crc, r.buf, start, start + 8);
        r.nextTag();
      }
      if (cell.op !== undefined) crc = crc8Byte(crc, cell.op);
      checkCellCrc(r, crc);
      rowCrc = crc8Byte(rowCrc, crc);
      cells.push(cell);
    }
  }
  let deleteMarker = false;
  if (r.is(TAG.DELETE_ROW_MARKER)) {
    deleteMarker = true;
    r.nextTag();
  }
  rowCrc = crc8Byte(rowCrc, deleteMarker ? 1 : 0);
  r.expect(TAG.ROW_CHECKSUM, 'TAG_ROW_CHECKSUM');
  const got = r.byte();
  if (got !== rowCrc) throw ots.parameterInvalid(`Checksum is mismatch. expected:${got},actual:${rowCrc}.`);
  return { pk, cells, deleteMarker };
}

/** Parses a serialised column value (condition and filter operands: type byte + value). */
export function readColumnValue(buf: Buffer): CellValue {
  const r = new Reader(buf);
  const { value } = readVariant(r, 0);
  if (value.t === 'min' || value.t === 'max' || value.t === 'auto') throw ots.parameterInvalid('Invalid column value.');
  return value;
}

class Writer {
  buf = Buffer.allocUnsafe(256);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b & 0xff;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }
  raw(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Writes TAG_CELL_VALUE with its length, type and value; returns the cell crc. */
function writeValue(w: Writer, v: CellValue | PkValue, crc: number): number {
  w.byte(TAG.CELL_VALUE);
  let body: Buffer;
  let type: number;
  switch (v.t) {
    case 'int':
      type = VT.INTEGER;
      body = Buffer.allocUnsafe(8);
      body.writeBigInt64LE(v.v);
      break;
    case 'double':
      type = VT.DOUBLE;
      body = Buffer.allocUnsafe(8);
      body.writeDoubleLE(v.v);
      break;
    case 'bool':
      type = VT.BOOLEAN;
      body = Buffer.from([v.v ? 1 : 0]);
      break;
    case 'str':
    case 'bin': {
      type = v.t === 'str' ? VT.STRING : VT.BLOB;
      const data = v.t === 'str' ? Buffer.from(v.v, 'utf8') : v.v;
      w.u32(1 + 4 + data.length);
      w.byte(type);
      w.u32(data.length);
      w.raw(data);
      return crc8Bytes(crc8Int32(crc8Byte(crc, type), data.length), data);
    }
    default:
      throw new Error(`cannot write ${v.t}`);
  }
  w.u32(1 + body.length);
  w.byte(type);
  w.raw(body);
  return crc8Bytes(crc8Byte(crc, type), body);
}

function writeName(w: Writer, name: string): number {
  const b = Buffer.from(name, 'utf8');
  w.byte(TAG.CELL);
  w.byte(TAG.CELL_NAME);
  w.u32(b.length);
  w.raw(b);
  return crc8Bytes(0, b);
}

/** A row to send: primary key (omitted when not requested) and attribute versions. */
export interface OutRow {
  pk?: PkColumn[];
  cells: { name: string; value: CellValue; ts: number }[];
}

function writeRowBody(w: Writer, row: OutRow): void {
  let rowCrc = 0;
  if (row.pk && row.pk.length > 0) {
    w.byte(TAG.ROW_PK);
    for (const c of row.pk) {
      let crc = writeName(w, c.name);
      crc = writeValue(w, c.value, crc);
      w.byte(TAG.CELL_CHECKSUM);
      w.byte(crc);
      rowCrc = crc8Byte(rowCrc, crc);
    }
  }
  if (row.cells.length > 0) {
    w.byte(TAG.ROW_DATA);
    for (const c of row.cells) {
      let crc = writeName(w, c.name);
      crc = writeValue(w, c.value, crc);
      const ts = Buffer.allocUnsafe(8);
      ts.writeBigInt64LE(BigInt(c.ts));
      w.byte(TAG.CELL_TIMESTAMP);
      w.raw(ts);
      crc = crc8Bytes(crc, ts);
      w.byte(TAG.CELL_CHECKSUM);
      w.byte(crc);
      rowCrc = crc8Byte(rowCrc, crc);
    }
  }
  rowCrc = crc8Byte(rowCrc, 0);
  w.byte(TAG.ROW_CHECKSUM);
  w.byte(rowCrc);
}

/** Serialises rows after one header (GetRange); an empty list is empty bytes. */
export function writeRows(rows: OutRow[]): Buffer {
  if (rows.length === 0) return Buffer.alloc(0);
  const w = new Writer();
  w.u32(HEADER);
  for (const row of rows) writeRowBody(w, row);
  return Buffer.from(w.done());
}

/** Serialises one row (GetRow, ReturnContent); undefined is empty bytes (SDK: `row: {}`). */
export function writeRow(row: OutRow | undefined): Buffer {
  return row ? writeRows([row]) : Buffer.alloc(0);
}
