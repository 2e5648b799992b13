/**
 * Requests that arrive while the host is still starting (port open, tables being created) are
 * answered once it is ready, not left hanging. A regression test: they used to hang forever.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestHost, type TestHost } from '../helpers/local';
import { freePort } from '../helpers/free-port';

let host: TestHost | undefined;
test.after(async () => {
  await host?.close();
});

test('a request during start-up waits for readiness and is answered', async () => {
  const port = await freePort();
  let done = false;
  const starting = startTestHost({ port, timers: false }).then((h) => {
    host = h;
    done = true;
    return h;
  });
  const outcomes: string[] = [];
  // Poll from the first moment: each try is refused (not listening yet) or answered, never stuck
  // (a try still open after 2 minutes counts as stuck: start-up on a loaded machine takes seconds).
  while (!done) {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(120_000) }).then(
      async (res) => `answered ${res.status} ${JSON.stringify(await res.json())}`,
      (e: Error) => (e.name === 'TimeoutError' ? 'hung' : 'refused'),
    );
    outcomes.push(r);
    if (r === 'hung') break;
    await new Promise((res) => setTimeout(res, 5));
  }
  await starting;
  assert.not.ok(outcomes.includes('hung'), outcomes.join('\n'));
  assert.ok(outcomes.length > 1, 'polled during start-up');
  const last = await host!.fetch('/healthz');
  assert.is(last.status, 200);
});

test.run();
