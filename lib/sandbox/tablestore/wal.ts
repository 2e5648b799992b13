/**
 * Crash-safe persistence: a write-ahead log of length+CRC32 framed JSON records, appended (and
 * written to the OS) before a request is acknowledged, plus compaction into a snapshot written to
 * a temp file, fsynced and renamed. Opening replays snapshot + log and cuts off a torn tail, so a
 * `kill -9` at any moment leaves every acknowledged write and no corrupt file.
 *
 * Files: `snapshot-<gen>.log` (complete state) and `wal-<gen>.log` (changes since it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

const FRAME_HEAD = 8;

function frame(rec: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(rec), 'utf8');
  const out = Buffer.allocUnsafe(FRAME_HEAD + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload) >>> 0, 4);
  payload.copy(out, FRAME_HEAD);
  return out;
}

/** Reads framed records; stops at the first short or corrupt frame and says where valid data ends. */
export function readFrames(buf: Buffer): { records: unknown[]; validBytes: number } {
  const records: unknown[] = [];
  let pos = 0;
  while (pos + FRAME_HEAD <= buf.length) {
    const len = buf.readUInt32LE(pos);
    const sum = buf.readUInt32LE(pos + 4);
    if (pos + FRAME_HEAD + len > buf.length) break;
    const payload = buf.subarray(pos + FRAME_HEAD, pos + FRAME_HEAD + len);
    if (crc32(payload) >>> 0 !== sum) break;
    try {
      records.push(JSON.parse(payload.toString('utf8')));
    } catch {
      break;
    }
    pos += FRAME_HEAD + len;
  }
  return { records, validBytes: pos };
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* some platforms cannot fsync a directory */
  }
}

export interface WalOptions {
  /** fsync after every append (survives power loss, not only process death). Default false. */
  fsync?: boolean;
  /** Compact when the log grows past this many bytes. Default 8 MiB. */
  compactBytes?: number;
  /**
   * Also gets every appended frame, as written (the test suite's secret scan: compaction drops
   * overwritten values from the files, not from what was written).
   */
  tee?: (frame: Buffer) => void;
}

export class Wal {
  private fd: number;
  private walBytes: number;

  private constructor(
    private readonly dir: string,
    private gen: number,
    private readonly opts: WalOptions,
  ) {
    const walPath = this.file('wal', gen);
    this.fd = fs.openSync(walPath, 'a');
    this.walBytes = fs.fstatSync(this.fd).size;
  }

  private file(kind: 'wal' | 'snapshot', gen: number): string {
    return path.join(this.dir, `${kind}-${gen}.log`);
  }

  /** Opens (creating) the log in `dir` and returns it with every persisted record, in order. */
  static open(dir: string, opts: WalOptions = {}): { wal: Wal; records: unknown[] } {
    fs.mkdirSync(dir, { recursive: true });
    const names = fs.readdirSync(dir);
    let gen = 0;
    for (const n of names) {
      const m = /^snapshot-(\d+)\.log$/.exec(n);
      if (m) gen = Math.max(gen, Number(m[1]));
    }
    for (const n of names) {
      const m = /^(snapshot|wal)-(\d+)\.log$/.exec(n);
      if (n.endsWith('.tmp') || (m && Number(m[2]) < gen)) fs.rmSync(path.join(dir, n), { force: true });
    }
    const records: unknown[] = [];
    const snap = path.join(dir, `snapshot-${gen}.log`);
    if (fs.existsSync(snap)) records.push(...readFrames(fs.readFileSync(snap)).records);
    const walPath = path.join(dir, `wal-${gen}.log`);
    if (fs.existsSync(walPath)) {
      const buf = fs.readFileSync(walPath);
      const { records: walRecords, validBytes } = readFrames(buf);
      records.push(...walRecords);
      // Cut a torn tail so later appends are not hidden behind garbage.
      if (validBytes < buf.length) fs.truncateSync(walPath, validBytes);
    }
    return { wal: new Wal(dir, gen, opts), records };
  }

  /** Appends one record; it is in the OS (and on disk with `fsync`) when this returns. */
  append(rec: unknown): void {
    const buf = frame(rec);
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    if (this.opts.fsync) fs.fsyncSync(this.fd);
    this.walBytes += buf.length;
    this.opts.tee?.(buf);
  }

  /** True when the log has grown enough that a snapshot would pay off. */
  wantsCompaction(): boolean {
    return this.walBytes > (this.opts.compactBytes ?? 8 * 1024 * 1024);
  }

  /** Writes the complete state as the next snapshot (tmp + fsync + rename) and starts an empty log. */
  compact(state: Iterable<unknown>): void {
    const next = this.gen + 1;
    const tmp = `${this.file('snapshot', next)}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      let chunk: Buffer[] = [];
      let size = 0;
      const flush = (): void => {
        const b = Buffer.concat(chunk, size);
        let off = 0;
        while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off);
        chunk = [];
        size = 0;
      };
      for (const rec of state) {
        const f = frame(rec);
        chunk.push(f);
        size += f.length;
        if (size > 1 << 20) flush();
      }
      flush();
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file('snapshot', next));
    fsyncDir(this.dir);
    const oldGen = this.gen;
    fs.closeSync(this.fd);
    this.gen = next;
    this.fd = fs.openSync(this.file('wal', next), 'w');
    this.walBytes = 0;
    fs.rmSync(this.file('wal', oldGen), { force: true });
    fs.rmSync(this.file('snapshot', oldGen), { force: true });
  }

  close(): void {
    try {
      fs.fsyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
    }
  }
}
