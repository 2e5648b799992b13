import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyFaults, newFault, RateLimiter } from '../../lib/sandbox/openapi/faults';
import type { AccountRecord } from '../../lib/sandbox/openapi/state';

const record = (faults: AccountRecord['faults']): AccountRecord =>
  ({ account: {} as never, roles: {}, kms: { keys: {}, aliases: {} }, faults }) as AccountRecord;

async function codeOf(p: Promise<unknown>) {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return `${(e as { code: string }).code}/${(e as { httpStatus: number }).httpStatus}`;
  }
}

test('a rate below 1 fires on the calls the random source selects, and counts only fired calls', async () => {
  const rec = record([newFault({ code: 'ServiceUnavailable', httpStatus: 503, rate: 0.5, count: 2 }, 0)]);
  const rolls = [0.9, 0.1, 0.7, 0.2, 0.3];
  const random = () => rolls.shift()!;
  const out = [];
  for (let i = 0; i < 5; i++) out.push(await codeOf(applyFaults(rec, 'X', random)));
  assert.equal(out, ['ok', 'ServiceUnavailable/503', 'ok', 'ServiceUnavailable/503', 'ok']);
  assert.equal(rec.faults, [], 'used up');
});

test('action filter, default status 400 and messages of known codes', async () => {
  const rec = record([newFault({ action: 'RunInstances', code: 'Throttling.User' }, 0)]);
  assert.is(await codeOf(applyFaults(rec, 'DescribeInstances')), 'ok');
  try {
    await applyFaults(rec, 'RunInstances');
    assert.unreachable();
  } catch (e: any) {
    assert.is(e.code, 'Throttling.User');
    assert.is(e.httpStatus, 400);
    assert.is(e.message, 'Request was denied due to user flow control.');
  }
});

test('invalid faults are refused', () => {
  for (const bad of [
    {},
    { code: '' },
    { code: 'X', rate: -0.1 },
    { code: 'X', httpStatus: 302 },
    { code: 'X', count: 1.5 },
    { latencyMs: -1 },
  ]) {
    assert.throws(() => newFault(bad as never, 0), undefined, JSON.stringify(bad));
  }
});

test('token bucket: burst of perSecond, then refill at perSecond per second; 0 = unlimited', () => {
  const rl = new RateLimiter();
  for (let i = 0; i < 3; i++) rl.take('k', 3, 1000);
  assert.throws(() => rl.take('k', 3, 1000));
  rl.take('k', 3, 1334); // one token back after 1/3 s
  assert.throws(() => rl.take('k', 3, 1334));
  for (let i = 0; i < 100; i++) rl.take('k2', 0, 1000);
});

test('an `after` fault applies only to the answer phase; a `before` one only before the call', async () => {
  const rec = record([
    newFault({ action: 'CreateVpc', code: 'ServiceUnavailable', httpStatus: 503, after: true }, 0),
    newFault({ action: 'DeleteVpc', code: 'InternalError', httpStatus: 500 }, 0),
  ]);
  assert.is(await codeOf(applyFaults(rec, 'CreateVpc', Math.random, 'before')), 'ok', 'the call is carried out');
  assert.is(await codeOf(applyFaults(rec, 'CreateVpc', Math.random, 'after')), 'ServiceUnavailable/503');
  assert.is(await codeOf(applyFaults(rec, 'DeleteVpc', Math.random, 'after')), 'ok');
  assert.is(await codeOf(applyFaults(rec, 'DeleteVpc', Math.random, 'before')), 'InternalError/500');
  assert.throws(() => newFault({ code: 'X', after: 'yes' as never }, 0), /after must be a boolean/);
});

test.run();
