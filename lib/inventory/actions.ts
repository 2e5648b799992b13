/**
 * The inventory's operations (docs/API.md §1 "Inventory"): HTTP routes and direct-invoke actions
 * of the inventory function, the timer, and the job steps the scan-region function runs.
 */
import type { Action, CallContext } from '../core/action';
import { AppError } from '../core/errors';
import { REGION_ID_RE } from '../core/ids';
import { parseStep, Registry, runStep } from '../jobs';
import * as T from '../store/tables';
import type { InventoryDeps } from './deps';
import { exportAssets } from './export';
import { parseFields } from './input';
import { getAsset, getScan, listAssets, listScans } from './query';
import { addInventoryWorkflows, pokeScan } from './scan';
import { periodicScans, startScan } from './start';

const START = {
  accountId: {
    kind: 'string',
    re: /^acc-[0-9a-z]{16}$/,
    max: 20,
    problem: 'an account id looks like "acc-" and 16 letters or digits',
  },
  regions: {
    kind: 'strings',
    re: REGION_ID_RE,
    max: 64,
    maxItems: 100,
    problem: 'regions is a list of 1-100 distinct region ids like "cn-hangzhou"',
    optional: true,
  },
} as const;

type Run = (input: Record<string, unknown>, ctx: CallContext<InventoryDeps>) => Promise<unknown>;
const act = (name: string, http: Action['http'], run: Run): Action<InventoryDeps> => ({
  name,
  ...(http ? { http } : {}),
  run,
});

export function inventoryActions(): Action<InventoryDeps>[] {
  return [
    act('scans.start', { method: 'POST', path: '/v1/scans', status: 202 }, (input, { principal, deps }) =>
      startScan(deps, parseFields(START, input), principal),
    ),
    act('scans.list', { method: 'GET', path: '/v1/scans' }, (input, { principal, deps }) =>
      listScans(deps.store, input, principal),
    ),
    act('scans.get', { method: 'GET', path: '/v1/scans/:id' }, (input, { principal, deps }) =>
      getScan(deps.store, input, principal),
    ),
    act('assets.list', { method: 'GET', path: '/v1/assets' }, (input, { principal, deps }) =>
      listAssets(deps.store, input, principal),
    ),
    act('assets.export', { method: 'GET', path: '/v1/assets/export' }, (input, { principal, deps, http }) =>
      exportAssets(deps.store, input, principal, http !== undefined),
    ),
    act('assets.get', { method: 'GET', path: '/v1/assets/:type/:id' }, (input, { principal, deps }) =>
      getAsset(deps.store, input, principal),
    ),
  ];
}

/** The inventory function's timer: start every due scan. */
export const onPeriodicScan = (_e: unknown, ctx: CallContext<InventoryDeps>) => periodicScans(ctx.deps);

/** Runs one stage of a scan or slice job (lib/jobs); a slice that ends pokes its scan. */
async function step(input: Record<string, unknown>, ctx: CallContext<InventoryDeps>, table: string) {
  if (ctx.principal.kind !== 'invoke') throw new AppError('Forbidden', 'job steps are invoked by the functions only');
  const s = parseStep(input);
  if (s.table !== table) throw new AppError('ValidationFailed', `this action runs ${table} steps`);
  const registry = addInventoryWorkflows(new Registry(), ctx.deps);
  const r = await runStep(s, registry, ctx.deps, { deadlineAtMs: ctx.deadlineAtMs, requestId: ctx.requestId });
  const ended = r.ran && r.committed && !r.next;
  if (table === T.scanSlices.name && ended) {
    const dot = s.id.indexOf('.');
    await pokeScan(ctx.deps, s.id.slice(0, dot), s.id.slice(dot + 1)).catch((e) =>
      ctx.log.warn('scan poke failed; its next poll sees the slice', { id: s.id, code: (e as AppError).code }),
    );
  }
  return r;
}

/** The scan-region function: a slice's stage (`scan.region`) or the scan's own (`scan.step`). */
export function scanRegionActions(): Action<InventoryDeps>[] {
  return [
    { name: 'scan.region', throwRetryable: true, run: (input, ctx) => step(input, ctx, T.scanSlices.name) },
    { name: 'scan.step', throwRetryable: true, run: (input, ctx) => step(input, ctx, T.scans.name) },
  ];
}
