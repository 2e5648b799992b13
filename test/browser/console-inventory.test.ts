/**
 * The console in a real browser, inventory: start a scan and watch its regions, find the server's
 * instance among the assets with its properties, tags and history, see what a second scan changed
 * (the instance was stopped in between), and export the account's assets.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { browserEnv } from '../helpers/browser';
import { startTestHost, type TestHost } from '../helpers/local';
import { api, until } from '../helpers/servers';

const b = browserEnv(import.meta.url);
const it = b.skip ? test.skip : test;
let host: TestHost;
let page: Page;
let accountId = '';
let serverId = '';
let instanceId = '';

test.before(async () => {
  if (b.skip) return;
  host = await startTestHost({ timers: false, env: { FLEET_TIME_SCALE: '0.001' } });
  const keys = await host.sandbox.createAccount();
  const acc = await api(host, 'POST', '/v1/accounts', {
    name: 'scanned',
    defaultRegion: 'cn-hangzhou',
    credential: { type: 'access_key', accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret },
  });
  accountId = acc.body.id;
  const images = await api(host, 'GET', `/v1/catalog/${accountId}/regions/cn-hangzhou/images`);
  const s = await api(host, 'POST', '/v1/servers', {
    accountId,
    regionId: 'cn-hangzhou',
    name: 'db-1',
    instanceType: 'ecs.g6.large',
    imageId: images.body.items.find((i: { osType: string }) => i.osType === 'linux').imageId,
    keyPairName: 'sandbox-cn-hangzhou-1',
    tags: { env: 'prod' },
  });
  serverId = s.body.id;
  instanceId = (await until(host, serverId, (x) => x.status === 'ready', 'ready')).resources.instanceId;
});
test.after(async () => {
  await b.close();
  await host?.close();
});

async function scan(shot: string) {
  await page.getByRole('navigation').getByRole('link', { name: 'Inventory' }).click();
  await page.getByRole('button', { name: 'Start scan' }).click();
  await page.getByRole('heading', { name: 'Scan', exact: true }).waitFor();
  await page.locator('table.regions tbody tr').first().waitFor();
  await b.shot(page, `${shot}-running`);
  await page.locator('.titlebar .badge', { hasText: 'succeeded' }).waitFor({ timeout: 120_000 });
  await page.getByRole('heading', { name: 'What this scan changed' }).waitFor();
}

it('start a scan and watch each region until it succeeds; the instance is among what it added', async () => {
  page = await b.open(host.url);
  await page.getByLabel('API token').fill(host.adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Accounts' }).waitFor();
  await scan('01-scan');
  const regions = await page
    .locator('table.regions tbody tr')
    .evaluateAll((rows) => rows.map((r) => [r.cells[0]!.textContent, r.cells[1]!.textContent]));
  assert.ok(regions.length >= 4, JSON.stringify(regions));
  assert.ok(
    regions.every(([, s]) => s === 'succeeded'),
    JSON.stringify(regions),
  );
  await page.getByRole('link', { name: new RegExp(`Instance ${instanceId}`) }).waitFor();
  await b.shot(page, '02-scan-done');
  b.check(page);
});

it('find the instance with filters, and its properties, tags and history', async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Inventory' }).click();
  await page.getByLabel('Type').selectOption('ACS::ECS::Instance');
  await page.getByLabel('Tag').fill('env:prod');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('link', { name: instanceId }).waitFor();
  assert.is(await page.locator('main table').last().locator('tbody tr').count(), 1, 'only the tagged instance');
  await b.shot(page, '03-assets');
  await page.getByRole('link', { name: instanceId }).click();
  await page.getByRole('heading', { name: 'Properties' }).waitFor();
  await page.getByRole('cell', { name: 'ecs.g6.large' }).waitFor();
  await page.getByRole('cell', { name: serverId }).waitFor(); // the fleet:server tag
  await page.getByRole('link', { name: serverId }).first().waitFor(); // built by that server
  const kinds = await page
    .locator('section:has(h2:text("History")) tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.cells[2]!.textContent));
  assert.equal(kinds, ['added']);
  await b.shot(page, '04-asset');
  b.check(page);
});

it('a second scan after the instance stopped: what changed, and the asset history says so', async () => {
  await api(host, 'POST', `/v1/servers/${serverId}/actions`, { action: 'stop' });
  await until(host, serverId, (x) => x.operation === 'stop' && x.stages[0]?.status === 'done', 'stopped');
  await scan('05-rescan');
  await page.getByRole('button', { name: 'Show what changed' }).click();
  const changed = page.locator('li', { hasText: instanceId }).filter({ hasText: 'Stopped' });
  await changed.first().waitFor();
  assert.match((await changed.first().textContent()) ?? '', /status: Running → Stopped/);
  await b.shot(page, '06-rescan-changes');
  await page
    .getByRole('link', { name: new RegExp(`Instance ${instanceId}`) })
    .first()
    .click();
  await page.getByRole('heading', { name: 'History' }).waitFor();
  const kinds = await page
    .locator('section:has(h2:text("History")) tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.cells[2]!.textContent));
  assert.equal(kinds, ['changed', 'added']);
  await b.shot(page, '07-asset-history');
  b.check(page);
});

it('export the account as CSV: one file with the instance in it', async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Inventory' }).click();
  await page.getByLabel('Account').last().selectOption(accountId);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export' }).click(),
  ]);
  const csv = readFileSync((await download.path())!, 'utf8');
  assert.match(csv.split('\n')[0]!, /^accountId,regionId,zoneId,type,id,name,status/);
  assert.ok(csv.includes(instanceId), 'the instance is exported');
  await page.getByText(/Exported .* KiB/).waitFor();
  b.check(page);
});

test.run();
