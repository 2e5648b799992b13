/**
 * The per-function child process of the local host: one per FC function, like an FC instance.
 * It loads the BUILT bundle (`dist/<fn>/index.js`) once, then runs invocations sent over IPC with
 * FC's `(event: Buffer, context)` signature. Bundled by esbuild to CommonJS at host start.
 */

interface InvokeMessage {
  type: 'invoke';
  id: number;
  /** Event bytes, base64. */
  event: string;
  context: Record<string, unknown>;
}

type Handler = (event: Buffer, context: unknown, callback?: (err: unknown, result?: unknown) => void) => unknown;

const entry = process.env.FC_LOCAL_ENTRY ?? '';
const exportName = (process.env.FC_LOCAL_HANDLER ?? 'index.handler').split('.').pop() ?? 'handler';

// Exit through node's own exit path on the host's SIGTERM (the default ends the process at
// once), so `--cpu-prof` and other exit-time writers given by NODE_OPTIONS get to run.
process.once('SIGTERM', () => process.exit(0));

const send = (msg: unknown) => {
  if (process.connected) process.send?.(msg);
};

function encodeResult(value: unknown): { kind: string; data?: string } {
  if (value === undefined || value === null) return { kind: 'empty' };
  if (Buffer.isBuffer(value)) return { kind: 'buffer', data: value.toString('base64') };
  if (value instanceof Uint8Array) return { kind: 'buffer', data: Buffer.from(value).toString('base64') };
  if (typeof value === 'string') return { kind: 'string', data: value };
  return { kind: 'json', data: JSON.stringify(value) };
}

function errorInfo(e: unknown) {
  const err = e instanceof Error ? e : new Error(typeof e === 'string' ? e : JSON.stringify(e));
  return {
    errorType: err.name || 'Error',
    errorMessage: err.message,
    stackTrace: (err.stack ?? '')
      .split('\n')
      .slice(1, 8)
      .map((l) => l.trim()),
  };
}

const logger = {
  debug: (...a: unknown[]) => console.debug(...a),
  info: (...a: unknown[]) => console.info(...a),
  warn: (...a: unknown[]) => console.warn(...a),
  error: (...a: unknown[]) => console.error(...a),
};

let handler: Handler | undefined;
const t0 = process.hrtime.bigint();
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(entry) as Record<string, unknown>;
  const h = mod[exportName];
  if (typeof h !== 'function') throw new Error(`${entry} exports no function "${exportName}"`);
  handler = h as Handler;
  // A handler made by createFcHandler describes its HTTP routes (auth, body limits) for the host.
  const httpRoutes = (h as { httpRoutes?: unknown }).httpRoutes;
  send({ type: 'ready', initMs: Number(process.hrtime.bigint() - t0) / 1e6, httpRoutes });
} catch (e) {
  send({ type: 'init-error', ...errorInfo(e) });
}

function run(h: Handler, event: Buffer, context: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (h.length >= 3) {
      h(event, context, (err, result) => (err ? reject(err) : resolve(result)));
      return;
    }
    Promise.resolve()
      .then(() => h(event, context))
      .then(resolve, reject);
  });
}

process.on('message', (raw) => {
  const msg = raw as InvokeMessage;
  if (msg?.type !== 'invoke') return;
  if (!handler) {
    send({
      type: 'result',
      id: msg.id,
      ok: false,
      errorType: 'InitializationError',
      errorMessage: 'the function failed to initialise',
    });
    return;
  }
  const started = Date.now();
  run(handler, Buffer.from(msg.event, 'base64'), { ...msg.context, logger })
    .then((value) =>
      send({ type: 'result', id: msg.id, ok: true, durationMs: Date.now() - started, ...encodeResult(value) }),
    )
    .catch((e) => send({ type: 'result', id: msg.id, ok: false, durationMs: Date.now() - started, ...errorInfo(e) }));
});

// The host went away (even by kill -9): an instance never outlives its host.
process.on('disconnect', () => process.exit(0));
