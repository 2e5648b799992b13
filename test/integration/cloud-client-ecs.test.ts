/** ECS wrappers against the sandbox with the real @alicloud/ecs20140526 client: paging, catalog. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateKeyPairSync } from 'node:crypto';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';
import { createCloudFactory, type CloudClient } from '../../lib/cloud/index';
import { systemClock } from '../../lib/core/clock';
import { createLogger } from '../../lib/core/log';
import type { AppError } from '../../lib/core/errors';

let sb: TestSandbox;
let c: CloudClient;

/** An OpenSSH `ssh-ed25519` public key line. */
function sshEd25519(comment: string): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]).toString('base64')} ${comment}`;
}

test.before(async () => {
  sb = await startTestSandbox();
  const acct = await sb.createAccount();
  c = createCloudFactory({
    config: { sandboxEndpoint: sb.endpoint, region: 'cn-hangzhou', functionPrefix: 'fleet' },
    clock: systemClock,
    log: createLogger({}, { write: () => {} }),
    roleCredentials: { accessKeyId: acct.accessKeyId, accessKeySecret: acct.accessKeySecret },
    sleep: async () => {},
  }).forAccount(
    { type: 'access_key', accessKeyId: acct.accessKeyId, accessKeySecret: acct.accessKeySecret },
    { regionId: 'cn-hangzhou' },
  );
});
test.after(async () => {
  await sb?.close();
});

test('key pairs: 120 imported, every one listed across pages of 50', async () => {
  const before = await c.ecs.describeKeyPairs();
  const names: string[] = [];
  for (let batch = 0; batch < 12; batch++) {
    await Promise.all(
      Array.from({ length: 10 }, async (_, j) => {
        const name = `fleet-kp-${String(batch * 10 + j).padStart(3, '0')}`;
        const r = await c.ecs.importKeyPair({ keyPairName: name, publicKeyBody: sshEd25519(name) });
        assert.is(r.keyPairName, name);
        assert.match(r.keyPairFingerPrint, /^[0-9a-f:]{20,}$/i);
        names.push(name);
      }),
    );
  }
  const all = await c.ecs.describeKeyPairs();
  assert.is(all.length, before.length + 120);
  const listed = new Set(all.map((k) => k.keyPairName));
  for (const n of names) assert.ok(listed.has(n), n);
  assert.is(listed.size, all.length, 'no duplicates across pages');
  const filtered = await c.ecs.describeKeyPairs({ keyPairName: 'fleet-kp-11*' });
  assert.equal(
    filtered.map((k) => k.keyPairName).sort(),
    Array.from({ length: 10 }, (_, i) => `fleet-kp-11${i}`),
  );
  const dup = (await c.ecs
    .importKeyPair({ keyPairName: names[0]!, publicKeyBody: sshEd25519('x') })
    .catch((x) => x)) as AppError;
  assert.is(dup.cloud?.code, 'KeyPair.AlreadyExist');
  assert.is((dup.cloud as { kind?: string }).kind, 'conflict');
});

test('catalog calls map Alibaba shapes to camelCase', async () => {
  const zones = await c.ecs.describeZones();
  assert.ok(zones.length >= 2);
  assert.ok(zones.every((z) => z.zoneId.startsWith('cn-hangzhou-')));
  const someType = zones.flatMap((z) => z.availableInstanceTypes)[0];
  assert.ok(someType, 'zones list instance types');
  const avail = await c.ecs.describeAvailableResource({ instanceType: someType! });
  assert.ok(avail.length >= 1);
  assert.equal(
    avail.map((z) => z.zoneId),
    [...avail.map((z) => z.zoneId)].sort(),
  );
  assert.ok(avail.some((z) => z.inStock));
  for (const z of avail) if (z.inStock) assert.is(z.status, 'Available');
  const types = await c.ecs.describeInstanceTypes();
  const t = types.find((x) => x.instanceTypeId === someType);
  assert.ok(t && t.cpuCoreCount > 0 && t.memorySizeGiB > 0);
  const two = await c.ecs.describeInstanceTypes({ instanceTypes: [someType!] });
  assert.equal(
    two.map((x) => x.instanceTypeId),
    [someType],
  );
});

test('images: system images, all pages or the first N; DryRun answers wouldSucceed', async () => {
  const sys = await c.ecs.describeImages({ imageOwnerAlias: 'system' });
  assert.ok(sys.length >= 1);
  assert.ok(sys.every((i) => i.imageId && i.osType));
  const first = await c.ecs.describeImages({ imageOwnerAlias: 'system', limit: 1 });
  assert.is(first.length, 1);
  assert.is(first[0]!.imageId, sys[0]!.imageId);
  assert.ok(sys.length >= 3, `${sys.length} system images`);
  // limit < one page still pages with a fixed page size: no duplicates, same order.
  const firstN = await c.ecs.describeImages({ imageOwnerAlias: 'system', limit: sys.length - 1 });
  assert.equal(
    firstN.map((i) => i.imageId),
    sys.slice(0, sys.length - 1).map((i) => i.imageId),
  );
  const one = await c.ecs.describeImages({ imageId: sys[0]!.imageId });
  assert.equal(
    one.map((i) => i.imageId),
    [sys[0]!.imageId],
  );
  const dry = await c.ecs.describeImages({ imageOwnerAlias: 'system', dryRun: true });
  assert.equal(dry, { wouldSucceed: true });
});

test.run();
