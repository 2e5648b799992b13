/**
 * The local host's function-role session is renewed when two thirds of its life are gone, not at
 * its end: against a sandbox whose clock (shared with the role) the test moves by hand, so the
 * boundary is exact however slowly the machine runs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FUNCTION_ROLE_DURATION_SECONDS, setUpFunctionRole } from '../../lib/local/function-role';
import { startTestSandbox, virtualClock } from '../helpers/sandbox';

test('the session is kept until two thirds of its life, then a new one is assumed and announced', async () => {
  const clock = virtualClock();
  // 3600 s × 0.01 = 36 s sessions on the test's clock: renewal is due 24 s after the session was asked for.
  const sb = await startTestSandbox({ stsTimeScale: 0.01, clock });
  try {
    const deployment = await sb.createAccount();
    const role = await setUpFunctionRole(sb.sandbox, { deployment }, 'fleet-functions', clock);
    const rotated: string[] = [];
    role.onRotate((c) => rotated.push(c.accessKeyId));
    const first = await role.current();
    const lifeMs = first.expirationAtMs - clock.now(); // Expiration is whole seconds, rounded down
    assert.ok(lifeMs > 35_000 && lifeMs <= FUNCTION_ROLE_DURATION_SECONDS * 1000 * 0.01, `${lifeMs} ms`);
    const renewAt = clock.now() + (2 / 3) * (first.expirationAtMs - clock.now());
    clock.advance(renewAt - clock.now() - 1);
    assert.is((await role.current()).accessKeyId, first.accessKeyId, 'kept until two thirds of its life');
    assert.equal(rotated, []);
    clock.advance(1);
    const second = await role.current();
    assert.is.not(second.accessKeyId, first.accessKeyId, 'renewed once two thirds are gone');
    assert.equal(rotated, [second.accessKeyId]);
    assert.ok(sb.sandbox.core.resolveSecret(second.accessKeyId), 'the new session is live');
    assert.is(role.cached().accessKeyId, second.accessKeyId);
  } finally {
    await sb.close();
  }
});

test.run();
