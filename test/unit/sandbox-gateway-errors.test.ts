/**
 * The gateway errors of the front door carry the code, HTTP status and message of Alibaba's
 * public (POP gateway) error tables; the sources are listed in lib/sandbox/openapi/README.md.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Errors } from '../../lib/sandbox/openapi/errors';

const row = (e: { code: string; httpStatus: number; message: string }) => [e.code, e.httpStatus, e.message];

test('gateway error rows as documented', () => {
  assert.equal(row(Errors.accessKeyNotFound()), [
    'InvalidAccessKeyId.NotFound',
    404,
    'Specified access key is not found.',
  ]);
  assert.equal(row(Errors.tokenExpired()), [
    'InvalidSecurityToken.Expired',
    400,
    'Specified SecurityToken is expired.',
  ]);
  assert.equal(row(Errors.tokenMalformed()), [
    'InvalidSecurityToken.Malformed',
    400,
    'Specified SecurityToken is malformed.',
  ]);
  assert.equal(row(Errors.tokenMismatch()), [
    'InvalidSecurityToken.MismatchWithAccessKey',
    400,
    'Specified SecurityToken mismatch with the AccessKey.',
  ]);
  assert.equal(row(Errors.timestampExpired('2020-01-01T00:00:00Z')), [
    'InvalidTimeStamp.Expired',
    400,
    'Specified time stamp or date value is expired.',
  ]);
  assert.equal(row(Errors.nonceUsed()), ['SignatureNonceUsed', 400, 'Specified signature nonce was used already.']);
  assert.equal(row(Errors.throttlingUser()), ['Throttling.User', 400, 'Request was denied due to user flow control.']);
  assert.equal(row(Errors.versionNotFound('2099-01-01')), [
    'InvalidVersion',
    400,
    'Specified parameter Version is not valid.',
  ]);
  assert.equal(row(Errors.actionNotFound()), [
    'InvalidAction.NotFound',
    404,
    'Specified api is not found, please check your url and method.',
  ]);
});

test.run();
