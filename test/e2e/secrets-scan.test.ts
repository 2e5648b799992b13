/**
 * Drives the settings and catalog API through the local host with real secrets (AccessKey
 * secrets, SSH private keys, tokens) in good and bad requests, then scans every response
 * (status line, headers, body) and every function log line for each secret: none may appear.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { akCredential, rsaPem, startDomain, type Domain } from '../helpers/domain';
import { FRAGMENT, fragmentsOf } from '../../scripts/secret-scan';

let d: Domain;
const secrets = new Set<string>();
const seen: string[] = [];

async function call(
  method: string,
  path: string,
  opts: { token?: string; json?: unknown; body?: string; query?: Record<string, string> } = {},
) {
  const res = await d.call(method, path, opts);
  seen.push(`${res.status} ${res.raw}`);
  return res;
}

test.before(async () => {
  d = await startDomain();
  secrets.add(d.adminToken);
});
test.after(async () => {
  await d?.close();
});

test('traffic with secrets in good and bad requests', async () => {
  const t = d.adminToken;
  const keys = await d.createSandboxAccount();
  const limited = await d.admin(`/accounts/${keys.accountId}/access-keys`, { allow: ['ecs:DescribeRegions'] });
  const { privateKey } = await rsaPem();
  const wrongSecret = `${'W'.repeat(10)}rongSecret${'X'.repeat(10)}`;
  for (const s of [keys.accessKeySecret, limited.accessKeySecret, privateKey, wrongSecret]) secrets.add(s);

  // good: create, list, get, patch with a private key, verify, catalog
  const a = await call('POST', '/v1/accounts', {
    token: t,
    json: {
      name: 'scan',
      credential: akCredential(keys),
      sshKeys: { 'cn-hangzhou': { keyPairName: 'sandbox-cn-hangzhou-1', privateKey } },
    },
  });
  assert.is(a.status, 201, a.raw);
  const id = a.body.id;
  await call('GET', '/v1/accounts', { token: t });
  await call('GET', `/v1/accounts/${id}`, { token: t });
  await call('POST', `/v1/accounts/${id}/verify`, { token: t });
  await call('GET', `/v1/catalog/${id}/regions`, { token: t });
  await call('GET', `/v1/catalog/${id}/regions/cn-hangzhou/key-pairs`, { token: t });
  // credential changes: a wrong secret (verification fails), a limited key (Forbidden.RAM in the catalog), back
  await call('PATCH', `/v1/accounts/${id}`, {
    token: t,
    json: { credential: { ...akCredential(keys), accessKeySecret: wrongSecret } },
  });
  await call('GET', `/v1/catalog/${id}/regions/cn-hangzhou/zones`, { token: t });
  await call('PATCH', `/v1/accounts/${id}`, { token: t, json: { credential: akCredential(limited) } });
  await call('GET', `/v1/catalog/${id}/regions/cn-hangzhou/key-pairs`, { token: t });
  await call('POST', `/v1/accounts/${id}/verify`, { token: t });
  // bad bodies that carry secrets: validation errors must not echo them
  await call('POST', '/v1/accounts', {
    token: t,
    json: {
      name: 'bad',
      credential: {
        type: 'access_key',
        accessKeyId: keys.accessKeySecret,
        accessKeySecret: `${keys.accessKeySecret}!`,
      },
    },
  });
  await call('POST', '/v1/accounts', {
    token: t,
    json: { name: `${keys.accessKeySecret}\u0000`, credential: akCredential(keys) },
  });
  await call('POST', '/v1/accounts', {
    token: t,
    json: {
      name: 'bad',
      credential: akCredential(keys),
      sshKeys: { 'cn-hangzhou': { keyPairName: 'k1', privateKey: `${privateKey.replace('MII', 'XXX')}junk` } },
    },
  });
  await call('POST', '/v1/accounts', {
    token: t,
    json: { name: 'bad', credential: akCredential(keys), [keys.accessKeySecret]: 1 },
  });
  await call('POST', '/v1/accounts', {
    token: t,
    body: `{"name":"x","credential":{"accessKeySecret":"${keys.accessKeySecret}"`,
  });
  await call('PATCH', `/v1/accounts/${id}`, {
    token: t,
    json: { credential: { type: 'ram_role', roleArn: keys.accessKeySecret } },
  });
  // malformed JSON with an unquoted secret: JSON.parse's own message quotes ~10 chars of it
  const unquoted = await call('POST', '/v1/accounts', {
    token: t,
    body: `{"name":"x","credential":{"type":"access_key","accessKeySecret": ${keys.accessKeySecret}}}`,
  });
  assert.is(unquoted.status, 400, unquoted.raw);
  const windows = fragmentsOf(keys.accessKeySecret).map((f) => f.text);
  assert.ok(windows.length >= keys.accessKeySecret.length - FRAGMENT, `windows: ${windows.length}`);
  assert.equal(
    windows.filter((w) => unquoted.raw.includes(w)).map((w) => `${w.slice(0, 2)}…`),
    [],
    'no fragment of the secret in the 400 answer',
  );
  // tokens: created ones are shown once, then only used
  const made = await call('POST', '/v1/tokens', { token: t, json: { name: 'ci', role: 'operator', groups: [] } });
  secrets.add(made.body.token);
  await call('GET', '/v1/tokens', { token: t });
  await call('GET', '/v1/accounts', { token: made.body.token });
  await call('GET', '/v1/accounts', { token: `${made.body.token}x` });
  await call('GET', '/v1/accounts', { token: keys.accessKeySecret });
  await call('DELETE', `/v1/tokens/${made.body.id}`, { token: t });
  await call('GET', '/v1/accounts', { token: made.body.token });
  await call('DELETE', `/v1/accounts/${id}`, { token: t });
  assert.ok(seen.length >= 25, `calls: ${seen.length}`);
  assert.ok(d.logs.length > 25, `log lines: ${d.logs.length} ${d.logs.slice(0, 3).join('\n')}`);
});

test('no secret in any response or log line', async () => {
  // A token appears once, in the answer that created it: drop that one answer from the scan.
  const createdAnswers = seen.filter((s) => s.startsWith('201 ') && s.includes('"token":"fleet_'));
  assert.is(createdAnswers.length, 1);
  const haystack = [...seen.filter((s) => !createdAnswers.includes(s)), ...d.logs];
  const leaks: string[] = [];
  for (const secret of secrets) {
    // PEM: each base64 line of the body is itself a secret.
    const needles = secret.includes('PRIVATE KEY')
      ? secret.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'))
      : [secret];
    for (const n of needles)
      for (const h of haystack) if (h.includes(n)) leaks.push(`${n.slice(0, 6)}… in ${h.slice(0, 200)}`);
    // fragments too: any 10-char window (a quoted parse error, a truncated echo)
    for (const f of fragmentsOf(secret))
      for (const h of haystack)
        if (h.includes(f.text))
          leaks.push(
            `${f.form} ${f.text.slice(0, 2)}… of ${secret.slice(0, 4)}… at ${h.indexOf(f.text)} of a ${h.length}-char text`,
          );
  }
  assert.equal(leaks, []);
  assert.equal(
    haystack.filter((h) => h.includes('BEGIN RSA PRIVATE KEY')).map((h) => h.slice(0, 300)),
    [],
  );
});

test('at rest: the Tablestore files hold no secret', async () => {
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(d.tablestoreDir);
  assert.ok(files.length > 0, 'the sandbox persisted the tables');
  const bytes = files.map((f) => readFileSync(f).toString('latin1'));
  assert.ok(
    bytes.some((b) => b.includes('scan')),
    'the scan sees account rows (their names are stored in clear)',
  );
  const found: string[] = [];
  for (const secret of secrets) {
    const needles = secret.includes('PRIVATE KEY')
      ? secret.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'))
      : [secret];
    for (const n of needles) if (bytes.some((b) => b.includes(n))) found.push(n.slice(0, 6));
  }
  assert.equal(found, []);
});

test.run();
