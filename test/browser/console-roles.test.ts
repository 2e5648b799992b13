/**
 * The console in a real browser, roles: an admin mints a viewer token (its secret shown once,
 * then gone from the page); the viewer signs in in a fresh tab and no screen offers a write.
 * The page's answers carry the strict CSP and the other security headers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { browserEnv } from '../helpers/browser';
import { startTestHost, type TestHost } from '../helpers/local';
import { api, until } from '../helpers/servers';

const b = browserEnv(import.meta.url);
const it = b.skip ? test.skip : test;
let host: TestHost;
let admin: Page;
let viewerToken = '';
let accountId = '';
let serverId = '';

/** Buttons and links that would change something: none may show for a viewer. */
const WRITES =
  /^(Add account|Deploy server|Deploy|Verify and audit permissions|Clear catalog cache|Edit|Delete account|Delete…|Use as SSH key|Import private key|Unset|Stop|Start|Reboot|Retry|Release selected|Release all of this account|Start scan|Create token|Revoke.*)$/;

test.before(async () => {
  if (b.skip) return;
  host = await startTestHost({ timers: false, env: { FLEET_TIME_SCALE: '0.001' } });
  const keys = await host.sandbox.createAccount();
  const acc = await api(host, 'POST', '/v1/accounts', {
    name: 'shared',
    groups: ['ops'],
    defaultRegion: 'cn-hangzhou',
    credential: { type: 'access_key', accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret },
  });
  accountId = acc.body.id;
  const types = await api(host, 'GET', `/v1/catalog/${accountId}/regions/cn-hangzhou/images`);
  const image = types.body.items.find((i: { osType: string }) => i.osType === 'linux');
  const s = await api(host, 'POST', '/v1/servers', {
    accountId,
    regionId: 'cn-hangzhou',
    name: 'app-1',
    instanceType: 'ecs.g6.large',
    imageId: image.imageId,
    keyPairName: 'sandbox-cn-hangzhou-1',
  });
  serverId = s.body.id;
  await until(host, serverId, (x) => x.status === 'ready', 'ready');
});
test.after(async () => {
  await b.close();
  await host?.close();
});

it('the page and its assets carry the strict CSP, nosniff, no-referrer and no framing', async () => {
  const res = await host.fetch('/');
  const html = await res.text();
  const csp = res.headers.get('content-security-policy') ?? '';
  for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"])
    assert.ok(csp.includes(d), `${d} in ${csp}`);
  assert.not.match(csp, /unsafe-inline|unsafe-eval/);
  assert.is(res.headers.get('x-content-type-options'), 'nosniff');
  assert.is(res.headers.get('referrer-policy'), 'no-referrer');
  const script = /<script src="(\/assets\/console-[0-9a-f]{12}\.js)"/.exec(html)?.[1];
  assert.ok(script, 'the page loads its script from /assets/');
  const js = await host.fetch(script!);
  assert.is(js.status, 200);
  assert.is(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.is(js.headers.get('x-content-type-options'), 'nosniff');
});

it('an admin mints a viewer token: shown once, then gone from the page', async () => {
  admin = await b.open(host.url);
  await admin.getByLabel('API token').fill(host.adminToken);
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.getByRole('navigation').getByRole('link', { name: 'Tokens' }).click();
  await admin.getByLabel('Name').fill('ops-viewer');
  await admin.getByLabel('Role').selectOption('viewer');
  await admin.getByLabel('Groups').fill('ops');
  await admin.getByRole('button', { name: 'Create token' }).click();
  const once = admin.getByLabel('New token ops-viewer');
  await once.waitFor();
  viewerToken = await once.inputValue();
  assert.match(viewerToken, /^fleet_[0-9a-z]{16}_/);
  await b.shot(admin, '01-token-created');
  await admin.getByRole('button', { name: 'Done' }).click();
  assert.is(await once.count(), 0);
  assert.not.ok((await admin.content()).includes(viewerToken), 'the secret is gone from the page');
  await admin.getByRole('cell', { name: 'ops-viewer', exact: true }).waitFor();
  await b.shot(admin, '02-tokens');
  b.check(admin);
});

async function noWrites(page: Page, where: string) {
  const names = await page
    .locator('main button, main a.button, dialog button')
    .evaluateAll((els) => els.filter((e) => (e as any).offsetParent !== null).map((e) => e.textContent?.trim() ?? ''));
  const writes = names.filter((n) => WRITES.test(n));
  assert.equal(writes, [], `${where} offers a viewer: ${writes.join(', ')}`);
}

it('the viewer signs in in a fresh tab and no screen offers a write control', async () => {
  const page = await b.open(host.url);
  assert.is(
    await page.evaluate(() => (globalThis as any).sessionStorage.getItem('fleet-token')),
    null,
    'a new tab starts signed out',
  );
  await page.getByLabel('API token').fill(viewerToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('ops-viewer · viewer · groups ops').waitFor();
  assert.is(await page.getByRole('navigation').getByRole('link', { name: 'Tokens' }).count(), 0);
  await page.getByRole('link', { name: 'shared' }).waitFor();
  await noWrites(page, 'accounts');
  await b.shot(page, '03-viewer-accounts');

  await page.getByRole('link', { name: 'shared' }).click();
  await page.getByRole('cell', { name: 'sandbox-cn-hangzhou-1' }).waitFor();
  await page
    .getByRole('cell', { name: /create/ })
    .first()
    .waitFor();
  await noWrites(page, 'the account');
  await b.shot(page, '04-viewer-account');

  await page.getByRole('navigation').getByRole('link', { name: 'Servers' }).click();
  await page.getByRole('link', { name: 'app-1' }).click();
  await page.locator('.titlebar .badge', { hasText: 'ready' }).waitFor();
  await noWrites(page, 'the server');
  await b.shot(page, '05-viewer-server');

  for (const [nav, ready] of [
    ['Servers', 'app-1'],
    ['Orphans', 'Look again now'],
    ['Inventory', 'No scans yet.'],
  ] as const) {
    await page.getByRole('navigation').getByRole('link', { name: nav }).click();
    await page.getByText(ready).first().waitFor();
    await noWrites(page, nav);
  }
  await b.shot(page, '06-viewer-inventory');
  await page.goto(`${host.url}/#/tokens`);
  await page.getByRole('heading', { name: 'Not found' }).waitFor();
  await page.goto(`${host.url}/#/servers/new`);
  await page.getByText('Viewers cannot deploy servers.').waitFor();
  await noWrites(page, 'deploy');
  b.check(page);
});

test.run();
