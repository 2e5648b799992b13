/**
 * Starting scans: on demand (POST /v1/scans, operator) and from the hourly timer (every account
 * whose last scan is older than its `scanIntervalMinutes`). One account never runs two scans: the
 * account's `scan_heads` row is claimed with a conditional write, and a claim only moves on from
 * a scan that has ended (or never got written, or is older than any scan may run).
 */
import { AppError } from '../core/errors';
import type { Principal } from '../core/principal';
import { startJob } from '../jobs';
import { isAlreadyExists, isVersionConflict } from '../store/errors';
import * as T from '../store/tables';
import { timeOrderedId } from '../store/tables';
import { DEFAULT_SCAN_INTERVAL_MINUTES, liveAccounts, loadAccount, type AccountRecord } from '../accounts/read';
import type { InventoryDeps } from './deps';
import { scanView, type ScanRecord } from './model';
import { scanWorkflow } from './scan';

interface HeadRow {
  accountId: string;
  scanId: string;
  startedAtMs: number;
}

/** A head whose scan row is missing this long after the claim belongs to a start that crashed. */
const CLAIM_GRACE_MS = 60_000;
/** No scan runs longer than this (simulated ms): an older "running" one is stuck and is replaced. */
export const MAX_SCAN_MS = 6 * 3600_000;

const who = (p: Principal) => p.tokenId ?? (p.kind === 'bootstrap' ? 'bootstrap-admin' : p.kind);

/** Makes `scanId` the account's running scan, or throws Conflict naming the one that runs. */
async function claimHead(deps: InventoryDeps, accountId: string, scanId: string, now: number): Promise<void> {
  const scaled = (ms: number) => ms * deps.config.timeScale;
  for (let attempt = 0; attempt < 5; attempt++) {
    const head = await deps.store.get<HeadRow>(T.scanHeads, { accountId });
    try {
      if (!head) {
        await deps.store.create<HeadRow>(T.scanHeads, { accountId, scanId, startedAtMs: now });
        return;
      }
      const prev = await deps.store.get<ScanRecord>(T.scans, { id: head.scanId });
      const busy = prev
        ? prev.status === 'running' && now - prev.startedAtMs < scaled(MAX_SCAN_MS)
        : now - head.startedAtMs < scaled(CLAIM_GRACE_MS);
      if (busy)
        throw new AppError('Conflict', 'a scan of this account is already running', {
          details: [{ scanId: head.scanId }],
        });
      await deps.store.update<HeadRow>(T.scanHeads, { accountId }, head.version, { scanId, startedAtMs: now });
      return;
    } catch (e) {
      if (!isVersionConflict(e) && !isAlreadyExists(e)) throw e; // another start raced us: look again
    }
  }
  throw new AppError('Conflict', 'another scan of this account is being started', { retryable: true });
}

/** Starts a scan of `account` (already authorised); answers the scan object. */
export async function launchScan(
  deps: InventoryDeps,
  account: Pick<AccountRecord, 'id'>,
  o: { regions?: string[]; trigger: ScanRecord['trigger']; by: string },
) {
  const now = deps.clock.now();
  const id = timeOrderedId('scn', now);
  await claimHead(deps, account.id, id, now);
  await deps.store.put(T.accountRefs, { accountId: account.id, ref: `scan#${id}` });
  const rec: ScanRecord = {
    id,
    accountId: account.id,
    trigger: o.trigger,
    by: o.by,
    ...(o.regions ? { requestedRegions: o.regions } : {}),
    status: 'running',
    startedAtMs: now,
  };
  const written = await startJob(deps, scanWorkflow(deps), `${id}.1`, rec, (f) =>
    deps.store.create(T.scans, { ...rec, ...f }),
  );
  return scanView(written);
}

/** POST /v1/scans: `{accountId, regions?}` (operator). */
export async function startScan(
  deps: InventoryDeps,
  input: { accountId: string; regions?: string[] },
  principal: Principal,
) {
  const account = await loadAccount(deps.store, input.accountId, principal, {
    access: 'operate',
    doing: 'start scans',
  });
  return launchScan(deps, account, {
    ...(input.regions ? { regions: [...input.regions].sort() } : {}),
    trigger: 'api',
    by: who(principal),
  });
}

/** The timer: a scan for every account that is due; never a second one while one runs. */
export async function periodicScans(deps: InventoryDeps) {
  const now = deps.clock.now();
  const accounts: AccountRecord[] = [];
  for await (const a of liveAccounts(deps.store)) accounts.push(a);
  const heads = await deps.store.batchGet<HeadRow>(
    T.scanHeads,
    accounts.map((a) => ({ accountId: a.id })),
  );
  const out = { accounts: accounts.length, started: [] as string[], notDue: 0, disabled: 0, running: 0, failed: 0 };
  for (const [i, a] of accounts.entries()) {
    const minutes = a.scanIntervalMinutes ?? DEFAULT_SCAN_INTERVAL_MINUTES;
    if (minutes === 0) {
      out.disabled++;
      continue;
    }
    const last = heads[i]?.startedAtMs;
    if (last !== undefined && now - last < minutes * 60_000 * deps.config.timeScale) {
      out.notDue++;
      continue;
    }
    try {
      const scan = await launchScan(deps, a, { trigger: 'timer', by: 'timer' });
      out.started.push(scan.id);
    } catch (e) {
      if ((e as { code?: string }).code === 'Conflict') out.running++;
      else {
        out.failed++;
        deps.log.warn('periodic scan not started', { accountId: a.id, code: (e as { code?: string }).code });
      }
    }
  }
  return out;
}
