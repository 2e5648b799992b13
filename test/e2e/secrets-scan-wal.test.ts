/**
 * The suite's secret scan reads what the sandbox's Tablestore wrote, as it was written: a secret
 * stored in a table and overwritten before the host closed is reported as a leak, though the
 * Tablestore files left at close (compacted) no longer hold it. The host here writes to its own
 * capture dir, so the planted leak never reaches the suite's scan.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as T from '../../lib/store/tables';
import { describeSecret, readSecrets, scanCapture } from '../../scripts/secret-scan';
import { startDomain } from '../helpers/domain';

const dir = mkdtempSync(join(tmpdir(), 'fleet-capture-wal-'));
test.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('a secret written to a table and overwritten before close is still reported, found in the log as written', async () => {
  const suiteDir = process.env.FLEET_CAPTURE_DIR;
  process.env.FLEET_CAPTURE_DIR = dir;
  const d = await startDomain();
  if (suiteDir === undefined) delete process.env.FLEET_CAPTURE_DIR;
  else process.env.FLEET_CAPTURE_DIR = suiteDir;
  // A secret the host is trusted with (an AccessKey secret in a request body) …
  const secret = 'Qw3rTy7uIo9pAs1dFg5hJk2lZx8cVb';
  const res = await d.call('POST', '/v1/accounts', {
    token: d.adminToken,
    json: {
      name: 'wal',
      credential: { type: 'access_key', accessKeyId: 'LTAI5tWalProbe00000000', accessKeySecret: secret },
    },
  });
  assert.ok(res.status < 500, res.raw);
  // … stored in clear by mistake, then overwritten: the table no longer holds it at close.
  const row = { accountId: 'acc-walprobe0000000', key: 'note', value: secret, fetchedAtMs: 0, expiresAtMs: 0 };
  await d.store.put(T.cache, row);
  await d.store.put(T.cache, { ...row, value: 'overwritten' });
  await d.close();

  assert.ok(
    readSecrets(dir).some((s) => s.value === secret),
    'the capture recorded the secret',
  );
  const leaks = scanCapture(dir).leaks.filter((l) => l.secret === describeSecret(secret));
  assert.ok(leaks.length > 0, 'the overwritten secret is reported');
  assert.ok(
    leaks.every((l) => l.where.includes('write-ahead log as written')),
    leaks.map((l) => l.where).join('\n'),
  );
  assert.ok(
    readdirSync(dir).some((n) => n.endsWith('.tablestore')),
    'the compacted files were scanned too, and did not hold it',
  );
});

test.run();
