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
      // Any valid token: what the caller may do, so a client (the console) shows only the
      // controls that would work, without probing with a write.
      name: 'tokens.whoami',
      http: { method: 'GET', path: '/v1/whoami' },
      run: async (_input, { principal }) => {
        authorize(principal, { access: 'read', doing: 'see who they are' });
        return {
          kind: principal.kind,
          role: principal.role,
          groups: principal.groups,
          ...(principal.name !== undefined ? { name: principal.name } : {}),
          ...(principal.tokenId !== undefined ? { tokenId: principal.tokenId } : {}),
          ...(principal.expiresAtMs !== undefined ? { expiresAt: principal.expiresAtMs } : {}),
        };
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
