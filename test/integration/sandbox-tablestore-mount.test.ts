/**
 * The Tablestore service mounted on the sandbox's one port: the `tablestore` SDK with the keys of
 * sandbox accounts (root, and STS credentials from AssumeRole) on `sandbox.url`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import TableStore from 'tablestore';
import { rpcClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox';

let t: TestSandbox;

const ots = (id: string, secret: string, stsToken?: string): any =>
  new (TableStore as any).Client({
    accessKeyId: id,
    secretAccessKey: secret,
    stsToken,
    endpoint: t.url,
    instancename: 'fleet',
    maxRetries: 0,
  });

test.before(async () => {
  t = await startTestSandbox({ stsTimeScale: 1 });
});
test.after(async () => {
  await t.close();
});

test('tablestore SDK works on the sandbox port with an account root key and with STS credentials', async () => {
  assert.ok(t.sandbox.tablestore, 'lib/sandbox/tablestore is mounted');
  const k = await t.createAccount();
  await ots(k.accessKeyId, k.accessKeySecret).createTable({
    tableMeta: { tableName: 'things', primaryKey: [{ name: 'id', type: 'STRING' }] },
    reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
    tableOptions: { timeToLive: -1, maxVersions: 1 },
  });
  const listed = await ots(k.accessKeyId, k.accessKeySecret).listTable({});
  assert.ok(listed.tableNames.includes('things'));

  const user = await t.admin(`/accounts/${k.accountId}/access-keys`, { allow: ['sts:AssumeRole'] });
  const role = await t.admin(`/accounts/${k.accountId}/roles`, { name: 'Fn' });
  const out = await rpcClient(t.endpoint, user).call('Sts', 'AssumeRole', { RoleArn: role.arn, RoleSessionName: 'fn' });
  const c = out.Credentials;
  const viaSts = await ots(c.AccessKeyId, c.AccessKeySecret, c.SecurityToken).listTable({});
  assert.ok(viaSts.tableNames.includes('things'));

  for (const [id, secret, token] of [
    [k.accessKeyId, 'wrong'],
    ['LTAInotakey0000000000000', 'x'],
    [c.AccessKeyId, c.AccessKeySecret, 'other-token'],
  ] as const) {
    try {
      await ots(id, secret, token).listTable({});
      assert.unreachable(`${id} must be refused`);
    } catch (e: any) {
      assert.ok(e.code === 403 || e.code === 400, `refused with ${e.code}`);
    }
  }
});

test.run();
