/**
 * Browser tests: Debian's chromium driven by playwright-core against a local host. Each page is
 * watched: a console error, an uncaught exception, a failed request or an HTTP error answer fails
 * the test (unless the test says it expects that answer). Without chromium the tests are skipped
 * and say why (`skipped: …`, which the runner prints).
 *
 *   const b = browserEnv();                    // b.skip: why the tests cannot run, or undefined
 *   const it = b.skip ? test.skip : test;
 *   const page = await b.open(host.url);      // a fresh tab (its own sessionStorage)
 *   await b.shot(page, 'accounts');           // test/browser/screenshots/<file>-accounts.png
 *   b.check(page);                            // throws with every problem seen in that tab
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.FLEET_CHROMIUM ?? '/usr/bin/chromium';

/** The flags a root user's headless chromium needs on a machine with no network but loopback. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SHOTS = new URL('../browser/screenshots/', import.meta.url).pathname;

export interface BrowserEnv {
  /** Why the browser tests cannot run here (they are skipped), or undefined. */
  skip?: string;
  open(url: string): Promise<Page>;
  shot(page: Page, name: string): Promise<void>;
  /** Throws if the page logged an error, threw, or saw a request fail (or an unexpected HTTP error). */
  check(page: Page): void;
  /** The next HTTP error answers matching `re` (method + path) are expected, not problems. */
  expect(page: Page, re: RegExp): void;
  close(): Promise<void>;
}

const watched = new WeakMap<Page, { problems: string[]; expected: RegExp[] }>();

export function browserEnv(testFile: string): BrowserEnv {
  const skip = existsSync(CHROMIUM)
    ? undefined
    : `${CHROMIUM} not found, so the console's browser tests did not run (install it: apt-get install -y chromium; .ci/run does)`;
  if (skip) process.stdout.write(`skipped: ${basename(testFile)}: ${skip}\n`);
  const prefix = basename(testFile).replace(/\.test\.ts$/, '');
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  return {
    skip,
    async open(url) {
      if (!context) {
        profile = mkdtempSync(join(tmpdir(), 'fleet-chromium-'));
        context = await chromium.launchPersistentContext(profile, {
          executablePath: CHROMIUM,
          headless: true,
          args: CHROMIUM_FLAGS.filter((f) => f !== '--headless'),
          viewport: { width: 1366, height: 860 },
          acceptDownloads: true,
        });
      }
      const page = await context.newPage();
      const w = { problems: [] as string[], expected: [] as RegExp[] };
      watched.set(page, w);
      page.on('console', (m) => {
        // An HTTP error answer is also logged as "Failed to load resource": judged below, by its response.
        if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of/.test(m.text()))
          w.problems.push(`console error: ${m.text()}`);
      });
      page.on('pageerror', (e) => w.problems.push(`uncaught: ${e.message}`));
      page.on('requestfailed', (r) => {
        // A navigation that replaced a running fetch aborts it: that is the page moving on, not a failure.
        if (r.failure()?.errorText !== 'net::ERR_ABORTED')
          w.problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
      });
      page.on('response', (r) => {
        if (r.status() < 400) return;
        const what = `${r.request().method()} ${new URL(r.url()).pathname}`;
        const i = w.expected.findIndex((re) => re.test(what));
        if (i >= 0) w.expected.splice(i, 1);
        else w.problems.push(`HTTP ${r.status()}: ${what}`);
      });
      await page.goto(url);
      return page;
    },
    async shot(page, name) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, `${prefix}-${name}.png`), fullPage: true });
    },
    check(page) {
      const w = watched.get(page);
      if (w?.problems.length) throw new Error(`the page had problems:\n  ${w.problems.join('\n  ')}`);
    },
    expect(page, re) {
      watched.get(page)?.expected.push(re);
    },
    async close() {
      await context?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    },
  };
}
