/** The catalog function's operations (docs/API.md §1 catalog): HTTP routes and direct-invoke actions. */
import type { Action } from '../core/action';
import type { Principal } from '../core/principal';
import {
  clearCache,
  importKeyPair,
  listImages,
  listInstanceTypes,
  listKeyPairs,
  listRegions,
  listZones,
  type CatalogDeps,
} from './service';

type List = (input: unknown, p: Principal, deps: CatalogDeps) => Promise<unknown>;
const list = (name: string, path: string, fn: List): Action<CatalogDeps> => ({
  name,
  http: { method: 'GET', path },
  run: (input, { principal, deps }) => fn(input, principal, deps),
});

export function catalogActions(): Action<CatalogDeps>[] {
  return [
    list('catalog.regions', '/v1/catalog/:accountId/regions', listRegions),
    list('catalog.zones', '/v1/catalog/:accountId/regions/:regionId/zones', listZones),
    list('catalog.keyPairs', '/v1/catalog/:accountId/regions/:regionId/key-pairs', listKeyPairs),
    list('catalog.images', '/v1/catalog/:accountId/regions/:regionId/images', listImages),
    list('catalog.instanceTypes', '/v1/catalog/:accountId/regions/:regionId/instance-types', listInstanceTypes),
    {
      name: 'catalog.importKeyPair',
      http: { method: 'POST', path: '/v1/catalog/:accountId/regions/:regionId/key-pairs', status: 201 },
      run: (input, { principal, deps }) => importKeyPair(input, principal, deps),
    },
    {
      name: 'catalog.clearCache',
      http: { method: 'DELETE', path: '/v1/catalog/:accountId/cache' },
      run: async (input, { principal, deps }) => {
        await clearCache(input, principal, deps);
        return undefined;
      },
    },
  ];
}
