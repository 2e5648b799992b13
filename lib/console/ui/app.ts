/** What every screen gets: who is signed in, what that role may do, and a way to move on. */
import type { Json } from './api';

export interface Me {
  kind: string;
  role: 'admin' | 'operator' | 'viewer';
  groups: string[];
  name?: string;
  tokenId?: string;
  expiresAt?: number;
}

export interface Ctx {
  me: Me;
  /** admin: accounts and tokens. */
  canWrite: boolean;
  /** operator or admin: verify, clear caches, servers, scans, orphans. */
  canOperate: boolean;
  /** Hash route parts after the screen name, and its query. */
  params: string[];
  query: URLSearchParams;
  go(hash: string): void;
  /** Called when the screen is left (stop polling). */
  onLeave(f: () => void): void;
}

/** A screen draws itself into `root`. */
export type Screen = (root: HTMLElement, ctx: Ctx) => void | Promise<void>;

/** Accounts in scope, shared by the screens that pick one (one request per screen). */
export async function accountsOf(get: (p: string) => Promise<Json>): Promise<Json[]> {
  return ((await get('/v1/accounts')).items ?? []) as Json[];
}

export const accountLabel = (a: Json) => `${a.name} (${a.id})`;
