/**
 * The local FC invoke API against requests the SDK would never send: a signed request is good
 * once (the same bytes again are refused, even in parallel), only within 15 minutes of its
 * x-acs-date, only when it signs the headers FC requires; a path that is not valid
 * percent-encoding is the caller's 400; an unsigned or oversize body is refused before it is read.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { earlyAnswer, send, sendSigned, signInvoke } from '../helpers/raw-http';
import { startTestHost, type TestHost } from '../helpers/local';

let host: TestHost;
test.before(async () => {
  host = await startTestHost({ timers: false });
});
test.after(async () => {
  await host?.close();
});

const codeOf = (text: string) => (JSON.parse(text) as { Code: string }).Code;
const root = () => host.deploymentAccount;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

test('a signed tokens.create is accepted once: the same request again is SignatureNonceUsed', async () => {
  const create = signInvoke(host.url, root(), {
    fn: 'fleet-settings',
    event: { action: 'tokens.create', input: { name: 'replayed', role: 'admin', groups: [] } },
  });
  const first = await sendSigned(host.url, create);
  assert.is(first.status, 200, first.text);
  assert.is((JSON.parse(first.text) as { ok: boolean }).ok, true);
  for (const _ of [1, 2]) {
    const again = await sendSigned(host.url, create);
    assert.is(again.status, 400);
    assert.is(codeOf(again.text), 'SignatureNonceUsed');
  }
  const list = await host.fetch('/v1/tokens', { token: host.adminToken });
  const names = ((await list.json()) as { items: { name: string }[] }).items.map((t) => t.name);
  assert.equal(
    names.filter((n) => n === 'replayed'),
    ['replayed'],
  );
});

test('the same signed request twice at once: exactly one runs', async () => {
  const health = signInvoke(host.url, root(), { fn: 'fleet-console', event: { action: 'health' } });
  const answers = await Promise.all([sendSigned(host.url, health), sendSigned(host.url, health)]);
  assert.equal(answers.map((a) => a.status).sort(), [200, 400]);
});

test('x-acs-date must be within 15 minutes: 2001 and half an hour ahead are refused', async () => {
  for (const date of ['2001-09-09T01:46:40Z', iso(Date.now() + 30 * 60_000)]) {
    const res = await sendSigned(host.url, signInvoke(host.url, root(), { fn: 'fleet-console', event: {}, date }));
    assert.is(res.status, 400, date);
    assert.is(codeOf(res.text), 'InvalidTimeStamp.Expired', date);
  }
  const fresh = await sendSigned(
    host.url,
    signInvoke(host.url, root(), { fn: 'fleet-console', event: {}, date: iso(Date.now() - 5 * 60_000) }),
  );
  assert.is(fresh.status, 200, fresh.text);
});

test('the signature must cover what FC requires: an empty SignedHeaders, or one without the nonce, is refused', async () => {
  for (const signedHeaders of [[], ['host', 'x-acs-date', 'x-acs-content-sha256', 'x-acs-action', 'x-acs-version']]) {
    const res = await sendSigned(
      host.url,
      signInvoke(host.url, root(), { fn: 'fleet-console', event: {}, signedHeaders }),
    );
    assert.is(res.status, 403, JSON.stringify(signedHeaders));
    assert.is(codeOf(res.text), 'SignatureNotMatch');
  }
});

test('a validly signed path that is not valid percent-encoding is 400 InvalidArgument, not 500', async () => {
  const res = await sendSigned(host.url, signInvoke(host.url, root(), { fn: 'x', rawName: '%E0%A4%A', event: {} }));
  assert.is(res.status, 400, res.text);
  assert.is(codeOf(res.text), 'InvalidArgument');
  const task = await send(host.url, { path: '/2023-03-30/functions/fleet-console/async-tasks/%E0%A4%A' });
  assert.is(task.status, 400);
});

test('x-fc-async-delay is checked against MAX_ASYNC_DELAY_MS (an hour)', async () => {
  for (const [delay, status] of [
    ['3600', 202],
    ['3601', 400],
    ['-1', 400],
    ['1.5', 400],
  ] as const) {
    const s = signInvoke(host.url, root(), { fn: 'fleet-console', event: {}, invocationType: 'Async' });
    const res = await sendSigned(host.url, { ...s, headers: { ...s.headers, 'x-fc-async-delay': delay } });
    assert.is(res.status, status, `${delay}: ${res.text}`);
  }
});

test('an unsigned 31 MB body is refused from its headers, before it is sent', async () => {
  const res = await earlyAnswer(host.url, {
    path: '/2023-03-30/functions/fleet-console/invocations',
    declared: 31 * 1024 * 1024,
    first: 64 * 1024,
  });
  assert.is(res.status, 400);
  assert.is(codeOf(res.text), 'MissingRequiredHeader');
  assert.ok(res.refused, 'the connection is closed: the rest of the body is not read');
  assert.ok(res.pushedAfter < 16 * 1024 * 1024, `pushed ${res.pushedAfter} bytes after the answer`);
});

test('a signed async call whose body outgrows 128 KiB is EntityTooLarge before the rest is sent', async () => {
  const s = signInvoke(host.url, root(), { fn: 'fleet-console', event: {}, invocationType: 'Async' });
  const { 'content-length': _, ...headers } = s.headers;
  const res = await earlyAnswer(host.url, {
    path: s.path,
    headers,
    declared: 1024 * 1024,
    first: 200 * 1024,
    chunked: true,
  });
  assert.is(res.status, 400);
  assert.is(codeOf(res.text), 'EntityTooLarge');
  assert.ok(res.refused);
});

test.run();
