/**
 * Creates the product's tables when missing. Idempotent and cheap when they all exist (one
 * ListTable). Called by the local host at start and by the deploy step; never on a hot path.
 */
import { createTablestoreClient, type TablestoreClientOptions } from './client';
import { otsCode, mapStoreError } from './errors';
import { ALL_TABLES } from './tables';
import type { SdkClient } from './sdk';
import { storeInternals } from './store';
import type { Store, TableDef } from './types';

export interface EnsureTablesOptions {
  /** A client, or the options to build one. */
  client: SdkClient | TablestoreClientOptions;
  tablePrefix: string;
  tables?: readonly TableDef[];
}

export interface EnsureTablesResult {
  created: string[];
  existing: string[];
}

/**
 * Makes sure every table exists (physical names = prefix + name); reports which it created.
 * Takes a store from `createStore` (its client and prefix) or explicit options.
 */
export async function ensureTables(
  target: Store | EnsureTablesOptions,
  only?: readonly TableDef[],
): Promise<EnsureTablesResult> {
  let opts: EnsureTablesOptions;
  if ('client' in target && 'tablePrefix' in target) opts = target;
  else {
    const inner = storeInternals(target as Store);
    if (!inner) throw new Error('ensureTables: this store was not built by createStore');
    opts = { client: await inner.client(), tablePrefix: inner.tablePrefix };
  }
  const client = 'listTable' in opts.client ? opts.client : await createTablestoreClient(opts.client);
  const tables = only ?? opts.tables ?? ALL_TABLES;
  let names: Set<string>;
  try {
    names = new Set((await client.listTable({})).tableNames ?? []);
  } catch (e) {
    throw mapStoreError(e, 'ListTable');
  }
  const result: EnsureTablesResult = { created: [], existing: [] };
  for (const t of tables) {
    const name = opts.tablePrefix + t.name;
    if (names.has(name)) {
      result.existing.push(name);
      continue;
    }
    try {
      await client.createTable({
        tableMeta: {
          tableName: name,
          primaryKey: t.pk.map((c) => ({ name: c.name, type: c.type === 'int' ? 'INTEGER' : 'STRING' })),
        },
        reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
        tableOptions: { timeToLive: -1, maxVersions: 1 },
      });
      result.created.push(name);
    } catch (e) {
      // Another instance created it between our ListTable and CreateTable: that is success.
      if (otsCode(e) === 'OTSObjectAlreadyExist') result.existing.push(name);
      else throw mapStoreError(e, name);
    }
  }
  return result;
}
