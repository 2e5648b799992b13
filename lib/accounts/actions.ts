/** The accounts operations of the settings function (docs/API.md §1 accounts): HTTP routes and direct-invoke actions. */
import type { Action, CallContext } from '../core/action';
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

type Run = (input: Record<string, unknown>, ctx: CallContext<AccountsDeps>) => Promise<unknown>;
const act = (name: string, http: Action['http'], run: Run): Action<AccountsDeps> => ({ name, http, run });

export function accountActions(): Action<AccountsDeps>[] {
  return [
    act('accounts.create', { method: 'POST', path: '/v1/accounts', status: 201 }, (input, { principal, deps }) =>
      createAccount(input, principal, deps),
    ),
    act('accounts.list', { method: 'GET', path: '/v1/accounts' }, (_input, { principal, deps }) =>
      listAccounts(principal, deps),
    ),
    act('accounts.get', { method: 'GET', path: '/v1/accounts/:id' }, (input, { principal, deps }) =>
      getAccount(input.id, principal, deps),
    ),
    act('accounts.update', { method: 'PATCH', path: '/v1/accounts/:id' }, (input, { principal, deps }) => {
      const { id, ...body } = input;
      return updateAccount(id, body, principal, deps);
    }),
    act('accounts.delete', { method: 'DELETE', path: '/v1/accounts/:id' }, async (input, { principal, deps }) => {
      await deleteAccount(input.id, principal, deps);
      return undefined;
    }),
    act('accounts.changes', { method: 'GET', path: '/v1/accounts/:id/changes' }, (input, { principal, deps }) =>
      accountChanges(input, principal, deps),
    ),
    act('accounts.verify', { method: 'POST', path: '/v1/accounts/:id/verify' }, (input, { principal, deps }) =>
      verifyAccount(input.id, principal, deps),
    ),
  ];
}
