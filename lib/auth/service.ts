import { AppError } from '../core/errors';
import type { Clock } from '../core/clock';
import { registerSecret } from '../core/log';
import type { Principal, Role } from '../core/principal';
import { parseInput } from '../core/validate';
import { generateToken, hashToken, safeEqual, tokenIdOf } from './tokens';

/** A stored token: never the token itself, only its SHA-256. */
export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  groups: string[];
  tokenHash: string;
  createdAtMs: number;
  createdBy: string;
  /** From then on the token answers 401; absent: it never expires. */
  expiresAtMs?: number;
}

/** Where tokens live (the tokens table, keyed by id). */
export interface TokenRepo {
  create(rec: TokenRecord): Promise<void>;
  get(id: string): Promise<TokenRecord | undefined>;
  list(): Promise<TokenRecord[]>;
  /** false when there was no such token. */
  remove(id: string): Promise<boolean>;
}

export interface AuthDeps {
  adminToken?: string | undefined;
  /** Hex SHA-256 of the bootstrap token: matches like `adminToken` without storing it in plaintext. */
  adminTokenSha256?: string | undefined;
  tokens: TokenRepo;
  clock: Clock;
}

/** The public view of a token (docs/API.md §1): never its hash. */
export const tokenView = (t: TokenRecord) => ({
  id: t.id,
  name: t.name,
  role: t.role,
  groups: t.groups,
  createdAt: t.createdAtMs,
  createdBy: t.createdBy,
  ...(t.expiresAtMs !== undefined ? { expiresAt: t.expiresAtMs } : {}),
});

/** Creates a token; the secret is in this answer only and stored as a hash. */
export async function createToken(input: unknown, by: Principal, deps: AuthDeps) {
  // zod loads only on write paths: it costs more module-init time than the rest of a function.
  const { createTokenSchema } = await import('./schema');
  const now = deps.clock.now();
  const body = parseInput(createTokenSchema(now), input);
  const { id, token } = generateToken();
  registerSecret(token);
  const rec: TokenRecord = {
    id,
    name: body.name,
    role: body.role,
    groups: body.groups,
    tokenHash: hashToken(token),
    createdAtMs: now,
    createdBy: who(by),
    ...(body.expiresAt !== undefined ? { expiresAtMs: body.expiresAt } : {}),
  };
  await deps.tokens.create(rec);
  return { ...tokenView(rec), token };
}

export async function listTokens(deps: AuthDeps) {
  const all = await deps.tokens.list();
  return { items: all.sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id)).map(tokenView) };
}

export async function deleteToken(id: unknown, deps: AuthDeps): Promise<void> {
  if (typeof id !== 'string' || !/^tok-[0-9a-z]{16}$/.test(id) || !(await deps.tokens.remove(id)))
    throw new AppError('NotFound', 'the token was not found');
}

/** Who did it, for audit records: a token id or the kind of caller, never a secret. */
export const who = (p: Principal) => p.tokenId ?? (p.kind === 'bootstrap' ? 'bootstrap-admin' : p.kind);

const unauthenticated = () => new AppError('Unauthenticated', 'a valid bearer token is required');

/**
 * Turns a bearer token into a principal. The bootstrap token and stored hashes are compared in
 * constant time; a missing, malformed, unknown, revoked or expired token is `Unauthenticated`.
 */
export async function authenticate(token: string | undefined, deps: AuthDeps): Promise<Principal> {
  if (!token) throw unauthenticated();
  registerSecret(deps.adminToken);
  const bootstrap =
    (deps.adminToken !== undefined && deps.adminToken !== '' && safeEqual(token, deps.adminToken)) ||
    (deps.adminTokenSha256 !== undefined &&
      deps.adminTokenSha256 !== '' &&
      safeEqual(hashToken(token), deps.adminTokenSha256.toLowerCase()));
  if (bootstrap) {
    registerSecret(token);
    return { kind: 'bootstrap', role: 'admin', groups: [], name: 'bootstrap admin' };
  }
  const id = tokenIdOf(token);
  if (!id) throw unauthenticated();
  const rec = await deps.tokens.get(id);
  if (!rec || !safeEqual(hashToken(token), rec.tokenHash)) throw unauthenticated();
  // Said only after the hash matched: only the token's holder learns that it expired.
  if (rec.expiresAtMs !== undefined && deps.clock.now() >= rec.expiresAtMs)
    throw new AppError('Unauthenticated', 'the bearer token has expired; ask an admin for a new one');
  registerSecret(token); // a valid token is a secret of ours: scrub it from this instance's logs
  return {
    kind: 'token',
    role: rec.role,
    groups: rec.groups,
    tokenId: rec.id,
    name: rec.name,
    ...(rec.expiresAtMs !== undefined ? { expiresAtMs: rec.expiresAtMs } : {}),
  };
}
