/**
 * The whole-suite secret scan: the scanner finds a planted secret in every form it can leak in
 * (plain, base64 at each alignment, URL, JSON, hex, PEM lines and their DER bytes) in answers,
 * headers, log lines and Tablestore files, passes a clean corpus, ignores short values, and the
 * capture leaves a minted token's one answer out while still catching a second appearance.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openCapture } from '../../lib/local/capture';
import { startSandbox, type Sandbox } from '../../lib/sandbox/server';
import { describeSecret, formatScan, needlesOf, scanCapture } from '../../scripts/secret-scan';

const SECRET = 'kR7vQ2mXwP9tLs4Hc8Ny1BzF6gJd0A'; // shaped like an AccessKey secret (30 chars)
const PEM = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'fleet-scan-'));
  dirs.push(d);
  return d;
};
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A capture dir written by hand: secrets, answers/logs, and optional Tablestore files. */
function corpus(secrets: string[], records: unknown[], files: Record<string, Buffer | string> = {}) {
  const dir = tempDir();
  writeFileSync(join(dir, '1-1.secrets.jsonl'), secrets.map((v) => `${JSON.stringify({ v, src: 'test' })}\n`).join(''));
  writeFileSync(join(dir, '1-1.traffic.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, '1-1.tablestore'), { recursive: true });
    writeFileSync(join(dir, '1-1.tablestore', name), data);
  }
  return dir;
}
const answer = (b: string, h: Record<string, string> = {}) => ({ k: 'res', m: 'GET', p: '/v1/x', s: 200, h, b });
const CLEAN = [
  answer('{"id":"acc-1","accessKeyId":"LTAI****F6gJ"}', { 'content-type': 'application/json' }),
  { k: 'log', fn: 'settings', l: '{"msg":"saved","secret":"[REDACTED]"}' },
];

test('a clean corpus passes and is counted', () => {
  const r = scanCapture(
    corpus([SECRET, PEM], CLEAN, { 'wal-1.log': Buffer.from(`row acc-1 name=prod ciphertext=${'z'.repeat(64)}`) }),
  );
  assert.equal(r.leaks, []);
  assert.is(r.secrets, 2);
  assert.is(r.responses, 1);
  assert.is(r.logLines, 1);
  assert.is(r.files, 1);
  assert.ok(r.bytes > 100);
  assert.match(formatScan(r, 5), /^ok {3}secret scan: 2 secrets, 1 responses, 1 log lines, 1 Tablestore files/);
});

test('a planted secret is found in each form, in answers, headers and log lines', () => {
  const b64At = (prefix: string) => Buffer.from(`${prefix + SECRET}tail`).toString('base64');
  const cases: Array<[string, unknown]> = [
    ['plain', answer(`{"accessKeySecret":"${SECRET}"}`)],
    ['plain', answer('{}', { 'x-debug': `k=${SECRET}` })],
    ['plain', { k: 'log', fn: 'catalog', l: `signing with ${SECRET}` }],
    ['base64', answer(b64At(''))],
    ['base64', answer(b64At('a'))],
    ['base64', answer(b64At('ab'))],
    ['url', answer(`?s=${encodeURIComponent(`${SECRET}/+=`)}`)],
    ['hex', answer(Buffer.from(SECRET).toString('hex'))],
    ['json', answer(JSON.stringify({ m: `quote"${SECRET}` }))],
  ];
  for (const [form, record] of cases) {
    const secret = form === 'url' ? `${SECRET}/+=` : form === 'json' ? `quote"${SECRET}` : SECRET;
    const r = scanCapture(corpus([secret], [...CLEAN, record]));
    assert.ok(r.leaks.length >= 1, `${form}: ${JSON.stringify(record)}`);
    assert.ok(
      r.leaks.some((l) => l.form === form),
      `${form}: got ${r.leaks.map((l) => l.form).join(',')}`,
    );
    assert.match(r.leaks[0]!.where, /1-1\.traffic\.jsonl:3 /);
  }
  // a binary (non-UTF-8) answer body is searched as bytes
  const bin = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(SECRET)]);
  assert.is(
    scanCapture(corpus([SECRET], [{ k: 'res', m: 'GET', p: '/b', s: 200, h: {}, b64: bin.toString('base64') }])).leaks
      .length,
    1,
  );
});

test('a PEM key is found by any body line and as DER bytes in a Tablestore file', () => {
  const lines = PEM.split('\n').filter((l) => l && !l.startsWith('-----'));
  const line = lines[3]!;
  const inAnswer = scanCapture(corpus([PEM], [answer(JSON.stringify({ e: `bad key near ${line}` }))]));
  assert.equal(
    inAnswer.leaks.map((l) => l.form),
    ['pem-line'],
  );
  const der = Buffer.from(lines.join(''), 'base64');
  const atRest = scanCapture(
    corpus([PEM], CLEAN, { 'snapshot.bin': Buffer.concat([Buffer.from([1, 2, 3]), der, Buffer.from([9])]) }),
  );
  assert.ok(
    atRest.leaks.some(
      (l) => l.form === 'pem-der' && /1-1\.tablestore\/snapshot\.bin \(Tablestore file\)/.test(l.where),
    ),
    JSON.stringify(atRest.leaks),
  );
});

test('a line cut short by a killed test process is still searched', () => {
  const dir = corpus([SECRET], CLEAN);
  writeFileSync(join(dir, '1-1.traffic.jsonl'), `{"k":"res","m":"GET","p":"/x","s":200,"b":"${SECRET}`, { flag: 'a' });
  writeFileSync(join(dir, '1-1.secrets.jsonl'), '{"v":"cut', { flag: 'a' });
  const r = scanCapture(dir);
  assert.is(r.secrets, 1);
  assert.equal(
    r.leaks.map((l) => l.where),
    ['1-1.traffic.jsonl:3 (unparsed line)'],
  );
});

test('reports never print the secret', () => {
  const r = scanCapture(corpus([SECRET], [answer(SECRET)]));
  const text = formatScan(r, 1);
  assert.match(text, /^FAIL secret scan/);
  assert.ok(text.includes(describeSecret(SECRET)));
  assert.is(describeSecret(SECRET), 'kR7v…(30)');
  assert.not.ok(text.includes(SECRET.slice(0, 8)));
});

test('secrets shorter than 8 characters, and filler like xxxxxxxx, are ignored', () => {
  assert.equal(needlesOf('short12'), []);
  const r = scanCapture(
    corpus(
      ['short12', 'abc', 'x'.repeat(30), 'abab'.repeat(5)],
      [answer(`short12 abc short12 ${'x'.repeat(40)}${'abab'.repeat(6)}`)],
    ),
  );
  assert.is(r.secrets, 0);
  assert.equal(r.leaks, []);
  assert.ok(needlesOf('eight888').length > 0);
});

/** A server whose every request goes through the capture, like the local host's. */
async function captured(dir: string, handler: (path: string, body: string) => { status: number; body: string }) {
  const capture = openCapture(dir)!;
  const server: Server = createServer((req, res) => {
    const recordBody = capture.request(req, res);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      recordBody(Buffer.from(body));
      const a = handler(req.url ?? '/', body);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { capture, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let sandbox: Sandbox | undefined;
test.after(async () => {
  await sandbox?.close();
});

test('capture: request secrets are recorded not written, the minted token answer is left out, a second appearance is a leak', async () => {
  const dir = tempDir();
  const dataDir = tempDir();
  const token = `fleet_tok_${'Q'.repeat(20)}x9`;
  const s = await captured(dir, (path, body) => {
    if (path === '/v1/tokens') return { status: 201, body: JSON.stringify({ id: 'tok-1', token }) };
    if (path === '/2023-03-30/functions/fleet-settings/invocations')
      return { status: 200, body: JSON.stringify({ ok: true, result: { id: 'tok-2', token: `${token}B` } }) };
    if (path === '/v1/echo') return { status: 200, body: JSON.stringify({ echoed: token }) };
    return { status: 400, body: JSON.stringify({ error: { code: 'ValidationFailed', length: body.length } }) };
  });
  const post = (path: string, body: unknown) =>
    fetch(s.url + path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) }).then((r) =>
      r.text(),
    );
  await post('/v1/tokens', { name: 'ci' });
  await post('/2023-03-30/functions/fleet-settings/invocations', { action: 'tokens.create', input: { name: 'ci' } });
  await post('/v1/accounts', {
    name: 'a',
    credential: { accessKeySecret: SECRET },
    sshKeys: { 'cn-hangzhou': { privateKey: PEM } },
  });
  await post('/v1/accounts', `{"credential":{"accessKeySecret":"${SECRET}Z"`); // malformed: still recorded
  s.capture.teeLog()('settings', 'a line');
  await s.close();
  sandbox = await startSandbox({ dataDir, port: 0 });
  const keys = await sandbox.createAccount();
  await sandbox.close();
  s.capture.close({
    dataDir,
    sandbox,
    env: { FLEET_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), FLEET_REGION: 'cn-hangzhou' },
  });

  const clean = scanCapture(dir);
  assert.equal(clean.leaks, []);
  assert.is(clean.mints, 2);
  assert.is(clean.responses, 4);
  assert.is(clean.logLines, 1);
  const { readSecrets } = await import('../../scripts/secret-scan');
  const values = readSecrets(dir).map((x) => x.value);
  for (const v of [
    token,
    `${token}B`,
    SECRET,
    PEM,
    `${SECRET}Z`,
    keys.accessKeySecret,
    Buffer.alloc(32, 7).toString('base64'),
  ])
    assert.ok(values.includes(v), describeSecret(v));
  assert.not.ok(values.includes('cn-hangzhou'));

  // the same token in any other answer is a leak
  const again = await captured(dir, () => ({ status: 200, body: JSON.stringify({ echoed: token }) }));
  await fetch(`${again.url}/v1/echo`).then((r) => r.text());
  await again.close();
  again.capture.close({ dataDir, sandbox, env: {} });
  const leaked = scanCapture(dir);
  assert.equal(
    leaked.leaks.map((l) => [l.form, l.where.replace(/^\d+-\d+/, 'N')]),
    [['plain', 'N.traffic.jsonl:1 (answer 200 to GET /v1/echo)']],
  );
});

test.run();
