/**
 * `ram_role` accounts through the local host's HTTP API (the built bundles in their own
 * processes): the functions assume the user's role with their own function-role session, as on
 * FC. A role trusting the deployment account verifies and lists; one that does not fails with a hint.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestHost, type TestHost } from '../helpers/local';
import { rpcClient } from '../helpers/sandbox';

let host: TestHost;
let user: { accountId: string };

test.before(async () => {
  host = await startTestHost({ timers: false });
  user = await host.sandbox.createAccount();
});
test.after(async () => {
  await host?.close();
});

const call = async (method: string, path: string, json?: unknown) => {
  const res = await host.fetch(path, { method, token: host.adminToken, ...(json !== undefined ? { json } : {}) });
  const raw = await res.text();
  return { status: res.status, body: raw ? JSON.parse(raw) : undefined, raw };
};

test('a role trusting the deployment account: verified as the assumed role; regions and key pairs list', async () => {
  const role = await host.sandbox.createRole(user.accountId, {
    name: 'fleet-operator',
    trustedAccountIds: [host.deploymentAccount.accountId],
    allow: ['ecs:*'],
  });
  const res = await call('POST', '/v1/accounts', {
    name: 'by-role',
    credential: { type: 'ram_role', roleArn: role.arn },
  });
  assert.is(res.status, 201, res.raw);
  assert.equal(res.body.credential, { type: 'ram_role', roleArn: role.arn, hasExternalId: false });
  assert.is(res.body.verification.status, 'verified', JSON.stringify(res.body.verification));
  assert.is(res.body.verification.identity.accountId, user.accountId);
  assert.match(res.body.verification.identity.arn, /assumed-role\/fleet-operator\//);

  const regions = await call('GET', `/v1/catalog/${res.body.id}/regions`);
  assert.is(regions.status, 200, regions.raw);
  assert.ok(
    regions.body.items.some((r: { regionId: string }) => r.regionId === 'cn-hangzhou'),
    regions.raw,
  );

  const seeded = await host.sandbox.createAccessKey(user.accountId, ['*'], 'seeder');
  await rpcClient(host.sandbox.endpoint, seeded).call('Ecs', 'CreateKeyPair', {
    RegionId: 'cn-hangzhou',
    KeyPairName: 'role-probe',
  });
  const pairs = await call('GET', `/v1/catalog/${res.body.id}/regions/cn-hangzhou/key-pairs`);
  assert.is(pairs.status, 200, pairs.raw);
  assert.ok(
    pairs.body.items.some((k: { keyPairName: string }) => k.keyPairName === 'role-probe'),
    pairs.raw,
  );
});

test('a role that does not trust the deployment account: failed with the trust-policy hint', async () => {
  const closed = await host.sandbox.createRole(user.accountId, { name: 'closed', trustedAccountIds: [] });
  const res = await call('POST', '/v1/accounts', {
    name: 'closed',
    credential: { type: 'ram_role', roleArn: closed.arn },
  });
  assert.is(res.status, 201, res.raw);
  assert.is(res.body.verification.status, 'failed');
  assert.match(res.body.verification.error.hint, /trust policy/);
});

test.run();
