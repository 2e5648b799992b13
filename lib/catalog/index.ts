export {
  listRegions,
  listZones,
  listKeyPairs,
  listImages,
  listInstanceTypes,
  clearCache,
  type CatalogDeps,
} from './service';
export { readThrough, clearAccountCache, type Cached, type CacheRow, type CacheDeps } from './cache';
export { catalogActions } from './actions';
