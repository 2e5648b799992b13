/**
 * JSON-lines logger that redacts secrets. Two nets: any field whose name looks secret is masked,
 * and any string registered with `registerSecret` is replaced wherever it appears.
 */

const SECRET_KEY = /secret|password|privatekey|private_key|token|authorization|signature|credential/i;
const known = new Set<string>();

/** Remember a secret value so it is scrubbed from every later log line in this process. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) known.add(value);
}

function scrubString(s: string): string {
  let out = s;
  for (const v of known) if (out.includes(v)) out = out.split(v).join('[REDACTED]');
  // PEM blocks never belong in logs, registered or not.
  return out.replace(
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    '[REDACTED PEM]',
  );
}

/** Deep copy with secrets masked. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error)
    return { name: value.name, message: scrubString(value.message), code: (value as { code?: unknown }).code };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      SECRET_KEY.test(k) && (typeof v === 'string' || typeof v === 'object') && v !== null && k !== 'tokenId'
        ? '[REDACTED]'
        : redact(v, depth + 1);
  }
  return out;
}

export type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(
  base: Record<string, unknown> = {},
  opts: { level?: Level; write?: (line: string) => void } = {},
): Logger {
  const min = RANK[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < min) return;
    write(JSON.stringify(redact({ t: new Date().toISOString(), level, msg, ...base, ...fields })));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, opts),
  };
}
