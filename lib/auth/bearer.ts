/**
 * The one bearer authentication every function uses: the bootstrap admin token from config, or a
 * stored token (hash in the `tokens` table).
 */
import type { Clock } from '../core/clock';
import type { Config } from '../core/config';
import type { Principal } from '../core/principal';
import type { Store } from '../store/types';
import { storeTokenRepo } from './repo';
import { authenticate, type AuthDeps } from './service';

/** What bearer authentication needs from a function's deps. */
export interface BearerDeps {
  config: Pick<Config, 'adminToken' | 'adminTokenSha256'>;
  clock: Clock;
  readonly store: Store;
}

/** The token service's deps over the real token store (token CRUD and authentication share them). */
export const authDepsOf = (d: BearerDeps): AuthDeps => ({
  adminToken: d.config.adminToken,
  adminTokenSha256: d.config.adminTokenSha256,
  tokens: storeTokenRepo(d.store),
  clock: d.clock,
});

/** `createFcHandler`'s `authenticate` for every function: bearer token → principal. */
export const authenticateBearer = (token: string | undefined, d: BearerDeps): Promise<Principal> =>
  authenticate(token, authDepsOf(d));
