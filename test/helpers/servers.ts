/**
 * Test helper for server builds through a local host: an account added over the API, a spec the
 * sandbox can build, and a poll until a server reaches a status (the host's clock is scaled, so
 * a build takes a fraction of a second of simulated cloud time).
 */
import type { TestHost } from './local';

export interface BuildFixture {
  accountId: string;
  sandboxAccountId: string;
  imageId: string;
  instanceType: string;
  keyPairName: string;
  regionId: string;
}

type Json = Record<string, any>;

export async function api(
  host: TestHost,
  method: string,
  path: string,
  json?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await host.fetch(path, {
    method,
    token: host.adminToken,
    headers,
    ...(json !== undefined ? { json } : {}),
  });
  const text = await res.text();
  let body: Json | undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body: body as Json, raw: text };
}

/** A sandbox account added to the product (AccessKey), with an image, a type and a key pair of its region. */
export async function buildFixture(
  host: TestHost,
  opts: { regionId?: string; quotas?: Json; name?: string } = {},
): Promise<BuildFixture> {
  const regionId = opts.regionId ?? 'cn-hangzhou';
  const keys = await host.sandbox.createAccount(opts.quotas ? { quotas: opts.quotas } : {});
  const acc = await api(host, 'POST', '/v1/accounts', {
    name: opts.name ?? 'builds',
    credential: { type: 'access_key', accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret },
  });
  if (acc.status !== 201) throw new Error(`account: ${acc.status} ${acc.raw}`);
  const id = acc.body.id as string;
  const images = await api(host, 'GET', `/v1/catalog/${id}/regions/${regionId}/images`);
  const types = await api(host, 'GET', `/v1/catalog/${id}/regions/${regionId}/instance-types`);
  const pairs = await api(host, 'GET', `/v1/catalog/${id}/regions/${regionId}/key-pairs`);
  const linux = images.body.items.find((i: Json) => i.osType === 'linux') ?? images.body.items[0];
  const type = types.body.items.find((t: Json) => /^ecs\.(g6|c6|g5)\./.test(t.instanceType)) ?? types.body.items[0];
  return {
    accountId: id,
    sandboxAccountId: keys.accountId,
    imageId: linux.imageId,
    instanceType: type.instanceType,
    keyPairName: pairs.body.items[0].keyPairName,
    regionId,
  };
}

export const specOf = (f: BuildFixture, over: Json = {}) => ({
  accountId: f.accountId,
  regionId: f.regionId,
  name: 'web-1',
  instanceType: f.instanceType,
  imageId: f.imageId,
  keyPairName: f.keyPairName,
  ...over,
});

/** Polls a server until `done(server)` holds (or fails the test with the server's last state). */
export async function until(host: TestHost, id: string, done: (s: Json) => boolean, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  let last: Json | undefined;
  for (;;) {
    const r = await api(host, 'GET', `/v1/servers/${id}`);
    last = r.body;
    if (r.status === 200 && done(r.body)) return r.body;
    if (Date.now() > end) throw new Error(`server ${id} never became ${what}: ${JSON.stringify(last)}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

export const settled = (s: Json) => ['ready', 'failed', 'deleted'].includes(s.status);

/** The sandbox's resource dump of an account: live resources by type. */
export async function dump(host: TestHost, sandboxAccountId: string): Promise<Json> {
  const res = await fetch(`${host.sandbox.url}/__sandbox/accounts/${sandboxAccountId}/resources`);
  return (await res.json()) as Json;
}
