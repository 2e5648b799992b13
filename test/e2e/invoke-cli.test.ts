/**
 * `npm run invoke` by hand against a running local host: sync answers, failures exit 1, async
 * queuing with a delay and a task id; and the argument parser refuses what it cannot take.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseInvokeArgs } from '../../scripts/invoke';
import { startTestHost, type TestHost } from '../helpers/local';

let host: TestHost;
const root = join(import.meta.dirname, '../..');

test.before(async () => {
  host = await startTestHost({ timers: false });
});
test.after(async () => host?.close());

/** Runs the CLI as a user would, pointed at the test host's port and data dir. */
function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  env.PORT = String(host.port);
  env.FLEET_DATA_DIR = host.dataDir;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/invoke.ts'), ...args], {
      cwd: root,
      env,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

test('console health answers through the signed invoke API', async () => {
  const r = await cli('console', 'health');
  assert.is(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out), { ok: true, result: { status: 'ok', version: '0.1.0' } });
});

test('an action with input; the full function name works too; {ok: false} exits 1', async () => {
  const ok = await cli('fleet-settings', 'accounts.list', '{}');
  assert.is(ok.code, 0, ok.err);
  assert.equal(JSON.parse(ok.out), { ok: true, result: { items: [] } });
  const bad = await cli('settings', 'accounts.get', '{"id":"acc-0000000000000000"}');
  assert.is(bad.code, 1);
  assert.is(JSON.parse(bad.out).error.code, 'NotFound');
});

test('--async queues it with the task id; the host runs it once', async () => {
  const r = await cli('console', 'health', '--async', '--delay', '0', '--task-id', 'cli-health-1');
  assert.is(r.code, 0, r.err);
  const q = JSON.parse(r.out);
  assert.is(q.queued, true);
  assert.is(q.taskId, 'cli-health-1');
  await host.drainAsync();
  assert.ok(host.asyncTask('cli-health-1'), 'the host knows the task');
});

test('arguments: usage errors, not calls', () => {
  assert.equal(parseInvokeArgs(['console', 'health']), { async: false, fn: 'console', action: 'health' });
  assert.equal(parseInvokeArgs(['fleet-provision', 'x', '{"a":1}', '--async', '--delay', '30']), {
    async: true,
    delayMs: 30_000,
    input: { a: 1 },
    fn: 'provision',
    action: 'x',
  });
  for (const bad of [
    ['console'],
    ['console', 'health', '[1]'],
    ['console', 'health', 'not json'],
    ['console', 'health', '--delay', '5'],
    ['console', 'health', '--async', '--delay', '3601'],
    ['console', 'health', '--async', '--delay'],
    ['console', 'health', '--nope'],
  ]) {
    assert.throws(() => parseInvokeArgs(bad), /usage: npm run invoke/, bad.join(' '));
  }
});

test.run();
