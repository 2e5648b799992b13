/**
 * ClientTokens derived from what a step is (server id, stage, attempt generation), so every retry
 * and every re-run after a crash sends the same token and the cloud returns the same resource.
 */
import { createHash } from 'node:crypto';

/** `clientToken('srv-abc', 'vpc')` → a stable ASCII token of 51 characters (Alibaba allows ≤ 64). */
export function clientToken(...parts: string[]): string {
  if (parts.length === 0 || parts.some((p) => typeof p !== 'string' || p === ''))
    throw new Error('clientToken needs non-empty parts');
  return `fleet-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 45)}`;
}
