/**
 * Secrets at rest, end to end against the sandbox: sealed with KMS data keys (or a local master
 * key), bound to their record and field, so a ciphertext copied into another account's row does
 * not open, and nothing of the secret is stored in clear.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import * as T from '../../lib/store/tables';
import { akCredential, startDomain, type Domain } from '../helpers/domain';

const domains: Domain[] = [];
test.after(async () => {
  await Promise.all(domains.map((d) => d.close()));
});

async function twoAccounts(d: Domain) {
  const k1 = await d.createSandboxAccount();
  const k2 = await d.createSandboxAccount();
  const a = (
    await d.call('POST', '/v1/accounts', { token: d.adminToken, json: { name: 'a', credential: akCredential(k1) } })
  ).body;
  const b = (
    await d.call('POST', '/v1/accounts', { token: d.adminToken, json: { name: 'b', credential: akCredential(k2) } })
  ).body;
  return { k1, k2, a, b };
}

test('KMS: a fresh data key per record; a ciphertext moved to another account does not open', async () => {
  const d = await startDomain({ via: 'inprocess' });
  domains.push(d);
  const { k1, a, b } = await twoAccounts(d);
  const ra = await d.store.get<any>(T.accounts, { id: a.id });
  const rb = await d.store.get<any>(T.accounts, { id: b.id });
  assert.is(ra.credential.accessKeySecret.kind, 'kms');
  assert.is.not(ra.credential.accessKeySecret.wrappedKey, rb.credential.accessKeySecret.wrappedKey);
  assert.not.ok(JSON.stringify(ra).includes(k1.accessKeySecret));
  // B's row now carries A's sealed secret (and A's key id): opening it for B must fail.
  await d.store.update(T.accounts, { id: b.id }, rb.version, { credential: { ...ra.credential } });
  const res = await d.call('GET', `/v1/catalog/${b.id}/regions`, { token: d.adminToken });
  assert.is(res.status, 500);
  assert.is(res.body.error.code, 'Internal');
  assert.not.ok(res.raw.includes(k1.accessKeySecret));
  // A still works: its own record and field.
  assert.is((await d.call('GET', `/v1/catalog/${a.id}/regions`, { token: d.adminToken })).status, 200);
});

test('local master key (no KMS): same record format with kind "local"; the catalog signs with it', async () => {
  const d = await startDomain({ via: 'inprocess', masterKey: randomBytes(32).toString('base64') });
  domains.push(d);
  assert.is(d.secrets?.kind, 'local');
  const { k1, a } = await twoAccounts(d);
  const row = await d.store.get<any>(T.accounts, { id: a.id });
  assert.is(row.credential.accessKeySecret.kind, 'local');
  assert.equal(Object.keys(row.credential.accessKeySecret).sort(), ['ct', 'iv', 'kind', 'tag', 'v', 'wrappedKey']);
  assert.not.ok(JSON.stringify(row).includes(k1.accessKeySecret));
  const res = await d.call('GET', `/v1/catalog/${a.id}/regions/cn-hangzhou/key-pairs`, { token: d.adminToken });
  assert.is(res.status, 200, res.raw);
  assert.is(res.body.items.length, 2);
});

test.run();
