/**
 * The CLIs' credentials come from @alicloud/credentials' default chain: environment first, then
 * the ~/.alibabacloud profile; nothing found is a clear Unauthenticated, not a stack trace.
 * Each case runs in a child process with its own environment (the chain reads it at load).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'fleet-cred-home-'));
test.after(() => rmSync(home, { recursive: true, force: true }));

function chain(env: Record<string, string>) {
  const code = `import('${join(root, 'lib/cloud/default-credentials.ts')}').then((m) => m.defaultChainCredentials())
    .then((c) => console.log(JSON.stringify({ ok: c })), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })))`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}');
}

test('environment keys are found first', () => {
  const r = chain({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenvkey', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'env-secret' });
  assert.equal(r, { ok: { accessKeyId: 'LTAIenvkey', accessKeySecret: 'env-secret' } });
});

test('the ~/.alibabacloud/credentials profile when the environment has none', () => {
  mkdirSync(join(home, '.alibabacloud'), { recursive: true });
  writeFileSync(
    join(home, '.alibabacloud', 'credentials'),
    '[default]\ntype = access_key\naccess_key_id = LTAIprofilekey\naccess_key_secret = profile-secret\n',
  );
  assert.equal(chain({}), { ok: { accessKeyId: 'LTAIprofilekey', accessKeySecret: 'profile-secret' } });
  rmSync(join(home, '.alibabacloud'), { recursive: true, force: true });
});

test('nothing anywhere: Unauthenticated that says where credentials come from', () => {
  const r = chain({});
  assert.is(r.code, 'Unauthenticated');
  assert.match(r.message, /ALIBABA_CLOUD_ACCESS_KEY_ID/);
});

test.run();
