import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rpcClient, useTestSandbox, type TestSandbox } from '../helpers/sandbox';
import type { SandboxKeys } from '../../lib/sandbox/server';
import { rejection } from '../helpers/rejection';

let t: TestSandbox;
let a: SandboxKeys;
let b: SandboxKeys;
useTestSandbox(test, async (sb) => {
  t = sb;
  a = await t.createAccount();
  b = await t.createAccount();
});

test('GenerateDataKey / Decrypt round trip under alias/fleet (V3 and V1)', async () => {
  for (const signature of ['v3', 'v1'] as const) {
    const kms = rpcClient(t.endpoint, a, { signature });
    const dk = await kms.call('Kms', 'GenerateDataKey', { KeyId: 'alias/fleet', KeySpec: 'AES_256' });
    assert.match(dk.KeyId, /^[0-9a-f-]{36}$/);
    assert.ok(dk.KeyVersionId);
    assert.is(Buffer.from(dk.Plaintext, 'base64').length, 32);
    const out = await kms.call('Kms', 'Decrypt', { CiphertextBlob: dk.CiphertextBlob });
    assert.is(out.Plaintext, dk.Plaintext);
    assert.is(out.KeyId, dk.KeyId);
    assert.is(out.KeyVersionId, dk.KeyVersionId);
  }
  const kms = rpcClient(t.endpoint, a);
  const small = await kms.call('Kms', 'GenerateDataKey', { KeyId: 'alias/fleet', NumberOfBytes: 16 });
  assert.is(Buffer.from(small.Plaintext, 'base64').length, 16);
  const two = await kms.call('Kms', 'GenerateDataKey', { KeyId: 'alias/fleet' });
  assert.is.not(two.Plaintext, small.Plaintext);
});

test('tampered, foreign or context-mismatched ciphertext is refused', async () => {
  const kms = rpcClient(t.endpoint, a);
  const dk = await kms.call('Kms', 'GenerateDataKey', {
    KeyId: 'alias/fleet',
    EncryptionContext: JSON.stringify({ record: 'acc-1' }),
  });
  const raw = Buffer.from(dk.CiphertextBlob, 'base64');
  raw[raw.length - 1] = (raw[raw.length - 1]! ^ 1) & 0xff;
  const tampered = await rejection(
    kms.call('Kms', 'Decrypt', {
      CiphertextBlob: raw.toString('base64'),
      EncryptionContext: JSON.stringify({ record: 'acc-1' }),
    }),
  );
  assert.is(tampered.code, 'InvalidParameter');
  assert.is(tampered.statusCode, 400);
  const wrongCtx = await rejection(
    kms.call('Kms', 'Decrypt', {
      CiphertextBlob: dk.CiphertextBlob,
      EncryptionContext: JSON.stringify({ record: 'acc-2' }),
    }),
  );
  assert.is(wrongCtx.code, 'InvalidParameter');
  const ok = await kms.call('Kms', 'Decrypt', {
    CiphertextBlob: dk.CiphertextBlob,
    EncryptionContext: JSON.stringify({ record: 'acc-1' }),
  });
  assert.is(ok.Plaintext, dk.Plaintext);
  const foreign = await rejection(
    rpcClient(t.endpoint, b).call('Kms', 'Decrypt', {
      CiphertextBlob: dk.CiphertextBlob,
      EncryptionContext: JSON.stringify({ record: 'acc-1' }),
    }),
  );
  assert.is(foreign.code, 'InvalidParameter');
  const garbage = await rejection(kms.call('Kms', 'Decrypt', { CiphertextBlob: 'bm90IGEgYmxvYg==' }));
  assert.is(garbage.code, 'InvalidParameter');
});

test('CreateKey, Encrypt/Decrypt text, unknown key and alias', async () => {
  const kms = rpcClient(t.endpoint, a);
  const created = await kms.call('Kms', 'CreateKey', { Description: 'second' });
  const keyId = created.KeyMetadata.KeyId;
  assert.is(created.KeyMetadata.KeyState, 'Enabled');
  const enc = await kms.call('Kms', 'Encrypt', { KeyId: keyId, Plaintext: 'hello sandbox' });
  assert.is(enc.KeyId, keyId);
  const dec = await kms.call('Kms', 'Decrypt', { CiphertextBlob: enc.CiphertextBlob });
  assert.is(dec.Plaintext, 'hello sandbox');
  assert.is(dec.KeyId, keyId);
  const nokey = await rejection(kms.call('Kms', 'GenerateDataKey', { KeyId: '00000000-0000-0000-0000-000000000000' }));
  assert.is(nokey.code, 'Forbidden.KeyNotFound');
  assert.is(nokey.statusCode, 404);
  const noalias = await rejection(kms.call('Kms', 'GenerateDataKey', { KeyId: 'alias/none' }));
  assert.is(noalias.code, 'Forbidden.AliasNotFound');
  const desc = await kms.call('Kms', 'DescribeKey', { KeyId: 'alias/fleet' });
  assert.match(desc.KeyMetadata.Arn, `:${a.accountId}:key/`);
});

test.run();
