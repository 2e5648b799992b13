/**
 * The settings function's operations (docs/API.md §1 tokens and accounts), each an HTTP route and a
 * direct-invoke action.
 */
import type { Config } from '../core/config';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import type { Action, CallContext } from '../core/action';
import type { Store } from '../store/types';
import type { CloudFactory } from '../cloud/types';
import type { SecretBox } from '../crypto';
import { authDepsOf, authenticateBearer, authorize, createToken, deleteToken, listTokens } from '../auth';
import type { CatalogDeps } from '../catalog/service';
import {
  accountChanges,
  createAccount,
  deleteAccount,
  getAccount,
  listAccounts,
  updateAccount,
  verifyAccount,
  type AccountsDeps,
} from './service';

/** What the settings and catalog functions need from the composition root (`lib/fc/deps.ts` builds it). */
export interface DomainDeps {
  config: Config;
  clock: Clock;
  /** Logger bound to this invocation (function name, request id). */
  log: Logger;
  /** Tablestore as the function role; built on first use, reused while the instance is warm. */
  readonly store: Store;
  /** Per-account Alibaba Cloud clients; the factory (and its STS cache) lives as long as the warm instance. */
  readonly cloud: CloudFactory;
  /**
   * Opens and seals stored secrets (AccessKey secrets, SSH private keys): KMS as the function's role
   * when `FLEET_KMS_KEY_ID` is set, else `FLEET_MASTER_KEY`. Use it only through `openCredential`/`openPrivateKey`.
   */
  readonly secrets: SecretBox;
}

/**
 * The services' deps (accounts and catalog take the same ones): getters keep the store, secrets
 * and cloud clients lazy, so an action that does not use one never builds it.
 */
export const serviceDeps = (d: DomainDeps): AccountsDeps & CatalogDeps => ({
  get store() {
    return d.store;
  },
  get secrets() {
    return d.secrets;
  },
  get cloud() {
    return d.cloud;
  },
  clock: d.clock,
  log: d.log,
  homeRegion: d.config.region,
  ttlMs: d.config.catalogTtlMs,
});

/** Kept for the functions' wiring: the one implementation is `lib/auth` `authenticateBearer`. */
export { authenticateBearer };

type Run<D> = (input: Record<string, unknown>, ctx: CallContext<D>) => Promise<unknown>;
const act = <D>(name: string, http: Action<D>['http'], run: Run<D>): Action<D> => ({ name, http, run });

export function settingsActions<D extends DomainDeps>(): Action<D>[] {
  return [
    act<D>('tokens.create', { method: 'POST', path: '/v1/tokens', status: 201 }, async (input, { principal, deps }) => {
      authorize(principal, { action: 'admin' });
      return createToken(input, principal, authDepsOf(deps));
    }),
    act<D>('tokens.list', { method: 'GET', path: '/v1/tokens' }, async (_input, { principal, deps }) => {
      authorize(principal, { action: 'admin' });
      return listTokens(authDepsOf(deps));
    }),
    act<D>('tokens.delete', { method: 'DELETE', path: '/v1/tokens/:id' }, async (input, { principal, deps }) => {
      authorize(principal, { action: 'admin' });
      await deleteToken(input.id, authDepsOf(deps));
      return undefined;
    }),
    act<D>('accounts.create', { method: 'POST', path: '/v1/accounts', status: 201 }, (input, { principal, deps }) =>
      createAccount(input, principal, serviceDeps(deps)),
    ),
    act<D>('accounts.list', { method: 'GET', path: '/v1/accounts' }, (_input, { principal, deps }) =>
      listAccounts(principal, serviceDeps(deps)),
    ),
    act<D>('accounts.get', { method: 'GET', path: '/v1/accounts/:id' }, (input, { principal, deps }) =>
      getAccount(input.id, principal, serviceDeps(deps)),
    ),
    act<D>('accounts.update', { method: 'PATCH', path: '/v1/accounts/:id' }, (input, { principal, deps }) => {
      const { id, ...body } = input;
      return updateAccount(id, body, principal, serviceDeps(deps));
    }),
    act<D>('accounts.delete', { method: 'DELETE', path: '/v1/accounts/:id' }, async (input, { principal, deps }) => {
      await deleteAccount(input.id, principal, serviceDeps(deps));
      return undefined;
    }),
    act<D>('accounts.changes', { method: 'GET', path: '/v1/accounts/:id/changes' }, (input, { principal, deps }) =>
      accountChanges(input, principal, serviceDeps(deps)),
    ),
    act<D>('accounts.verify', { method: 'POST', path: '/v1/accounts/:id/verify' }, (input, { principal, deps }) =>
      verifyAccount(input.id, principal, serviceDeps(deps)),
    ),
  ];
}
