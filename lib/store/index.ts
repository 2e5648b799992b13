/** The store layer's public surface: import from `lib/store`. */
export type * from './types';
export { createStore, type StoreOptions } from './store';
export {
  createTablestoreClient,
  SDK_MAX_RETRIES,
  type TablestoreClientOptions,
  type TablestoreCredentials,
} from './client';
export { ensureTables, type EnsureTablesOptions, type EnsureTablesResult } from './ensure';
export { isVersionConflict, storeConflict, type ConflictReason } from './errors';
export * as tables from './tables';
export { timeOrderedId, timeOrderedBound, ALL_TABLES } from './tables';
export { tryLock, renewLock, releaseLock, type Lease } from './locks';
export { claimIdempotencyKey, type IdempotencyClaim } from './idempotency';
