/**
 * Function instances as child processes: envs never mix, and a crash or a timeout kills only that
 * instance; the next invocation starts a fresh one, as FC does. Like FC, an instance takes up to
 * `instanceConcurrency` requests at once and busy functions get more instances (capped locally).
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { HttpRoutesInfo } from '../fc/route-info';
import { parseRoutesInfo } from './route-guard';
import type { LocalFunction } from './syaml';

export type InvokeFailure = {
  ok: false;
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
  durationMs: number;
};
export type InvokeOutcome =
  | { ok: true; kind: 'empty' | 'string' | 'buffer' | 'json'; data?: string; durationMs: number }
  | InvokeFailure;

interface Pending {
  resolve: (o: InvokeOutcome) => void;
  timer: NodeJS.Timeout;
  started: number;
}

interface Instance {
  child: ChildProcess;
  /** Settles once the bundle is loaded; rejects when the instance dies before that. */
  ready: Promise<void>;
  pending: Map<number, Pending>;
  /** Invocations assigned to this instance and not finished (including those waiting for init). */
  inflight: number;
  /** Takes no new invocations; exits once its running ones finish (see `recycle`). */
  retired?: boolean;
  /** Answers invocation `id` once (result, timeout or death: the first wins). */
  settle(id: number, outcome: InvokeOutcome): void;
}

export interface InstancePoolOptions {
  /** Compiled worker runtime (`worker.cjs`). */
  workerFile: string;
  /** Absolute path of a function's code directory. */
  codeDir: (fn: LocalFunction) => string;
  /** Environment of a function's process (its s.yaml environment plus the host's overrides). */
  env: (fn: LocalFunction) => Record<string, string>;
  /** Each line a function writes to stdout/stderr. */
  onLog?: (fn: LocalFunction, line: string) => void;
  /** Most instances of one function at a time (FC scales much further). Default 4. */
  maxInstancesPerFunction?: number;
}

export class InstancePool {
  private readonly instances = new Map<string, Instance[]>();
  private nextId = 1;
  private closed = false;
  /** Invocations waiting for a slot, per function. */
  private readonly waiters = new Map<string, Array<() => void>>();
  /** Recycled instances still finishing an invocation. */
  private readonly retiring = new Set<Instance>();
  /** What each function's bundle said about its HTTP routes when an instance of it started. */
  private readonly routes = new Map<string, HttpRoutesInfo | undefined>();

  constructor(private readonly opts: InstancePoolOptions) {}

  /** Pids of the live instances (of one function, or all: tests check none survive `close`). */
  pids(functionName?: string): number[] {
    const live =
      functionName === undefined
        ? [...[...this.instances.values()].flat(), ...this.retiring]
        : [...(this.instances.get(functionName) ?? [])];
    return live.map((i) => i.child.pid).filter((p): p is number => typeof p === 'number');
  }

  /**
   * The HTTP routes a function's bundle describes (`info` undefined: it describes none). The
   * first call starts an instance, which then serves the next invocation, and waits for it to
   * load: an instance that dies or is still loading after `fn.timeoutSec` fails like an
   * invocation would (ProcessExited, FunctionTimeout; the hung one is killed).
   */
  async httpRoutes(fn: LocalFunction): Promise<{ ok: true; info?: HttpRoutesInfo } | InvokeFailure> {
    const cached = () => {
      const info = this.routes.get(fn.functionName);
      return info ? { ok: true as const, info } : { ok: true as const };
    };
    if (this.routes.has(fn.functionName) || this.closed) return cached();
    const live = (this.instances.get(fn.functionName) ?? []).filter((i) => i.child.connected);
    const inst = live[0] ?? (live.length < (this.opts.maxInstancesPerFunction ?? 4) ? this.start(fn) : undefined);
    if (!inst) return cached();
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const loaded = await Promise.race([
      inst.ready.then(
        () => true,
        (e: Error) => e,
      ),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), fn.timeoutSec * 1000))),
    ]);
    clearTimeout(timer);
    if (loaded === true) return cached();
    if (loaded === false) this.kill(inst);
    return {
      ok: false,
      errorType: loaded === false ? 'FunctionTimeout' : 'ProcessExited',
      errorMessage: loaded === false ? `Function timed out after ${fn.timeoutSec} seconds` : loaded.message,
      durationMs: Date.now() - started,
    };
  }

  private start(fn: LocalFunction): Instance {
    const [file = 'index'] = fn.handler.split('.');
    const child = fork(this.opts.workerFile, [], {
      env: {
        ...this.opts.env(fn),
        FC_LOCAL_ENTRY: `${this.opts.codeDir(fn)}/${file}.js`,
        FC_LOCAL_HANDLER: fn.handler,
      },
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const pending = new Map<number, Pending>();
    const forward = (buf: Buffer) => {
      for (const line of buf.toString('utf8').split('\n')) if (line.trim()) this.opts.onLog?.(fn, line);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    let started = false;
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (raw) => {
        const msg = raw as { type: string; id?: number } & Record<string, unknown>;
        if (msg.type === 'ready') {
          started = true;
          this.routes.set(fn.functionName, parseRoutesInfo(msg.httpRoutes));
          resolve();
        } else if (msg.type === 'init-error') {
          started = true;
          this.opts.onLog?.(fn, `init failed: ${String(msg.errorMessage)}`);
          resolve(); // invocations answer InitializationError from the worker
        } else if (msg.type === 'result' && typeof msg.id === 'number') {
          inst.settle(msg.id, msg as unknown as InvokeOutcome);
        }
      });
      child.on('error', reject);
      // Dying while loading (exit at init, OOM, killed): nothing will ever say ready.
      child.on('exit', (code, signal) => {
        if (!started) reject(new Error(`the function instance exited while starting (${signal ?? code})`));
      });
    });
    ready.catch(() => undefined);
    const inst: Instance = {
      child,
      ready,
      pending,
      inflight: 0,
      settle(id, outcome) {
        const p = pending.get(id);
        if (!p) return;
        pending.delete(id);
        clearTimeout(p.timer);
        p.resolve(outcome);
      },
    };
    child.on('exit', (code, signal) => {
      this.retiring.delete(inst);
      const list = this.instances.get(fn.functionName) ?? [];
      const i = list.indexOf(inst);
      if (i >= 0) list.splice(i, 1);
      for (const [id, p] of pending) {
        inst.settle(id, {
          ok: false,
          errorType: 'ProcessExited',
          errorMessage: `the function instance exited (${signal ?? code})`,
          durationMs: Date.now() - p.started,
        });
      }
    });
    const list = this.instances.get(fn.functionName) ?? [];
    list.push(inst);
    this.instances.set(fn.functionName, list);
    return inst;
  }

  /** An instance with a free slot, else a new one (within the cap); undefined = wait for a slot. */
  private pick(fn: LocalFunction): Instance | undefined {
    // A waiter woken by close() must not fork a child that nobody will kill.
    if (this.closed) return undefined;
    const list = (this.instances.get(fn.functionName) ?? []).filter((i) => i.child.connected);
    const slots = Math.max(1, fn.instanceConcurrency ?? 1);
    const free = list.find((i) => i.inflight < slots);
    if (free) return free;
    if (list.length < (this.opts.maxInstancesPerFunction ?? 4)) return this.start(fn);
    return undefined;
  }

  /** Runs one invocation; never rejects: failures come back as `{ok: false}` like FC reports them. */
  async invoke(fn: LocalFunction, event: Buffer, context: Record<string, unknown>): Promise<InvokeOutcome> {
    let inst = this.pick(fn);
    // Every instance is busy and the local cap is reached: queue, as FC would queue for capacity.
    while (!inst && !this.closed) {
      const queue = this.waiters.get(fn.functionName) ?? [];
      this.waiters.set(fn.functionName, queue);
      await new Promise<void>((resolve) => queue.push(resolve));
      inst = this.pick(fn);
    }
    if (this.closed || !inst)
      return { ok: false, errorType: 'HostClosed', errorMessage: 'the local host is closing', durationMs: 0 };
    inst.inflight++; // the slot is taken from now on, even while the instance is still starting
    try {
      return await this.run(inst, fn, event, context);
    } finally {
      inst.inflight--;
      if (inst.retired && inst.inflight === 0) inst.child.kill('SIGTERM');
      this.waiters.get(fn.functionName)?.shift()?.();
    }
  }

  /**
   * Sends one invocation to `inst`. Its timeout runs from now, loading included, and an instance
   * that dies at any moment answers `ProcessExited`: every invocation is answered.
   */
  private run(
    inst: Instance,
    fn: LocalFunction,
    event: Buffer,
    context: Record<string, unknown>,
  ): Promise<InvokeOutcome> {
    const started = Date.now();
    const id = this.nextId++;
    return new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        inst.settle(id, {
          ok: false,
          errorType: 'FunctionTimeout',
          errorMessage: `Function timed out after ${fn.timeoutSec} seconds`,
          durationMs: Date.now() - started,
        });
        // A timed-out instance is recycled, as FC does.
        this.kill(inst);
      }, fn.timeoutSec * 1000);
      inst.pending.set(id, { resolve, timer, started });
      inst.ready.then(
        () => {
          if (!inst.pending.has(id)) return; // timed out or exited meanwhile
          try {
            inst.child.send({ type: 'invoke', id, event: event.toString('base64'), context });
          } catch {
            this.kill(inst); // the exit handler answers ProcessExited
          }
        },
        (e: Error) =>
          inst.settle(id, {
            ok: false,
            errorType: 'InitializationError',
            errorMessage: e.message,
            durationMs: Date.now() - started,
          }),
      );
    });
  }

  /** Kills an instance now; from this moment it takes no invocation, even before it is gone. */
  private kill(inst: Instance): void {
    for (const list of this.instances.values()) {
      const i = list.indexOf(inst);
      if (i >= 0) list.splice(i, 1);
    }
    inst.retired = true;
    if (inst.child.exitCode === null && inst.child.signalCode === null) this.retiring.add(inst);
    inst.child.kill('SIGKILL');
    for (const queue of this.waiters.values()) for (const w of queue.splice(0)) w();
  }

  /**
   * Replaces every instance (their environment is stale, e.g. rotated role credentials): idle
   * ones exit now, busy ones after their running invocations; new invocations start fresh ones.
   */
  recycle(): void {
    for (const list of this.instances.values()) {
      for (const inst of list.splice(0)) {
        inst.retired = true;
        this.retiring.add(inst);
        if (inst.inflight === 0) inst.child.kill('SIGTERM');
      }
    }
    // Waiters for a slot may now start a new instance.
    for (const queue of this.waiters.values()) for (const w of queue.splice(0)) w();
  }

  /** Kills every instance and waits for them to exit. */
  async close(): Promise<void> {
    this.closed = true;
    for (const queue of this.waiters.values()) for (const w of queue.splice(0)) w();
    const all = [...[...this.instances.values()].flat(), ...this.retiring];
    this.instances.clear();
    await Promise.all(
      all.map(
        (inst) =>
          new Promise<void>((resolve) => {
            if (inst.child.exitCode !== null || inst.child.signalCode !== null) return resolve();
            inst.child.once('exit', () => resolve());
            inst.child.kill('SIGTERM');
            setTimeout(() => inst.child.kill('SIGKILL'), 2000).unref();
          }),
      ),
    );
  }
}
