/**
 * The local host: FC 3.0 on a laptop. It serves the custom domain's routes of s.yaml by running the
 * BUILT function bundles in their own processes with FC's HTTP event and context, runs the timer
 * triggers, and serves the FC 3.0 invoke API (signed, Sync/Async, delay, retries) so production's
 * invoke client works unchanged. State lives in the sandbox under `dataDir`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { systemClock } from '../core/clock';
import { loadConfig } from '../core/config';
import { startSandbox, type Sandbox } from '../sandbox/server';
import { ensureTables } from '../store';
import { type AsyncChaos, AsyncQueue, type AsyncTask } from './async-queue';
import { openCapture } from './capture';
import { createDomainHandler } from './domain';
import { instanceEnv, localSecrets, renderLocalModel } from './function-env';
import { setUpFunctionRole, type FunctionCredentials, type FunctionRole } from './function-role';
import { InstancePool, type InvokeOutcome } from './instances';
import { createInvokeApi } from './invoke-api';
import { compileWorker } from './runtime';
import { fcError, fcRequestId } from './serve';
import { newAdminToken, readLocalState, writeLocalState, type AccountKeys } from './state';
import type { DeploymentModel, LocalFunction } from './syaml';
import { startTimers } from './timers';

export interface LocalHostOptions {
  /** 0 = a free port. Default 9000. */
  port?: number;
  /** 0 = a free port. Default 9100. */
  sandboxPort?: number;
  /** Persisted state (sandbox data, keys, admin token). Default `.data`. */
  dataDir?: string;
  /** SANDBOX_TIME_SCALE. Default 1. */
  timeScale?: number;
  /**
   * Scale of STS session lifetimes in the sandbox (DurationSeconds × this). Default 1: real
   * one-hour sessions for the function role and assumed account roles, whatever `timeScale` is.
   */
  stsTimeScale?: number;
  /** Bootstrap admin token; default the saved one, generated on first run. */
  adminToken?: string;
  /** Run `build()` first. Default true. */
  build?: boolean;
  /** Repository root (s.yaml, dist/). Default: found upwards from the current directory. */
  root?: string;
  /** Use this deployment instead of rendering s.yaml (tests with their own functions). */
  model?: DeploymentModel;
  /** Code directory of a function; default `<root>/<props.code>`. */
  codeDir?: (fn: LocalFunction) => string;
  /** Tests only: extra environment for every function (after s.yaml's, before the runtime's and the endpoints). */
  env?: Record<string, string>;
  /** Function log lines; default printed with a `[fn]` prefix. `false` drops them. */
  onLog?: ((fn: string, line: string) => void) | false;
  /** Run timer triggers. Default true. */
  timers?: boolean;
  /** Time scale of the timer schedules only (e.g. fast cloud waits, slower sweeps). Default `timeScale`. */
  timerScale?: number;
  /** Instances a function may run at once (FC scales much further). Default 4. */
  maxInstancesPerFunction?: number;
  /** Environment used to render s.yaml's `${env(...)}`. Default process.env. */
  renderEnv?: Record<string, string | undefined>;
}

export interface InvocationRecord {
  requestId: string;
  functionName: string;
  trigger: 'http' | 'sync' | 'async' | 'timer';
  ok: boolean;
  errorType?: string;
  atMs: number;
  durationMs: number;
  /** The handler's own run time, as the instance measured it: what FC bills (no queueing, no cold start). */
  handlerMs: number;
  taskId?: string;
  attempt?: number;
}

export interface LocalHost {
  url: string;
  port: number;
  /** SANDBOX_TIME_SCALE of this host (cloud waits, async delays, timers). */
  timeScale: number;
  sandbox: Sandbox;
  adminToken: string;
  /** The user's sandbox account (printed by `npm start`). */
  sandboxAccount: AccountKeys;
  /** The deployment account (root key: the deployer's; it may sign invoke calls too). */
  deploymentAccount: AccountKeys;
  /** The functions' RAM role in the deployment account; `credentials()` is what `context.credentials` gets. */
  functionRole: Pick<FunctionRole, 'arn' | 'serviceKey'> & { credentials(): Promise<FunctionCredentials> };
  model: DeploymentModel;
  /** Latest invocations, oldest first (bounded). */
  invocations: InvocationRecord[];
  asyncTask(taskId: string): AsyncTask | undefined;
  /** Tests: deliver async events twice, or lose some (`AsyncChaos`); returns how many were lost so far. */
  asyncChaos(chaos: AsyncChaos): { dropped: number };
  /** Waits until no async invocation is scheduled or running. */
  drainAsync(): Promise<void>;
  /** Pids of live function instances (of one function, by FC name, or all). */
  instancePids(functionName?: string): number[];
  close(): Promise<void>;
}

/** Walks up from `from` to the directory holding s.yaml and package.json. */
export function findRoot(from = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 's.yaml')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no s.yaml found above ${from}`);
    dir = up;
  }
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolvePromise((server.address() as AddressInfo).port);
    });
  });
}

/** Starts the sandbox, the function instances' host, its timers and its FC API. */
export async function startLocalHost(opts: LocalHostOptions = {}): Promise<LocalHost> {
  const root = opts.root ?? findRoot();
  const dataDir = resolve(opts.dataDir ?? join(root, '.data'));
  const timeScale = opts.timeScale ?? 1;
  const printLog =
    opts.onLog === false
      ? undefined
      : (opts.onLog ?? ((fn: string, line: string) => process.stdout.write(`[${fn}] ${line}\n`)));
  // FLEET_CAPTURE_DIR (set by the test runner): answers, logs and secrets go to the secret scan.
  const capture = openCapture();
  const onLog = capture ? capture.teeLog(printLog) : printLog;

  // Independent start-up steps run side by side (s preview alone takes ~1 s).
  const [workerFile, model] = await Promise.all([
    compileWorker(root, join(dataDir, 'local', 'runtime')),
    opts.model ? Promise.resolve(opts.model) : renderLocalModel(root, opts.renderEnv ?? process.env),
    opts.build === false ? undefined : import('../build').then(({ build }) => build({ root, ifChanged: true })),
  ]);

  const sandbox = await startSandbox({
    port: opts.sandboxPort ?? 9100,
    host: '127.0.0.1',
    dataDir,
    timeScale,
    stsTimeScale: opts.stsTimeScale ?? 1,
    ...(capture ? { tablestoreWalTee: capture.tablestoreWal } : {}),
  });
  const cleanup: Array<() => unknown> = [() => sandbox.close()];
  try {
    // Keys: reuse saved accounts when the sandbox still knows them (its state shares dataDir).
    const state = readLocalState(dataDir);
    const known = (k?: AccountKeys) => !!k && sandbox.core.resolveSecret(k.accessKeyId)?.secret === k.accessKeySecret;
    if (!known(state.deployment)) state.deployment = await sandbox.createAccount();
    if (!known(state.user)) state.user = await sandbox.createAccount();
    // Like FC: functions run as a role session of the deployment account, never with a root key.
    const role = await setUpFunctionRole(
      sandbox,
      state,
      (opts.renderEnv ?? process.env).FLEET_ROLE_NAME || 'fleet-functions',
    );
    const adminToken = opts.adminToken || state.adminToken || newAdminToken();
    if (!opts.adminToken) state.adminToken = adminToken;
    writeLocalState(dataDir, state);
    capture?.secret(adminToken, 'admin token');
    cleanup.push(() =>
      capture?.close({
        dataDir,
        sandbox,
        env: { FLEET_MASTER_KEY: (opts.renderEnv ?? process.env).FLEET_MASTER_KEY, ...opts.env },
      }),
    );
    const deployment = state.deployment!;
    const user = state.user!;

    const byName = new Map(model.functions.map((f) => [f.functionName, f]));
    // Listen first (the functions need the URL), but hold requests until everything is ready:
    // a request that arrives during start-up waits instead of hanging unanswered.
    let onRequest: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    const server = createServer((req, res) => void ready.then(() => onRequest?.(req, res)));
    // `Expect: 100-continue` is answered only when the body is wanted (`readBody`): a refusal
    // (401, 413…) then costs the client nothing but its headers.
    server.on('checkContinue', (req, res) => server.emit('request', req, res));
    const port = await listen(server, opts.port ?? 9000);
    cleanup.unshift(
      () =>
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
    );
    const url = `http://127.0.0.1:${port}`;

    const secrets = localSecrets(opts.renderEnv ?? process.env, adminToken);
    const functionEnv = (fn: LocalFunction): Record<string, string> =>
      instanceEnv(fn, {
        secrets,
        base: { PATH: process.env.PATH ?? '/usr/bin:/bin', TZ: 'UTC' },
        runtime: {
          FC_FUNCTION_NAME: fn.functionName,
          FC_FUNCTION_HANDLER: fn.handler,
          FC_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
          FC_REGION: model.region,
          FC_ACCOUNT_ID: deployment.accountId,
          FC_INSTANCE_ID: randomUUID(),
          // The session current when the instance starts; instances are recycled when it rotates.
          ALIBABA_CLOUD_ACCESS_KEY_ID: role.cached().accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: role.cached().accessKeySecret,
          ALIBABA_CLOUD_SECURITY_TOKEN: role.cached().securityToken,
        },
        endpoints: {
          FLEET_ACCOUNT_ID: deployment.accountId,
          FLEET_SANDBOX_ENDPOINT: sandbox.endpoint,
          TABLESTORE_ENDPOINT: sandbox.url,
          FLEET_INVOKE_ENDPOINT: url,
          // The sandbox's clock scale, so a job's waits are due when the host delivers them.
          ...(timeScale !== 1 ? { FLEET_TIME_SCALE: String(timeScale) } : {}),
        },
        ...(opts.env ? { extra: opts.env } : {}),
      });
    // The local "deploy step": the product's tables exist before the first request.
    if (model.functions[0]) {
      const cfg = loadConfig(functionEnv(model.functions[0]));
      await ensureTables({
        client: {
          endpoint: sandbox.url,
          instance: cfg.tablestore.instance,
          credentials: { accessKeyId: deployment.accessKeyId, accessKeySecret: deployment.accessKeySecret },
        },
        tablePrefix: cfg.tablestore.tablePrefix,
      });
    }
    const pool = new InstancePool({
      workerFile,
      ...(opts.maxInstancesPerFunction ? { maxInstancesPerFunction: opts.maxInstancesPerFunction } : {}),
      codeDir: opts.codeDir ?? ((fn) => resolve(root, fn.code)),
      env: functionEnv,
      ...(onLog ? { onLog: (fn: LocalFunction, line: string) => onLog(fn.resource, line) } : {}),
    });
    cleanup.unshift(() => pool.close());
    // FC rotates the role session; instances started with the old one in their env are replaced.
    role.onRotate(() => pool.recycle());

    const invocations: InvocationRecord[] = [];
    const invoke = async (
      fn: LocalFunction,
      event: Buffer,
      trigger: InvocationRecord['trigger'],
      requestId = fcRequestId(),
      extra: Partial<InvocationRecord> = {},
    ): Promise<InvokeOutcome> => {
      const atMs = Date.now();
      let creds: FunctionCredentials;
      try {
        creds = await role.current();
      } catch (e) {
        return {
          ok: false,
          errorType: 'CredentialsError',
          errorMessage: `the function role could not be assumed: ${(e as Error).message}`,
          durationMs: 0,
        };
      }
      const { accessKeyId, accessKeySecret, securityToken } = creds;
      const context = {
        requestId,
        credentials: { accessKeyId, accessKeySecret, securityToken },
        function: { name: fn.functionName, handler: fn.handler, memory: fn.memorySize, timeout: fn.timeoutSec },
        service: { name: '', logProject: '', logStore: '', qualifier: 'LATEST', versionId: '' },
        region: model.region,
        accountId: deployment.accountId,
      };
      const outcome = await pool.invoke(fn, event, context);
      invocations.push({
        requestId,
        functionName: fn.functionName,
        trigger,
        ok: outcome.ok,
        ...(outcome.ok ? {} : { errorType: outcome.errorType }),
        atMs,
        durationMs: Date.now() - atMs,
        handlerMs: outcome.durationMs,
        ...extra,
      });
      if (invocations.length > 1000) invocations.splice(0, invocations.length - 1000);
      return outcome;
    };

    const queue = new AsyncQueue({
      timeScale,
      run: (fn, event, task) =>
        invoke(
          fn,
          event,
          task.source === 'timer' ? 'timer' : 'async',
          task.attempts === 1 ? task.requestId : fcRequestId(),
          {
            taskId: task.taskId,
            attempt: task.attempts,
          },
        ),
    });
    cleanup.unshift(() => queue.close());

    const stopTimers = startTimers(opts.timers === false ? [] : model.functions, {
      timeScale: opts.timerScale ?? timeScale,
      fire: (fn, trigger, event) => {
        queue.submit(fn, event, {
          taskId: `timer-${trigger.name}-${randomUUID()}`,
          requestId: fcRequestId(),
          delayMs: 0,
          source: 'timer',
        });
      },
      onError: (fn, trigger, e) => onLog?.(fn.resource, `timer ${trigger.name} is not scheduled: ${e.message}`),
    });
    cleanup.unshift(stopTimers);

    const version = (() => {
      try {
        return String(
          (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0',
        );
      } catch {
        return '0.0.0';
      }
    })();

    // The traffic capture records the secrets of each body the host read.
    const bodySinks = new WeakMap<IncomingMessage, (body: Buffer) => void>();
    const onBody = (req: IncomingMessage, body: Buffer) => bodySinks.get(req)?.(body);
    const handleInvokeApi = createInvokeApi({
      byName,
      queue,
      // Callers sign with the deployment's root key or with the function role's STS session.
      keyOf: (id) => {
        const k = sandbox.core.resolveSecret(id);
        if (!k || k.accountId !== deployment.accountId) return undefined;
        const rec = sandbox.core.state.keys[id];
        if (rec?.kind === 'root' || (rec?.kind === 'sts' && rec.roleName === role.arn.split('/').pop())) return k;
        return { ...k, forbidden: true };
      },
      invokeSync: (fn, event, requestId) => invoke(fn, event, 'sync', requestId),
      clock: systemClock,
      onBody,
    });
    const handleDomain = createDomainHandler({
      routes: model.routes,
      byName,
      pool,
      invoke: (fn, event, requestId) => invoke(fn, event, 'http', requestId),
      accountId: deployment.accountId,
      version,
      onBody,
    });

    onRequest = (req: IncomingMessage, res: ServerResponse) => {
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      // One path everywhere: the raw path as sent (signed by invoke callers, routed on as is).
      const rawPath = q < 0 ? raw : raw.slice(0, q);
      const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
      const sink = capture?.request(req, res);
      if (sink) bodySinks.set(req, sink);
      const work = rawPath.startsWith('/2023-03-30/')
        ? handleInvokeApi(req, res, rawPath, query)
        : handleDomain(req, res, rawPath);
      work.catch((e: unknown) => {
        onLog?.('host', `request failed: ${(e as Error).message}`);
        if (!res.headersSent)
          fcError(res, 500, 'InternalServerError', 'the local host failed to handle the request', fcRequestId());
        else res.destroy();
      });
    };
    markReady();

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      timeScale,
      sandbox,
      adminToken,
      sandboxAccount: user,
      deploymentAccount: deployment,
      functionRole: { arn: role.arn, serviceKey: role.serviceKey, credentials: () => role.current() },
      model,
      invocations,
      asyncTask: (id) => queue.get(id),
      asyncChaos: (chaos) => {
        queue.chaos = chaos;
        return { dropped: queue.dropped };
      },
      drainAsync: () => queue.drain(),
      instancePids: (name) => pool.pids(name),
      close: () => (closing ??= runCleanup(cleanup)),
    };
  } catch (e) {
    await runCleanup(cleanup);
    throw e;
  }
}

async function runCleanup(steps: Array<() => unknown>): Promise<void> {
  for (const step of steps) {
    try {
      await step();
    } catch {
      /* keep closing the rest */
    }
  }
}
