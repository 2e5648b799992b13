/**
 * The invoker's async delay: FC takes at most an hour (`MAX_ASYNC_DELAY_MS`); a longer or
 * negative delay is the caller's bug and fails before anything is sent, never silently shortened.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInvoker, MAX_ASYNC_DELAY_MS } from '../../lib/invoke';

test('delays up to an hour are sent in whole seconds; longer or negative ones are refused unsent', async () => {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(202, { 'x-fc-request-id': 'r-1', 'x-fc-async-task-id': 't-1' });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const invoker = createInvoker({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'AKID', accessKeySecret: 'secret' },
      functionPrefix: 'fleet',
    });
    await invoker.invokeAsync('provision', {}, { delayMs: MAX_ASYNC_DELAY_MS });
    await invoker.invokeAsync('provision', {}, { delayMs: 1500 });
    assert.equal(
      seen.map((h) => h['x-fc-async-delay']),
      ['3600', '2'],
    );
    for (const delayMs of [MAX_ASYNC_DELAY_MS + 1, -1, Number.NaN]) {
      const e = await invoker.invokeAsync('provision', {}, { delayMs }).then(
        () => undefined,
        (err: unknown) => err as { code: string; message: string },
      );
      assert.is(e?.code, 'Internal', String(delayMs));
    }
    assert.is(seen.length, 2, 'refused delays are never sent');
  } finally {
    server.close();
  }
});

test.run();
