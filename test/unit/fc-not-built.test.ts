/** Placeholder routes check access like the real ones will: 403 for a weak role before the 501. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AppError } from '../../lib/core/errors';
import { createLogger } from '../../lib/core/log';
import { notBuiltActions } from '../../lib/fc/not-built';
import type { CallContext, Principal } from '../../lib/fc/types';

const actions = notBuiltActions('server provisioning', [
  ['servers.create', 'POST', '/v1/servers', 'create servers'],
  ['servers.list', 'GET', '/v1/servers', 'list servers'],
  ['servers.delete', 'DELETE', '/v1/servers/:id', 'delete servers'],
  ['provision.step'],
]);
const log = createLogger({}, { level: 'error', write: () => {} });
const as = (role: Principal['role']): CallContext<never> => ({
  requestId: 'r',
  principal: { kind: role === 'none' ? 'anonymous' : 'token', role, groups: [] },
  deps: undefined as never,
  log,
  deadlineAtMs: Date.now() + 60_000,
});

async function refusal(name: string, role: Principal['role']): Promise<AppError | undefined> {
  const a = actions.find((x) => x.name === name)!;
  try {
    await a.run({}, as(role) as CallContext<any>);
    return undefined;
  } catch (e) {
    return e as AppError;
  }
}
const code = async (name: string, role: Principal['role']) => (await refusal(name, role))?.code ?? 'ok';

test('writes need operate: viewer → Forbidden, operator and admin → NotImplemented', async () => {
  for (const name of ['servers.create', 'servers.delete']) {
    assert.equal(
      [await code(name, 'viewer'), await code(name, 'operator'), await code(name, 'admin'), await code(name, 'none')],
      ['Forbidden', 'NotImplemented', 'NotImplemented', 'Unauthenticated'],
      name,
    );
  }
});

test('a refusal says what the role may not do', async () => {
  assert.is(
    (await refusal('servers.create', 'viewer'))?.message,
    'the viewer role may not create servers (operator or admin)',
  );
});

test('reads need read: viewer → NotImplemented; no role → Unauthenticated', async () => {
  assert.equal(
    [await code('servers.list', 'viewer'), await code('servers.list', 'none')],
    ['NotImplemented', 'Unauthenticated'],
  );
});

test('routes keep their HTTP shape; invoke-only actions have none', () => {
  assert.equal(
    actions.map((a) => a.http ?? null),
    [
      { method: 'POST', path: '/v1/servers' },
      { method: 'GET', path: '/v1/servers' },
      { method: 'DELETE', path: '/v1/servers/:id' },
      null,
    ],
  );
});

test.run();
