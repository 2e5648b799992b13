import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseQuery } from '../../lib/catalog/query';

const rules = {
  accountId: { re: /^acc-[0-9a-z]{16}$/, problem: 'bad account' },
  regionId: { re: /^[a-z]{2}(-[a-z0-9]+){1,3}$/, problem: 'bad region' },
  zoneId: { re: /^[a-z]{2}(-[a-z0-9]+){1,4}$/, problem: 'bad zone', optional: true },
};

const details = (input: unknown) => {
  try {
    parseQuery(rules, input);
    return [];
  } catch (e) {
    assert.is((e as { code: string }).code, 'ValidationFailed');
    return (e as { details: unknown[] }).details;
  }
};

test('good parameters pass; extras are ignored; optional may be absent or empty', () => {
  assert.equal(parseQuery(rules, { accountId: 'acc-0123456789abcdef', regionId: 'cn-hangzhou', extra: '1' }), {
    accountId: 'acc-0123456789abcdef',
    regionId: 'cn-hangzhou',
  });
  assert.equal(
    parseQuery(rules, { accountId: 'acc-0123456789abcdef', regionId: 'cn-hangzhou', zoneId: '' }).zoneId,
    undefined,
  );
});

test('every bad parameter is reported with its path; values are not echoed', () => {
  assert.equal(details({}), [
    { path: 'accountId', problem: 'is required' },
    { path: 'regionId', problem: 'is required' },
  ]);
  assert.equal(details({ accountId: 'acc-X', regionId: 'CN', zoneId: 5 }), [
    { path: 'accountId', problem: 'bad account' },
    { path: 'regionId', problem: 'bad region' },
    { path: 'zoneId', problem: 'bad zone' },
  ]);
  assert.equal(details({ accountId: 'acc-0123456789abcdef', regionId: `cn-${'a'.repeat(200)}` }), [
    { path: 'regionId', problem: 'bad region' },
  ]);
  assert.equal(details(null).length, 2);
});

test.run();
