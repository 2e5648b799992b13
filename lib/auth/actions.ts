/** The token operations (docs/API.md §1 tokens), admin only: HTTP routes and direct-invoke actions. */
import type { Action } from '../core/action';
import { authorize } from './authorize';
import { authDepsOf, type BearerDeps } from './bearer';
import { createToken, deleteToken, listTokens } from './service';

export function tokenActions(): Action<BearerDeps>[] {
  return [
    {
      name: 'tokens.create',
      http: { method: 'POST', path: '/v1/tokens', status: 201 },
      run: async (input, { principal, deps }) => {
        authorize(principal, { access: 'admin', doing: 'create tokens' });
        return createToken(input, principal, authDepsOf(deps));
      },
    },
    {
      name: 'tokens.list',
      http: { method: 'GET', path: '/v1/tokens' },
      run: async (_input, { principal, deps }) => {
        authorize(principal, { access: 'admin', doing: 'list tokens' });
        return listTokens(authDepsOf(deps));
      },
    },
    {
      name: 'tokens.delete',
      http: { method: 'DELETE', path: '/v1/tokens/:id' },
      run: async (input, { principal, deps }) => {
        authorize(principal, { access: 'admin', doing: 'delete tokens' });
        await deleteToken(input.id, authDepsOf(deps));
        return undefined;
      },
    },
  ];
}
