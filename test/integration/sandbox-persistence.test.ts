import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpcClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox';

const dataDir = mkdtempSync(join(tmpdir(), 'fleet-sandbox-persist-'));
let t: TestSandbox | undefined;

test.after(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
}

test('accounts, keys, roles, KMS keys, faults and settings survive a restart', async () => {
  t = await startTestSandbox({ dataDir, timeScale: 0.001, stsTimeScale: 1 });
  const root = await t.createAccount();
  const user = await t.admin(`/accounts/${root.accountId}/access-keys`, { allow: ['sts:AssumeRole'] });
  const role = await t.admin(`/accounts/${root.accountId}/roles`, { name: 'Worker' });
  const blob = await rpcClient(t.endpoint, root).call('Kms', 'GenerateDataKey', { KeyId: 'alias/fleet' });
  const assumed = await rpcClient(t.endpoint, user).call('Sts', 'AssumeRole', {
    RoleArn: role.arn,
    RoleSessionName: 'before',
  });
  await t.admin(`/accounts/${root.accountId}/faults`, {
    action: 'DescribeKey',
    code: 'ServiceUnavailable',
    httpStatus: 503,
    count: 5,
  });
  await t.admin(`/accounts/${root.accountId}/resource-center`, { enabled: false });
  await t.admin(`/accounts/${root.accountId}/rate-limit`, { perSecond: 1000 });
  const resourcesBefore = await t.admin(`/accounts/${root.accountId}/resources`);
  await t.close({ keepData: true });
  assert.equal(
    readdirSync(join(dataDir, 'sandbox')).filter((f) => f.startsWith('state.json')),
    ['state.json'],
    'no temp file left behind',
  );

  t = await startTestSandbox({ dataDir, timeScale: 0.001, stsTimeScale: 1 });
  assert.is((await rpcClient(t.endpoint, root).call('Sts', 'GetCallerIdentity')).AccountId, root.accountId);
  assert.is(
    await code(rpcClient(t.endpoint, user).call('Kms', 'DescribeKey', { KeyId: 'alias/fleet' })),
    'Forbidden.RAM',
    'the limited key is still limited',
  );
  const dec = await rpcClient(t.endpoint, root).call('Kms', 'Decrypt', { CiphertextBlob: blob.CiphertextBlob });
  assert.is(dec.Plaintext, blob.Plaintext, 'the KMS master key persisted');
  const sts = {
    accessKeyId: assumed.Credentials.AccessKeyId,
    accessKeySecret: assumed.Credentials.AccessKeySecret,
    securityToken: assumed.Credentials.SecurityToken,
  };
  assert.is(
    (await rpcClient(t.endpoint, sts).call('Sts', 'GetCallerIdentity')).Arn,
    `acs:ram::${root.accountId}:assumed-role/Worker/before`,
  );
  const again = await rpcClient(t.endpoint, user).call('Sts', 'AssumeRole', {
    RoleArn: role.arn,
    RoleSessionName: 'after',
  });
  assert.ok(again.Credentials.AccessKeyId, 'the role persisted');
  assert.is(
    await code(rpcClient(t.endpoint, root).call('Kms', 'DescribeKey', { KeyId: 'alias/fleet' })),
    'ServiceUnavailable',
    'the fault persisted',
  );
  const info = await t.admin(`/accounts/${root.accountId}`);
  assert.is(info.resourceCenterEnabled, false);
  assert.is(info.rateLimitPerSecond, 1000);
  assert.is(info.faults[0].remaining, 4);
  assert.equal(await t.admin(`/accounts/${root.accountId}/resources`), resourcesBefore, 'account.cloud persisted');
});

test('accounts created without the cloud module are seeded when it is mounted', async () => {
  await t?.close({ keepData: true });
  t = await startTestSandbox({ dataDir, cloud: false });
  assert.is(t.sandbox.cloud, false);
  const k = await t.createAccount();
  assert.is(
    await code(rpcClient(t.endpoint, k).call('Ecs', 'DescribeRegions')),
    'InvalidVersion',
    'no ECS without the cloud module',
  );
  await t.close({ keepData: true });
  t = await startTestSandbox({ dataDir });
  const pairs = await rpcClient(t.endpoint, k).call('Ecs', 'DescribeKeyPairs', { RegionId: 'cn-hangzhou' });
  assert.is(pairs.TotalCount, 2);
});

test.run();
