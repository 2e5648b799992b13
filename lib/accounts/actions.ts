/**
 * The settings function's operations (API.md §1 tokens and accounts), each an HTTP route and a
 * direct-invoke action.
 */
import type { Config } from '../core/config';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import type { Action, CallContext } from '../core/action';
import type { Principal } from '../core/principal';
import type { Store } from '../store/types';
import type { CloudFactory } from '../cloud/types';
import type { SecretBox } from '../crypto';
import { authenticate, authorize, createToken, deleteToken, listTokens, storeTokenRepo, type AuthDeps } from '../auth';
import { accountChanges, createAccount, deleteAccount, getAccount, listAccounts, updateAccount, verifyAccount, type AccountsDeps } from './service';

/** What the settings and catalog functions need from the composition root. */
export interface DomainDeps {
  config: Config;
  clock: Clock;
  log: Logger;
  readonly store: Store;
  readonly cloud: CloudFactory;
  readonly secrets: SecretBox;
}

export const authDeps = (d: DomainDeps): AuthDeps => ({ adminToken: d.config.adminToken, tokens: storeTokenRepo(d.store), clock: d.clock });

export const accountsDeps = (d: DomainDeps): AccountsDeps => ({
  get store() { return d.store; },
  get secrets() { return d.secrets; },
  get cloud() { return d.cloud; },
  clock: d.clock,
  log: d.log,
  homeRegion: d.config.region,
});

/** `createFcHandler`'s `authenticate` for every function built on `DomainDeps`-like deps. */
export const authenticateBearer = (token: string | undefined, d: Pick<DomainDeps, 'config' | 'clock' | 'store'>): Promise<Principal> =>
  authenticate(token, { adminToken: d.config.adminToken, tokens: storeTokenRepo(d.store), clock: d.clock });

type Run<D> = (input: Record<string, unknown>, ctx: CallContext<D>) => Promise<unknown>;
const act = <D>(name: string, http: Action<D>['http'], run: Run<D>): Action<D> => ({ name, http, run });

export function settingsActions<D extends DomainDeps>(): Action<D>[] {
  return [
    act<D>('tokens.create', { method: 'POST', path: '/v1/tokens', status: 201 }, async (input, { principal, deps }) => {
      authorize(principal, { action: 'admin' });
      return createToken(input, principal, authDeps(deps));
    }),
    act<D>('tokens.list', { method: 'GET', path: '/v1/tokens' }, async (_input, { principal, deps }) => {
      authorize(principal, { action: 'admin' });
      return listTokens(authDeps(deps));
    }),
    act<D>('tokens.delete', { method: 'DELETE', path: '/v1/tokens/:id' }, async (input, { principal, deps }) => {
      authorize(principal, { action: 'admin' });
      await deleteToken(input.id, authDeps(deps));
      return undefined;
    }),
    act<D>('accounts.create', { method: 'POST', path: '/v1/accounts', status: 201 }, (input, { principal, deps }) => createAccount(input, principal, accountsDeps(deps))),
    act<D>('accounts.list', { method: 'GET', path: '/v1/accounts' }, (_input, { principal, deps }) => listAccounts(principal, accountsDeps(deps))),
    act<D>('accounts.get', { method: 'GET', path: '/v1/accounts/:id' }, (input, { principal, deps }) => getAccount(input.id, principal, accountsDeps(deps))),
    act<D>('accounts.update', { method: 'PATCH', path: '/v1/accounts/:id' }, (input, { principal, deps }) => {
      const { id, ...body } = input;
      return updateAccount(id, body, principal, accountsDeps(deps));
    }),
    act<D>('accounts.delete', { method: 'DELETE', path: '/v1/accounts/:id' }, async (input, { principal, deps }) => {
      await deleteAccount(input.id, principal, accountsDeps(deps));
      return undefined;
    }),
    act<D>('accounts.changes', { method: 'GET', path: '/v1/accounts/:id/changes' }, (input, { principal, deps }) => accountChanges(input, principal, accountsDeps(deps))),
    act<D>('accounts.verify', { method: 'POST', path: '/v1/accounts/:id/verify' }, (input, { principal, deps }) => verifyAccount(input.id, principal, accountsDeps(deps))),
  ];
}
