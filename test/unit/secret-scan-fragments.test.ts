/**
 * The secret scan finds fragments, not only whole secrets: a 10-char window of a secret in a log
 * line or a JSON.parse-style 400 body is a leak, while the masked id (`LTAI****wxyz`), a masked
 * secret (first and last 4), filler runs, a token's public record id and a key's public half are
 * not. In a 3 MiB corpus with 200 secrets the one planted fragment is found and nothing else
 * (the scan's speed is a figure of `npm run bench`, scripts/bench-tools.ts).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FRAGMENT, fragmentsOf, scanCapture } from '../../scripts/secret-scan';

const SECRET = 'kR7vQ2mXwP9tLs4Hc8Ny1BzF6gJd0A'; // shaped like an AccessKey secret (30 chars)
const dirs: string[] = [];
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function corpus(secrets: string[], records: unknown[]) {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-scan-frag-'));
  dirs.push(dir);
  writeFileSync(join(dir, '1-1.secrets.jsonl'), secrets.map((v) => `${JSON.stringify({ v, src: 'test' })}\n`).join(''));
  writeFileSync(join(dir, '1-1.traffic.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return dir;
}
const answer = (b: string, s = 200) => ({
  k: 'res',
  m: 'POST',
  p: '/v1/accounts',
  s,
  h: { 'content-type': 'application/json' },
  b,
});
const log = (l: string) => ({ k: 'log', fn: 'settings', l });
const alnum = (n: number) => {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(n)].map((b) => A[b % 62]).join('');
};

test('a 10-char fragment in a log line is found, at the start, middle and end of the secret', () => {
  assert.is(FRAGMENT, 10);
  for (const at of [0, 11, SECRET.length - FRAGMENT]) {
    const frag = SECRET.slice(at, at + FRAGMENT);
    const r = scanCapture(corpus([SECRET], [log(`{"msg":"bad input near ${frag}…"}`)]));
    assert.equal(
      r.leaks.map((l) => [l.form, l.where]),
      [['fragment', '1-1.traffic.jsonl:1 (log line of settings)']],
      `at ${at}`,
    );
    assert.not.ok(r.leaks[0]!.secret.includes(frag));
  }
  // 9 chars are not enough to count
  assert.equal(scanCapture(corpus([SECRET], [log(`near ${SECRET.slice(5, 14)}…`)])).leaks, []);
});

test('the V8 JSON.parse message of an unquoted secret is a leak (the 400 this guards against)', () => {
  let message = '';
  try {
    JSON.parse(`{"accessKeySecret": ${SECRET}}`);
  } catch (e) {
    message = (e as Error).message;
  }
  assert.not.ok(message.includes(SECRET), 'V8 quotes only part of it');
  const r = scanCapture(
    corpus([SECRET], [answer(JSON.stringify({ error: { code: 'ValidationFailed', message } }), 400)]),
  );
  assert.equal(
    r.leaks.map((l) => l.form),
    ['fragment'],
  );
  assert.match(r.leaks[0]!.where, /answer 400 to POST \/v1\/accounts/);
});

test('a JSON-escaped fragment (a secret with quotes or backslashes) is found in its escaped form', () => {
  const odd = `p"q\\r${SECRET}`;
  const r = scanCapture(corpus([odd], [answer(JSON.stringify({ e: odd.slice(0, 12) }))]));
  assert.equal(
    r.leaks.map((l) => l.form),
    ['json-fragment'],
  );
});

test('a whole secret is reported once as a whole, not again as its fragments', () => {
  const r = scanCapture(corpus([SECRET], [answer(`{"s":"${SECRET}"}`)]));
  assert.equal(
    r.leaks.map((l) => l.form),
    ['plain'],
  );
});

test('masked ids and secrets, filler runs, short secrets, token ids and public keys are not leaks', () => {
  const wrong = `${'W'.repeat(10)}rongSecret${'X'.repeat(10)}`;
  const token = `fleet_${'ab12cd34ef56gh78'}_${randomBytes(32).toString('base64url')}`;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  const spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const jwk = publicKey.export({ format: 'jwk' });
  const records = [
    answer(
      JSON.stringify({ accessKeyId: 'LTAI****0A1b', accessKeySecret: `${SECRET.slice(0, 4)}****${SECRET.slice(-4)}` }),
    ),
    answer(JSON.stringify({ note: 'W'.repeat(40) + 'X'.repeat(40) })),
    answer(JSON.stringify({ tokens: [{ id: 'tok-ab12cd34ef56gh78', name: 'ci' }] })),
    answer(JSON.stringify({ publicKey: spki, n: jwk.n, e: jwk.e })),
    answer(JSON.stringify({ other: other.split('\n')[1] })), // another key's first body line: the shared ASN.1 header
  ];
  const r = scanCapture(corpus([SECRET, wrong, token, pem, 'short1234567'], records));
  assert.equal(r.leaks, []);
  assert.ok(fragmentsOf(wrong).every((f) => new Set(f.text).size > FRAGMENT / 2));
  assert.equal(fragmentsOf('short1234567'), []);
  assert.ok(
    fragmentsOf(token).every((f) => !f.text.includes('ab12cd34ef')),
    'the token record id is public',
  );
  // the private half is still searched: a window of a body line past the header is a leak
  const line = pem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .at(-2)!;
  const leaked = scanCapture(corpus([pem], [log(`key ${line.slice(20, 31)}`)]));
  assert.equal(
    leaked.leaks.map((l) => l.form),
    ['pem-fragment'],
  );
});

test('3 MiB with 200 secrets: the one planted fragment is found, and nothing else', () => {
  const secrets = Array.from({ length: 200 }, (_, i) =>
    i % 4 === 3 ? `CAIS${randomBytes(180).toString('base64')}` : alnum(30),
  );
  const records: unknown[] = [];
  let bytes = 0;
  for (let i = 0; bytes < 3 * 1024 * 1024; i++) {
    const b = JSON.stringify({
      id: `acc-${i}`,
      name: `account ${i}`,
      accessKeyId: `LTAI****${alnum(4)}`,
      note: alnum(400),
      at: i * 1000,
    });
    records.push(i % 3 ? answer(b) : log(b));
    bytes += b.length;
  }
  const planted = secrets[137]!.slice(7, 7 + FRAGMENT);
  records.push(log(`near ${planted}`));
  const dir = corpus(secrets, records);
  const r = scanCapture(dir);
  assert.is(r.secrets, 200);
  assert.ok(r.bytes >= 3 * 1024 * 1024);
  assert.equal(
    r.leaks.map((l) => [l.form, l.where]),
    [['fragment', `1-1.traffic.jsonl:${records.length} (log line of settings)`]],
  );
});

test.run();
