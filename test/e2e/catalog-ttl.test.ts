/**
 * FLEET_CATALOG_TTL_MS reaches the catalog cache of the deployed functions (environment → config →
 * composition root → cache), seen only through the HTTP API of the local host: with a 3 s TTL a
 * listing is answered from the cache while the TTL lasts and fetched again once it has passed.
 * (`readThrough`'s own TTL logic is test/integration/catalog-cache.test.ts.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { akCredential, startDomain, type Domain } from '../helpers/domain';

const TTL_MS = 3000;
let d: Domain;
let id = '';

test.before(async () => {
  d = await startDomain({ ttlMs: TTL_MS });
  const keys = await d.createSandboxAccount();
  const res = await d.call('POST', '/v1/accounts', {
    token: d.adminToken,
    json: { name: 'ttl', credential: akCredential(keys) },
  });
  assert.is(res.status, 201, res.raw);
  id = res.body.id;
});
test.after(async () => {
  await d?.close();
});

interface Listing {
  cached: boolean;
  fetchedAt: number;
}
const regions = async (): Promise<Listing> => {
  const res = await d.call('GET', `/v1/catalog/${id}/regions`, { token: d.adminToken });
  assert.is(res.status, 200, res.raw);
  return res.body;
};

test('a listing is cached while FLEET_CATALOG_TTL_MS lasts, and fetched again once it has passed', async () => {
  // Within the TTL: a second listing answered before fetchedAt + TTL must come from the cache. An
  // answer that arrived later proves nothing either way (a loaded machine), so that pair is redone.
  let first: Listing | undefined;
  for (let tries = 0; tries < 5 && !first; tries++) {
    const del = await d.call('DELETE', `/v1/catalog/${id}/cache`, { token: d.adminToken });
    assert.is(del.status, 204, del.raw);
    const a = await regions();
    assert.is(a.cached, false, 'fetched after DELETE cache');
    const b = await regions();
    if (Date.now() >= a.fetchedAt + TTL_MS) continue;
    assert.equal([b.cached, b.fetchedAt], [true, a.fetchedAt], 'answered from the cache within the TTL');
    first = a;
  }
  assert.ok(first, 'no listing pair within one TTL in 5 tries');
  // Past the TTL (the functions and this test share the machine's clock): fetched again.
  while (Date.now() <= first.fetchedAt + TTL_MS) await new Promise((r) => setTimeout(r, 50));
  const c = await regions();
  assert.is(c.cached, false, 'fetched again after the TTL');
  assert.ok(c.fetchedAt >= first.fetchedAt + TTL_MS, `refetched at +${c.fetchedAt - first.fetchedAt} ms`);
});

test.run();
