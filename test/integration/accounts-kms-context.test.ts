/**
 * KMS EncryptionContext, against the sandbox's KMS: the data key of an account secret is bound to
 * its record and field by KMS itself (not only by the local AES-GCM AAD), so a wrapped key moved to
 * another record is refused at KMS Decrypt.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as T from '../../lib/store/tables';
import { isAppError } from '../../lib/core/errors';
import { createKmsSecretBox, kmsContext, secretAad, type KmsPort, type SealedSecret } from '../../lib/crypto';
import type { CloudFactory, KmsApi } from '../../lib/cloud/types';
import { akCredential, startDomain, type Domain } from '../helpers/domain';

let d: Domain;
let cloud: CloudFactory;
const aadOf = (id: string) => secretAad('accounts', id, 'credential.accessKeySecret');

test.before(async () => {
  d = await startDomain({ via: 'inprocess', wrapCloud: (f) => (cloud = f) });
});
test.after(async () => {
  await d?.close();
});

async function kmsCode(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    assert.ok(isAppError(e), String(e));
    return e.cloud?.code ?? e.code;
  }
  return assert.unreachable('KMS accepted the blob') as never;
}

test('a stored wrapped key opens only with its own record and field as EncryptionContext', async () => {
  const a = (
    await d.call('POST', '/v1/accounts', {
      token: d.adminToken,
      json: { name: 'a', credential: akCredential(await d.createSandboxAccount()) },
    })
  ).body;
  const b = (
    await d.call('POST', '/v1/accounts', {
      token: d.adminToken,
      json: { name: 'b', credential: akCredential(await d.createSandboxAccount()) },
    })
  ).body;
  const ra = await d.store.get<any>(T.accounts, { id: a.id });
  const sealed = ra.credential.accessKeySecret as SealedSecret;
  assert.is(sealed.kind, 'kms');
  assert.is(sealed.ec, 1);
  const kms: KmsApi = cloud.forFunction().kms;
  const own = await kms.decrypt({ ciphertextBlob: sealed.wrappedKey, encryptionContext: kmsContext(aadOf(a.id)) });
  assert.is(own.plaintext.length, 32);
  // Moved to B (or to another field of A, or asked without a context): KMS itself refuses.
  assert.is(
    await kmsCode(kms.decrypt({ ciphertextBlob: sealed.wrappedKey, encryptionContext: kmsContext(aadOf(b.id)) })),
    'InvalidParameter',
  );
  assert.is(
    await kmsCode(
      kms.decrypt({
        ciphertextBlob: sealed.wrappedKey,
        encryptionContext: kmsContext(secretAad('accounts', a.id, 'sshKeys.cn-hangzhou.privateKey')),
      }),
    ),
    'InvalidParameter',
  );
  assert.is(await kmsCode(kms.decrypt({ ciphertextBlob: sealed.wrappedKey })), 'InvalidParameter');
});

test("moving A's wrapped key into B's row: B's secret does not open, and it is KMS Decrypt that refuses", async () => {
  const kA = await d.createSandboxAccount();
  const a = (
    await d.call('POST', '/v1/accounts', { token: d.adminToken, json: { name: 'a2', credential: akCredential(kA) } })
  ).body;
  const b = (
    await d.call('POST', '/v1/accounts', {
      token: d.adminToken,
      json: { name: 'b2', credential: akCredential(await d.createSandboxAccount()) },
    })
  ).body;
  const ra = await d.store.get<any>(T.accounts, { id: a.id });
  const rb = await d.store.get<any>(T.accounts, { id: b.id });
  const moved: SealedSecret = {
    ...rb.credential.accessKeySecret,
    wrappedKey: ra.credential.accessKeySecret.wrappedKey,
  };

  // The product's own path: B's catalog needs B's secret, which no longer opens (500, nothing leaked).
  await d.store.update(T.accounts, { id: b.id }, rb.version, {
    credential: { ...rb.credential, accessKeySecret: moved },
  });
  const res = await d.call('GET', `/v1/catalog/${b.id}/regions`, { token: d.adminToken });
  assert.is(res.status, 500, res.raw);
  assert.is(res.body.error.code, 'Internal');
  assert.not.ok(res.raw.includes(kA.accessKeySecret));

  // The same open with a box that watches its KMS: the refusal comes from KMS Decrypt (sandbox).
  const real = cloud.forFunction().kms;
  const refused: string[] = [];
  const spy: KmsPort = {
    generateDataKey: (i) => real.generateDataKey(i),
    decrypt: (i) =>
      real.decrypt(i).catch((e) => {
        refused.push(isAppError(e) ? (e.cloud?.code ?? e.code) : 'unknown');
        throw e;
      }),
  };
  const box = createKmsSecretBox(spy, 'alias/fleet');
  try {
    await box.open(moved, aadOf(b.id));
    assert.unreachable('opened a moved key');
  } catch (e) {
    assert.ok(isAppError(e) && e.code === 'Internal', String(e));
  }
  assert.equal(refused, ['InvalidParameter']);
  // A's own secret, in A's record, still opens through the same KMS.
  assert.is(await box.open(ra.credential.accessKeySecret, aadOf(a.id)), kA.accessKeySecret);
  assert.equal(refused, ['InvalidParameter']);
});

test.run();
