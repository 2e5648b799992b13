import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OpenApiUtil } from '@alicloud/openapi-core';
import {
  parseV3Authorization,
  percentEncode,
  sha256Hex,
  v1Signature,
  v1StringToSign,
  v3CanonicalRequest,
  v3Signature,
} from '../../lib/sandbox/openapi/signing';
import { NonceCache } from '../../lib/sandbox/openapi/auth';
import { isAllowed } from '../../lib/sandbox/openapi/permissions';

test('V1 test vector from Alibaba docs: testsecret / DescribeRegions', () => {
  const params = {
    Action: 'DescribeRegions',
    AccessKeyId: 'testid',
    Format: 'XML',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    SignatureVersion: '1.0',
    Timestamp: '2016-02-23T12:46:24Z',
    Version: '2014-05-26',
  };
  assert.is(
    v1StringToSign('GET', params),
    'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
  );
  assert.is(v1Signature('GET', params, 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  // the Signature parameter itself is never part of what is signed
  assert.is(v1Signature('GET', { ...params, Signature: 'x' }, 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
});

test('V1 agrees with the SDK signer (getRPCSignature) on awkward values', () => {
  const params = { Action: 'X', 'Tag.1.Value': "a b*c~d!'()+/é", Empty: '', Timestamp: '2026-01-01T00:00:00Z' };
  assert.is(v1Signature('POST', params, 'sec'), OpenApiUtil.getRPCSignature(params, 'POST', 'sec'));
});

test('percentEncode follows RFC 3986 as Alibaba signs it', () => {
  assert.is(percentEncode("a b*c~d!'()"), 'a%20b%2Ac~d%21%27%28%29');
});

test('V3 canonical request and signature match the SDK (getAuthorization)', () => {
  const payload = sha256Hex('');
  const request = {
    method: 'POST',
    pathname: '/',
    query: { RegionId: 'cn-hangzhou', InstanceIds: '["i-1","i-2"]', 'Tag.1.Key': 'a b*c' },
    headers: {
      host: '127.0.0.1:9100',
      'x-acs-action': 'DescribeInstances',
      'x-acs-version': '2014-05-26',
      'x-acs-date': '2026-01-01T00:00:00Z',
      'x-acs-signature-nonce': 'abc',
      'x-acs-content-sha256': payload,
      'user-agent': 'ignored',
      accept: 'application/json',
    },
  };
  const auth = OpenApiUtil.getAuthorization(request as never, 'ACS3-HMAC-SHA256', payload, 'LTAIkey', 'secret');
  const parsed = parseV3Authorization(auth)!;
  assert.is(parsed.accessKeyId, 'LTAIkey');
  assert.equal(parsed.signedHeaders, [
    'host',
    'x-acs-action',
    'x-acs-content-sha256',
    'x-acs-date',
    'x-acs-signature-nonce',
    'x-acs-version',
  ]);
  const canonical = v3CanonicalRequest({ ...request, signedHeaders: parsed.signedHeaders, hashedPayload: payload });
  assert.is(v3Signature(canonical, 'secret'), parsed.signature);
  assert.is.not(v3Signature(canonical, 'other'), parsed.signature);
  assert.is(parseV3Authorization('Bearer x'), undefined);
});

test('nonce cache refuses a replay within its window and forgets after it', () => {
  const c = new NonceCache(1000, 3);
  assert.ok(c.claim('k', 'n1', 0));
  assert.not.ok(c.claim('k', 'n1', 10));
  assert.ok(c.claim('k2', 'n1', 10), 'nonces are per key');
  assert.ok(c.claim('k', 'n1', 2000), 'expired nonce may be used again');
  for (let i = 0; i < 10; i++) c.claim('k', `m${i}`, 2000);
  assert.ok(c.claim('k', 'm0', 2000), 'bounded: oldest entries evicted');
});

test('RAM patterns: wildcards, case-insensitive, GetCallerIdentity always allowed', () => {
  assert.ok(isAllowed(undefined, 'ecs:RunInstances'));
  assert.ok(isAllowed(['ecs:Describe*'], 'ecs:DescribeInstances'));
  assert.not.ok(isAllowed(['ecs:Describe*'], 'ecs:RunInstances'));
  assert.ok(isAllowed(['ECS:*'], 'ecs:RunInstances'));
  assert.ok(isAllowed(['*'], 'vpc:CreateVpc'));
  assert.not.ok(isAllowed(['vpc:*'], 'ecs:DescribeRegions'));
  assert.ok(isAllowed([], 'sts:GetCallerIdentity'));
  assert.not.ok(isAllowed(['ecs:Describe.'], 'ecs:DescribeX'), 'dots are literal');
});

test.run();
