/** The audit trail's pure parts: diffs (old → new for plain fields, "changed" for secrets), ids, views. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { actorOf, changeIdFor, changeView, diffAccounts, type ChangeRow } from '../../lib/accounts/changes';
import type { AccountRecord } from '../../lib/accounts/model';

const sealed = (ct: string) => ({ v: 1 as const, kind: 'local' as const, wrappedKey: 'W', iv: 'I', tag: 'T', ct });
const base: AccountRecord = {
  id: 'acc-0123456789abcdef',
  name: 'prod',
  defaultRegion: 'cn-hangzhou',
  groups: ['blue'],
  credential: { type: 'access_key', accessKeyId: 'LTAI5tAbCdEfGhIjKlMnwxyz', accessKeySecret: sealed('SECRET1') },
  credentialRev: 1,
  sshKeys: { 'cn-hangzhou': { keyPairName: 'k1', privateKey: sealed('PEM1') } },
  verification: { status: 'verified', checkedAt: 5 },
  createdAtMs: 1,
  updatedAtMs: 2,
};

test('update diff: old → new for plain fields, only "changed" for the credential and private keys', () => {
  const after: AccountRecord = {
    ...base,
    name: 'production',
    groups: ['blue', 'red'],
    alibabaAccountId: '1234567890123456',
    credential: { type: 'access_key', accessKeyId: 'LTAI5tAbCdEfGhIjKlMnabcd', accessKeySecret: sealed('SECRET2') },
    sshKeys: { 'cn-hangzhou': { keyPairName: 'k1', privateKey: sealed('PEM2') }, 'cn-beijing': { keyPairName: 'k2' } },
    verification: { status: 'failed', checkedAt: 6 },
  };
  const d = diffAccounts(base, after, true);
  assert.equal(d, {
    name: { from: 'prod', to: 'production' },
    alibabaAccountId: { from: null, to: '1234567890123456' },
    groups: { from: ['blue'], to: ['blue', 'red'] },
    credential: 'changed',
    'sshKeys.cn-beijing.keyPairName': { from: null, to: 'k2' },
    'sshKeys.cn-hangzhou.privateKey': 'changed',
    'verification.status': { from: 'verified', to: 'failed' },
  });
  const text = JSON.stringify(d);
  for (const s of ['SECRET', 'PEM', 'LTAI', 'wrappedKey']) assert.not.ok(text.includes(s), s);
});

test('nothing changed → empty diff; unchanged credential is not mentioned', () => {
  assert.equal(diffAccounts(base, { ...base, groups: ['blue'] }, false), {});
});

test('create and delete diffs: from null / to null, secrets only "changed"', () => {
  assert.equal(diffAccounts(undefined, base, true), {
    name: { from: null, to: 'prod' },
    defaultRegion: { from: null, to: 'cn-hangzhou' },
    groups: { from: null, to: ['blue'] },
    credential: 'changed',
    'sshKeys.cn-hangzhou.keyPairName': { from: null, to: 'k1' },
    'sshKeys.cn-hangzhou.privateKey': 'changed',
    'verification.status': { from: null, to: 'verified' },
  });
  const del = diffAccounts(base, undefined, true);
  assert.equal(del.name, { from: 'prod', to: null });
  assert.is(del.credential, 'changed');
  assert.is(del['sshKeys.cn-hangzhou.privateKey'], 'changed');
  assert.is(del['verification.status'], undefined);
});

test('change ids sort like account versions (text order = numeric order)', () => {
  const ids = [1, 2, 9, 10, 99, 100, 12345].map(changeIdFor);
  assert.equal([...ids].sort(), ids);
  assert.is(changeIdFor(7), '000000000007');
});

test('actor and view: who (kind, token, name, role), the compatible fields kept', () => {
  const actor = actorOf({ kind: 'token', role: 'operator', groups: ['blue'], tokenId: 'tok-1', name: 'ci' });
  assert.equal(actor, { kind: 'token', role: 'operator', tokenId: 'tok-1', name: 'ci' });
  assert.equal(actorOf({ kind: 'bootstrap', role: 'admin', groups: [] }), { kind: 'bootstrap', role: 'admin' });
  const row: ChangeRow = {
    accountId: base.id,
    changeId: changeIdFor(3),
    accountVersion: 3,
    atMs: 99,
    what: 'verify',
    by: 'tok-1',
    actor,
    fields: ['verification'],
    diff: {},
    outcome: { status: 'failed', code: 'SignatureDoesNotMatch' },
  };
  assert.equal(changeView(row), {
    id: '000000000003',
    at: 99,
    by: 'tok-1',
    actor,
    what: 'verify',
    fields: ['verification'],
    changes: {},
    outcome: { status: 'failed', code: 'SignatureDoesNotMatch' },
  });
});

test.run();
