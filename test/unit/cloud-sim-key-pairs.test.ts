import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness } from '../../lib/sandbox/cloud/test-context';
import { fails } from '../helpers/cloud-sim';
import { generateEd25519Public } from '../../lib/sandbox/cloud/ssh-keys';

test('120 key pairs page 50 at a time with TotalCount; PageSize 51 refused', async () => {
  const h = harness();
  for (let i = 0; i < 118; i++) {
    await h.call('Ecs', 'ImportKeyPair', {
      RegionId: 'cn-hangzhou',
      KeyPairName: `k${String(i).padStart(3, '0')}`,
      PublicKeyBody: generateEd25519Public('x').publicKey,
    });
  }
  const names: string[] = [];
  const sizes: number[] = [];
  for (let page = 1; ; page++) {
    const r = await h.call('Ecs', 'DescribeKeyPairs', { RegionId: 'cn-hangzhou', PageNumber: page, PageSize: 50 });
    assert.is(r.TotalCount, 120);
    assert.is(r.PageNumber, page);
    sizes.push(r.KeyPairs.KeyPair.length);
    names.push(...r.KeyPairs.KeyPair.map((k: any) => k.KeyPairName));
    if (page * r.PageSize >= r.TotalCount) break;
  }
  assert.equal(sizes, [50, 50, 20]);
  assert.is(new Set(names).size, 120);
  await fails(h.call('Ecs', 'DescribeKeyPairs', { RegionId: 'cn-hangzhou', PageSize: 51 }), 'InvalidParameter');
  const wild = await h.call('Ecs', 'DescribeKeyPairs', { RegionId: 'cn-hangzhou', KeyPairName: 'k01*' });
  assert.is(wild.TotalCount, 10);
});

test('ImportKeyPair validates body, name uniqueness; CreateKeyPair returns a private key; DeleteKeyPairs', async () => {
  const h = harness();
  const key = generateEd25519Public('me');
  const r = await h.call('Ecs', 'ImportKeyPair', {
    RegionId: 'cn-beijing',
    KeyPairName: 'mine',
    PublicKeyBody: key.publicKey,
  });
  assert.match(r.KeyPairFingerPrint, /^[0-9a-f]{2}(:[0-9a-f]{2}){15}$/);
  await fails(
    h.call('Ecs', 'ImportKeyPair', { RegionId: 'cn-beijing', KeyPairName: 'mine', PublicKeyBody: key.publicKey }),
    'KeyPair.AlreadyExist',
  );
  await fails(
    h.call('Ecs', 'ImportKeyPair', { RegionId: 'cn-beijing', KeyPairName: 'bad', PublicKeyBody: 'ssh-rsa notbase64!' }),
    'InvalidPublicKeyBody.Malformed',
  );
  await fails(h.call('Ecs', 'ImportKeyPair', { RegionId: 'cn-beijing', KeyPairName: 'x' }), 'MissingParameter');
  const c = await h.call('Ecs', 'CreateKeyPair', { RegionId: 'cn-beijing', KeyPairName: 'made' });
  assert.match(c.PrivateKeyBody, /^-----BEGIN RSA PRIVATE KEY-----/);
  const d = await h.call('Ecs', 'DescribeKeyPairs', { RegionId: 'cn-beijing', KeyPairName: 'made' });
  assert.is(d.KeyPairs.KeyPair[0].KeyPairFingerPrint, c.KeyPairFingerPrint);
  assert.match(d.KeyPairs.KeyPair[0].PublicKey, /^ssh-rsa AAAA/);
  await h.call('Ecs', 'DeleteKeyPairs', { RegionId: 'cn-beijing', KeyPairNames: JSON.stringify(['mine', 'made']) });
  const after = await h.call('Ecs', 'DescribeKeyPairs', { RegionId: 'cn-beijing' });
  assert.is(after.TotalCount, 2);
});

test.run();
