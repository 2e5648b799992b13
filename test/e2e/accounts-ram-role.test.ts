/**
 * `ram_role` accounts through the local host's HTTP API (the built bundles in their own
 * processes): the functions assume the user's role with their own function-role session, as on
 * FC (no AccessKey of the user is stored); a role trusting the deployment account verifies and
 * lists; trust-policy and ARN mistakes get hints.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startDomain, type Domain } from '../helpers/domain';
import { rpcClient } from '../helpers/sandbox';

let d: Domain;
let user: { accountId: string };

test.before(async () => {
  d = await startDomain();
  user = await d.createSandboxAccount();
});
test.after(async () => {
  await d?.close();
});

const create = (credential: unknown) =>
  d.call('POST', '/v1/accounts', { token: d.adminToken, json: { name: 'role', credential } });

test('a role that trusts the deployment: verified as the assumed role; regions and key pairs list', async () => {
  const role = await d.admin(`/accounts/${user.accountId}/roles`, {
    name: 'fleet-operator',
    trustedAccountIds: [d.deploymentAccountId],
    externalId: 'ext-123',
  });
  const res = await create({ type: 'ram_role', roleArn: role.arn, externalId: 'ext-123' });
  assert.is(res.status, 201, res.raw);
  assert.equal(res.body.credential, { type: 'ram_role', roleArn: role.arn, hasExternalId: true });
  assert.is(res.body.verification.status, 'verified', JSON.stringify(res.body.verification));
  assert.is(res.body.verification.identity.accountId, user.accountId);
  assert.match(res.body.verification.identity.arn, /assumed-role\/fleet-operator\//);
  const regions = await d.call('GET', `/v1/catalog/${res.body.id}/regions`, { token: d.adminToken });
  assert.is(regions.status, 200, regions.raw);
  assert.ok(regions.body.items.length >= 3);
  assert.ok(
    regions.body.items.some((r: { regionId: string }) => r.regionId === 'cn-hangzhou'),
    regions.raw,
  );
  // A key pair made in the user's account by someone else is listed through the role.
  const seeded = await d.admin(`/accounts/${user.accountId}/access-keys`, { allow: ['*'], userName: 'seeder' });
  await rpcClient(d.sandboxEndpoint, seeded).call('Ecs', 'CreateKeyPair', {
    RegionId: 'cn-hangzhou',
    KeyPairName: 'role-probe',
  });
  const pairs = await d.call('GET', `/v1/catalog/${res.body.id}/regions/cn-hangzhou/key-pairs`, {
    token: d.adminToken,
  });
  assert.is(pairs.status, 200, pairs.raw);
  assert.ok(
    pairs.body.items.some((k: { keyPairName: string }) => k.keyPairName === 'role-probe'),
    pairs.raw,
  );
});

test('a role that does not trust the deployment, a missing role, a wrong external id: failed with hints', async () => {
  const untrusted = await d.admin(`/accounts/${user.accountId}/roles`, { name: 'closed', trustedAccountIds: [] });
  const a = await create({ type: 'ram_role', roleArn: untrusted.arn });
  assert.is(a.status, 201);
  assert.is(a.body.verification.status, 'failed');
  assert.match(a.body.verification.error.hint, /trust policy/);

  const b = await create({ type: 'ram_role', roleArn: `acs:ram::${user.accountId}:role/nope` });
  assert.is(b.body.verification.status, 'failed');
  assert.match(b.body.verification.error.hint, /role does not exist|role ARN/i);

  const withExt = await d.admin(`/accounts/${user.accountId}/roles`, {
    name: 'ext',
    trustedAccountIds: [d.deploymentAccountId],
    externalId: 'right',
  });
  const c = await create({ type: 'ram_role', roleArn: withExt.arn, externalId: 'wrong-one' });
  assert.is(c.body.verification.status, 'failed');
  assert.type(c.body.verification.error.hint, 'string');
  assert.ok(c.body.verification.error.code.length > 0);
});

test('trust removed after the account was verified: verify assumes the role afresh and says failed', async () => {
  const role = await d.admin(`/accounts/${user.accountId}/roles`, {
    name: 'revoked',
    trustedAccountIds: [d.deploymentAccountId],
  });
  const res = await create({ type: 'ram_role', roleArn: role.arn });
  assert.is(res.body.verification.status, 'verified', res.raw);
  const again = await d.call('POST', `/v1/accounts/${res.body.id}/verify`, { token: d.adminToken });
  assert.is(again.body.status, 'verified', again.raw);
  // Same role, no trust any more (the cached STS session would still sign for ~an hour).
  const put = await fetch(`${d.sandboxUrl}/__sandbox/accounts/${user.accountId}/roles/revoked`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ trustedAccountIds: [] }),
  });
  assert.is(put.status, 200, await put.text());
  const v = await d.call('POST', `/v1/accounts/${res.body.id}/verify`, { token: d.adminToken });
  assert.is(v.status, 200, v.raw);
  assert.is(v.body.status, 'failed', v.raw);
  assert.match(v.body.error.hint, /trust policy/);
});

test.run();
