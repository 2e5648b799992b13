/**
 * The one place that reads the environment (docs/DESIGN.md principle 7). Everything else receives a
 * `Config`. Unknown or malformed values fail fast with the variable's name.
 */

export interface Config {
  /** Product version, reported by /healthz. */
  version: string;
  /** Function name prefix in FC (`<prefix>-settings`, …). */
  functionPrefix: string;
  /** Region the functions and the Tablestore instance live in. */
  region: string;
  /** Alibaba account id that owns the deployment (FC invoke endpoint is `<id>.<region>.fc.aliyuncs.com`). */
  deployAccountId: string;
  /**
   * When set (`host:port`), every Alibaba OpenAPI call goes to this sandbox endpoint over http.
   * Only then may a stored account carry a sandbox endpoint.
   */
  sandboxEndpoint?: string;
  tablestore: {
    /** `https://<instance>.<region>.ots.aliyuncs.com` or the sandbox `http://127.0.0.1:9100`. */
    endpoint: string;
    instance: string;
    /** Prefix of every table name (`fleet_` → `fleet_accounts`); `TABLESTORE_TABLE_PREFIX`. */
    tablePrefix: string;
  };
  invoke: {
    /** FC 3.0 API endpoint; `http://127.0.0.1:9000` locally. */
    endpoint: string;
  };
  secrets: {
    /** KMS key id for envelope encryption (production). */
    kmsKeyId?: string;
    /** Base64 32-byte master key: the documented alternative without KMS. */
    masterKey?: string;
  };
  /** Bootstrap admin token (docs/API.md §1). */
  adminToken?: string;
  /**
   * Lower-case hex SHA-256 of the bootstrap admin token (`FLEET_ADMIN_TOKEN_SHA256`), so a
   * deployment need not put the plaintext token in function config. Either or both may be set.
   */
  adminTokenSha256?: string;
  catalogTtlMs: number;
  /**
   * Scale of the sandbox's simulated time (`FLEET_TIME_SCALE`, set by the local host from
   * `SANDBOX_TIME_SCALE`): a job that waits `ms` is due after `ms × timeScale` real ms, as the
   * host delivers its delayed invocation. Always 1 outside the sandbox.
   */
  timeScale: number;
  /** Longest lease a job stage may hold (`FLEET_JOB_LEASE_MS`); default: until the invocation's deadline. */
  jobLeaseMs?: number;
  /**
   * How long past its due time (real ms) a job's event may still be on its way before the sweeper
   * takes the job over (`FLEET_JOB_OVERDUE_MS`, default 30 s): FC's delivery latency, not cloud time.
   */
  jobOverdueMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`config: ${name} must be a non-negative number, got "${raw}"`);
  return n;
}

export function loadConfig(env: Env = process.env): Config {
  const region = env.FLEET_REGION || env.FC_REGION || 'cn-hangzhou';
  const deployAccountId = env.FLEET_ACCOUNT_ID || env.FC_ACCOUNT_ID || '';
  const sandboxEndpoint = env.FLEET_SANDBOX_ENDPOINT || undefined;
  const instance = env.TABLESTORE_INSTANCE || 'fleet';
  const tsEndpoint =
    env.TABLESTORE_ENDPOINT ||
    (sandboxEndpoint ? `http://${sandboxEndpoint}` : `https://${instance}.${region}.ots.aliyuncs.com`);
  const invokeEndpoint =
    env.FLEET_INVOKE_ENDPOINT || (deployAccountId ? `https://${deployAccountId}.${region}.fc.aliyuncs.com` : '');
  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw new Error(`config: LOG_LEVEL "${logLevel}" is not one of debug, info, warn, error`);
  const cfg: Config = {
    version: env.FLEET_VERSION || '0.1.0',
    functionPrefix: env.FLEET_FUNCTION_PREFIX || 'fleet',
    region,
    deployAccountId,
    tablestore: { endpoint: tsEndpoint, instance, tablePrefix: env.TABLESTORE_TABLE_PREFIX || 'fleet_' },
    invoke: { endpoint: invokeEndpoint },
    secrets: {},
    catalogTtlMs: intVar(env, 'FLEET_CATALOG_TTL_MS', 15 * 60_000),
    timeScale: 1,
    jobOverdueMs: intVar(env, 'FLEET_JOB_OVERDUE_MS', 30_000),
    logLevel,
  };
  if (env.FLEET_TIME_SCALE) {
    const scale = Number(env.FLEET_TIME_SCALE);
    if (!sandboxEndpoint) throw new Error('config: FLEET_TIME_SCALE is only for the sandbox (FLEET_SANDBOX_ENDPOINT)');
    if (!(scale > 0 && scale <= 1))
      throw new Error(`config: FLEET_TIME_SCALE must be in (0, 1], got "${env.FLEET_TIME_SCALE}"`);
    cfg.timeScale = scale;
  }
  if (env.FLEET_JOB_LEASE_MS) cfg.jobLeaseMs = intVar(env, 'FLEET_JOB_LEASE_MS', 0) || undefined;
  if (sandboxEndpoint) cfg.sandboxEndpoint = sandboxEndpoint;
  if (env.FLEET_KMS_KEY_ID) cfg.secrets.kmsKeyId = env.FLEET_KMS_KEY_ID;
  if (env.FLEET_MASTER_KEY) cfg.secrets.masterKey = env.FLEET_MASTER_KEY;
  if (env.FLEET_ADMIN_TOKEN) cfg.adminToken = env.FLEET_ADMIN_TOKEN;
  const adminSha = env.FLEET_ADMIN_TOKEN_SHA256?.trim();
  if (adminSha) {
    if (!/^[0-9a-fA-F]{64}$/.test(adminSha))
      throw new Error('config: FLEET_ADMIN_TOKEN_SHA256 must be 64 hex digits (sha256 of the admin token)');
    cfg.adminTokenSha256 = adminSha.toLowerCase();
  }
  return cfg;
}

/** FC function name of one of the product's functions. */
export const functionName = (cfg: Pick<Config, 'functionPrefix'>, fn: string) => `${cfg.functionPrefix}-${fn}`;
