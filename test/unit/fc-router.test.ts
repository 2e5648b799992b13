import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRouter, splitPath } from '../../lib/fc/router';
import type { Action } from '../../lib/fc/types';

const act = (name: string, method: NonNullable<Action['http']>['method'], path: string): Action => ({
  name,
  http: { method, path },
  run: async () => name,
});

const router = createRouter([
  act('servers.list', 'GET', '/v1/servers'),
  act('servers.get', 'GET', '/v1/servers/:id'),
  act('servers.delete', 'DELETE', '/v1/servers/:id'),
  act('servers.retry', 'POST', '/v1/servers/:id/retry'),
  act('catalog.zones', 'GET', '/v1/catalog/:accountId/regions/:regionId/zones'),
  act('catalog.special', 'GET', '/v1/catalog/:accountId/regions/special/zones'),
  { name: 'internal.only', run: async () => 1 },
]);

test('splitPath drops leading and trailing slashes', () => {
  assert.equal(splitPath('/v1/servers/'), ['v1', 'servers']);
  assert.equal(splitPath('/'), []);
  assert.equal(splitPath(''), []);
});

test('matches literal routes and fills params', () => {
  const m = router.match('GET', '/v1/servers/srv-1');
  assert.is(m.kind, 'found');
  if (m.kind !== 'found') return;
  assert.is(m.action.name, 'servers.get');
  assert.equal(m.params, { id: 'srv-1' });
  const list = router.match('get', '/v1/servers/');
  assert.is(list.kind === 'found' && list.action.name, 'servers.list');
});

test('multiple params and literal beats param at the same position', () => {
  const m = router.match('GET', '/v1/catalog/acc-1/regions/cn-hangzhou/zones');
  assert.equal(m.kind === 'found' && [m.action.name, m.params], [
    'catalog.zones',
    { accountId: 'acc-1', regionId: 'cn-hangzhou' },
  ]);
  const s = router.match('GET', '/v1/catalog/acc-1/regions/special/zones');
  assert.is(s.kind === 'found' && s.action.name, 'catalog.special');
});

test('known path with another method reports the allowed methods', () => {
  const m = router.match('PATCH', '/v1/servers/srv-1');
  assert.equal(m, { kind: 'method-not-allowed', allow: ['DELETE', 'GET'] });
});

test('unknown path and empty param are not found', () => {
  assert.is(router.match('GET', '/v1/nothing').kind, 'not-found');
  assert.is(router.match('POST', '/v1/servers//retry').kind, 'not-found');
  assert.is(router.match('GET', '/v1/servers/a/b/c').kind, 'not-found');
});

test('HEAD is served by the GET route', () => {
  const m = router.match('HEAD', '/v1/servers');
  assert.is(m.kind === 'found' && m.action.name, 'servers.list');
});

test('two actions on the same method and shape is refused at startup', () => {
  assert.throws(
    () => createRouter([act('a', 'GET', '/v1/x/:id'), act('b', 'GET', '/v1/x/:other')]),
    /two actions serve GET \/v1\/x\/:/,
  );
});

test.run();
