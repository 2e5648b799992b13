/**
 * One child process per function (an "instance"): envs never mix, and a crash or a timeout
 * kills only that instance; the next invocation starts a fresh one, as FC does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { LocalFunction } from './syaml';

export type InvokeOutcome =
  | { ok: true; kind: 'empty' | 'string' | 'buffer' | 'json'; data?: string; durationMs: number }
  | { ok: false; errorType: string; errorMessage: string; stackTrace?: string[]; durationMs: number };

interface Pending {
  resolve: (o: InvokeOutcome) => void;
  timer: NodeJS.Timeout;
  started: number;
}

interface Instance {
  child: ChildProcess;
  ready: Promise<void>;
  pending: Map<number, Pending>;
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
}

export class InstancePool {
  private readonly instances = new Map<string, Instance>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: InstancePoolOptions) {}

  /** Pids of the live instances (tests check none survive `close`). */
  pids(): number[] {
    return [...this.instances.values()].map((i) => i.child.pid).filter((p): p is number => typeof p === 'number');
  }

  private start(fn: LocalFunction): Instance {
    const [file = 'index'] = fn.handler.split('.');
    const child = fork(this.opts.workerFile, [], {
      env: { ...this.opts.env(fn), FC_LOCAL_ENTRY: `${this.opts.codeDir(fn)}/${file}.js`, FC_LOCAL_HANDLER: fn.handler },
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const pending = new Map<number, Pending>();
    const forward = (buf: Buffer) => {
      for (const line of buf.toString('utf8').split('\n')) if (line.trim()) this.opts.onLog?.(fn, line);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (raw) => {
        const msg = raw as { type: string; id?: number } & Record<string, unknown>;
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'init-error') {
          this.opts.onLog?.(fn, `init failed: ${String(msg.errorMessage)}`);
          resolve(); // invocations answer InitializationError from the worker
        } else if (msg.type === 'result' && typeof msg.id === 'number') {
          const p = pending.get(msg.id);
          if (!p) return;
          pending.delete(msg.id);
          clearTimeout(p.timer);
          p.resolve(msg as unknown as InvokeOutcome);
        }
      });
      child.on('error', reject);
    });
    ready.catch(() => undefined);
    const inst: Instance = { child, ready, pending };
    child.on('exit', (code, signal) => {
      if (this.instances.get(fn.functionName) === inst) this.instances.delete(fn.functionName);
      for (const [id, p] of pending) {
        clearTimeout(p.timer);
        pending.delete(id);
        p.resolve({ ok: false, errorType: 'ProcessExited', errorMessage: `the function instance exited (${signal ?? code})`, durationMs: Date.now() - p.started });
      }
    });
    this.instances.set(fn.functionName, inst);
    return inst;
  }

  /** Runs one invocation; never rejects: failures come back as `{ok: false}` like FC reports them. */
  async invoke(fn: LocalFunction, event: Buffer, context: Record<string, unknown>): Promise<InvokeOutcome> {
    if (this.closed) return { ok: false, errorType: 'HostClosed', errorMessage: 'the local host is closing', durationMs: 0 };
    const existing = this.instances.get(fn.functionName);
    const inst = existing && existing.child.connected ? existing : this.start(fn);
    const started = Date.now();
    try {
      await inst.ready;
    } catch (e) {
      return { ok: false, errorType: 'InitializationError', errorMessage: (e as Error).message, durationMs: Date.now() - started };
    }
    const id = this.nextId++;
    return new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        inst.pending.delete(id);
        resolve({ ok: false, errorType: 'FunctionTimeout', errorMessage: `Function timed out after ${fn.timeoutSec} seconds`, durationMs: Date.now() - started });
        // A timed-out instance is recycled, as FC does.
        inst.child.kill('SIGKILL');
      }, fn.timeoutSec * 1000);
      inst.pending.set(id, { resolve, timer, started });
      try {
        inst.child.send({ type: 'invoke', id, event: event.toString('base64'), context });
      } catch {
        inst.child.kill('SIGKILL'); // the exit handler answers ProcessExited
      }
    });
  }

  /** Kills every instance and waits for them to exit. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.instances.values()];
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
