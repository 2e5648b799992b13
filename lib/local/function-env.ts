/**
 * A function instance's environment: exactly what s.yaml renders for that function, plus what
 * FC's runtime sets and the local endpoints. The render is cached on disk, so it never holds a
 * secret: s.yaml is rendered with a placeholder for each secret variable it reads, and an
 * instance gets the secret wherever its placeholder landed. A secret therefore reaches exactly
 * the functions s.yaml gives it to (the admin token: the four that authenticate HTTP callers).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSecretEnvName } from './capture';
import { envNamesOf, renderSYamlCached, toDeploymentModel, type DeploymentModel, type LocalFunction } from './syaml';

const placeholder = (name: string) => `__FLEET_LOCAL_SECRET_${name}__`;
const PLACEHOLDER = /__FLEET_LOCAL_SECRET_([A-Za-z_][A-Za-z0-9_]*)__/g;

/** The host's own admin token stands in for the deployer's `FLEET_ADMIN_TOKEN`. */
const ALWAYS_SET = ['FLEET_ADMIN_TOKEN'];

/**
 * The environment s.yaml is rendered with locally: non-secret variables as given, a placeholder
 * for each secret variable s.yaml reads (when set, and always for the admin token), other
 * secrets dropped. Local default: the sandbox's KMS key unless a master key or key id is given.
 */
export function localRenderEnv(
  env: Record<string, string | undefined>,
  sYamlNames: readonly string[],
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (!isSecretEnvName(k)) out[k] = v;
  for (const k of sYamlNames) if (isSecretEnvName(k) && (env[k] || ALWAYS_SET.includes(k))) out[k] = placeholder(k);
  if (!env.FLEET_MASTER_KEY && !env.FLEET_KMS_KEY_ID) out.FLEET_KMS_KEY_ID = 'alias/fleet';
  return out;
}

/** The deployment the local host runs: s.yaml rendered with `localRenderEnv` (cached). */
export async function renderLocalModel(
  root: string,
  env: Record<string, string | undefined> = process.env,
): Promise<DeploymentModel> {
  const names = envNamesOf(readFileSync(join(root, 's.yaml'), 'utf8'));
  return toDeploymentModel(await renderSYamlCached(root, localRenderEnv(env, names)));
}

/** The values the placeholders stand for: the deployer's secret variables and the host's admin token. */
export function localSecrets(env: Record<string, string | undefined>, adminToken: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v && isSecretEnvName(k)) out[k] = v;
  out.FLEET_ADMIN_TOKEN = adminToken;
  return out;
}

export interface InstanceEnvParts {
  secrets: Record<string, string>;
  /** PATH, TZ: what the runtime image provides; s.yaml may override. */
  base: Record<string, string>;
  /** FC_* and ALIBABA_CLOUD_* (the role session): set by FC's runtime, not overridable. */
  runtime: Record<string, string>;
  /** Where the deployment's values point at Alibaba, the sandbox and this host. */
  endpoints: Record<string, string>;
  /** Tests only: extra variables after s.yaml's. */
  extra?: Record<string, string>;
}

/** The environment of one instance of `fn`. */
export function instanceEnv(fn: LocalFunction, p: InstanceEnvParts): Record<string, string> {
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(fn.environment))
    own[k] = v.replace(PLACEHOLDER, (_, n: string) => p.secrets[n] ?? '');
  return { ...p.base, ...own, ...p.extra, ...p.runtime, ...p.endpoints };
}
