/**
 * A stage's checkpoint (`wait.progress`): a paging stage that does a little per run commits where
 * it stopped with its wait, in the same conditional write as the job, and its next run starts
 * there; a retryable failure keeps the checkpoint, a lost commit drops it, `done` clears it.
 * The real store (Tablestore sandbox), a recording invoker and a manual clock, as in jobs-runner.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../lib/core/clock';
import { AppError } from '../../lib/core/errors';
import { createLogger } from '../../lib/core/log';
import type { Invoker } from '../../lib/invoke';
import {
  Registry,
  runStep,
  startJob,
  type JobFields,
  type JobsDeps,
  type StepInput,
  type Workflow,
} from '../../lib/jobs';
import { startTablestoreServer } from '../../lib/sandbox/tablestore/index';
import { createTablestoreClient } from '../../lib/store/client';
import { ensureTables } from '../../lib/store/ensure';
import { createStore } from '../../lib/store/store';
import type { Store, TableDef } from '../../lib/store/types';

const dir = mkdtempSync(join(tmpdir(), 'fleet-jobs-progress-'));
let srv: Awaited<ReturnType<typeof startTablestoreServer>>;
let store: Store;
const clock = new ManualClock(1_800_000_000_000);
const table: TableDef = { name: 'servers', pk: [{ name: 'id' }] };

interface Rec extends JobFields {
  seenCount?: number;
}

let sent: StepInput[] = [];
const invoker: Invoker = {
  async invokeAsync(_fn, event) {
    sent.push((event as { input: StepInput }).input);
    return { requestId: 'r' };
  },
  async invokeSync() {
    throw new Error('not used');
  },
};
const deps = (): JobsDeps => ({
  store,
  invoker,
  clock,
  log: createLogger({}, { level: 'error', write: () => {} }),
  random: () => 0.5,
  config: { jobOverdueMs: 30_000, timeScale: 1 },
});

/** Items the paging stage walks, two per run; every item it handles is recorded. */
const ITEMS = ['a', 'b', 'c', 'd', 'e'];
let handled: string[] = [];
let progressSeen: unknown[] = [];
let failNext = false;
const wf: Workflow<Rec, null> = {
  kind: 'pages.walk',
  table,
  fn: 'provision',
  action: 'provision.step',
  stages: [
    {
      name: 'walk',
      async run(c) {
        progressSeen.push(c.progress);
        const at = (c.progress as { at?: number } | undefined)?.at ?? 0;
        if (failNext) {
          failNext = false;
          throw new AppError('CloudUnavailable', 'busy', { retryable: true });
        }
        const next = Math.min(ITEMS.length, at + 2);
        handled.push(...ITEMS.slice(at, next));
        if (next < ITEMS.length) return { wait: { ms: 0, why: 'next page', progress: { at: next } } };
        return { done: { items: next } };
      },
    },
  ],
  activities: async () => null,
  project: (_r, job) => ({ seenCount: (job.stages[0]?.progress as { at?: number } | undefined)?.at ?? 0 }),
};
const registry = new Registry().add(wf);

test.before(async () => {
  srv = await startTablestoreServer({ dataDir: dir, keys: { AKP: 'progress-secret-1' } });
  store = createStore({
    tablePrefix: 'jp_',
    client: () =>
      createTablestoreClient({
        endpoint: srv.endpoint,
        instance: 'fleet',
        credentials: { accessKeyId: 'AKP', accessKeySecret: 'progress-secret-1' },
      }),
  });
  await ensureTables(store);
});

test.after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

const load = (id: string) => store.get<Rec>(table, { id });
const inv = () => ({ deadlineAtMs: clock.now() + 60_000, requestId: 'req' });

async function drain() {
  for (let i = 0; i < 20 && sent.length; i++) await runStep(sent.shift()!, registry, deps(), inv());
}

test('each run starts where the last one stopped; done clears the checkpoint', async () => {
  sent = [];
  handled = [];
  progressSeen = [];
  await startJob(deps(), wf, 'p-1.1', { id: 'p-1' }, (f) => store.create(table, { id: 'p-1', ...f }));
  await runStep(sent.shift()!, registry, deps(), inv());
  const mid = await load('p-1');
  assert.equal(mid?.job?.stages[0]?.progress, { at: 2 });
  assert.is(mid?.seenCount, 2, 'project sees the checkpoint committed with the wait');
  await drain();
  const end = await load('p-1');
  assert.is(end?.job?.status, 'succeeded');
  assert.equal(handled, ITEMS, 'every item once, in order');
  assert.equal(progressSeen, [undefined, { at: 2 }, { at: 4 }]);
  assert.is(end?.job?.stages[0]?.progress, undefined);
});

test('a retryable failure keeps the checkpoint: the retry resumes, nothing is handled twice', async () => {
  sent = [];
  handled = [];
  progressSeen = [];
  await startJob(deps(), wf, 'p-2.1', { id: 'p-2' }, (f) => store.create(table, { id: 'p-2', ...f }));
  await runStep(sent.shift()!, registry, deps(), inv());
  failNext = true;
  await runStep(sent.shift()!, registry, deps(), inv());
  const failed = await load('p-2');
  assert.is(failed?.job?.stages[0]?.failures, 1);
  assert.equal(failed?.job?.stages[0]?.progress, { at: 2 });
  await drain();
  assert.equal(handled, ITEMS);
  assert.equal(progressSeen, [undefined, { at: 2 }, { at: 2 }, { at: 4 }]);
});

test('a run whose commit is lost leaves the checkpoint where the winner put it', async () => {
  sent = [];
  handled = [];
  await startJob(deps(), wf, 'p-3.1', { id: 'p-3' }, (f) => store.create(table, { id: 'p-3', ...f }));
  const first = sent.shift()!;
  // Another writer moves the record while the stage runs: its commit must lose.
  const orig = wf.stages[0]!.run;
  (wf.stages[0] as { run: typeof orig }).run = async (c) => {
    const r = await orig(c);
    const cur = await load('p-3');
    await store.update(table, { id: 'p-3' }, cur!.version, { seenCount: 99 });
    return r;
  };
  try {
    const r = await runStep(first, registry, deps(), inv());
    assert.equal(r.ran && r.committed, false);
  } finally {
    (wf.stages[0] as { run: typeof orig }).run = orig;
  }
  assert.is((await load('p-3'))?.job?.stages[0]?.progress, undefined);
});

test.run();
