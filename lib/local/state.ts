/**
 * What the local host keeps between runs under `<dataDir>/local/state.json`: the admin token it
 * generated, the deployment account (its function role and FC service key), and the
 * user's sandbox account printed by `npm start`. Written by atomic replace.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AccountKeys {
  accountId: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export interface LocalState {
  adminToken?: string;
  deployment?: AccountKeys;
  user?: AccountKeys;
  /** The "FC service" RAM user key (deployment account, `sts:AssumeRole` only) that assumes the function role. */
  fcService?: AccountKeys;
  /** `acs:ram::<deployment>:role/fleet-functions`. */
  functionRoleArn?: string;
}

const file = (dataDir: string) => join(dataDir, 'local', 'state.json');

export function readLocalState(dataDir: string): LocalState {
  const f = file(dataDir);
  if (!existsSync(f)) return {};
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as LocalState;
  } catch {
    return {};
  }
}

export function writeLocalState(dataDir: string, state: LocalState): void {
  const f = file(dataDir);
  mkdirSync(join(dataDir, 'local'), { recursive: true });
  const tmp = `${f}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
  renameSync(tmp, f);
}

/** A bootstrap admin token: 32 random bytes, url-safe. */
export const newAdminToken = () => `fleet_admin_${randomBytes(24).toString('base64url')}`;
