/**
 * The local host runs functions as FC does: as an STS session of the `fleet-functions` role of
 * the deployment account (assumed by a limited "FC service" key), never with a root key. The
 * session is in `context.credentials` and `ALIBABA_CLOUD_*`, may assume other roles, signs
 * invoke calls, and is rotated (instances recycled) before it expires.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInvoker } from '../../lib/invoke';
import type { DeploymentModel } from '../../lib/local/syaml';
import { localFunction, startTestHost, type TestHost } from '../helpers/local';
import { rpcClient } from '../helpers/sandbox';

const fixtures = mkdtempSync(join(tmpdir(), 'fleet-role-fn-'));
writeFileSync(join(fixtures, 'package.json'), '{"type":"commonjs"}');
writeFileSync(
  join(fixtures, 'index.js'),
  // Secrets never leave the function (the suite's secret scan reads every answer): only digests.
  `const h = (v) => v ? require('node:crypto').createHash('sha256').update(v).digest('hex') : null;
exports.handler = async (event, context) => ({
  pid: process.pid,
  credentials: { accessKeyId: context.credentials.accessKeyId, secret: h(context.credentials.accessKeySecret), token: h(context.credentials.securityToken) },
  env: { id: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID, secret: h(process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET), token: h(process.env.ALIBABA_CLOUD_SECURITY_TOKEN) },
});`,
);
const whoami = localFunction('whoami', { code: fixtures });
const model: DeploymentModel = { region: 'cn-hangzhou', functions: [whoami], routes: [] };

interface Who {
  pid: number;
  credentials: { accessKeyId: string; secret: string | null; token: string | null };
  env: { id?: string; secret: string | null; token: string | null };
}
const sha = (v?: string) => (v ? createHash('sha256').update(v).digest('hex') : null);

let host: TestHost;
const asRoot = (h: TestHost) =>
  createInvoker({ endpoint: h.url, credentials: { ...h.deploymentAccount }, functionPrefix: 'fleet' });
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => (e as { cloud?: { code: string; httpStatus?: number } }).cloud,
  );

test.before(async () => {
  host = await startTestHost({ model, timers: false });
});
test.after(async () => {
  await host?.close();
  rmSync(fixtures, { recursive: true, force: true });
});

test('context.credentials and ALIBABA_CLOUD_* are an STS session of the fleet-functions role', async () => {
  const who = await asRoot(host).invokeSync<Who>('whoami', {});
  const session = await host.functionRole.credentials();
  assert.match(who.credentials.accessKeyId, /^STS\./);
  assert.equal(who.credentials, {
    accessKeyId: session.accessKeyId,
    secret: sha(session.accessKeySecret),
    token: sha(session.securityToken),
  });
  assert.ok(session.securityToken.length > 10);
  assert.equal(who.env, {
    id: session.accessKeyId,
    secret: sha(session.accessKeySecret),
    token: sha(session.securityToken),
  });
  assert.is.not(who.credentials.accessKeyId, host.deploymentAccount.accessKeyId);
  assert.is(host.functionRole.arn, `acs:ram::${host.deploymentAccount.accountId}:role/fleet-functions`);
  const id = await rpcClient(host.sandbox.endpoint, session).call('Sts', 'GetCallerIdentity');
  assert.is(id.IdentityType, 'AssumedRoleUser');
  assert.is(id.AccountId, host.deploymentAccount.accountId);
  assert.match(id.Arn, /:assumed-role\/fleet-functions\//);
});

test('the session may assume a role that trusts the deployment account (a root key may not)', async () => {
  const user = await host.sandbox.createAccount();
  const role = await host.sandbox.createRole(user.accountId, {
    name: 'ops',
    trustedAccountIds: [host.deploymentAccount.accountId],
  });
  const session = await host.functionRole.credentials();
  const assumed = await rpcClient(host.sandbox.endpoint, session).call('Sts', 'AssumeRole', {
    RoleArn: role.arn,
    RoleSessionName: 'probe',
  });
  assert.match(assumed.AssumedRoleUser.Arn, new RegExp(`acs:ram::${user.accountId}:role/ops/probe`));
  const fromRoot = await rpcClient(host.sandbox.endpoint, host.deploymentAccount)
    .call('Sts', 'AssumeRole', { RoleArn: role.arn, RoleSessionName: 'probe' })
    .then(
      () => undefined,
      (err: { code?: string }) => err.code,
    );
  assert.is(fromRoot, 'NoPermission');
});

test('the FC service key may only assume the function role', async () => {
  const e = await rpcClient(host.sandbox.endpoint, host.functionRole.serviceKey)
    .call('Ecs', 'DescribeRegions')
    .then(
      () => undefined,
      (err: { code?: string }) => err.code,
    );
  assert.is(e, 'Forbidden.RAM');
});

test('invoke calls signed with the session (key + token) are accepted; without the token or by the FC service key refused', async () => {
  const session = await host.functionRole.credentials();
  const asRole = createInvoker({ endpoint: host.url, credentials: session, functionPrefix: 'fleet' });
  const again = await asRole.invokeSync<Who>('whoami', {});
  assert.is(again.credentials.accessKeyId, session.accessKeyId);

  const noToken = createInvoker({
    endpoint: host.url,
    credentials: { accessKeyId: session.accessKeyId, accessKeySecret: session.accessKeySecret },
    functionPrefix: 'fleet',
  });
  const e1 = await refusal(noToken.invokeSync('whoami', {}));
  assert.equal(e1 && { code: e1.code, status: e1.httpStatus }, { code: 'InvalidSecurityToken', status: 403 });

  const wrongToken = createInvoker({
    endpoint: host.url,
    credentials: { ...session, securityToken: 'not-the-token' },
    functionPrefix: 'fleet',
  });
  assert.is((await refusal(wrongToken.invokeSync('whoami', {})))?.code, 'InvalidSecurityToken');

  const service = createInvoker({
    endpoint: host.url,
    credentials: host.functionRole.serviceKey,
    functionPrefix: 'fleet',
  });
  const e3 = await refusal(service.invokeSync('whoami', {}));
  assert.equal(e3 && { code: e3.code, status: e3.httpStatus }, { code: 'AccessDenied', status: 403 });
});

test('the session rotates before it expires: new credentials, instances recycled, old pids gone', async () => {
  // 3600 s × 0.0005 = 1.8 s sessions, refreshed after two thirds of their life.
  const fast = await startTestHost({ model, timers: false, stsTimeScale: 0.0005 });
  try {
    const inv = asRoot(fast);
    const first = await inv.invokeSync<Who>('whoami', {});
    const seen = new Set([first.credentials.accessKeyId]);
    let last = first;
    // Rotations come with real time; the bound only turns a host that never rotates into a failure.
    const end = Date.now() + 120_000;
    while (seen.size < 3 && Date.now() < end) {
      const sentAtMs = fast.sandbox.core.now();
      last = await inv.invokeSync<Who>('whoami', {});
      seen.add(last.credentials.accessKeyId);
      // The session handed to the function was live when the call was sent (the host picks it
      // after that, refreshing a third of its life before it ends), however long the call took.
      const key = fast.sandbox.core.state.keys[last.credentials.accessKeyId];
      assert.ok(key?.expiresAtMs && key.expiresAtMs > sentAtMs, 'the session handed to the function had expired');
      assert.is(last.env.id, last.credentials.accessKeyId, 'a new instance gets the new session in its env');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.is(seen.size, 3, 'two rotations');
    assert.is.not(last.pid, first.pid);
    // The first instance was told to exit at the first rotation; a loaded machine may take a moment.
    for (let i = 0; i < 600 && fast.instancePids().includes(first.pid); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.not.ok(fast.instancePids().includes(first.pid));
  } finally {
    await fast.close();
  }
});

test.run();
