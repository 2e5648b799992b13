/** `scanIntervalMinutes` of an account: 0..10080 whole minutes (0 = never), default 60 in the view, in the trail when changed. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AppError } from '../../lib/core/errors';
import { parseInput } from '../../lib/core/validate';
import { CREATE_ACCOUNT, UPDATE_ACCOUNT } from '../../lib/accounts/schema';
import { accountView, type AccountRecord } from '../../lib/accounts/model';
import { diffAccounts } from '../../lib/accounts/changes';

const ak = { type: 'access_key', accessKeyId: 'LTAI5tAbCdEfGhIjKlMnOpQr', accessKeySecret: 'a'.repeat(30) };
const paths = (schema: typeof CREATE_ACCOUNT | typeof UPDATE_ACCOUNT, input: unknown) => {
  try {
    parseInput(schema, input);
    return [];
  } catch (e) {
    return ((e as AppError).details as { path: string }[]).map((d) => d.path);
  }
};

test('0, 60 and 10080 pass; fractions, negatives, more than a week, strings and null are refused', () => {
  for (const v of [0, 1, 60, 10080]) {
    assert.equal(paths(CREATE_ACCOUNT, { name: 'x', credential: ak, scanIntervalMinutes: v }), []);
    assert.equal(paths(UPDATE_ACCOUNT, { scanIntervalMinutes: v }), []);
  }
  for (const v of [-1, 1.5, 10081, '60', null, Number.NaN, 1e308]) {
    assert.equal(paths(CREATE_ACCOUNT, { name: 'x', credential: ak, scanIntervalMinutes: v }), ['scanIntervalMinutes']);
    assert.equal(paths(UPDATE_ACCOUNT, { scanIntervalMinutes: v }), ['scanIntervalMinutes']);
  }
});

const rec = (over: Partial<AccountRecord> = {}): AccountRecord => ({
  id: 'acc-0123456789abcdef',
  name: 'n',
  groups: [],
  credential: { type: 'ram_role', roleArn: 'acs:ram::1234567890123456:role/x' },
  credentialRev: 1,
  sshKeys: {},
  verification: { status: 'unverified', checkedAt: null },
  createdAtMs: 1,
  updatedAtMs: 1,
  ...over,
});

test('the view says 60 when the account does not say, and the trail records a change', () => {
  assert.is(accountView(rec()).scanIntervalMinutes, 60);
  assert.is(accountView(rec({ scanIntervalMinutes: 0 })).scanIntervalMinutes, 0);
  assert.equal(diffAccounts(rec(), rec({ scanIntervalMinutes: 0 }), false), {
    scanIntervalMinutes: { from: null, to: 0 },
  });
  assert.equal(diffAccounts(rec(), rec(), false), {});
});

test.run();
