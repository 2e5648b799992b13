/**
 * The whole-suite secret scan: every secret the local hosts were trusted with during `npm test`
 * (recorded by `lib/local/capture.ts` under `FLEET_CAPTURE_DIR`) is searched in every answer and
 * log line they produced, in everything their Tablestore wrote (its write-ahead log as written, so
 * a value overwritten before close counts) and in the Tablestore files left at close. A hit is a leak. Secrets are
 * searched as sent and as encoded (base64 at each byte alignment, URL and JSON escapes, hex, and
 * for PEM keys each base64 body line and its DER bytes), and as fragments: every FRAGMENT-char
 * window of a secret of at least FRAGMENT_MIN chars, raw and JSON-escaped (see `fragmentsOf`).
 * Reports never print a secret: only its
 * first 4 characters and its length.
 *
 *   node --import tsx scripts/secret-scan.ts <capture dir>
 */
import { createPublicKey } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Shorter values are not treated as secrets (too many innocent matches). */
export const MIN_SECRET = 8;

export interface Secret {
  value: string;
  source: string;
}

export interface Leak {
  /** `abcd…(40)`: never the secret itself. */
  secret: string;
  source: string;
  /** Which encoding matched (`plain`, `base64`, `url`, `pem-line`, …). */
  form: string;
  /** `file:line (POST /v1/accounts 400)` or the Tablestore file. */
  where: string;
}

export interface ScanResult {
  secrets: number;
  needles: number;
  responses: number;
  mints: number;
  logLines: number;
  files: number;
  /** Tablestore write-ahead logs as written (`*.tablestore-wal.log`), also counted in `files`. */
  walLogs: number;
  bytes: number;
  leaks: Leak[];
}

/**
 * Whether a recorded value is a secret worth searching: long enough, and not filler (a run like
 * `xxxxxxxx…` that fuzz tests send as a secret and also put in other, non-secret fields).
 */
export const isSecretLike = (v: unknown): v is string =>
  typeof v === 'string' && v.length >= MIN_SECRET && new Set(v).size >= 4;

/** How a secret is shown in a report. */
export const describeSecret = (s: string) => `${s.slice(0, 4)}…(${s.length})`;

const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The byte strings (as latin1 text) that would betray `secret` in an answer, a log or a file. */
export function needlesOf(secret: string): Array<{ form: string; text: string }> {
  const out: Array<{ form: string; text: string }> = [];
  const add = (form: string, text: string) => {
    if (text.length >= MIN_SECRET && !out.some((n) => n.text === text)) out.push({ form, text });
  };
  if (secret.length < MIN_SECRET) return out;
  const bytes = Buffer.from(secret, 'utf8');
  add('plain', latin1(secret));
  // base64 of the secret wherever it sits in an encoded stream: the whole 3-byte groups at each alignment.
  for (let skip = 0; skip < 3; skip++) {
    const whole = Math.floor((bytes.length - skip) / 3) * 3;
    if (whole > 0) {
      const b64 = bytes.subarray(skip, skip + whole).toString('base64');
      add('base64', b64);
      add('base64url', b64.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  add('url', encodeURIComponent(secret));
  add('form', encodeURIComponent(secret).replace(/%20/g, '+'));
  add('json', latin1(JSON.stringify(secret).slice(1, -1)));
  add('hex', bytes.toString('hex'));
  // A base64 value (KMS key material, a master key) also betrays itself as raw bytes.
  if (secret.length % 4 === 0 && secret.length >= 16 && BASE64.test(secret))
    add('decoded', Buffer.from(secret, 'base64').toString('latin1'));
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(secret)) {
    // A body line that lies wholly inside the public half (the modulus) is public: it shows up in
    // the public key's encodings whenever the byte alignments happen to agree.
    const pub = publicPartsOf(secret);
    for (const line of secret.split(/\r?\n/)) {
      const l = line.trim();
      if (l.length < 16 || l.startsWith('-----') || l.includes(':') || pub.some((p) => p.includes(l))) continue;
      add('pem-line', l);
      add('pem-der', Buffer.from(l, 'base64').toString('latin1'));
    }
  }
  return out;
}

/**
 * Length of a searched fragment. 10 because V8's JSON.parse error quotes 10 characters either side
 * of the failing position (`..."ySecret": Abcdefghij"...`), the partial leak this catches; 10
 * characters of a random base62 secret are ~59 bits, so an innocent match is not a concern.
 */
export const FRAGMENT = 10;
/** Secrets shorter than this are searched whole only (a window would be most of the secret anyway). */
export const FRAGMENT_MIN = 16;

/** A window with fewer distinct characters is filler (`WWWWWWWWWW`, `ababab…`), not secret material. */
const diverse = (w: string) => new Set(w).size > FRAGMENT / 2;

/**
 * Parts of a secret that are public by design, so windows inside them are not leaks: a token's
 * record id (`fleet_<id>_…` is listed as `tok-<id>`), and a private key's public half (its
 * modulus or point is in every public-key encoding).
 */
export function publicPartsOf(secret: string): string[] {
  const out: string[] = [];
  const token = /^fleet_([a-z0-9]{16})_/.exec(secret);
  if (token) out.push(token[0]);
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(secret)) {
    try {
      // The modulus (RSA) or point (EC, Ed25519) in base64 at each byte alignment covers every
      // public-key encoding's copy of it (SPKI, PKCS#1, OpenSSH blob).
      const jwk = createPublicKey(secret).export({ format: 'jwk' });
      for (const v of [jwk.n, jwk.x, jwk.y])
        if (v)
          for (let skip = 0; skip < 3; skip++) out.push(Buffer.from(v, 'base64url').subarray(skip).toString('base64'));
    } catch {
      // not parseable (a deliberately broken key in a test): every window counts
    }
  }
  return out;
}

/**
 * Every FRAGMENT-char window of a secret (latin1 text) in raw and JSON-escaped form, minus filler
 * windows and windows inside a public part. For PEM keys: windows of each body line after the
 * first (the first holds the ASN.1 header every key of that kind shares).
 */
export function fragmentsOf(secret: string): Array<{ form: string; text: string }> {
  if (secret.length < FRAGMENT_MIN) return [];
  // Windows of the public parts are marked seen first, so they are never added.
  const seen = new Set<string>();
  for (const p of publicPartsOf(secret))
    for (let i = 0; i + FRAGMENT <= p.length; i++) seen.add(p.slice(i, i + FRAGMENT));
  const out: Array<{ form: string; text: string }> = [];
  const windows = (form: string, text: string) => {
    for (let i = 0; i + FRAGMENT <= text.length; i++) {
      const w = text.slice(i, i + FRAGMENT);
      if (seen.has(w) || !diverse(w)) continue;
      seen.add(w);
      out.push({ form, text: w });
    }
  };
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(secret)) {
    const body = secret
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length >= FRAGMENT && !l.startsWith('-----') && !l.includes(':'));
    for (const line of body.slice(1)) windows('pem-fragment', line);
    return out;
  }
  windows('fragment', latin1(secret));
  windows('json-fragment', latin1(JSON.stringify(secret).slice(1, -1)));
  return out;
}

const isFragment = (form: string) => form.endsWith('fragment');

/** Finds many needles in many texts in one pass each (rolling hash of the first MIN_SECRET chars). */
export class NeedleSet {
  private readonly byHash = new Map<number, Array<{ text: string; id: number; form: string }>>();
  /** One bit per hash bucket: most positions of a text are rejected here without a Map lookup. */
  private readonly bits = new Uint32Array(1 << 17);
  private static readonly B = 257;
  private static readonly TOP = (() => {
    let p = 1;
    for (let i = 0; i < MIN_SECRET - 1; i++) p = Math.imul(p, NeedleSet.B);
    return p;
  })();

  add(id: number, form: string, text: string) {
    const h = NeedleSet.hash(text, 0);
    this.bits[(h >>> 5) & 0x1ffff]! |= 1 << (h & 31);
    const list = this.byHash.get(h);
    const n = { text, id, form };
    if (list) list.push(n);
    else this.byHash.set(h, [n]);
  }

  get size() {
    let n = 0;
    for (const l of this.byHash.values()) n += l.length;
    return n;
  }

  private static hash(s: string, at: number): number {
    let h = 0;
    for (let i = 0; i < MIN_SECRET; i++) h = (Math.imul(h, NeedleSet.B) + s.charCodeAt(at + i)) | 0;
    return h;
  }

  /** Every (needle id, form) found in `text` (latin1), each pair once. */
  find(text: string): Array<{ id: number; form: string }> {
    const found = new Map<string, { id: number; form: string }>();
    if (text.length < MIN_SECRET || this.byHash.size === 0) return [];
    let h = NeedleSet.hash(text, 0);
    for (let i = 0; ; i++) {
      const list = this.bits[(h >>> 5) & 0x1ffff]! & (1 << (h & 31)) ? this.byHash.get(h) : undefined;
      if (list)
        for (const n of list)
          if (text.startsWith(n.text, i)) found.set(`${n.id} ${n.form}`, { id: n.id, form: n.form });
      if (i + MIN_SECRET >= text.length) break;
      h =
        (Math.imul(h - Math.imul(text.charCodeAt(i), NeedleSet.TOP), NeedleSet.B) + text.charCodeAt(i + MIN_SECRET)) |
        0;
    }
    return [...found.values()];
  }
}

interface TrafficRecord {
  k: 'res' | 'log';
  m?: string;
  p?: string;
  s?: number;
  h?: Record<string, unknown>;
  b?: string;
  b64?: string;
  mint?: boolean;
  fn?: string;
  l?: string;
}

function walkFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkFiles(p));
    else out.push(p);
  }
  return out;
}

/** Reads every `*.secrets.jsonl` of a capture dir (deduplicated; short values and filler dropped). */
export function readSecrets(dir: string): Secret[] {
  const byValue = new Map<string, Secret>();
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.secrets.jsonl'))
    .sort()) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (!line) continue;
      let rec: { v?: unknown; src?: string };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        continue; // a line cut by a killed test process
      }
      const { v, src = '?' } = rec;
      if (isSecretLike(v) && !byValue.has(v)) byValue.set(v, { value: v, source: src });
    }
  }
  return [...byValue.values()];
}

/** Scans a capture dir: every secret in every answer, log line and Tablestore file. */
export function scanCapture(dir: string): ScanResult {
  const secrets = readSecrets(dir);
  const set = new NeedleSet();
  secrets.forEach((s, id) => {
    for (const n of needlesOf(s.value)) set.add(id, n.form, n.text);
    for (const n of fragmentsOf(s.value)) set.add(id, n.form, n.text);
  });
  const result: ScanResult = {
    secrets: secrets.length,
    needles: set.size,
    responses: 0,
    mints: 0,
    logLines: 0,
    files: 0,
    walLogs: 0,
    bytes: 0,
    leaks: [],
  };
  const report = (text: string, where: string) => {
    result.bytes += text.length;
    const hits = set.find(text);
    // A whole-secret hit already fails this text: its windows (also windows of any secret that
    // shares them, like a token and that token plus a suffix) are not reported again.
    const whole = hits.some((h) => !isFragment(h.form));
    for (const hit of hits) {
      if (whole && isFragment(hit.form)) continue;
      const s = secrets[hit.id]!;
      result.leaks.push({ secret: describeSecret(s.value), source: s.source, form: hit.form, where });
    }
  };
  const names = readdirSync(dir).sort();
  for (const name of names.filter((n) => n.endsWith('.traffic.jsonl'))) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line) return;
      let r: TrafficRecord;
      try {
        r = JSON.parse(line) as TrafficRecord;
      } catch {
        // A line cut by a killed test process: still searched, as text.
        report(latin1(line), `${name}:${i + 1} (unparsed line)`);
        return;
      }
      if (r.k === 'log') {
        result.logLines++;
        report(latin1(r.l ?? ''), `${name}:${i + 1} (log line of ${r.fn})`);
        return;
      }
      result.responses++;
      if (r.mint) result.mints++;
      const head = `${r.s}\n${Object.entries(r.h ?? {})
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
        .join('\n')}\n\n`;
      const body = r.b64 !== undefined ? Buffer.from(r.b64, 'base64').toString('latin1') : latin1(r.b ?? '');
      report(latin1(head) + body, `${name}:${i + 1} (answer ${r.s} to ${r.m} ${r.p})`);
    });
  }
  for (const name of names.filter((n) => n.endsWith('.tablestore-wal.log'))) {
    result.files++;
    result.walLogs++;
    report(readFileSync(join(dir, name)).toString('latin1'), `${name} (Tablestore write-ahead log as written)`);
  }
  for (const name of names.filter((n) => n.endsWith('.tablestore'))) {
    for (const file of walkFiles(join(dir, name))) {
      result.files++;
      report(readFileSync(file).toString('latin1'), `${relative(dir, file)} (Tablestore file)`);
    }
  }
  return result;
}

/** One line for the test runner, plus one line per leak. */
export function formatScan(r: ScanResult, ms: number): string {
  const mib = (r.bytes / 1024 / 1024).toFixed(1);
  const head = `${r.leaks.length ? 'FAIL' : 'ok  '} secret scan: ${r.secrets} secrets, ${r.responses} responses, ${r.logLines} log lines, ${r.files} Tablestore files (${r.walLogs} logs as written), ${mib} MiB scanned (${ms} ms)`;
  const shown = r.leaks.slice(0, 50).map((l) => `    ${l.secret} [${l.source}] as ${l.form} in ${l.where}`);
  if (r.leaks.length > shown.length) shown.push(`    … and ${r.leaks.length - shown.length} more`);
  return [head, ...shown].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: secret-scan <capture dir>\n');
    process.exit(2);
  }
  const started = Date.now();
  const r = scanCapture(dir);
  process.stdout.write(`${formatScan(r, Date.now() - started)}\n`);
  process.exit(r.leaks.length ? 1 : 0);
}
