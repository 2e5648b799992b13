/**
 * A slice stopped by its deadline, through the local host: scan-region gets a 15 s timeout (the
 * runner keeps 3 s to commit, so a run has twelve) and every cloud call takes a second, while a
 * run keeps room for the worst final flush (a call per type): so a run reads a page or two,
 * describes and stages them, commits the next page's token as its checkpoint and ends — it cannot
 * read all four pages in one — and the next invocation resumes there. The inventory must be
 * exactly the sandbox's: nothing missed, nothing twice.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SliceRecord } from '../../lib/inventory/model';
import { findRoot } from '../../lib/local/host';
import { createStore, createTablestoreClient, tables as T } from '../../lib/store';
import { renderSYamlCached, toDeploymentModel } from '../../lib/local/syaml';
import { clientFor, sandboxClock } from '../helpers/cloud-client';
import { buildRegion, sandboxDump } from '../helpers/inventory';
import { startTestHost, type TestHost } from '../helpers/local';

let host: TestHost;
const root = findRoot();

test.before(async () => {
  const model = toDeploymentModel(await renderSYamlCached(root, { PATH: process.env.PATH, HOME: process.env.HOME }));
  const fn = model.functions.find((f) => f.resource === 'scan-region');
  if (!fn) throw new Error('no scan-region in s.yaml');
  fn.timeoutSec = 15;
  host = await startTestHost({ model, timers: false, env: { FLEET_TIME_SCALE: '0.001' } });
});
test.after(async () => {
  await host?.close();
});

test('a slice that runs out of time after each page resumes from its checkpoint: every asset, once', async () => {
  const keys = await host.sandbox.createAccount({ regions: ['cn-hangzhou'] });
  const sb = { endpoint: host.sandbox.endpoint, url: host.sandbox.url } as Parameters<typeof clientFor>[0];
  const admin = async (path: string, body?: unknown) => {
    const res = await fetch(`${host.sandbox.url}/__sandbox${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return res.json();
  };
  const clock = { ...sandboxClock({ admin } as never) };
  await clock.freeze();
  await buildRegion(clientFor(sb, keys), clock, { instances: 150, eips: 1 });
  await clock.unfreeze();
  await admin(`/accounts/${keys.accountId}/latency`, { ms: 1000 });

  const token = host.adminToken;
  const acc = await host.fetch('/v1/accounts', {
    method: 'POST',
    token,
    json: {
      name: 'deadline',
      credential: { type: 'access_key', accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret },
    },
  });
  assert.is(acc.status, 201, await acc.clone().text());
  const accountId = ((await acc.json()) as { id: string }).id;
  const start = await host.fetch('/v1/scans', { method: 'POST', token, json: { accountId } });
  assert.is(start.status, 202);
  const scanId = ((await start.json()) as { id: string }).id;
  let scan: any;
  const end = Date.now() + 180_000;
  do {
    await new Promise((r) => setTimeout(r, 200));
    scan = await (await host.fetch(`/v1/scans/${scanId}`, { token })).json();
    assert.ok(Date.now() < end, 'the scan ends');
  } while (scan.status === 'running');
  assert.is(scan.status, 'succeeded', JSON.stringify(scan));
  // 150 + 150 + VPC, VSwitch, security group, route table, EIP = 305: 4 pages over several runs
  assert.equal(scan.regions[0].counts, { found: 305, added: 305, changed: 0, removed: 0 });
  assert.is(scan.regions[0].pages, 4);
  const runs = host.invocations.filter((i) => i.functionName === 'fleet-scan-region' && i.ok).length;
  // plan, slices, watch (≥ 1), collect ≥ 2 (at least one checkpoint), commit ≥ 1
  assert.ok(runs >= 3 + 2 + 1, `scan-region ran ${runs} times`);
  assert.is(
    host.invocations.filter((i) => i.functionName === 'fleet-scan-region' && !i.ok).length,
    0,
    'no run timed out',
  );
  // the slice's own row: collect ran more than once, and the findings went through staging
  const store = createStore({
    tablePrefix: 'fleet_',
    client: () => createTablestoreClient({ endpoint: host.sandbox.url, instance: 'fleet', credentials: keys }),
  });
  const slice = await store.get<SliceRecord>(T.scanSlices, { id: `${scanId}.cn-hangzhou` });
  const stages = Object.fromEntries((slice?.job?.stages ?? []).map((st) => [st.name, st]));
  assert.ok((stages.collect?.attempts ?? 0) >= 2, `collect ran ${stages.collect?.attempts} times`);
  assert.is(stages.commit?.status, 'done');
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = (await (
      await host.fetch(
        `/v1/assets?accountId=${accountId}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token },
      )
    ).json()) as { items: Array<{ regionId: string; type: string; id: string }>; nextCursor?: string };
    ids.push(...page.items.map((a) => `${a.regionId} ${a.type} ${a.id}`));
    cursor = page.nextCursor;
  } while (cursor);
  assert.is(new Set(ids).size, ids.length, 'no asset twice');
  assert.equal(ids.sort(), await sandboxDump({ admin } as never, keys.accountId));
});

test.run();
