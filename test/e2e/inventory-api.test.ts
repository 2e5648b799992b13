/**
 * The inventory API through the local host: roles and scope (operator starts, viewers read, an
 * account out of scope is 404), hostile filters and cursors, filters and paging, one asset with
 * its history, the export in both formats and in chunks, the scan list, and the periodic timer
 * (only due accounts; never a second scan while one runs).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clientFor, sandboxClock } from '../helpers/cloud-client';
import { buildRegion } from '../helpers/inventory';
import { startInventoryHost, type InventoryHost } from './inventory-support';

let h: InventoryHost;
let acc: Awaited<ReturnType<InventoryHost['account']>>;
let net: Awaited<ReturnType<typeof buildRegion>>;
let admin = '';
let operator = '';
let viewer = '';
let outsider = '';
let firstScan = '';

test.before(async () => {
  h = await startInventoryHost();
  admin = h.host.adminToken;
  acc = await h.account({ regions: ['cn-hangzhou'], groups: ['blue'] });
  const clock = sandboxClock(h.sb);
  await clock.freeze();
  net = await buildRegion(clientFor(h.sb, acc.keys), clock, {
    instances: 12,
    tags: [{ key: 'env', value: 'prod:eu' }],
  });
  await clock.unfreeze();
  [operator, viewer, outsider] = await Promise.all([
    h.token('operator', ['blue']),
    h.token('viewer', ['blue']),
    h.token('operator', ['red']),
  ]);
});
test.after(async () => {
  await h?.close();
});

test('roles and scope: viewers may not start a scan, an account out of scope is 404, an operator starts one', async () => {
  const body = { accountId: acc.id };
  assert.is((await h.call('POST', '/v1/scans', { json: body })).status, 401);
  const v = await h.call('POST', '/v1/scans', { token: viewer, json: body });
  assert.equal([v.status, v.body.error.code], [403, 'Forbidden']);
  const o = await h.call('POST', '/v1/scans', { token: outsider, json: body });
  assert.equal([o.status, o.body.error.code], [404, 'NotFound']);
  const bad = await h.call('POST', '/v1/scans', {
    token: operator,
    json: { accountId: acc.id, regions: ['Hangzhou'] },
  });
  assert.equal(
    [bad.status, bad.body.error.details],
    [400, [{ path: 'regions', problem: bad.body.error.details[0].problem }]],
  );
  const extra = await h.call('POST', '/v1/scans', { token: operator, json: { ...body, color: 'red' } });
  assert.is(extra.status, 400);
  const ok = await h.call('POST', '/v1/scans', { token: operator, json: body });
  assert.is(ok.status, 202, ok.text);
  firstScan = ok.body.id;
  const s = await h.waitScan(firstScan);
  assert.is(s.status, 'succeeded');
  assert.is(s.by.startsWith('tok-'), true);
  assert.is(s.trigger, 'api');
  assert.equal(s.counts, { found: 12 + 12 + 4, added: 28, changed: 0, removed: 0 });
  // the scan is as invisible as its account
  assert.is((await h.call('GET', `/v1/scans/${firstScan}`, { token: outsider })).status, 404);
  assert.is((await h.call('GET', `/v1/scans/${firstScan}`, { token: viewer })).status, 200);
  assert.is((await h.call('GET', '/v1/scans/scn-00000000000000000', { token: admin })).status, 404);
  assert.is((await h.call('GET', '/v1/scans/..%2f..%2faccounts', { token: admin })).status, 400);
});

test('assets: viewers read, filters narrow, hostile inputs are 400, out of scope is 404', async () => {
  const get = (q: string, token = viewer) => h.call('GET', `/v1/assets?${q}`, { token });
  const all = await get(`accountId=${acc.id}&limit=500`);
  assert.is(all.status, 200, all.text);
  assert.is(all.body.items.length, 28);
  const types = (q: string) =>
    get(`accountId=${acc.id}&${q}`).then((r) => {
      assert.is(r.status, 200, r.text);
      return r.body.items.map((a: any) => a.type).sort();
    });
  assert.is((await types(`type=${encodeURIComponent('ACS::ECS::Instance')}`)).length, 12);
  assert.is((await types(`regionId=cn-hangzhou&type=${encodeURIComponent('ACS::VPC::VPC')}`)).length, 1);
  assert.is((await types('regionId=cn-shanghai')).length, 0);
  // the tag value holds a ':' itself: the key ends at the first one; all but the route table carry it
  assert.is((await types(`tag=${encodeURIComponent('env:prod:eu')}`)).length, 27);
  assert.is((await types('tag=env')).length, 27);
  assert.is((await types('tag=env:prod')).length, 0);
  const one = await get(`accountId=${acc.id}&q=${net.instanceIds[3]!.slice(2, 12).toUpperCase()}`);
  assert.equal(
    one.body.items.map((a: any) => a.id),
    [net.instanceIds[3]],
  );
  // across accounts in scope (no accountId): only the ones the token sees
  assert.is((await get('limit=500')).body.items.length, 28);
  assert.is((await get('limit=500', outsider)).body.items.length, 0);

  for (const q of [
    'accountId=acc-x',
    `accountId=${acc.id}&type=ACS::ECS::Nope`,
    `accountId=${acc.id}&regionId=CN_HANGZHOU`,
    `accountId=${acc.id}&limit=0`,
    `accountId=${acc.id}&limit=9999`,
    `accountId=${acc.id}&includeDeleted=yes`,
    `accountId=${acc.id}&colour=red`,
    `accountId=${acc.id}&q=${'x'.repeat(200)}`,
    `accountId=${acc.id}&tag=${encodeURIComponent(':v')}`,
    `accountId=${acc.id}&cursor=${encodeURIComponent('not a cursor')}`,
  ]) {
    const r = await get(q);
    assert.is(r.status, 400, `${q} → ${r.status} ${r.text}`);
    assert.is(r.body.error.code, 'ValidationFailed');
  }
  const o = await get(`accountId=${acc.id}`, outsider);
  assert.equal([o.status, o.body.error.code], [404, 'NotFound']);
});

test('cursors page without gaps or repeats and are bound to their filters', async () => {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const r = await h.call(
      'GET',
      `/v1/assets?accountId=${acc.id}&limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token: viewer },
    );
    assert.is(r.status, 200);
    seen.push(...r.body.items.map((a: any) => a.id));
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor);
  assert.is(seen.length, 28);
  assert.is(new Set(seen).size, 28);
  assert.is(pages, 6);
  const first = await h.call('GET', `/v1/assets?accountId=${acc.id}&limit=5&tag=env`, { token: viewer });
  const c = encodeURIComponent(first.body.nextCursor);
  const same = await h.call('GET', `/v1/assets?accountId=${acc.id}&limit=5&tag=env&cursor=${c}`, { token: viewer });
  assert.is(same.status, 200);
  const other = await h.call('GET', `/v1/assets?accountId=${acc.id}&limit=5&tag=team&cursor=${c}`, { token: viewer });
  assert.equal([other.status, other.body.error.details[0].path], [400, 'cursor']);
});

test('one asset: its type URL-encoded, its history; unknown or hostile ones answer 404/400', async () => {
  const type = encodeURIComponent('ACS::ECS::Instance');
  const r = await h.call('GET', `/v1/assets/${type}/${net.instanceIds[0]}?accountId=${acc.id}`, { token: viewer });
  assert.is(r.status, 200, r.text);
  assert.is(r.body.asset.id, net.instanceIds[0]);
  assert.equal(r.body.asset.tags, { env: 'prod:eu' });
  assert.equal(
    r.body.history.map((e: any) => [e.kind, e.scanId]),
    [['added', firstScan]],
  );
  assert.is((await h.call('GET', `/v1/assets/${type}/i-nope?accountId=${acc.id}`, { token: viewer })).status, 404);
  assert.is(
    (await h.call('GET', `/v1/assets/${type}/${net.instanceIds[0]}?accountId=${acc.id}`, { token: outsider })).status,
    404,
  );
  for (const path of [
    `/v1/assets/ACS%3A%3AECS%3A%3ANope/${net.instanceIds[0]}?accountId=${acc.id}`,
    `/v1/assets/${type}/${encodeURIComponent('../../x')}?accountId=${acc.id}`,
    `/v1/assets/${type}/${net.instanceIds[0]}`,
  ])
    assert.is((await h.call('GET', path, { token: viewer })).status, 400, path);
});

test('export: every asset as NDJSON or CSV (formula cells defused); a direct invocation pages with nextCursor', async () => {
  const nd = await h.call('GET', `/v1/assets/export?accountId=${acc.id}&format=ndjson`, { token: viewer });
  assert.is(nd.status, 200);
  assert.match(nd.headers.get('content-type') ?? '', /^application\/x-ndjson/);
  const lines = nd.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.is(lines.length, 28);
  assert.is(nd.headers.get('x-next-cursor'), null);
  const csv = await h.call('GET', `/v1/assets/export?accountId=${acc.id}&format=csv`, { token: viewer });
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
  const rows = csv.text.trim().split('\r\n');
  assert.is(
    rows[0],
    'accountId,regionId,zoneId,type,id,name,status,managedBy,tags,properties,firstSeenAt,lastSeenAt,deletedAt',
  );
  assert.is(rows.length, 29);
  assert.is((await h.call('GET', `/v1/assets/export?accountId=${acc.id}&format=xml`, { token: viewer })).status, 400);
  assert.is((await h.call('GET', `/v1/assets/export?accountId=${acc.id}`, { token: outsider })).status, 404);
  const direct = await h.invoke('inventory', { action: 'assets.export', input: { accountId: acc.id } });
  assert.is(direct.ok, true);
  assert.is(direct.result.rows, 28);
  assert.is(direct.result.data.trim().split('\n').length, 28);
});

test('scans list newest first, by account, with cursors; a deleted scan id is 404', async () => {
  const second = await h.call('POST', '/v1/scans', { token: operator, json: { accountId: acc.id } });
  await h.waitScan(second.body.id);
  const list = await h.call('GET', `/v1/scans?accountId=${acc.id}&limit=1`, { token: viewer });
  assert.is(list.status, 200, list.text);
  assert.equal(
    list.body.items.map((s: any) => s.id),
    [second.body.id],
  );
  const next = await h.call(
    'GET',
    `/v1/scans?accountId=${acc.id}&limit=1&cursor=${encodeURIComponent(list.body.nextCursor)}`,
    { token: viewer },
  );
  assert.equal(
    next.body.items.map((s: any) => s.id),
    [firstScan],
  );
  const mine = await h.call('GET', '/v1/scans', { token: viewer });
  assert.ok(mine.body.items.every((s: any) => s.accountId === acc.id));
  assert.is((await h.call('GET', '/v1/scans', { token: outsider })).body.items.length, 0);
  assert.is((await h.call('GET', `/v1/scans?accountId=${acc.id}`, { token: outsider })).status, 404);
});

test('the timer starts a scan only for due accounts, and never a second one while one runs', async () => {
  const never = await h.account({ regions: ['cn-shanghai'], scanIntervalMinutes: 0 });
  // never scanned: due whatever its interval (a week here, so the second firing finds it not due)
  const due = await h.account({ regions: ['cn-shanghai'], scanIntervalMinutes: 10080 });
  // the account scanned above: a week's interval makes it not due
  const patch = await h.call('PATCH', `/v1/accounts/${acc.id}`, { token: admin, json: { scanIntervalMinutes: 10080 } });
  assert.equal([patch.status, patch.body.scanIntervalMinutes], [200, 10080]);
  const timer = { triggerTime: new Date().toISOString(), triggerName: 'periodic-scan', payload: '{}' };
  const first = await h.invoke('inventory', timer);
  assert.is(first.ok, true, JSON.stringify(first));
  assert.is(first.result.started.length, 1);
  assert.is(first.result.disabled, 1);
  assert.ok(first.result.notDue >= 1);
  const scans = await h.call('GET', `/v1/scans?accountId=${due.id}`, { token: admin });
  assert.equal(
    scans.body.items.map((s: any) => [s.id, s.trigger]),
    [[first.result.started[0], 'timer']],
  );
  assert.is((await h.call('GET', `/v1/scans?accountId=${never.id}`, { token: admin })).body.items.length, 0);
  // at once again: the due account's scan runs (or has just ended): nothing new starts
  const again = await h.invoke('inventory', timer);
  assert.equal(again.result.started, []);
  await h.waitScan(first.result.started[0]);
});

test("a deleted account's assets and scans leave every listing, the admin's unfiltered ones included", async () => {
  const gone = await h.account({ regions: ['cn-hangzhou'] });
  const clock = sandboxClock(h.sb);
  await clock.freeze();
  await buildRegion(clientFor(h.sb, gone.keys), clock, { instances: 2 });
  await clock.unfreeze();
  const started = await h.call('POST', '/v1/scans', { token: admin, json: { accountId: gone.id } });
  assert.is(started.status, 202, JSON.stringify(started.body));
  assert.is((await h.waitScan(started.body.id)).status, 'succeeded');
  const ofGone = async () => {
    const [assets, scans] = await Promise.all([
      h.call('GET', '/v1/assets?limit=500&includeDeleted=true', { token: admin }),
      h.call('GET', '/v1/scans?limit=100', { token: admin }),
    ]);
    return [
      assets.body.items.filter((a: any) => a.accountId === gone.id).length,
      scans.body.items.filter((x: any) => x.accountId === gone.id).length,
    ];
  };
  const before = await ofGone();
  assert.ok(before[0]! > 0 && before[1] === 1, JSON.stringify(before));
  assert.is((await h.call('DELETE', `/v1/accounts/${gone.id}`, { token: admin })).status, 204);
  assert.equal(await ofGone(), [0, 0]);
  assert.is((await h.call('GET', `/v1/scans/${started.body.id}`, { token: admin })).status, 404);
});

test.run();
