/**
 * The stage engine on the real store (the Tablestore sandbox): a job runs stage by stage as its
 * events are delivered; duplicates, concurrent deliveries, a worker that dies before its commit,
 * lost events (the sweeper), transient and permanent failures, resume, skipped stages and the
 * `finally` stage. The invoker is a recorder the test delivers from by hand (events are the
 * engine's own contract; the FC invoke path is covered by the e2e tests), and the clock is manual.
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
  dueRows,
  runStep,
  startJob,
  resumeFailedJob,
  sweepJobs,
  type JobFields,
  type JobsDeps,
  type Stage,
  type StepInput,
  type Workflow,
} from '../../lib/jobs';
import { startTablestoreServer } from '../../lib/sandbox/tablestore/index';
import { createTablestoreClient } from '../../lib/store/client';
import { ensureTables } from '../../lib/store/ensure';
import { createStore } from '../../lib/store/store';
import type { Store, TableDef } from '../../lib/store/types';

const dir = mkdtempSync(join(tmpdir(), 'fleet-jobs-'));
let srv: Awaited<ReturnType<typeof startTablestoreServer>>;
let store: Store;
const clock = new ManualClock(1_800_000_000_000);
const things: TableDef = { name: 'servers', pk: [{ name: 'id' }] };

interface Thing extends JobFields {
  name: string;
  status?: string;
}

/** Every event the engine sent, in order. */
let sent: Array<{ fn: string; input: StepInput; delayMs: number; taskId: string }> = [];
const invoker: Invoker = {
  async invokeAsync(fn, event, o = {}) {
    sent.push({ fn, input: (event as { input: StepInput }).input, delayMs: o.delayMs ?? 0, taskId: o.taskId ?? '' });
    return { requestId: 'r' };
  },
  async invokeSync() {
    throw new Error('not used');
  },
};

const logs: string[] = [];
const deps = (): JobsDeps => ({
  store,
  invoker,
  clock,
  log: createLogger({}, { level: 'debug', write: (l) => logs.push(l) }),
  random: () => 0.5,
  config: { timeScale: 1, jobOverdueMs: 30_000 },
});
const inv = (requestId = 'req') => ({ deadlineAtMs: clock.now() + 60_000, requestId });

/** Side effects by ClientToken, as the cloud keeps them: the same token never creates twice. */
const cloud = new Map<string, string>();
let polls = 0;
let flaky = 0;
let fatal = false;
let gate: Promise<void> | undefined;

const stages: Stage<Thing, Map<string, string>>[] = [
  {
    name: 'create',
    async run(c) {
      await gate;
      const act = await c.act();
      if (!act.has(c.token)) act.set(c.token, `res-${act.size + 1}`);
      return { done: { resourceId: act.get(c.token) } };
    },
  },
  {
    name: 'available',
    async run() {
      if (flaky > 0) {
        flaky--;
        throw new AppError('CloudUnavailable', 'busy', { retryable: true, cloud: { code: 'ServiceUnavailable' } });
      }
      if (fatal)
        return {
          fail: new AppError('CloudRejected', 'no', { cloud: { code: 'QuotaExceeded.Vpc', hint: 'raise it' } }),
        };
      return ++polls < 3 ? { wait: { ms: 5000, why: 'Pending' } } : { done: {} };
    },
  },
  {
    name: 'optional',
    when: ({ record }) => record.name.startsWith('with-'),
    async run() {
      return { done: { extra: true } };
    },
  },
  {
    name: 'ready',
    async run(c) {
      return { done: { from: (c.outputs.create as { resourceId: string }).resourceId } };
    },
  },
];
let notified: string[] = [];
const wf: Workflow<Thing, Map<string, string>> = {
  kind: 'thing.build',
  table: things,
  fn: 'provision',
  action: 'provision.step',
  stages,
  finally: {
    name: 'notify',
    async run(c) {
      notified.push(`${c.record.id}:${c.job.ending?.status}`);
      return { done: {} };
    },
  },
  activities: async () => cloud,
  project: (_r, job) => ({ status: job.status === 'running' ? 'building' : job.status }),
};
const registry = new Registry().add(wf);

test.before(async () => {
  srv = await startTablestoreServer({ dataDir: dir, keys: { AKJ: 'jobs-secret-1' } });
  store = createStore({
    tablePrefix: 'jb_',
    client: () =>
      createTablestoreClient({
        endpoint: srv.endpoint,
        instance: 'fleet',
        credentials: { accessKeyId: 'AKJ', accessKeySecret: 'jobs-secret-1' },
      }),
  });
  await ensureTables(store);
});

test.after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

const reset = () => {
  sent = [];
  polls = 0;
  flaky = 0;
  fatal = false;
  gate = undefined;
  notified = [];
};

async function start(id: string, name = 'plain') {
  const rec: Thing = { id, name };
  return startJob(deps(), wf, `${id}.1`, rec, (fields) => store.create(things, { ...rec, ...fields }));
}

const load = (id: string) => store.get<Thing>(things, { id }) as Promise<Thing & { version: number }>;

/** Delivers the oldest undelivered event once, after its delay. */
async function deliverNext() {
  const e = sent.shift();
  if (!e) return undefined;
  clock.advance(e.delayMs);
  return runStep(e.input, registry, deps(), inv());
}

async function drain(max = 50) {
  for (let i = 0; i < max && sent.length; i++) await deliverNext();
}

test('a job runs stage by stage to the end: outputs memoised, waits delayed, finally run, record projected', async () => {
  reset();
  await start('srv-a');
  assert.equal(sent[0]?.input, { table: 'servers', id: 'srv-a', stage: 'create', attempt: 0 });
  await drain();
  const r = await load('srv-a');
  assert.is(r.job?.status, 'succeeded');
  assert.is(r.status, 'succeeded');
  assert.equal(
    r.job?.stages.map((s) => [s.name, s.status, s.attempts]),
    [
      ['create', 'done', 1],
      ['available', 'done', 3],
      ['optional', 'skipped', 0],
      ['ready', 'done', 1],
      ['notify', 'done', 1],
    ],
  );
  assert.equal(r.job?.outputs.ready, { from: 'res-1' });
  assert.equal(notified, ['srv-a:succeeded']);
  assert.is(r.leaseUntilMs, undefined);
  assert.is(r.dueKey, undefined, 'an ended job has no due row');
  assert.equal(
    (await dueRows(store, clock.now() + 1e9, 100)).filter((d) => d.id === 'srv-a'),
    [],
  );
});

test('a `when` stage runs when it applies', async () => {
  reset();
  await start('srv-b', 'with-extra');
  await drain();
  const r = await load('srv-b');
  assert.equal(r.job?.outputs.optional, { extra: true });
});

test('a duplicate event runs nothing twice; an old one after progress is dropped', async () => {
  reset();
  await start('srv-c');
  const first = sent[0]!;
  const a = await runStep(first.input, registry, deps(), inv());
  const b = await runStep(first.input, registry, deps(), inv());
  assert.is(a.ran, true);
  assert.equal(b, { ran: false, why: 'stale' });
  assert.is(cloud.get('srv-c.1:create'), `res-${cloud.size}`);
  // The waiting stage's events: delivering the same one twice polls once.
  sent.shift();
  const poll = sent.shift()!;
  await runStep(poll.input, registry, deps(), inv());
  const again = await runStep(poll.input, registry, deps(), inv());
  assert.equal(again, { ran: false, why: 'duplicate' });
  assert.is((await load('srv-c')).job?.stages[1]?.attempts, 1);
});

test('two deliveries at once: exactly one runs the stage, the other sees the lease', async () => {
  reset();
  await start('srv-d');
  let open!: () => void;
  gate = new Promise((r) => (open = r));
  const e = sent.shift()!;
  const one = runStep(e.input, registry, deps(), inv('one'));
  // Wait until the first holds the lease (its claim is written), then deliver the second.
  for (let i = 0; i < 200 && (await load('srv-d')).leaseHolder !== 'one'; i++)
    await new Promise((r) => setTimeout(r, 5));
  const two = await runStep(e.input, registry, deps(), inv('two'));
  open();
  assert.equal(two, { ran: false, why: 'leased' });
  assert.is((await one).ran, true);
  assert.is((await load('srv-d')).job?.stages[0]?.attempts, 1);
});

test('a worker that dies after its cloud call and before its commit: the retried event re-runs the stage with the same ClientToken', async () => {
  reset();
  await start('srv-e');
  const e = sent.shift()!;
  // The commit fails as a crash would leave it: lease held, outcome unwritten.
  const real = store.update.bind(store);
  let updates = 0;
  store.update = (async (...a: Parameters<Store['update']>) => {
    if (++updates === 2) throw new Error('killed');
    return real(...a);
  }) as Store['update'];
  await runStep(e.input, registry, deps(), inv()).catch(() => undefined);
  store.update = real;
  const dead = await load('srv-e');
  assert.is(dead.job?.stages[0]?.status, 'running');
  assert.ok(dead.leaseUntilMs! > clock.now(), 'the dead invocation still holds the lease');
  assert.equal(await runStep(e.input, registry, deps(), inv()), { ran: false, why: 'leased' });
  clock.advance(120_000);
  const retried = await runStep(e.input, registry, deps(), inv());
  assert.is(retried.ran, true, 'FC retry of the dead event is taken once the lease lapsed');
  const r = await load('srv-e');
  assert.equal(r.job?.outputs.create, { resourceId: cloud.get('srv-e.1:create') });
  assert.is([...cloud.keys()].filter((k) => k.startsWith('srv-e')).length, 1, 'one resource, not two');
});

test('a lost event: the sweeper takes the stage over with a new attempt; the late original is refused', async () => {
  reset();
  await start('srv-f');
  await deliverNext(); // create
  const lost = sent.shift()!; // available, attempt 0: lost
  const resentFor = (id: string) => sent.filter((e) => e.input.id === id);
  await sweepJobs(deps(), registry);
  assert.equal(resentFor('srv-f'), [], 'not overdue yet');
  clock.advance(60_000);
  await sweepJobs(deps(), registry);
  const [resent, ...more] = resentFor('srv-f');
  assert.is(more.length, 0);
  // A slow platform: the resent event is not delivered yet; a sweep soon after leaves it its time.
  clock.advance(10_000);
  await sweepJobs(deps(), registry);
  assert.is(resentFor('srv-f').length, 1, 'not taken over again before its delivery time ran out');
  sent = [resent!];
  assert.equal(resent!.input, { ...lost.input, attempt: 1 });
  assert.is.not(resent!.taskId, lost.taskId, 'a new task id: FC would refuse the old one');
  assert.equal(await runStep(lost.input, registry, deps(), inv()), { ran: false, why: 'duplicate' });
  await drain();
  assert.is((await load('srv-f')).job?.status, 'succeeded');
  // A sweep while a live invocation holds the lease leaves it alone.
  reset();
  await start('srv-f2');
  let open!: () => void;
  gate = new Promise((r) => (open = r));
  const running = runStep(sent.shift()!.input, registry, deps(), inv('live'));
  for (let i = 0; i < 200 && (await load('srv-f2')).leaseHolder !== 'live'; i++)
    await new Promise((r) => setTimeout(r, 5));
  clock.advance(40_000);
  const busy = await sweepJobs(deps(), registry);
  const resentWhileLive = resentFor('srv-f2');
  open();
  await running;
  assert.ok(busy.busy >= 1, JSON.stringify(busy));
  assert.equal(resentWhileLive, [], 'the live stage was not sent again');
});

test('transient failures wait with back-off and keep the error visible; the budget spent fails the job (retryable)', async () => {
  reset();
  flaky = 2;
  await start('srv-g');
  await deliverNext(); // create
  await deliverNext(); // available: ServiceUnavailable
  const w = await load('srv-g');
  assert.equal(
    [w.job?.stages[1]?.status, w.job?.stages[1]?.failures, w.job?.stages[1]?.error?.code],
    ['waiting', 1, 'ServiceUnavailable'],
  );
  assert.ok(sent[0]!.delayMs >= 1000, `waits before retrying (${sent[0]!.delayMs} ms)`);
  await drain();
  assert.is((await load('srv-g')).job?.status, 'succeeded');

  reset();
  flaky = 100;
  await start('srv-h');
  await drain();
  const h = await load('srv-h');
  assert.is(h.job?.status, 'failed');
  assert.equal(
    [h.job?.error?.code, h.job?.error?.stage, h.job?.error?.retryable],
    ['ServiceUnavailable', 'available', true],
  );
  assert.is(h.job?.stages[1]?.failures, 9);
});

test('a permanent failure ends the job failed with the cloud code and hint; finally still runs; retry resumes there', async () => {
  reset();
  fatal = true;
  await start('srv-i');
  await drain();
  const r = await load('srv-i');
  assert.is(r.status, 'failed');
  assert.equal(r.job?.error, {
    code: 'QuotaExceeded.Vpc',
    message: 'no',
    stage: 'available',
    retryable: false,
    cloudCode: 'QuotaExceeded.Vpc',
    hint: 'raise it',
  });
  assert.equal(notified, ['srv-i:failed']);
  fatal = false;
  sent = [];
  await resumeFailedJob(deps(), wf, r, (f) =>
    store.update(things, { id: 'srv-i' }, r.version, f).then(() => load('srv-i')),
  );
  await drain();
  const done = await load('srv-i');
  assert.is(done.job?.status, 'succeeded');
  assert.is(done.job?.error, undefined);
  assert.equal(
    done.job?.stages.map((s) => s.status),
    ['done', 'done', 'skipped', 'done', 'done'],
  );
  assert.equal(
    [...cloud.keys()].filter((k) => k.startsWith('srv-i')),
    ['srv-i.1:create'],
    'create not redone',
  );
});

test('a commit after the lease lapsed and another invocation took over is dropped', async () => {
  reset();
  await start('srv-j');
  const e = sent.shift()!;
  let open!: () => void;
  gate = new Promise((r) => (open = r));
  const slow = runStep(e.input, registry, deps(), inv('slow'));
  for (let i = 0; i < 200 && (await load('srv-j')).leaseHolder !== 'slow'; i++)
    await new Promise((r) => setTimeout(r, 5));
  clock.advance(120_000); // the slow one's lease lapses
  await sweepJobs(deps(), registry); // the sweeper takes over
  const taken = sent.shift()!;
  gate = undefined;
  const fast = await runStep(taken.input, registry, deps(), inv('fast'));
  open();
  const late = await slow;
  assert.is(fast.ran && fast.committed, true);
  assert.equal(late.ran && late.committed, false, 'the late result is not written');
});

test('malformed and unknown step events are refused, not run', async () => {
  reset();
  const bad = await runStep({ table: 'nope', id: 'x', stage: 'create', attempt: 0 }, registry, deps(), inv()).catch(
    (e: AppError) => e.code,
  );
  assert.is(bad, 'ValidationFailed');
  assert.equal(
    await runStep({ table: 'servers', id: 'srv-none', stage: 'create', attempt: 0 }, registry, deps(), inv()),
    {
      ran: false,
      why: 'no-job',
    },
  );
});

test.run();
