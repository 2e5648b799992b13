/**
 * `POST /v1/catalog/{accountId}/regions/{regionId}/key-pairs`: an OpenSSH public key becomes a key
 * pair of the region (ImportKeyPair) and the next listing shows it at once (the cached listing is
 * dropped); a malformed key or an unknown field is 400 before the cloud is asked; a name in use is
 * the cloud's refusal; a viewer may not, and an account outside the token's groups is 404.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPairSync } from 'node:crypto';
import { akCredential, startDomain, type Domain } from '../helpers/domain';

let d: Domain;
let id = '';
const tok: Record<string, string> = {};

/** `ssh-ed25519 <base64> <comment>` from a fresh Ed25519 key (as the console makes one). */
function ed25519Line(comment: string): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]).toString('base64')} ${comment}`;
}

const path = () => `/v1/catalog/${id}/regions/cn-hangzhou/key-pairs`;

test.before(async () => {
  d = await startDomain({ via: 'inprocess' });
  const keys = await d.createSandboxAccount();
  const a = await d.call('POST', '/v1/accounts', {
    token: d.adminToken,
    json: { name: 'keys', groups: ['blue'], credential: akCredential(keys) },
  });
  id = a.body.id;
  for (const role of ['viewer', 'operator'])
    tok[role] = (
      await d.call('POST', '/v1/tokens', { token: d.adminToken, json: { name: role, role, groups: ['blue'] } })
    ).body.token;
  tok.outside = (
    await d.call('POST', '/v1/tokens', {
      token: d.adminToken,
      json: { name: 'red', role: 'operator', groups: ['red'] },
    })
  ).body.token;
});
test.after(async () => d?.close());

test('an operator imports a public key; the cached listing shows it at once with its fingerprint', async () => {
  const before = await d.call('GET', path(), { token: tok.operator });
  assert.is(before.status, 200);
  assert.not.ok(before.body.items.some((k: { keyPairName: string }) => k.keyPairName === 'console-key'));
  const r = await d.call('POST', path(), {
    token: tok.operator,
    json: { keyPairName: 'console-key', publicKeyBody: ed25519Line('me@laptop') },
  });
  assert.is(r.status, 201, r.raw);
  assert.is(r.body.keyPairName, 'console-key');
  assert.match(r.body.fingerprint, /^[0-9a-f]{2}(:[0-9a-f]{2})+$/);
  const after = await d.call('GET', path(), { token: tok.operator });
  const found = after.body.items.find((k: { keyPairName: string }) => k.keyPairName === 'console-key');
  assert.is(found?.fingerprint, r.body.fingerprint);
});

test('the same name again is the cloud refusal, with its code', async () => {
  const r = await d.call('POST', path(), {
    token: tok.operator,
    json: { keyPairName: 'console-key', publicKeyBody: ed25519Line('again') },
  });
  assert.is(r.status, 422, r.raw);
  assert.is(r.body.error.code, 'CloudRejected');
  assert.is(r.body.error.details[0].cloudCode, 'KeyPair.AlreadyExist');
});

test('a malformed key, a bad name or an unknown field is 400, naming the field', async () => {
  for (const [json, field] of [
    [{ keyPairName: 'k1', publicKeyBody: 'not a key' }, 'publicKeyBody'],
    [{ keyPairName: 'k1', publicKeyBody: `${ed25519Line('x')}\nssh-rsa AAAA` }, 'publicKeyBody'],
    [{ keyPairName: '1bad', publicKeyBody: ed25519Line('x') }, 'keyPairName'],
    [{ keyPairName: 'k1', publicKeyBody: ed25519Line('x'), privateKey: 'no' }, 'privateKey'],
    [{ keyPairName: 'k1' }, 'publicKeyBody'],
  ] as const) {
    const r = await d.call('POST', path(), { token: tok.operator, json });
    assert.is(r.status, 400, `${field}: ${r.raw}`);
    assert.is(r.body.error.details[0].path, field);
  }
});

test('a viewer may not (403); a token outside the account groups gets 404; no token 401', async () => {
  const json = { keyPairName: 'k2', publicKeyBody: ed25519Line('x') };
  const viewer = await d.call('POST', path(), { token: tok.viewer, json });
  assert.is(viewer.status, 403, viewer.raw);
  assert.is((await d.call('POST', path(), { token: tok.outside, json })).status, 404);
  assert.is((await d.call('POST', path(), { json })).status, 401);
});

test.run();
