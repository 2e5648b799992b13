import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  createKmsSecretBox,
  createLocalSecretBox,
  createSecretBox,
  secretAad,
  type KmsPort,
  type SealedSecret,
} from '../../lib/crypto';

const master = randomBytes(32).toString('base64');
const aad = secretAad('accounts', 'acc-1', 'credential.accessKeySecret');

/** A fake KMS for pure-logic tests: wraps data keys with its own AES key (bound to the EncryptionContext, as KMS does), records calls. */
function fakeKms() {
  const key = randomBytes(32);
  const calls = { generate: 0, decrypt: 0, contexts: [] as Array<Readonly<Record<string, string>> | undefined> };
  const ctxAad = (c: Readonly<Record<string, string>> | undefined) =>
    Buffer.from(JSON.stringify(Object.entries(c ?? {}).sort()));
  const kms: KmsPort = {
    async generateDataKey({ keyId, encryptionContext }) {
      calls.generate++;
      calls.contexts.push(encryptionContext);
      const dk = randomBytes(32);
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      c.setAAD(ctxAad(encryptionContext));
      const ct = Buffer.concat([c.update(dk), c.final(), c.getAuthTag(), iv]);
      return { keyId, plaintext: Buffer.from(dk), ciphertextBlob: ct.toString('base64') };
    },
    async decrypt({ ciphertextBlob, encryptionContext }) {
      calls.decrypt++;
      calls.contexts.push(encryptionContext);
      const raw = Buffer.from(ciphertextBlob, 'base64');
      const iv = raw.subarray(raw.length - 12);
      const tag = raw.subarray(raw.length - 28, raw.length - 12);
      const d = createDecipheriv('aes-256-gcm', key, iv);
      d.setAAD(ctxAad(encryptionContext));
      d.setAuthTag(tag);
      return { plaintext: Buffer.concat([d.update(raw.subarray(0, raw.length - 28)), d.final()]) };
    },
  };
  return { kms, calls };
}

const flip = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  b[0] = b[0]! ^ 1;
  return b.toString('base64');
};

async function rejects(p: Promise<unknown>, code = 'Internal') {
  try {
    await p;
  } catch (e) {
    assert.is((e as { code?: string }).code, code);
    assert.not.match(String((e as Error).message), /secret-value/);
    return;
  }
  assert.unreachable('expected a rejection');
}

for (const [name, make] of [
  ['local', () => ({ box: createLocalSecretBox(master), calls: undefined })],
  [
    'kms',
    () => {
      const f = fakeKms();
      return { box: createKmsSecretBox(f.kms, 'key-1'), calls: f.calls };
    },
  ],
] as const) {
  test(`${name}: round trip, and the ciphertext does not contain the plaintext`, async () => {
    const { box } = make();
    const s = await box.seal('secret-value-ü-🙂', aad);
    assert.is(s.kind, name);
    assert.is(s.v, 1);
    assert.not.ok(JSON.stringify(s).includes('secret-value'));
    assert.is(await box.open(s, aad), 'secret-value-ü-🙂');
  });

  test(`${name}: each field of the record is covered by the tag`, async () => {
    const { box } = make();
    const s = await box.seal('secret-value', aad);
    for (const f of ['ct', 'iv', 'tag', 'wrappedKey'] as const) {
      await rejects(box.open({ ...s, [f]: flip(s[f]) }, aad));
    }
    await rejects(box.open({ ...s, ct: '' }, aad));
  });

  test(`${name}: a ciphertext moved to another record or field does not open`, async () => {
    const { box } = make();
    const s = await box.seal('secret-value', aad);
    await rejects(box.open(s, secretAad('accounts', 'acc-2', 'credential.accessKeySecret')));
    await rejects(box.open(s, secretAad('accounts', 'acc-1', 'sshKeys.cn-hangzhou.privateKey')));
  });

  test(`${name}: a fresh data key and iv for every record`, async () => {
    const { box, calls } = make();
    const a = await box.seal('same', aad);
    const b = await box.seal('same', aad);
    assert.is.not(a.wrappedKey, b.wrappedKey);
    assert.is.not(a.iv, b.iv);
    assert.is.not(a.ct, b.ct);
    if (calls) {
      assert.is(calls.generate, 2);
      assert.is(calls.decrypt, 0, 'sealing never decrypts');
      await box.open(a, aad);
      assert.is(calls.decrypt, 1);
    }
  });
}

test('kms: the data key is bound to the record and field as KMS EncryptionContext', async () => {
  const f = fakeKms();
  const box = createKmsSecretBox(f.kms, 'k');
  const s = await box.seal('secret-value', aad);
  assert.is(s.ec, 1);
  assert.equal(f.calls.contexts, [{ aad }]);
  assert.is(await box.open(s, aad), 'secret-value');
  assert.equal(f.calls.contexts.at(-1), { aad });
  // Another record: KMS is asked with that record's context and refuses the wrapped key.
  const other = secretAad('accounts', 'acc-2', 'credential.accessKeySecret');
  await rejects(box.open(s, other));
  assert.equal(f.calls.contexts.at(-1), { aad: other });
  // Stripping the marker does not downgrade: the context is always sent (a fresh box: no cached key).
  const { ec: _ec, ...stripped } = s;
  assert.is(await createKmsSecretBox(f.kms, 'k').open(stripped as SealedSecret, aad), 'secret-value');
  assert.equal(f.calls.contexts.at(-1), { aad });
});

test('kms: an opened data key is reused for minutes, only for the same wrapped key and binding', async () => {
  const f = fakeKms();
  let now = 1_000_000;
  const box = createKmsSecretBox(f.kms, 'k', () => now);
  const s = await box.seal('secret-value', aad);
  const decrypts = () => f.calls.contexts.length - 1; // the seal's GenerateDataKey is the first
  assert.is(await box.open(s, aad), 'secret-value');
  assert.is(await box.open(s, aad), 'secret-value');
  assert.is(decrypts(), 1, 'the second open needs no KMS call');
  const other = secretAad('accounts', 'acc-2', 'credential.accessKeySecret');
  await rejects(box.open(s, other));
  assert.is(decrypts(), 2, 'another binding is never served from the cache');
  now += 5 * 60_000 + 1;
  assert.is(await box.open(s, aad), 'secret-value');
  assert.is(decrypts(), 3, 'after the TTL KMS is asked again');
  const tampered = { ...s, ct: Buffer.from('x'.repeat(12)).toString('base64') };
  await rejects(box.open(tampered, aad));
});

test('kms: a data key wrapped without a context does not open (no context-less path)', async () => {
  const f = fakeKms();
  const dk = await f.kms.generateDataKey({ keyId: 'k' });
  const key = dk.plaintext;
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update('old-secret'), c.final()]);
  const legacy: SealedSecret = {
    v: 1,
    kind: 'kms',
    keyId: 'k',
    wrappedKey: dk.ciphertextBlob,
    iv: iv.toString('base64'),
    tag: c.getAuthTag().toString('base64'),
    ct: ct.toString('base64'),
  };
  await rejects(createKmsSecretBox(f.kms, 'k').open(legacy, aad));
  assert.equal(f.calls.contexts.at(-1), { aad });
  await rejects(
    createKmsSecretBox(f.kms, 'k').open(legacy, secretAad('accounts', 'acc-2', 'credential.accessKeySecret')),
  );
});

test('kinds do not mix: a local box will not open a kms record', async () => {
  const f = fakeKms();
  const s: SealedSecret = await createKmsSecretBox(f.kms, 'k').seal('x', aad);
  await rejects(createLocalSecretBox(master).open(s, aad));
});

test('another master key cannot open a record', async () => {
  const s = await createLocalSecretBox(master).seal('secret-value', aad);
  await rejects(createLocalSecretBox(randomBytes(32).toString('base64')).open(s, aad));
});

test('config: KMS preferred, master key size checked, nothing configured fails fast', () => {
  const f = fakeKms();
  assert.is(createSecretBox({ kmsKeyId: 'k', masterKey: master }, () => f.kms).kind, 'kms');
  assert.is(createSecretBox({ masterKey: master }).kind, 'local');
  assert.throws(() => createSecretBox({ masterKey: randomBytes(16).toString('base64') }), /32 bytes/);
  assert.throws(() => createSecretBox({}), /FLEET_MASTER_KEY/);
});

test.run();
