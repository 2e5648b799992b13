import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import EcsModule, * as $Ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { rpcClient, SDK_TIMEOUTS, useTestSandbox, type TestSandbox } from '../helpers/sandbox';
import type { SandboxKeys } from '../../lib/sandbox/server';
import { sha256Hex, v1Signature, v3CanonicalRequest, v3Signature } from '../../lib/sandbox/openapi/signing';
import { rejection } from '../helpers/rejection';

const Ecs = ((EcsModule as unknown as { default?: typeof EcsModule }).default ?? EcsModule) as typeof EcsModule;

let t: TestSandbox;
let keys: SandboxKeys;
useTestSandbox(test, async (sb) => {
  t = sb;
  keys = await t.createAccount();
});

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A hand-made V1 request (query string), so it can be replayed byte for byte. */
function v1Url(base: string, params: Record<string, string>, secret: string) {
  const p = { Format: 'JSON', SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', ...params };
  const sig = v1Signature('GET', p, secret);
  return `${base}/?${new URLSearchParams({ ...p, Signature: sig })}`;
}

/** A hand-made V3 request. */
function v3Request(
  endpoint: string,
  action: string,
  version: string,
  query: Record<string, string>,
  creds: { id: string; secret: string },
  dateMs = Date.now(),
  nonce = randomUUID(),
) {
  const headers: Record<string, string> = {
    host: endpoint,
    'x-acs-action': action,
    'x-acs-version': version,
    'x-acs-date': iso(dateMs),
    'x-acs-signature-nonce': nonce,
    'x-acs-content-sha256': sha256Hex(''),
  };
  const signed = Object.keys(headers).sort();
  const canonical = v3CanonicalRequest({
    method: 'POST',
    pathname: '/',
    query,
    headers,
    signedHeaders: signed,
    hashedPayload: sha256Hex(''),
  });
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${creds.id},SignedHeaders=${signed.join(';')},Signature=${v3Signature(canonical, creds.secret)}`;
  return { url: `http://${endpoint}/?${new URLSearchParams(query)}`, init: { method: 'POST', headers } };
}

test('ECS SDK (V3) reaches the sandbox: GetCallerIdentity via generic client, V3 and V1', async () => {
  for (const signature of ['v3', 'v1'] as const) {
    const body = await rpcClient(t.endpoint, keys, { signature }).call('Sts', 'GetCallerIdentity');
    assert.is(body.AccountId, keys.accountId);
    assert.is(body.Arn, `acs:ram::${keys.accountId}:root`);
    assert.match(body.RequestId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  }
});

test('wrong secret → SignatureDoesNotMatch 400 (ECS SDK, and V1 generic client)', async () => {
  const ecs = new Ecs(
    new $OpenApiUtil.Config({
      accessKeyId: keys.accessKeyId,
      accessKeySecret: 'wrong-secret-000000000000000000',
      endpoint: t.endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      ...SDK_TIMEOUTS,
    }),
  );
  const e = await rejection(ecs.describeRegions(new $Ecs.DescribeRegionsRequest({})));
  assert.is(e.code, 'SignatureDoesNotMatch');
  assert.is(e.statusCode, 400);
  assert.equal(Object.keys(e.data).sort(), ['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
  assert.is(e.data.HostId, 'ecs.aliyuncs.com');
  const e1 = await rejection(
    rpcClient(t.endpoint, { ...keys, accessKeySecret: 'nope' }, { signature: 'v1' }).call('Sts', 'GetCallerIdentity'),
  );
  assert.is(e1.code, 'SignatureDoesNotMatch');
  assert.match(e1.data.Message, 'server string to sign is:POST&%2F&AccessKeyId%3D');
});

test('unknown key → InvalidAccessKeyId.NotFound 404', async () => {
  const e = await rejection(
    rpcClient(t.endpoint, { accessKeyId: 'LTAI00000000000000000000', accessKeySecret: 'x' }).call(
      'Sts',
      'GetCallerIdentity',
    ),
  );
  assert.is(e.code, 'InvalidAccessKeyId.NotFound');
  assert.is(e.statusCode, 404);
  assert.is(e.data.Message, 'Specified access key is not found.');
});

test('replayed nonce → SignatureNonceUsed (V1 and V3 hand-signed, sent twice)', async () => {
  const url = v1Url(
    t.url,
    {
      Action: 'GetCallerIdentity',
      Version: '2015-04-01',
      AccessKeyId: keys.accessKeyId,
      SignatureNonce: randomUUID(),
      Timestamp: iso(Date.now()),
    },
    keys.accessKeySecret,
  );
  const first = await fetch(url);
  assert.is(first.status, 200);
  assert.is(((await first.json()) as any).AccountId, keys.accountId);
  const again = await fetch(url);
  assert.is(again.status, 400);
  assert.is(((await again.json()) as any).Code, 'SignatureNonceUsed');

  const r = v3Request(
    t.endpoint,
    'GetCallerIdentity',
    '2015-04-01',
    {},
    { id: keys.accessKeyId, secret: keys.accessKeySecret },
  );
  assert.is((await fetch(r.url, r.init)).status, 200);
  const replay = await fetch(r.url, r.init);
  assert.is(replay.status, 400);
  assert.is(((await replay.json()) as any).Code, 'SignatureNonceUsed');
});

test('timestamp more than 15 minutes off → InvalidTimeStamp.Expired; 14 minutes is accepted', async () => {
  const creds = { id: keys.accessKeyId, secret: keys.accessKeySecret };
  const old = v3Request(t.endpoint, 'GetCallerIdentity', '2015-04-01', {}, creds, Date.now() - 16 * 60_000);
  const res = await fetch(old.url, old.init);
  assert.is(res.status, 400);
  assert.is(((await res.json()) as any).Code, 'InvalidTimeStamp.Expired');
  const future = await fetch(
    v1Url(
      t.url,
      {
        Action: 'GetCallerIdentity',
        Version: '2015-04-01',
        AccessKeyId: keys.accessKeyId,
        SignatureNonce: randomUUID(),
        Timestamp: iso(Date.now() + 16 * 60_000),
      },
      keys.accessKeySecret,
    ),
  );
  assert.is(((await future.json()) as any).Code, 'InvalidTimeStamp.Expired');
  const ok = v3Request(t.endpoint, 'GetCallerIdentity', '2015-04-01', {}, creds, Date.now() - 14 * 60_000);
  assert.is((await fetch(ok.url, ok.init)).status, 200);
});

test('tampered V3 request (parameter changed after signing) → SignatureDoesNotMatch', async () => {
  const r = v3Request(
    t.endpoint,
    'GetCallerIdentity',
    '2015-04-01',
    { A: '1' },
    { id: keys.accessKeyId, secret: keys.accessKeySecret },
  );
  const res = await fetch(r.url.replace('A=1', 'A=2'), r.init);
  assert.is(res.status, 400);
  assert.is(((await res.json()) as any).Code, 'SignatureDoesNotMatch');
  // a body that does not match x-acs-content-sha256
  const r2 = v3Request(
    t.endpoint,
    'GetCallerIdentity',
    '2015-04-01',
    {},
    { id: keys.accessKeyId, secret: keys.accessKeySecret },
  );
  const res2 = await fetch(r2.url, {
    ...r2.init,
    body: 'Extra=1',
    headers: { ...r2.init.headers, 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.is(((await res2.json()) as any).Code, 'SignatureDoesNotMatch');
});

test('unknown action → InvalidAction.NotFound 404; unknown version → InvalidVersion', async () => {
  const e = await rejection(rpcClient(t.endpoint, keys).call('Sts', 'NoSuchAction'));
  assert.is(e.code, 'InvalidAction.NotFound');
  assert.is(e.statusCode, 404);
  const r = v3Request(t.endpoint, 'X', '1999-01-01', {}, { id: keys.accessKeyId, secret: keys.accessKeySecret });
  assert.is(((await (await fetch(r.url, r.init)).json()) as any).Code, 'InvalidVersion');
});

test('form-encoded body parameters are signed and merged (V1 POST body)', async () => {
  const params: Record<string, string> = {
    Action: 'GetCallerIdentity',
    Version: '2015-04-01',
    Format: 'JSON',
    AccessKeyId: keys.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: iso(Date.now()),
  };
  params.Signature = v1Signature('POST', params, keys.accessKeySecret);
  const res = await fetch(`${t.url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  assert.is(res.status, 200);
  assert.is(((await res.json()) as any).AccountId, keys.accountId);
});

test('V3 with parameters in a form body (hashed into x-acs-content-sha256) reaches the operation', async () => {
  const { client } = rpcClient(t.endpoint, keys);
  const params = new $OpenApiUtil.Params({
    action: 'Encrypt',
    version: '2016-01-20',
    protocol: 'HTTP',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const req = new $OpenApiUtil.OpenApiRequest({
    query: { KeyId: 'alias/fleet' },
    body: { Plaintext: 'from the body' },
  });
  const enc = (await client.callApi(params, req, new $dara.RuntimeOptions({}))).body;
  assert.ok(enc.CiphertextBlob);
  const dec = await rpcClient(t.endpoint, keys, { signature: 'v1' }).call('Kms', 'Decrypt', {
    CiphertextBlob: enc.CiphertextBlob,
  });
  assert.is(dec.Plaintext, 'from the body');
});

test('admin API refuses malformed input and unknown accounts', async () => {
  const res = await fetch(`${t.url}/__sandbox/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ regions: ['mars-1'] }),
  });
  assert.is(res.status, 400);
  const res2 = await fetch(`${t.url}/__sandbox/accounts/1234567890123456/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"code":"X"}',
  });
  assert.is(res2.status, 404);
  const created = await t.admin('/accounts', { regions: ['cn-hangzhou', 'cn-beijing', 'ap-southeast-1'] });
  assert.match(created.accessKeyId, /^LTAI[A-Za-z0-9]{20}$/);
  assert.match(created.accessKeySecret, /^[A-Za-z0-9]{30}$/);
  assert.match(created.accountId, /^[1-9]\d{15}$/);
  const info = await t.admin(`/accounts/${created.accountId}`);
  assert.equal(info.regions, ['cn-hangzhou', 'cn-beijing', 'ap-southeast-1']);
  assert.is(info.quotas.vpcsPerRegion, 10);
});

test.run();
