/**
 * The SDK's own compiled protobuf messages (tablestore.proto, tablestore_filter.proto), so the
 * sandbox decodes exactly what the SDK encodes and encodes exactly what it decodes.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A generated protobufjs message class: only what the sandbox uses. */
export interface PbType {
  // biome-ignore lint/suspicious/noExplicitAny: protobufjs messages are untyped here
  decode(buf: Uint8Array): any;
  encode(msg: object): { finish(): Uint8Array };
}

// biome-ignore lint/suspicious/noExplicitAny: the SDK's compiled proto root has no types
const root: any = require('tablestore/lib/protocol/tablestore_compiled_proto.js');

/** `main.proto.*` message types, by name (`GetRowRequest`, `Error`, ...). */
export const pb: Record<string, PbType> = root.main.proto;
/** `filter.proto.*` message types (`Filter`, `SingleColumnValueFilter`, ...). */
export const pbFilter: Record<string, PbType> = root.filter.proto;

/** Looks a message type up, failing loudly on a typo rather than at encode time. */
export function msgType(name: string): PbType {
  const t = pb[name];
  if (!t) throw new Error(`no protobuf message ${name}`);
  return t;
}

/** Encodes a plain object (camelCase fields) as the named response message. */
export function encodeMsg(name: string, obj: object): Buffer {
  const bytes = msgType(name).encode(obj).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Views protobuf `bytes` as a Buffer without copying. */
export function asBuffer(u8: Uint8Array | undefined | null): Buffer {
  if (!u8) return Buffer.alloc(0);
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** A protobuf int64 (Long, number or undefined) as a JS number of ms. */
export function longToNumber(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}
