import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classify } from '../../lib/cloud/errors';
import { rpcClient, useTestSandbox, virtualClock, type TestSandbox } from '../helpers/sandbox';
import type { SandboxKeys } from '../../lib/sandbox/server';
import { rejection } from '../helpers/rejection';

// STS lifetimes scaled by 0.001 (DurationSeconds=900 lasts 900 ms) on a clock that moves only
// when the test moves it: a session never expires under a slow call, only when time is advanced.
const clock = virtualClock();
let t: TestSandbox;
let fleet: SandboxKeys;
let customer: SandboxKeys;
let fleetUser: { accessKeyId: string; accessKeySecret: string };
useTestSandbox(
  test,
  async (sb) => {
    t = sb;
    fleet = await t.createAccount();
    customer = await t.createAccount();
    fleetUser = await t.admin(`/accounts/${fleet.accountId}/access-keys`, {
      allow: ['sts:AssumeRole', 'ecs:Describe*'],
      userName: 'fleet-fn',
    });
  },
  { timeScale: 0.001, clock },
);

test('limited key: allowed action works, other actions → Forbidden.RAM 403 naming the action', async () => {
  const c = rpcClient(t.endpoint, fleetUser);
  const id = await c.call('Sts', 'GetCallerIdentity');
  assert.is(id.IdentityType, 'RAMUser');
  assert.is(id.Arn, `acs:ram::${fleet.accountId}:user/fleet-fn`);
  const e = await rejection(c.call('Kms', 'GenerateDataKey', { KeyId: 'alias/fleet' }));
  assert.is(e.code, 'Forbidden.RAM');
  assert.is(e.statusCode, 403);
  assert.is(
    e.data.Message,
    "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
  );
  assert.is(e.accessDeniedDetail.AuthAction, 'kms:GenerateDataKey');
  // Resource Center checks RAM itself: NoPermission 400 in every one of its error tables
  const rc = await rejection(c.call('ResourceCenter', 'SearchResources', {}));
  assert.equal(
    [rc.code, rc.statusCode, rc.data.Message],
    ['NoPermission', 400, 'You are not authorized to perform this operation.'],
  );
  assert.is(rc.accessDeniedDetail.AuthAction, 'resourcecenter:SearchResources');
  const k = classify(rc, 'ResourceCenter:SearchResources');
  assert.equal(
    [k.kind, k.hint],
    ['permission', 'the credential lacks the RAM permission resourcecenter:SearchResources'],
  );
});

test('AssumeRole across accounts with ExternalId; GetCallerIdentity with the STS credentials (V3 and V1)', async () => {
  const role = await t.admin(`/accounts/${customer.accountId}/roles`, {
    name: 'FleetControl',
    trustedAccountIds: [fleet.accountId],
    externalId: 'ext-42',
  });
  assert.is(role.arn, `acs:ram::${customer.accountId}:role/FleetControl`);
  const now = clock.now();
  const out = await rpcClient(t.endpoint, fleetUser).call('Sts', 'AssumeRole', {
    RoleArn: role.arn,
    RoleSessionName: 'fleet.session@1',
    DurationSeconds: 3600,
    ExternalId: 'ext-42',
  });
  assert.match(out.Credentials.AccessKeyId, /^STS\.[A-Za-z0-9]+$/);
  assert.ok(out.Credentials.SecurityToken.length > 100);
  assert.match(out.Credentials.Expiration, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  const exp = Date.parse(out.Credentials.Expiration);
  assert.ok(exp > now + 3600 - 1000 && exp <= now + 3600, 'expiry is DurationSeconds scaled by the STS time scale');
  assert.is(out.AssumedRoleUser.Arn, `acs:ram::${customer.accountId}:role/FleetControl/fleet.session@1`);
  assert.is(out.AssumedRoleUser.AssumedRoleId, `${role.roleId}:fleet.session@1`);

  const sts = {
    accessKeyId: out.Credentials.AccessKeyId,
    accessKeySecret: out.Credentials.AccessKeySecret,
    securityToken: out.Credentials.SecurityToken,
  };
  for (const signature of ['v3', 'v1'] as const) {
    const id = await rpcClient(t.endpoint, sts, { signature }).call('Sts', 'GetCallerIdentity');
    assert.is(id.IdentityType, 'AssumedRoleUser');
    assert.is(id.AccountId, customer.accountId);
    assert.is(id.Arn, `acs:ram::${customer.accountId}:assumed-role/FleetControl/fleet.session@1`);
  }
  // the role's session acts in the customer account (KMS default key there)
  const dk = await rpcClient(t.endpoint, sts).call('Kms', 'GenerateDataKey', { KeyId: 'alias/fleet' });
  assert.is(Buffer.from(dk.Plaintext, 'base64').length, 32);

  // without the token, or with another token → InvalidSecurityToken / MissingSecurityToken
  const e1 = await rejection(
    rpcClient(t.endpoint, { accessKeyId: sts.accessKeyId, accessKeySecret: sts.accessKeySecret }).call(
      'Sts',
      'GetCallerIdentity',
    ),
  );
  assert.is(e1.code, 'MissingSecurityToken');
  const e2 = await rejection(
    rpcClient(t.endpoint, { ...sts, securityToken: 'CAISbogus' }).call('Sts', 'GetCallerIdentity'),
  );
  assert.is(e2.code, 'InvalidSecurityToken.MismatchWithAccessKey');
});

test('STS credentials work until they expire, then InvalidSecurityToken.Expired', async () => {
  await t.admin(`/accounts/${fleet.accountId}/roles`, { name: 'Self' });
  const out = await rpcClient(t.endpoint, fleetUser).call('Sts', 'AssumeRole', {
    RoleArn: `acs:ram::${fleet.accountId}:role/Self`,
    RoleSessionName: 'short',
    DurationSeconds: 900,
  });
  const sts = {
    accessKeyId: out.Credentials.AccessKeyId,
    accessKeySecret: out.Credentials.AccessKeySecret,
    securityToken: out.Credentials.SecurityToken,
  };
  const id = await rpcClient(t.endpoint, sts).call('Sts', 'GetCallerIdentity');
  assert.is(id.AccountId, fleet.accountId);
  assert.ok(
    Date.parse(out.Credentials.Expiration) <= clock.now() + 900,
    'Expiration is never later than the real expiry',
  );
  clock.advance(899); // 900 s × 0.001, less 1 ms
  assert.is((await rpcClient(t.endpoint, sts).call('Sts', 'GetCallerIdentity')).AccountId, fleet.accountId);
  clock.advance(1);
  const e = await rejection(rpcClient(t.endpoint, sts).call('Sts', 'GetCallerIdentity'));
  assert.is(e.code, 'InvalidSecurityToken.Expired');
  assert.is(e.statusCode, 400);
  assert.is(t.sandbox.core.resolveSecret(sts.accessKeyId), undefined, 'Tablestore no longer accepts the key either');
});

test('AssumeRole refusals: root key, untrusted account, wrong ExternalId, bad session name, bad duration, unknown role', async () => {
  const arn = `acs:ram::${customer.accountId}:role/FleetControl`;
  const root = await rejection(
    rpcClient(t.endpoint, fleet).call('Sts', 'AssumeRole', { RoleArn: arn, RoleSessionName: 'ab' }),
  );
  assert.is(root.code, 'NoPermission');
  assert.is(root.statusCode, 403);
  const stranger = await t.createAccount();
  const strangerUser = await t.admin(`/accounts/${stranger.accountId}/access-keys`, { allow: ['sts:*'] });
  const untrusted = await rejection(
    rpcClient(t.endpoint, strangerUser).call('Sts', 'AssumeRole', {
      RoleArn: arn,
      RoleSessionName: 'ab',
      ExternalId: 'ext-42',
    }),
  );
  assert.is(untrusted.code, 'NoPermission');
  const c = rpcClient(t.endpoint, fleetUser);
  assert.is(
    (await rejection(c.call('Sts', 'AssumeRole', { RoleArn: arn, RoleSessionName: 'ab', ExternalId: 'nope' }))).code,
    'NoPermission',
  );
  assert.is(
    (await rejection(c.call('Sts', 'AssumeRole', { RoleArn: arn, RoleSessionName: 'a', ExternalId: 'ext-42' }))).code,
    'InvalidParameter.RoleSessionName',
  );
  assert.is(
    (await rejection(c.call('Sts', 'AssumeRole', { RoleArn: arn, RoleSessionName: 'bad name', ExternalId: 'ext-42' })))
      .code,
    'InvalidParameter.RoleSessionName',
  );
  assert.is(
    (
      await rejection(
        c.call('Sts', 'AssumeRole', {
          RoleArn: arn,
          RoleSessionName: 'ab',
          ExternalId: 'ext-42',
          DurationSeconds: 899,
        }),
      )
    ).code,
    'InvalidParameter.DurationSeconds',
  );
  assert.is(
    (
      await rejection(
        c.call('Sts', 'AssumeRole', {
          RoleArn: arn,
          RoleSessionName: 'ab',
          ExternalId: 'ext-42',
          DurationSeconds: 43201,
        }),
      )
    ).code,
    'InvalidParameter.DurationSeconds',
  );
  const missing = await rejection(
    c.call('Sts', 'AssumeRole', { RoleArn: `acs:ram::${customer.accountId}:role/Nope`, RoleSessionName: 'ab' }),
  );
  assert.is(missing.code, 'EntityNotExist.Role');
  assert.is((await rejection(c.call('Sts', 'AssumeRole', { RoleSessionName: 'ab' }))).code, 'MissingParameter');
  // a user without sts:AssumeRole is refused by RAM first
  const describer = await t.admin(`/accounts/${fleet.accountId}/access-keys`, { allow: ['ecs:Describe*'] });
  assert.is(
    (
      await rejection(
        rpcClient(t.endpoint, describer).call('Sts', 'AssumeRole', { RoleArn: arn, RoleSessionName: 'ab' }),
      )
    ).code,
    'Forbidden.RAM',
  );
});

test('role sessions carry the role permissions (allow list)', async () => {
  await t.admin(`/accounts/${fleet.accountId}/roles`, { name: 'ReadOnly', allow: ['ecs:Describe*'] });
  const out = await rpcClient(t.endpoint, fleetUser).call('Sts', 'AssumeRole', {
    RoleArn: `acs:ram::${fleet.accountId}:role/ReadOnly`,
    RoleSessionName: 'ro',
  });
  const sts = {
    accessKeyId: out.Credentials.AccessKeyId,
    accessKeySecret: out.Credentials.AccessKeySecret,
    securityToken: out.Credentials.SecurityToken,
  };
  const e = await rejection(rpcClient(t.endpoint, sts).call('Kms', 'GenerateDataKey', { KeyId: 'alias/fleet' }));
  assert.is(e.code, 'Forbidden.RAM');
  assert.is(e.accessDeniedDetail.AuthPrincipalType, 'AssumedRoleUser');
});

test.run();
