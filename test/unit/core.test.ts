import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AppError, errorBody, isAppError, toAppError } from '../../lib/core/errors';
import { createLogger, redact, registerSecret } from '../../lib/core/log';
import { loadConfig } from '../../lib/core/config';
import { randomId } from '../../lib/core/ids';

test('AppError carries status from its code and a public body without cause', () => {
  const e = new AppError('Conflict', 'account has live servers', { cause: new Error('secret-bearing detail') });
  assert.is(e.status, 409);
  assert.ok(isAppError(e));
  const body = errorBody(e, 'REQ-1');
  assert.equal(body, { error: { code: 'Conflict', message: 'account has live servers', requestId: 'REQ-1' } });
  assert.not.match(JSON.stringify(body), 'secret-bearing');
});

test('unknown errors become Internal without their message', () => {
  const e = toAppError(new Error('db password=hunter2'));
  assert.is(e.code, 'Internal');
  assert.is(e.status, 500);
  assert.not.match(JSON.stringify(errorBody(e, 'r')), 'hunter2');
});

test('redact masks secret-looking fields, registered values and PEM blocks', () => {
  registerSecret('s3cr3tValue9');
  const out = JSON.stringify(
    redact({
      accessKeySecret: 'abc',
      nested: { note: 'value s3cr3tValue9 leaked', privateKey: 'x' },
      pem: '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----',
    }),
  );
  assert.not.match(out, 's3cr3tValue9');
  assert.not.match(out, 'MIIE');
  assert.not.match(out, '"abc"');
  const lines: string[] = [];
  createLogger({}, { write: (l) => lines.push(l) }).info('hello', { authorization: 'Bearer x', n: 1 });
  assert.is(lines.length, 1);
  assert.equal(JSON.parse(lines[0]!).authorization, '[REDACTED]');
  assert.equal(JSON.parse(lines[0]!).n, 1);
});

test('config derives sandbox endpoints and rejects bad numbers', () => {
  const c = loadConfig({ FLEET_SANDBOX_ENDPOINT: '127.0.0.1:9100' });
  assert.is(c.tablestore.endpoint, 'http://127.0.0.1:9100');
  assert.is(c.sandboxEndpoint, '127.0.0.1:9100');
  assert.throws(() => loadConfig({ FLEET_CATALOG_TTL_MS: 'soon' }), /FLEET_CATALOG_TTL_MS/);
});

test('randomId is lower-case base36 of the asked length', () => {
  const id = randomId(20);
  assert.match(id, /^[0-9a-z]{20}$/);
});

test.run();
