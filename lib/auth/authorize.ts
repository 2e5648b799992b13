import { AppError } from '../core/errors';
import type { Principal } from '../core/principal';

/**
 * What an operation does: `read` (list, get), `operate` (servers, scans, cache clearing),
 * `write` (accounts), `admin` (tokens, anything global).
 */
export type Access = 'read' | 'operate' | 'write' | 'admin';

/** The object an operation touches, when it belongs to an account. */
export interface Scoped {
  groups: readonly string[];
}

/** What an operation needs: the access it takes, and what it does in words for a refusal. */
export interface Need {
  access: Access;
  /** Completes "the viewer role may not …": `verify accounts`, `list tokens`. */
  doing: string;
}

const RANK = { viewer: 1, operator: 2, admin: 3 } as const;
const NEEDED: Record<Access, number> = { read: 1, operate: 2, write: 3, admin: 3 };
const WHO_MAY: Record<Access, string> = {
  read: 'any role',
  operate: 'operator or admin',
  write: 'admin only',
  admin: 'admin only',
};

/** True if the caller may see the account at all (admins see everything; others share a group). */
export function inScope(principal: Principal, account: Scoped): boolean {
  if (principal.role === 'admin') return true;
  if (principal.role === 'none') return false;
  return account.groups.some((g) => principal.groups.includes(g));
}

/**
 * The one access check every function uses. An account outside the caller's scope answers
 * `NotFound` (as if it did not exist), checked before the role so a 403 never confirms that an
 * unseen account exists; a role too weak for the operation answers `Forbidden`, saying what that
 * role may not do and which roles may.
 */
export function authorize(principal: Principal, need: Need & { account?: Scoped | undefined }): void {
  if (principal.role === 'none') throw new AppError('Unauthenticated', 'a bearer token is required');
  if (need.account && !inScope(principal, need.account)) throw new AppError('NotFound', 'the account was not found');
  if (RANK[principal.role] < NEEDED[need.access]) {
    throw new AppError('Forbidden', `the ${principal.role} role may not ${need.doing} (${WHO_MAY[need.access]})`);
  }
}
