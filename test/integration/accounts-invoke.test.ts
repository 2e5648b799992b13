/**
 * Every settings and catalog action (the test checks the list is complete) as a direct invocation
 * `{action, input}` (docs/API.md §2), through the same FC handler the functions export: answers
 * `{ok, result}` / `{ok: false, error}`, and the reads answer what their HTTP routes answer.
 */
import { test } from 'uvu';
import { generateKeyPairSync } from 'node:crypto';
import * as assert from 'uvu/assert';
import { akCredential, startDomain, type Domain } from '../helpers/domain';
import { accountActions } from '../../lib/accounts';
import { tokenActions } from '../../lib/auth';
import { catalogActions } from '../../lib/catalog';

let d: Domain;
const invoked = new Set<string>();
const invoke = (action: string, input?: unknown) => (invoked.add(action), d.invoke(action, input));
const http = async (path: string) => (await d.call('GET', path, { token: d.adminToken })).body;
test.before(async () => {
  d = await startDomain({ via: 'inprocess' });
});
test.after(async () => {
  await d?.close();
});

test('every settings and catalog action answers by direct invocation; reads equal their HTTP answers', async () => {
  const keys = await d.createSandboxAccount();
  const created = await invoke('accounts.create', { name: 'invoked', credential: akCredential(keys) });
  assert.is(created.ok, true, JSON.stringify(created));
  const id = created.result.id;
  assert.is(created.result.verification.status, 'verified');
  assert.equal(
    (await invoke('accounts.list')).result.items.map((a: { id: string }) => a.id),
    [id],
  );
  assert.is((await invoke('accounts.get', { id })).result.name, 'invoked');
  assert.equal((await invoke('accounts.get', { id })).result, await http(`/v1/accounts/${id}`));
  assert.is((await invoke('accounts.update', { id, name: 'renamed' })).result.name, 'renamed');
  const regions = await invoke('catalog.regions', { accountId: id });
  assert.ok(regions.result.items.length >= 3);
  assert.equal(regions.result.items, (await http(`/v1/catalog/${id}/regions`)).items);
  for (const action of ['catalog.zones', 'catalog.keyPairs', 'catalog.images', 'catalog.instanceTypes']) {
    const r = await invoke(action, { accountId: id, regionId: 'cn-hangzhou' });
    assert.is(r.ok, true, `${action} ${JSON.stringify(r)}`);
    assert.ok(Array.isArray(r.result.items) && r.result.items.length > 0, action);
  }
  assert.equal(await invoke('catalog.clearCache', { accountId: id, regionId: 'cn-hangzhou' }), {
    ok: true,
    result: null,
  });
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const line = `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]).toString('base64')}`;
  const imported = await invoke('catalog.importKeyPair', {
    accountId: id,
    regionId: 'cn-hangzhou',
    keyPairName: 'invoked-key',
    publicKeyBody: line,
  });
  assert.is(imported.result.keyPairName, 'invoked-key', JSON.stringify(imported));
  assert.equal((await invoke('tokens.whoami')).result, { kind: 'invoke', role: 'admin', groups: [] });
  const verify = await invoke('accounts.verify', { id });
  assert.is(verify.result.status, 'verified');
  assert.ok(verify.result.permissions.length > 20);
  const tok = await invoke('tokens.create', { name: 'svc', role: 'viewer', groups: ['a'] });
  assert.match(tok.result.token, /^fleet_/);
  assert.equal(
    (await invoke('tokens.list')).result.items.map((t: { id: string }) => t.id),
    [tok.result.id],
  );
  assert.equal(await invoke('tokens.delete', { id: tok.result.id }), { ok: true, result: null });
  const changes = await invoke('accounts.changes', { id });
  assert.ok(changes.result.items.length >= 3, JSON.stringify(changes));
  assert.equal(changes.result, await http(`/v1/accounts/${id}/changes`));
  assert.equal(await invoke('accounts.delete', { id }), { ok: true, result: null });
  const all = [...tokenActions(), ...accountActions(), ...catalogActions()].map((a) => a.name).sort();
  assert.equal([...invoked].sort(), all, 'every action of the two functions was invoked');
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
