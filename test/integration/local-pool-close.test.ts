/**
 * Closing the instance pool while an invocation waits for a slot: the waiter answers HostClosed
 * and no instance is started after close (one was: the woken waiter picked an empty pool and
 * forked a child that nobody killed, which kept the test process alive after its last test).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstancePool } from '../../lib/local/instances';
import { compileWorker } from '../../lib/local/runtime';
import { findRoot } from '../../lib/local/host';
import { localFunction } from '../helpers/local';

const dir = mkdtempSync(join(tmpdir(), 'fleet-pool-close-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('close wakes a waiter for a slot: it answers HostClosed and starts nothing', async () => {
  const code = join(dir, 'fn');
  mkdirSync(code);
  writeFileSync(join(code, 'package.json'), '{"type":"commonjs"}');
  // The gate: an invocation that never ends by itself, so the next one must wait for the slot.
  writeFileSync(join(code, 'index.js'), 'exports.handler = () => new Promise(() => {});\n');
  const workerFile = await compileWorker(findRoot(), join(dir, 'runtime'));
  const fn = localFunction('gate', { code, timeoutSec: 600 });
  const pool = new InstancePool({ workerFile, codeDir: () => code, env: () => ({}), maxInstancesPerFunction: 1 });
  const first = pool.invoke(fn, Buffer.from('{}'), {});
  const second = pool.invoke(fn, Buffer.from('{}'), {});
  assert.is(pool.pids().length, 1, 'one instance, busy');
  await pool.close();
  const [a, b] = await Promise.all([first, second]);
  assert.equal([a.ok, !a.ok && a.errorType], [false, 'ProcessExited']);
  assert.equal([b.ok, !b.ok && b.errorType], [false, 'HostClosed']);
  assert.equal(pool.pids(), [], 'no instance outlives close');
  const late = await pool.invoke(fn, Buffer.from('{}'), {});
  assert.equal([late.ok, !late.ok && late.errorType], [false, 'HostClosed']);
  assert.equal(pool.pids(), [], 'an invocation after close starts nothing');
});

test.run();
