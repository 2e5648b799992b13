/**
 * The server API (docs/API.md §1 "Servers"): create (with Idempotency-Key), get, list, retry,
 * delete and power actions. Each write starts a job on the server's record (lib/jobs) and
 * answers at once (202); the provision function runs the stages.
 */
import { createHash } from 'node:crypto';
import { authorize, type Need, who } from '../auth';
import type { Clock } from '../core/clock';
import type { Config } from '../core/config';
import { AppError, isAppError } from '../core/errors';
import type { Logger } from '../core/log';
import type { Principal } from '../core/principal';
import { parseInput } from '../core/validate';
import type { CloudFactory } from '../cloud/types';
import type { SecretBox } from '../crypto';
import type { Invoker } from '../invoke';
import { type JobStartFields, Registry, resumeFailedJob, startJob } from '../jobs';
import { claimIdempotencyKey } from '../store/idempotency';
import { isAlreadyExists, isVersionConflict } from '../store/errors';
import * as T from '../store/tables';
import type { Store, Versioned } from '../store/types';
import { loadAccount, visibleAccountIds } from '../accounts/read';
import { type Operation, type OperationRecord, type ServerRecord, serverView } from './model';
import { releaseWorkflow } from './orphan-release';
import { type ServerWorkflow, serverWorkflows } from './workflows';

/** What the servers, provision and sweeper functions need; the composition root's `Deps` provides it. */
export interface ServersDeps {
  readonly store: Store;
  readonly cloud: CloudFactory;
  readonly secrets: SecretBox;
  readonly invoker: Invoker;
  clock: Clock;
  log: Logger;
  random: () => number;
  newId: (prefix: string) => string;
  config: Pick<Config, 'timeScale' | 'jobLeaseMs' | 'jobOverdueMs' | 'functionPrefix'>;
}

const SERVER_ID = /^srv-[0-9a-z]{16}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;
const HISTORY_MAX = 20;

const notFound = () => new AppError('NotFound', 'the server was not found');

/** The server workflows (and the orphan release) and a registry of them for one invocation. */
export function serverJobs(deps: ServersDeps) {
  const [create, del, power] = serverWorkflows(deps) as [ServerWorkflow, ServerWorkflow, ServerWorkflow];
  const release = releaseWorkflow(deps);
  return { create, del, power, release, registry: new Registry().add(create, del, power).add(release) };
}

/** Loads a server the caller may see (through its account's groups), else 404. */
async function loadServer(deps: ServersDeps, id: unknown, p: Principal, need: Need) {
  authorize(p, need); // the role first: a viewer learns nothing about ids it may not change
  const rec =
    typeof id === 'string' && SERVER_ID.test(id) ? await deps.store.get<ServerRecord>(T.servers, { id }) : undefined;
  if (!rec) throw notFound();
  try {
    await loadAccount(deps.store, rec.accountId, p, need);
  } catch (e) {
    if (isAppError(e) && e.code === 'NotFound') throw notFound();
    throw e;
  }
  return rec;
}

/**
 * The previous job, summarised for the history, and the history with it. A job still running
 * (a delete replacing a build or a power action) is `superseded`, ended now: its next invocation
 * finds another job on the record and runs nothing.
 */
function withHistory(r: ServerRecord, nowMs: number): OperationRecord[] {
  const j = r.job;
  if (!j) return r.history;
  const running = j.status === 'running';
  const endedAtMs = running ? nowMs : j.endedAtMs;
  const entry: OperationRecord = {
    operation: r.operation,
    status: running ? 'superseded' : j.status,
    startedAtMs: j.startedAtMs,
    ...(endedAtMs !== undefined ? { endedAtMs } : {}),
    ...(j.error ? { error: j.error } : {}),
  };
  return [...r.history, entry].slice(-HISTORY_MAX);
}

/**
 * Starts a new job on an existing server. The record moves while its current job runs (each
 * claim and commit bumps its version), so a lost race reads it again and decides again; what
 * `decide` answers is the change, or a server view to answer as is (nothing to start).
 */
async function replaceJob(
  deps: ServersDeps,
  wf: ServerWorkflow,
  first: ServerRecord & Versioned,
  decide: (cur: ServerRecord & Versioned) => Partial<ServerRecord> | { answer: ServerRecord },
) {
  let cur = first;
  for (let attempt = 1; ; attempt++) {
    const d = decide(cur);
    if ('answer' in d) return d.answer as ServerRecord;
    const seq = cur.jobSeq + 1;
    const next: ServerRecord = { ...cur, ...d, history: withHistory(cur, deps.clock.now()), jobSeq: seq };
    const base = cur;
    try {
      return await startJob(deps, wf, `${cur.id}.${seq}`, next, async (fields: JobStartFields) => {
        const written = { ...next, ...fields, updatedAtMs: deps.clock.now() };
        const { version: _v, ...body } = written as ServerRecord & Partial<Versioned>;
        await deps.store.update<ServerRecord>(T.servers, { id: base.id }, base.version, body);
        return written;
      });
    } catch (e) {
      if (!isVersionConflict(e) || attempt >= 5) {
        if (isVersionConflict(e))
          throw new AppError('Conflict', 'the server keeps changing; retry', { reason: 'VersionMismatch' });
        throw e;
      }
      const again = await deps.store.get<ServerRecord>(T.servers, { id: first.id });
      if (!again) throw notFound();
      cur = again;
    }
  }
}

export async function createServer(
  input: Record<string, unknown>,
  p: Principal,
  deps: ServersDeps,
  idempotencyKey?: string,
) {
  authorize(p, { access: 'operate', doing: 'create servers' });
  const { CREATE_SERVER } = await import('./schema');
  const spec = parseInput(CREATE_SERVER, input);
  if (spec.notify?.function.startsWith(`${deps.config.functionPrefix}-`)) {
    throw new AppError('ValidationFailed', 'the request does not match the schema', {
      details: [{ path: 'notify.function', problem: "may not be one of this deployment's own functions" }],
    });
  }
  await loadAccount(deps.store, spec.accountId, p, { access: 'operate', doing: 'create servers' });
  let id = deps.newId('srv');
  if (idempotencyKey !== undefined) {
    if (!IDEMPOTENCY_KEY.test(idempotencyKey))
      throw new AppError('ValidationFailed', 'the Idempotency-Key header is 1-128 printable ASCII characters', {
        details: [{ path: 'Idempotency-Key', problem: 'is 1-128 printable ASCII characters' }],
      });
    const claim = await claimIdempotencyKey(deps.store, {
      scope: `${who(p)}:servers.create`,
      key: idempotencyKey,
      objectId: id,
      fingerprint: createHash('sha256').update(JSON.stringify(spec)).digest('base64url'),
      nowMs: deps.clock.now(),
    });
    id = claim.objectId;
    if (!claim.created) {
      const existing = await deps.store.get<ServerRecord>(T.servers, { id });
      // Present: the same server, nothing new started. Absent: the first request died between
      // claiming the key and writing the record — finish its work now, under the same id.
      if (existing) return serverView(existing);
    }
  }
  const now = deps.clock.now();
  const record: ServerRecord = {
    id,
    accountId: spec.accountId,
    regionId: spec.regionId,
    name: spec.name,
    spec,
    status: 'queued',
    operation: 'create',
    resources: {},
    history: [],
    jobSeq: 1,
    createdBy: who(p),
    createdAtMs: now,
    updatedAtMs: now,
  };
  // The account's ref first: a ref without its server is harmless, a server without its ref is invisible to its account.
  await deps.store.put(T.accountRefs, { accountId: spec.accountId, ref: `server#${id}` });
  // Where to look for orphaned network later (kept: the last scan time stays).
  const region = { accountId: spec.accountId, regionId: spec.regionId };
  if (!(await deps.store.get(T.networkRegions, region))) await deps.store.put(T.networkRegions, region);
  const { create } = serverJobs(deps);
  try {
    const written = await startJob(deps, create, `${id}.1`, record, (fields) =>
      deps.store.create(T.servers, { ...record, ...fields }),
    );
    return serverView(written);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    // A concurrent request with the same Idempotency-Key wrote it first: the same server.
    const existing = await deps.store.get<ServerRecord>(T.servers, { id });
    if (!existing) throw e;
    return serverView(existing);
  }
}

export async function getServer(id: unknown, p: Principal, deps: ServersDeps) {
  return serverView(await loadServer(deps, id, p, { access: 'read', doing: 'read servers' }));
}

export async function listServers(input: Record<string, unknown>, p: Principal, deps: ServersDeps) {
  authorize(p, { access: 'read', doing: 'list servers' });
  const { LIST_SERVERS } = await import('./schema');
  const q = parseInput(LIST_SERVERS, input);
  const wanted = (r: ServerRecord) => (q.status ? r.status === q.status : r.status !== 'deleted');
  if (q.accountId) {
    await loadAccount(deps.store, q.accountId, p, { access: 'read', doing: 'list servers' });
    const refs = await deps.store.range<{ ref: string }>(T.accountRefs, {
      eq: { accountId: q.accountId },
      prefix: 'server#',
      direction: 'backward',
      limit: q.limit,
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    const rows = await deps.store.batchGet<ServerRecord>(
      T.servers,
      refs.items.map((r) => ({ id: r.ref.slice('server#'.length) })),
    );
    const items = rows.filter((r): r is ServerRecord & Versioned => !!r && wanted(r)).map(serverView);
    return { items, ...(refs.nextCursor ? { nextCursor: refs.nextCursor } : {}) };
  }
  const visible = await visibleAccountIds(deps.store, p);
  const page = await deps.store.range<ServerRecord>(T.servers, {
    limit: q.limit,
    filter: (r) => visible.has(r.accountId) && wanted(r),
    ...(q.cursor ? { cursor: q.cursor } : {}),
  });
  return { items: page.items.map(serverView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/** Resumes a failed build (or delete, or power action) at the stage that failed. */
export async function retryServer(id: unknown, p: Principal, deps: ServersDeps) {
  const cur = await loadServer(deps, id, p, { access: 'operate', doing: 'retry servers' });
  if (cur.job?.status !== 'failed')
    throw new AppError('Conflict', `only a failed server can be retried; this one is ${cur.status}`);
  const jobs = serverJobs(deps);
  const wf = cur.job.kind === 'server.delete' ? jobs.del : cur.job.kind === 'server.power' ? jobs.power : jobs.create;
  const written = await resumeFailedJob(deps, wf, cur, async (fields) => {
    const changes = {
      ...fields,
      status:
        cur.job?.kind === 'server.delete'
          ? ('deleting' as const)
          : cur.job?.kind === 'server.power'
            ? cur.status
            : ('provisioning' as const),
      error: undefined,
      updatedAtMs: deps.clock.now(),
    };
    try {
      await deps.store.update<ServerRecord>(T.servers, { id: cur.id }, cur.version, changes);
    } catch (e) {
      if (isVersionConflict(e))
        throw new AppError('Conflict', 'the server changed meanwhile; retry', { reason: 'VersionMismatch' });
      throw e;
    }
    return { ...cur, ...changes };
  });
  return serverView(written);
}

/** Starts the delete (202); a delete already under way answers the server as it is. */
export async function deleteServer(input: Record<string, unknown>, p: Principal, deps: ServersDeps) {
  const cur = await loadServer(deps, input.id, p, { access: 'operate', doing: 'delete servers' });
  const rn = input.releaseNetwork;
  if (rn !== undefined && rn !== 'true' && rn !== 'false' && typeof rn !== 'boolean') {
    throw new AppError('ValidationFailed', 'the request does not match the schema', {
      details: [{ path: 'releaseNetwork', problem: 'is "true" or "false"' }],
    });
  }
  const releaseNetwork = rn === true || rn === 'true';
  const written = await replaceJob(deps, serverJobs(deps).del, cur, (now) => {
    if (now.status === 'deleted') throw notFound();
    if (now.job?.kind === 'server.delete' && now.job.status === 'running') return { answer: now };
    return { operation: 'delete', status: 'deleting', error: undefined, deleteOptions: { releaseNetwork } };
  });
  return serverView(written);
}

/** Power actions (start, stop, reboot) as short jobs on a ready server. */
export async function serverAction(input: Record<string, unknown>, p: Principal, deps: ServersDeps) {
  const { SERVER_ACTION } = await import('./schema');
  const cur = await loadServer(deps, input.id, p, { access: 'operate', doing: 'start, stop or reboot servers' });
  const { action } = parseInput(SERVER_ACTION, input);
  const written = await replaceJob(deps, serverJobs(deps).power, cur, (now) => {
    if (now.status !== 'ready')
      throw new AppError('Conflict', `power actions need a ready server; this one is ${now.status}`);
    if (now.job?.status === 'running')
      throw new AppError('Conflict', `a ${now.operation} is still running on this server; wait for it to end`);
    return { operation: action as Operation, error: undefined };
  });
  return serverView(written);
}
