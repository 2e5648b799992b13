/**
 * The console in a real browser, servers: sign in, add an account in one step (its regions and
 * key pairs appear at once), make a key pair in the browser as its SSH key, deploy a server from the catalog's choices and watch its stages
 * reach `ready`, stop it, delete it with its network. No console error and no failed request.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { browserEnv } from '../helpers/browser';
import { startTestHost, type TestHost } from '../helpers/local';

const b = browserEnv(import.meta.url);
const it = b.skip ? test.skip : test;
let host: TestHost;
let page: Page;
let keys: { accountId: string; accessKeyId: string; accessKeySecret: string };

test.before(async () => {
  if (b.skip) return;
  host = await startTestHost({ timers: false, env: { FLEET_TIME_SCALE: '0.001' } });
  keys = await host.sandbox.createAccount();
});
test.after(async () => {
  await b.close();
  await host?.close();
});

it('sign in with a pasted token: kept in sessionStorage only, never in the URL', async () => {
  page = await b.open(host.url);
  await page.getByLabel('API token').waitFor();
  await b.shot(page, '01-sign-in');
  await page.getByLabel('API token').fill(host.adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Accounts' }).waitFor();
  assert.is(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('fleet-token')), host.adminToken);
  assert.not.ok(page.url().includes(host.adminToken), page.url());
  assert.is(await page.getByLabel('API token').count(), 0, 'the token field is gone');
  await page.getByText('No accounts yet').waitFor();
  await b.shot(page, '02-accounts-empty');
  b.check(page);
});

it('add an account in one step: verified, and its regions and key pairs appear at once', async () => {
  await page.getByRole('link', { name: 'Add account' }).click();
  await page.getByLabel('Name').fill('demo');
  await page.getByLabel('Groups').fill('ops');
  await page.getByLabel('Default region (optional)').fill('cn-hangzhou');
  await page.getByLabel('AccessKey ID').fill(keys.accessKeyId);
  await page.getByLabel('AccessKey secret').fill(keys.accessKeySecret);
  await b.shot(page, '03-add-account');
  await page.getByRole('button', { name: 'Add and verify' }).click();
  await page.getByRole('heading', { name: 'demo' }).waitFor();
  await page.locator('.titlebar .badge', { hasText: 'verified' }).waitFor();
  await page.getByRole('cell', { name: 'Use as SSH key' }).first().waitFor();
  assert.is(await page.getByLabel('Region').inputValue(), 'cn-hangzhou');
  await page
    .getByRole('cell', { name: /update|create/ })
    .first()
    .waitFor();
  assert.not.ok((await page.content()).includes(keys.accessKeySecret), 'the secret is not in the page');
  await b.shot(page, '04-account');
  b.check(page);
});

it('make a key pair in the browser: imported, its private key downloaded and stored as the SSH key', async () => {
  await page.getByLabel('Key pair name').fill('console-key');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Add key pair' }).click(),
  ]);
  const pem = readFileSync((await download.path())!, 'utf8');
  assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.is(download.suggestedFilename(), 'console-key.pem');
  await page.getByText('SSH key in cn-hangzhou: console-key (private key stored)').waitFor();
  await page.getByRole('row', { name: /console-key .* in use/ }).waitFor();
  assert.not.ok((await page.content()).includes(pem.split('\n')[1]!), 'the private key is not in the page');
  await b.shot(page, '04b-key-pair');
  b.check(page);
});

const quota = (vpcsPerRegion: number) =>
  fetch(`${host.sandbox.url}/__sandbox/accounts/${keys.accountId}/quotas`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vpcsPerRegion }),
  }).then((r) => assert.is(r.status, 200));

it('deploy a server from the catalog choices: a refusal shows its code and hint, retry after the fix reaches ready', async () => {
  await quota(0);
  await page.getByRole('navigation').getByRole('link', { name: 'Servers' }).click();
  await page.getByRole('heading', { name: 'Servers' }).waitFor();
  await page.getByText('No servers.').waitFor();
  await page.getByRole('link', { name: 'Deploy server' }).click();
  const type = page.getByLabel('Instance type');
  await page.locator('select[name="instanceType"] option', { hasText: 'ecs.g6.large' }).waitFor({ state: 'attached' });
  await type.selectOption('ecs.g6.large');
  await page.locator('select[name="zoneId"] option', { hasText: 'in stock' }).first().waitFor({ state: 'attached' });
  const linux = await page
    .locator('select[name="imageId"] option', { hasText: /ubuntu/i })
    .first()
    .getAttribute('value');
  await page.getByLabel('Image').selectOption(linux!);
  // The default: the account's SSH key for the region (the pair made above).
  assert.match((await page.getByLabel('Key pair').locator('option:checked').textContent()) ?? '', /console-key/);
  await page.getByLabel('Name', { exact: true }).fill('web-1');
  await b.shot(page, '05-deploy');
  await page.getByRole('button', { name: 'Deploy' }).click();
  await page.getByRole('heading', { name: 'web-1' }).waitFor();
  await b.shot(page, '06-server-building');
  // The VPC quota is full: preflight refuses with Alibaba's code and a hint, shown in place.
  await page.locator('.titlebar .badge', { hasText: 'failed' }).waitFor({ timeout: 60_000 });
  const alert = page.getByRole('alert').first();
  assert.match((await alert.textContent()) ?? '', 'QuotaExceeded.Vpc');
  assert.match((await alert.textContent()) ?? '', /hint: .*shared/);
  await b.shot(page, '07-server-failed');
  await quota(10);
  await page.getByRole('button', { name: 'Retry' }).click();
  await page.locator('.titlebar .badge', { hasText: 'ready' }).waitFor({ timeout: 60_000 });
  assert.is(await page.getByRole('alert').count(), 0, 'the error is gone once the retry succeeded');
  const stages = await page
    .locator('table.timeline tbody tr')
    .evaluateAll((rows) => rows.map((r) => [r.cells[0]!.textContent, r.cells[1]!.textContent]));
  assert.equal(stages, [
    ['preflight', 'done'],
    ['vpc', 'done'],
    ['vswitch', 'done'],
    ['security-group', 'done'],
    ['instance', 'done'],
    ['instance-running', 'done'],
    ['public-ip', 'done'],
    ['route', 'skipped'],
    ['bootstrap', 'skipped'],
    ['ready', 'done'],
  ]);
  await b.shot(page, '08-server-ready');
  b.check(page);
});

it('a power action: stop, and the instance reports Stopped', async () => {
  await page.getByRole('button', { name: 'Stop' }).click();
  await page.getByText('Operation: stop').waitFor();
  await page.getByRole('button', { name: 'Start' }).waitFor({ timeout: 60_000 });
  assert.ok((await page.locator('dl.kv').textContent())?.includes('Stopped'));
  assert.equal(
    await page
      .locator('table.timeline tbody tr')
      .evaluateAll((rows) => rows.map((r) => [r.cells[0]!.textContent, r.cells[1]!.textContent])),
    [['power', 'done']],
  );
  await b.shot(page, '09-server-stopped');
  b.check(page);
});

it('delete it with its network: the stages run and it ends deleted', async () => {
  await page.getByRole('button', { name: 'Delete…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel(/release its network/).check();
  await b.shot(page, '10-delete-confirm');
  await dialog.getByRole('button', { name: 'Delete server' }).click();
  await page.locator('.titlebar .badge', { hasText: 'deleted' }).waitFor({ timeout: 60_000 });
  const stages = await page
    .locator('table.timeline tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.cells[0]!.textContent));
  assert.ok(stages.includes('vpc-delete'), stages.join());
  await b.shot(page, '11-server-deleted');
  await page.getByRole('navigation').getByRole('link', { name: 'Servers' }).click();
  await page.getByText('No servers.').waitFor();
  b.check(page);
});

test.run();
