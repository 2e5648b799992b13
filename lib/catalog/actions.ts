/** The catalog function's operations (docs/API.md §1 catalog): HTTP routes and direct-invoke actions. */
import type { Action } from '../core/action';
import { serviceDeps, type DomainDeps } from '../accounts/actions';
import {
  clearCache,
  listImages,
  listInstanceTypes,
  listKeyPairs,
  listRegions,
  listZones,
  type CatalogDeps,
} from './service';

type List = (input: unknown, p: Parameters<typeof listRegions>[1], deps: CatalogDeps) => Promise<unknown>;
const list = <D extends DomainDeps>(name: string, path: string, fn: List): Action<D> => ({
  name,
  http: { method: 'GET', path },
  run: (input, { principal, deps }) => fn(input, principal, serviceDeps(deps)),
});

export function catalogActions<D extends DomainDeps>(): Action<D>[] {
  return [
    list<D>('catalog.regions', '/v1/catalog/:accountId/regions', listRegions),
    list<D>('catalog.zones', '/v1/catalog/:accountId/regions/:regionId/zones', listZones),
    list<D>('catalog.keyPairs', '/v1/catalog/:accountId/regions/:regionId/key-pairs', listKeyPairs),
    list<D>('catalog.images', '/v1/catalog/:accountId/regions/:regionId/images', listImages),
    list<D>('catalog.instanceTypes', '/v1/catalog/:accountId/regions/:regionId/instance-types', listInstanceTypes),
    {
      name: 'catalog.clearCache',
      http: { method: 'DELETE', path: '/v1/catalog/:accountId/cache' },
      run: async (input, { principal, deps }) => {
        await clearCache(input, principal, serviceDeps(deps));
        return undefined;
      },
    },
  ];
}
