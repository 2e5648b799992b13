/**
 * Every settings and catalog operation as a direct invocation `{action, input}` (API.md §2),
 * through the same FC handler the functions export: answers `{ok, result}` / `{ok: false, error}`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { akCredential, startDomain, type Domain } from '../helpers/domain';

let d: Domain;
test.before(async () => {
  d = await startDomain({ via: 'inprocess' });
});
test.after(async () => {
  await d?.close();
});

test('every action answers as its HTTP route does', async () => {
  const keys = await d.createSandboxAccount();
  const created = await d.invoke('accounts.create', { name: 'invoked', credential: akCredential(keys) });
  assert.is(created.ok, true, JSON.stringify(created));
  const id = created.result.id;
  assert.is(created.result.verification.status, 'verified');
  assert.equal(
    (await d.invoke('accounts.list')).result.items.map((a: { id: string }) => a.id),
    [id],
  );
  assert.is((await d.invoke('accounts.get', { id })).result.name, 'invoked');
  assert.is((await d.invoke('accounts.update', { id, name: 'renamed' })).result.name, 'renamed');
  const regions = await d.invoke('catalog.regions', { accountId: id });
  assert.ok(regions.result.items.length >= 3);
  for (const action of ['catalog.zones', 'catalog.keyPairs', 'catalog.images', 'catalog.instanceTypes']) {
    const r = await d.invoke(action, { accountId: id, regionId: 'cn-hangzhou' });
    assert.is(r.ok, true, `${action} ${JSON.stringify(r)}`);
    assert.ok(Array.isArray(r.result.items) && r.result.items.length > 0, action);
  }
  assert.equal(await d.invoke('catalog.clearCache', { accountId: id, regionId: 'cn-hangzhou' }), {
    ok: true,
    result: null,
  });
  const verify = await d.invoke('accounts.verify', { id });
  assert.is(verify.result.status, 'verified');
  assert.ok(verify.result.permissions.length > 20);
  const tok = await d.invoke('tokens.create', { name: 'svc', role: 'viewer', groups: ['a'] });
  assert.match(tok.result.token, /^fleet_/);
  assert.equal(
    (await d.invoke('tokens.list')).result.items.map((t: { id: string }) => t.id),
    [tok.result.id],
  );
  assert.equal(await d.invoke('tokens.delete', { id: tok.result.id }), { ok: true, result: null });
  assert.equal(await d.invoke('accounts.delete', { id }), { ok: true, result: null });
});

test('errors keep the HTTP codes', async () => {
  const nf = await d.invoke('accounts.get', { id: 'acc-zzzzzzzzzzzzzzzz' });
  assert.is(nf.ok, false);
  assert.is(nf.error.code, 'NotFound');
  const bad = await d.invoke('accounts.create', { name: '' });
  assert.is(bad.error.code, 'ValidationFailed');
  assert.ok(bad.error.details.some((p: { path: string }) => p.path === 'credential'));
  const unknown = await d.invoke('accounts.nope', {});
  assert.is(unknown.error.code, 'NotFound');
});

test.run();
