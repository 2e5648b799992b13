/**
 * `npm run invoke -- <function> <action> ['<json input>'] [--async [--delay S] [--task-id ID]]`:
 * a direct invocation by hand, through the same FC 3.0 invoke client the functions use.
 *
 * - Against a real deployment (FLEET_ACCOUNT_ID or FLEET_INVOKE_ENDPOINT set): signs with what
 *   `@alicloud/credentials`' default chain finds (environment, ~/.alibabacloud profile, RAM role).
 * - Otherwise against `npm start`: http://127.0.0.1:$PORT (default 9000), signed with the local
 *   deployment account's key from $FLEET_DATA_DIR/local/state.json (default .data).
 *
 * Prints the answer as JSON; exits 1 when it is `{ok: false}` or the call failed.
 */
import { join, resolve } from 'node:path';
import { defaultChainCredentials } from '../lib/cloud/default-credentials';
import { loadConfig } from '../lib/core/config';
import { isAppError } from '../lib/core/errors';
import { createInvoker, MAX_ASYNC_DELAY_MS, type InvokeCredentials } from '../lib/invoke';
import { readLocalState } from '../lib/local/state';

export interface InvokeArgs {
  fn: string;
  action: string;
  input?: Record<string, unknown>;
  async: boolean;
  delayMs?: number;
  taskId?: string;
}

const USAGE = "usage: npm run invoke -- <function> <action> ['<json input>'] [--async [--delay S] [--task-id ID]]";

/** Parses the CLI's arguments; throws with the usage line on anything it cannot take. */
export function parseInvokeArgs(argv: string[], prefix = 'fleet'): InvokeArgs {
  const pos: string[] = [];
  const out: Partial<InvokeArgs> & { async: boolean } = { async: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--async') out.async = true;
    else if (a === '--delay' || a === '--task-id') {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      if (a === '--task-id') out.taskId = v;
      else {
        const s = Number(v);
        if (!Number.isFinite(s) || s < 0 || s * 1000 > MAX_ASYNC_DELAY_MS)
          throw new Error(`--delay is seconds from 0 to ${MAX_ASYNC_DELAY_MS / 1000}\n${USAGE}`);
        out.delayMs = s * 1000;
      }
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else pos.push(a);
  }
  if (pos.length < 2 || pos.length > 3) throw new Error(USAGE);
  if ((out.delayMs !== undefined || out.taskId !== undefined) && !out.async)
    throw new Error(`--delay and --task-id need --async\n${USAGE}`);
  const [fn, action, json] = pos as [string, string, string?];
  if (json !== undefined) {
    let input: unknown;
    try {
      input = JSON.parse(json);
    } catch {
      throw new Error(`the input is not JSON: ${json.slice(0, 80)}\n${USAGE}`);
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new Error(`the input must be a JSON object\n${USAGE}`);
    out.input = input as Record<string, unknown>;
  }
  return { ...out, fn: fn.startsWith(`${prefix}-`) ? fn.slice(prefix.length + 1) : fn, action } as InvokeArgs;
}

/** Where to send it and how to sign: the real deployment when configured, else the local host. */
async function target(env: NodeJS.ProcessEnv) {
  const cfg = loadConfig(env);
  if (env.FLEET_ACCOUNT_ID || env.FLEET_INVOKE_ENDPOINT) {
    return { endpoint: cfg.invoke.endpoint, credentials: await defaultChainCredentials(), cfg, where: 'deployment' };
  }
  const dataDir = resolve(env.FLEET_DATA_DIR || join(process.cwd(), '.data'));
  const deployment = readLocalState(dataDir).deployment;
  if (!deployment)
    throw new Error(
      `no local deployment in ${dataDir}: start it with npm start (or set FLEET_ACCOUNT_ID for a real one)`,
    );
  const credentials: InvokeCredentials = {
    accessKeyId: deployment.accessKeyId,
    accessKeySecret: deployment.accessKeySecret,
  };
  return { endpoint: `http://127.0.0.1:${env.PORT || 9000}`, credentials, cfg, where: 'local host' };
}

async function main() {
  const args = parseInvokeArgs(process.argv.slice(2), process.env.FLEET_FUNCTION_PREFIX || 'fleet');
  const t = await target(process.env);
  const invoker = createInvoker({
    endpoint: t.endpoint,
    credentials: t.credentials,
    functionPrefix: t.cfg.functionPrefix,
    region: t.cfg.region,
  });
  const event = { action: args.action, input: args.input ?? {} };
  if (args.async) {
    const queued = await invoker.invokeAsync(args.fn, event, {
      ...(args.delayMs !== undefined ? { delayMs: args.delayMs } : {}),
      ...(args.taskId ? { taskId: args.taskId } : {}),
    });
    process.stdout.write(`${JSON.stringify({ queued: true, ...queued }, null, 2)}\n`);
    return;
  }
  const answer = await invoker.invokeSync<{ ok?: boolean }>(args.fn, event);
  process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  if (answer?.ok === false) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main().catch((e: unknown) => {
    const code = isAppError(e) ? `${e.code}${e.cloud ? ` (${e.cloud.code})` : ''}: ` : '';
    process.stderr.write(`invoke failed: ${code}${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
