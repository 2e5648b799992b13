/**
 * Who is calling, as every layer sees it. Lives in core (not lib/fc) so domains can name the
 * caller without importing the FC adapters: imports point down (functions → fc → domains → core).
 */

export type Role = 'admin' | 'operator' | 'viewer';

/** Who is calling. Direct invocations are authorised by FC (RAM) and act as admin. */
export interface Principal {
  kind: 'bootstrap' | 'token' | 'invoke' | 'timer' | 'anonymous';
  role: Role | 'none';
  groups: string[];
  tokenId?: string;
  name?: string;
  /** A stored token's expiry (epoch ms), when it has one. */
  expiresAtMs?: number;
}
