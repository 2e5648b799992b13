import type { Store } from '../store/types';
import * as T from '../store/tables';
import type { TokenRecord, TokenRepo } from './service';

/** Tokens in the `tokens` table (pk `id`). */
export function storeTokenRepo(store: Store): TokenRepo {
  return {
    async create(rec) {
      await store.create(T.tokens, rec);
    },
    async get(id) {
      const r = await store.get<TokenRecord>(T.tokens, { id });
      if (!r) return undefined;
      const { version: _v, ...rec } = r;
      return rec;
    },
    async list() {
      const out: TokenRecord[] = [];
      for await (const r of store.scan<TokenRecord>(T.tokens)) {
        const { version: _v, ...rec } = r;
        out.push(rec);
      }
      return out;
    },
    async remove(id) {
      const r = await store.get(T.tokens, { id });
      if (!r) return false;
      await store.remove(T.tokens, { id });
      return true;
    },
  };
}
