import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPairSync } from 'node:crypto';
import { AppError } from '../../lib/core/errors';
import { ManualClock } from '../../lib/core/clock';
import { parseInput } from '../../lib/core/validate';
import { CREATE_ACCOUNT, UPDATE_ACCOUNT } from '../../lib/accounts/schema';
import { accountView, maskKeyId, type AccountRecord } from '../../lib/accounts/model';
import { verificationError, verifyCredential } from '../../lib/accounts/verify';
import type { CloudClient } from '../../lib/cloud/types';
import { classify, toCloudAppError } from '../../lib/cloud/errors';

const ak = { type: 'access_key', accessKeyId: 'LTAI5tAbCdEfGhIjKlMnOpQr', accessKeySecret: 'a'.repeat(30) };
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

const problems = (schema: typeof CREATE_ACCOUNT | typeof UPDATE_ACCOUNT, input: unknown) => {
  try {
    parseInput(schema, input);
    return [];
  } catch (e) {
    return (e as AppError).details as { path: string; problem: string }[];
  }
};

test('valid create bodies pass, with every optional field', () => {
  assert.equal(problems(CREATE_ACCOUNT, { name: 'prod', credential: ak }), []);
  assert.equal(
    problems(CREATE_ACCOUNT, {
      name: '  生产 account ',
      alibabaAccountId: '1234567890123456',
      defaultRegion: 'ap-southeast-1',
      groups: ['blue', 'team.ops'],
      credential: { type: 'ram_role', roleArn: 'acs:ram::1234567890123456:role/Fleet-Operator', externalId: 'abc-123' },
      sshKeys: { 'cn-hangzhou': { keyPairName: 'laptop', privateKey: pem }, 'eu-central-1': { keyPairName: 'k2' } },
    }),
    [],
  );
  assert.is(parseInput(CREATE_ACCOUNT, { name: '  x ', credential: ak }).name, 'x');
});

test('each rule names its path', () => {
  const cases: Array<[unknown, string]> = [
    [{ credential: ak }, 'name'],
    [{ name: 'x'.repeat(65), credential: ak }, 'name'],
    [{ name: 'bad\ud800', credential: ak }, 'name'],
    [{ name: 'x', credential: ak, alibabaAccountId: '123' }, 'alibabaAccountId'],
    [{ name: 'x', credential: ak, defaultRegion: 'cn_hangzhou' }, 'defaultRegion'],
    [{ name: 'x', credential: ak, groups: ['a b'] }, 'groups.0'],
    [{ name: 'x', credential: ak, groups: ['a', 'a'] }, 'groups'],
    [{ name: 'x', credential: { ...ak, accessKeyId: 'STS.abcdefghijklmnopqrst' } }, 'credential.accessKeyId'],
    [{ name: 'x', credential: { ...ak, accessKeySecret: 'short' } }, 'credential.accessKeySecret'],
    [{ name: 'x', credential: { type: 'ram_role', roleArn: 'acs:ram::123:role/x' } }, 'credential.roleArn'],
    [{ name: 'x', credential: { type: 'password' } }, 'credential.type'],
    [
      { name: 'x', credential: ak, sshKeys: { 'cn-hangzhou': { keyPairName: '9abc' } } },
      'sshKeys.cn-hangzhou.keyPairName',
    ],
    [
      {
        name: 'x',
        credential: ak,
        sshKeys: { 'cn-hangzhou': { keyPairName: 'k1', privateKey: pem.replace(/[A-Za-z]{8}/, '########') } },
      },
      'sshKeys.cn-hangzhou.privateKey',
    ],
    [
      { name: 'x', credential: ak, sshKeys: { 'cn-hangzhou': { keyPairName: 'k1', privateKey: 'ssh-rsa AAAA' } } },
      'sshKeys.cn-hangzhou.privateKey',
    ],
    [{ name: 'x', credential: ak, sshKeys: { Hangzhou: { keyPairName: 'k1' } } }, 'sshKeys.Hangzhou'],
    [{ name: 'x', credential: ak, color: 'red' }, '(body)'],
  ];
  for (const [input, path] of cases) {
    const ps = problems(CREATE_ACCOUNT, input);
    assert.ok(
      ps.some((p) => p.path === path),
      `${path}: ${JSON.stringify(ps)}`,
    );
    assert.not.ok(JSON.stringify(ps).includes('a'.repeat(30)), 'never the secret');
  }
});

test('PATCH: null clears optional fields, an empty patch is refused', () => {
  assert.equal(
    problems(UPDATE_ACCOUNT, { defaultRegion: null, alibabaAccountId: null, sshKeys: { 'cn-hangzhou': null } }),
    [],
  );
  assert.equal(
    problems(UPDATE_ACCOUNT, {}).map((p) => p.path),
    ['(body)'],
  );
  assert.equal(
    problems(UPDATE_ACCOUNT, { name: null }).map((p) => p.path),
    ['name'],
  );
});

test('names refuse invisible, bidi-override, line-separator and control characters', () => {
  for (const name of [
    '\u200b', // zero-width space (Cf)
    'a\u202eb', // right-to-left override (Cf)
    'a\u2066b', // left-to-right isolate (Cf)
    'a\u2028b', // line separator (Zl)
    'a\u2029b', // paragraph separator (Zp)
    'a\ufeffb', // byte-order mark inside (Cf)
    'a\u00adb', // soft hyphen (Cf)
    'a\u0085b', // next line (Cc)
    'a\u{e0041}b', // tag character (Cf)
    'a\udc00b', // lone low surrogate
    'a\tb',
  ]) {
    const ps = problems(CREATE_ACCOUNT, { name, credential: ak });
    assert.equal(
      ps.map((p) => p.path),
      ['name'],
      JSON.stringify(name),
    );
    assert.match(ps[0]!.problem, /a name/);
    assert.equal(
      problems(UPDATE_ACCOUNT, { name }).map((p) => p.path),
      ['name'],
    );
  }
  for (const name of ['生产 prod', 'café', 'Zoë & co.', 'team-α', '🚀 launch'])
    assert.equal(problems(CREATE_ACCOUNT, { name, credential: ak }), [], name);
});

test('prototype keys in records and bodies are refused, not dropped', () => {
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    for (const [schema, body, path] of [
      [UPDATE_ACCOUNT, `{"sshKeys": {"${key}": {"keyPairName": "kp"}}}`, `sshKeys.${key}`],
      [
        UPDATE_ACCOUNT,
        `{"sshKeys": {"cn-hangzhou": {"keyPairName": "kp", "${key}": {}}}}`,
        `sshKeys.cn-hangzhou.${key}`,
      ],
      [UPDATE_ACCOUNT, `{"name": "x", "${key}": {"name": "y"}}`, key],
      [CREATE_ACCOUNT, `{"name": "x", "credential": {"type": "access_key", "${key}": 1}}`, `credential.${key}`],
    ] as const) {
      const ps = problems(schema, JSON.parse(body));
      assert.ok(
        ps.some((p) => p.path === path && /reserved/.test(p.problem)),
        `${body}: ${JSON.stringify(ps)}`,
      );
    }
  }
});

test('masking and the public view hold no secret', () => {
  assert.is(maskKeyId('LTAI5tAbCdEfGhIjKlMnwxyz'), 'LTAI****wxyz');
  assert.is(maskKeyId('short'), '****');
  const rec: AccountRecord = {
    id: 'acc-0123456789abcdef',
    name: 'n',
    groups: ['g'],
    credential: {
      type: 'access_key',
      accessKeyId: 'LTAI5tAbCdEfGhIjKlMnwxyz',
      accessKeySecret: { v: 1, kind: 'local', wrappedKey: 'W', iv: 'I', tag: 'T', ct: 'C' },
    },
    credentialRev: 1,
    sshKeys: {
      'cn-hangzhou': {
        keyPairName: 'k',
        privateKey: { v: 1, kind: 'local', wrappedKey: 'W', iv: 'I', tag: 'T', ct: 'C' },
      },
    },
    verification: {
      status: 'verified',
      checkedAt: 5,
      identity: { accountId: '1234567890123456', arn: 'acs:ram::1234567890123456:root' },
    },
    createdAtMs: 1,
    updatedAtMs: 2,
  };
  const v = accountView(rec);
  assert.equal(v.credential, { type: 'access_key', accessKeyId: 'LTAI****wxyz' });
  assert.equal(v.sshKeys, { 'cn-hangzhou': { keyPairName: 'k', hasPrivateKey: true } });
  assert.is(v.alibabaAccountId, '1234567890123456');
  assert.equal(Object.keys(v).sort(), [
    'alibabaAccountId',
    'createdAt',
    'credential',
    'defaultRegion',
    'groups',
    'id',
    'name',
    'scanIntervalMinutes',
    'sshKeys',
    'updatedAt',
    'verification',
  ]);
  assert.not.ok(JSON.stringify(v).includes('"ct"'));
});

/** A cloud error as the client layer throws it: classified by lib/cloud/errors. */
const cloudErr = (code: string, action = 'Sts:GetCallerIdentity', data: Record<string, unknown> = {}) =>
  toCloudAppError(classify({ code, statusCode: 400, data: { Code: code, ...data } }, action));
const clientThat = (impl: () => Promise<unknown>, regions: () => Promise<unknown> = async () => []) =>
  ({ sts: { getCallerIdentity: impl }, ecs: { describeRegions: regions } }) as unknown as CloudClient;

test('verification hints users can act on', async () => {
  const clock = new ManualClock(42);
  const cases: Array<[string, RegExp]> = [
    ['InvalidAccessKeyId.NotFound', /AccessKey ID does not exist/],
    ['SignatureDoesNotMatch', /secret is wrong/],
    ['InvalidAccessKeyId.Inactive', /disabled/],
    ['EntityNotExist.Role', /role does not exist/],
    ['NoPermission', /trust policy/],
  ];
  for (const [code, hint] of cases) {
    const v = await verifyCredential(
      clientThat(() => Promise.reject(cloudErr(code))),
      undefined,
      clock,
    );
    assert.is(v.status, 'failed');
    assert.is(v.checkedAt, 42);
    assert.is(v.error?.code, code);
    assert.match(v.error!.hint, hint);
  }
  const ram = verificationError(cloudErr('Forbidden.RAM', 'Ecs:DescribeRegions'));
  assert.equal(ram, {
    code: 'Forbidden.RAM',
    message: 'Alibaba Cloud refused ecs:DescribeRegions for this credential',
    hint: 'the credential lacks the RAM permission ecs:DescribeRegions: attach a RAM policy that allows it',
  });
  // The denied action comes from AccessDeniedDetail (via classify), not from any message text.
  const detail = verificationError(
    cloudErr('Forbidden.RAM', 'Ecs:DescribeInstances', {
      AccessDeniedDetail: { AuthAction: 'ecs:DescribeInstanceStatus' },
      Message: 'ecs:Other is mentioned here',
    }),
  );
  assert.is(detail.message, 'Alibaba Cloud refused ecs:DescribeInstanceStatus for this credential');
  const outage = await verifyCredential(
    clientThat(() => Promise.reject(new AppError('CloudUnavailable', 'down', { retryable: true }))),
    undefined,
    clock,
  );
  assert.is(outage.status, 'unverified');
  const ok = await verifyCredential(
    clientThat(async () => ({
      accountId: '1111111111111111',
      arn: 'acs:ram::1111111111111111:root',
      userId: 'u',
      identityType: 'Account',
    })),
    '2222222222222222',
    clock,
  );
  assert.is(ok.status, 'failed');
  assert.is(ok.error?.code, 'AccountIdMismatch');
  assert.ok(ok.error!.message.includes('1111111111111111') && ok.error!.message.includes('2222222222222222'));
  const id = async () => ({
    accountId: '1111111111111111',
    arn: 'acs:ram::1111111111111111:user/x',
    userId: 'u',
    identityType: 'RAMUser',
  });
  const noEcs = await verifyCredential(
    clientThat(id, () => Promise.reject(cloudErr('Forbidden.RAM', 'Ecs:DescribeRegions'))),
    undefined,
    clock,
  );
  assert.is(noEcs.status, 'failed');
  assert.is(noEcs.identity?.accountId, '1111111111111111');
  assert.match(noEcs.error!.hint, /ecs:DescribeRegions/);
  const ecsDown = await verifyCredential(
    clientThat(id, () => Promise.reject(new AppError('CloudUnavailable', 'down', { retryable: true }))),
    undefined,
    clock,
  );
  assert.is(ecsDown.status, 'verified', 'an ECS outage says nothing about the credential');
  const good = await verifyCredential(clientThat(id), '1111111111111111', clock);
  assert.equal(good, {
    status: 'verified',
    checkedAt: 42,
    identity: { accountId: '1111111111111111', arn: 'acs:ram::1111111111111111:user/x' },
  });
  const bug = await verifyCredential(
    clientThat(() => Promise.reject(new TypeError('x is undefined'))),
    undefined,
    clock,
  );
  assert.equal(bug.error, {
    code: 'Internal',
    message: 'verification failed unexpectedly',
    hint: 'verify again later',
  });
});

test.run();
