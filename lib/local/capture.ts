/**
 * Traffic capture for the whole-suite secret scan (`scripts/secret-scan.ts`). When
 * `FLEET_CAPTURE_DIR` is set (the test runner sets it), every local host appends what it showed
 * the world to `<dir>/<pid>-<n>.traffic.jsonl` (each HTTP answer, each function log line) and
 * what it was trusted with to `<dir>/<pid>-<n>.secrets.jsonl` (secrets in request bodies, minted
 * tokens, the admin token, every sandbox key and KMS key). Request bodies themselves are never
 * written. Every frame of the sandbox Tablestore's write-ahead log goes, as it is written, to
 * `<dir>/<pid>-<n>.tablestore-wal.log` (the files left at close are compacted: a value overwritten
 * before close is no longer in them, yet it was stored), and at close the host's Tablestore files
 * are copied to `<dir>/<pid>-<n>.tablestore/` too.
 */
import { closeSync, cpSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Sandbox } from '../sandbox/server';

/** Request body fields whose string values are secrets (at any depth, direct-invoke inputs included). */
const SECRET_FIELD = /secret|privatekey|private_key|password/i;
const SECRET_FIELD_TEXT =
  /"([A-Za-z_]*(?:[Ss]ecret|[Pp]rivate[Kk]ey|private_key|[Pp]assword)[A-Za-z_]*)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
/** Environment variables of the functions that hold secrets. */
/** Environment variables that hold secrets (or, like a token's hash, stand in for one). */
const SECRET_ENV = /SECRET|TOKEN|MASTER_KEY|PASSWORD|PRIVATE_KEY|CERT_KEY/;
export const isSecretEnvName = (name: string) => SECRET_ENV.test(name);
/** Answers bigger than this are cut (no test answers that much; the cut is counted). */
const MAX_CAPTURED_BODY = 16 * 1024 * 1024;

export interface TrafficCapture {
  /**
   * Call when a request arrives, before it is dispatched: records its answer. Returns what to
   * call with the body once it was read (its secrets are recorded); the capture never reads a
   * body itself, so it cannot hold more of one than the host does.
   */
  request(req: IncomingMessage, res: ServerResponse): (body: Buffer) => void;
  /** One request and its answer that did not go through HTTP (tests calling a handler in-process). */
  exchange(x: {
    method: string;
    path: string;
    request?: string;
    status: number;
    headers?: Record<string, unknown>;
    body: string | Buffer;
  }): void;
  /** Records one log line. */
  log(fn: string, line: string): void;
  /** Wraps a log sink so every line is also captured (the sink may be absent). */
  teeLog(sink?: (fn: string, line: string) => void): (fn: string, line: string) => void;
  /** Records a value the host was trusted with. */
  secret(value: unknown, source: string): void;
  /** Appends one Tablestore write-ahead log frame as written (`startSandbox({tablestoreWalTee})`). */
  tablestoreWal(frame: Buffer): void;
  /** After the sandbox closed: records its keys and copies its Tablestore files. */
  close(host: { dataDir: string; sandbox: Pick<Sandbox, 'core'>; env?: Record<string, string | undefined> }): void;
}

let seq = 0;

/** The capture of one host, or undefined when `FLEET_CAPTURE_DIR` is not set. */
export function openCapture(dir = process.env.FLEET_CAPTURE_DIR): TrafficCapture | undefined {
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${process.pid}-${++seq}`);
  let traffic: number | undefined = openSync(`${base}.traffic.jsonl`, 'a');
  let secrets: number | undefined = openSync(`${base}.secrets.jsonl`, 'a');
  let wal: number | undefined;
  const put = (fd: number | undefined, rec: unknown) => fd !== undefined && writeSync(fd, `${JSON.stringify(rec)}\n`);
  const recorded = new Set<string>();
  const secret = (value: unknown, source: string) => {
    if (typeof value !== 'string' || value.length < 8 || recorded.has(value)) return;
    recorded.add(value);
    put(secrets, { v: value, src: source });
  };

  const answer = (
    method: string,
    path: string,
    action: string | undefined,
    status: number,
    headers: Record<string, unknown>,
    raw: Buffer,
    size: number,
  ) => {
    let body = raw;
    let mint = false;
    // A minted token's one legitimate appearance: record it as a secret and blank it out of this answer.
    if ((method === 'POST' && path === '/v1/tokens' && status === 201) || action === 'tokens.create') {
      for (const token of tokensIn(body.toString('utf8'))) {
        secret(token, `minted token ${method} ${path}`);
        body = Buffer.from(body.toString('utf8').split(token).join('[MINTED TOKEN]'));
        mint = true;
      }
    }
    const text = body.toString('utf8');
    const utf8 = Buffer.from(text, 'utf8').equals(body);
    put(traffic, {
      k: 'res',
      m: method,
      p: path,
      s: status,
      h: headers,
      ...(utf8 ? { b: text } : { b64: body.toString('base64') }),
      ...(mint ? { mint: true } : {}),
      ...(size > MAX_CAPTURED_BODY ? { cut: size } : {}),
    });
  };

  return {
    request(req, res) {
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      let action: string | undefined;
      const body = (b: Buffer) => {
        action = secretsOfBody(b.toString('utf8'), (v, field) => secret(v, `request ${field} ${method} ${path}`));
      };

      const chunks: Buffer[] = [];
      let size = 0;
      const grab = (chunk: unknown, enc: unknown) => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
        const b =
          typeof chunk === 'string'
            ? Buffer.from(chunk, typeof enc === 'string' ? (enc as BufferEncoding) : 'utf8')
            : Buffer.from(chunk as Uint8Array);
        size += b.length;
        if (size <= MAX_CAPTURED_BODY) chunks.push(b);
      };
      let headers: unknown;
      const { writeHead, write, end } = res;
      res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
        headers = args.find((a) => a !== null && typeof a === 'object');
        return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
      } as typeof res.writeHead;
      res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
        grab(chunk, rest[0]);
        return (write as (...a: unknown[]) => boolean).apply(this, [chunk, ...rest]);
      } as typeof res.write;
      res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
        grab(chunk, rest[0]);
        return (end as (...a: unknown[]) => ServerResponse).apply(this, [chunk, ...rest]);
      } as typeof res.end;

      res.once('close', () =>
        answer(
          method,
          path,
          action,
          res.statusCode,
          { ...headersOf(headers), ...(res.getHeaders() as Record<string, unknown>) },
          Buffer.concat(chunks),
          size,
        ),
      );
      return body;
    },

    exchange(x) {
      const action = x.request
        ? secretsOfBody(x.request, (v, field) => secret(v, `request ${field} ${x.method} ${x.path}`))
        : undefined;
      const body = Buffer.isBuffer(x.body) ? x.body : Buffer.from(x.body ?? '', 'utf8');
      answer(x.method, x.path, action, x.status, headersOf(x.headers), body, body.length);
    },

    log: (fn, line) => put(traffic, { k: 'log', fn, l: line }),

    teeLog(sink) {
      return (fn, line) => {
        put(traffic, { k: 'log', fn, l: line });
        sink?.(fn, line);
      };
    },

    secret,

    tablestoreWal(frame) {
      if (traffic === undefined) return; // closed
      wal ??= openSync(`${base}.tablestore-wal.log`, 'a');
      writeSync(wal, frame);
    },

    close({ dataDir, sandbox, env }) {
      for (const [name, value] of Object.entries(env ?? {}))
        if (SECRET_ENV.test(name)) secret(value, `function env ${name}`);
      const state = sandbox.core.state;
      for (const k of Object.values(state.keys)) {
        secret(k.secret, `sandbox ${k.kind} key secret`);
        secret(k.securityToken, 'sandbox STS security token');
      }
      for (const a of Object.values(state.accounts))
        for (const key of Object.values(a.kms.keys)) secret(key.material, 'sandbox KMS key material');
      const ots = join(dataDir, 'tablestore');
      if (existsSync(ots)) cpSync(ots, `${base}.tablestore`, { recursive: true });
      if (traffic !== undefined) closeSync(traffic);
      if (secrets !== undefined) closeSync(secrets);
      if (wal !== undefined) closeSync(wal);
      traffic = secrets = wal = undefined;
    },
  };
}

function headersOf(h: unknown): Record<string, unknown> {
  if (!h) return {};
  if (Array.isArray(h)) {
    // [[name, value], …] or [name, value, name, value, …]
    const pairs = Array.isArray(h[0]) ? (h as unknown[][]) : h.flatMap((v, i) => (i % 2 ? [] : [[v, h[i + 1]]]));
    return Object.fromEntries(pairs.map(([n, v]) => [String(n).toLowerCase(), v]));
  }
  return Object.fromEntries(Object.entries(h as OutgoingHttpHeaders).map(([n, v]) => [n.toLowerCase(), v]));
}

/**
 * Calls `found` for every secret field of a request body (parsed JSON at any depth, and the raw
 * text too, so a malformed body still counts); returns the direct-invoke `action` if any.
 */
export function secretsOfBody(text: string, found: (value: string, field: string) => void): string | undefined {
  if (!text) return undefined;
  let action: string | undefined;
  try {
    const walk = (v: unknown, depth: number): void => {
      if (depth > 32 || v === null || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === 'string' && SECRET_FIELD.test(k)) found(x, k);
        else walk(x, depth + 1);
      }
    };
    const parsed = JSON.parse(text) as unknown;
    walk(parsed, 0);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { action?: unknown }).action === 'string')
      action = (parsed as { action: string }).action;
  } catch {
    /* not JSON: the text pass below still sees it */
  }
  for (const m of text.matchAll(SECRET_FIELD_TEXT)) {
    try {
      found(JSON.parse(`"${m[2]}"`) as string, m[1]!);
    } catch {
      found(m[2]!, m[1]!);
    }
  }
  return action;
}

/** `token` string fields of a JSON answer (the tokens API's one-time secret). */
export function tokensIn(text: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 16 || v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'token' && typeof x === 'string' && x.length >= 8) out.push(x);
      else walk(x, depth + 1);
    }
  };
  try {
    walk(JSON.parse(text), 0);
  } catch {
    /* not JSON: nothing minted */
  }
  return out;
}
