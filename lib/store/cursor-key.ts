/**
 * The key that seals page cursors: 32 random bytes in the `service_keys` row `cursor`.
 *
 * Why a stored random key rather than one derived from config: a deployment with KMS has no
 * `FLEET_MASTER_KEY`, and the bootstrap token may be given only as its SHA-256, which is not a
 * secret from anyone who can read the function config. The row needs no setup, works the same
 * with and without KMS, and is readable only by the functions' role. It is stored in plain: anyone
 * who can read it can read every table directly, so a forged cursor would give them nothing. To
 * rotate it, delete the row: cursors already handed out then answer 400 and clients start over.
 *
 * Concurrent cold starts agree: each reads the row, and when it is missing tries a conditional
 * create; the loser of that race reads the winner's key.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock';
import { AppError } from '../core/errors';
import { isAlreadyExists } from './errors';
import { serviceKeys } from './tables';
import type { Store } from './types';

export const CURSOR_KEY_ROW = 'cursor';
const KEY_BYTES = 32;

interface KeyRow {
  name: string;
  key: Buffer;
  createdAtMs: number;
}

const broken = () =>
  new AppError('Internal', `store: the ${serviceKeys.name} row "${CURSOR_KEY_ROW}" is not a ${KEY_BYTES}-byte key`);

/** Reads the deployment's cursor key, making it first if no instance has yet. */
export async function loadCursorKey(
  store: Pick<Store, 'get' | 'create'>,
  clock: Clock,
  random: (n: number) => Buffer = randomBytes,
): Promise<Buffer> {
  const read = async () => {
    const row = await store.get<KeyRow>(serviceKeys, { name: CURSOR_KEY_ROW });
    if (!row) return undefined;
    if (!Buffer.isBuffer(row.key) || row.key.length !== KEY_BYTES) throw broken();
    return row.key;
  };
  const found = await read();
  if (found) return found;
  const key = random(KEY_BYTES);
  try {
    await store.create<KeyRow>(serviceKeys, { name: CURSOR_KEY_ROW, key, createdAtMs: clock.now() });
    return key;
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
  const winner = await read();
  if (!winner) throw broken();
  return winner;
}
