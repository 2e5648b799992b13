/**
 * `npm start`: builds the functions, starts the sandbox and the local host, prints where
 * everything is, and stops cleanly on Ctrl-C or SIGTERM (every function instance included).
 */
import { startLocalHost } from './host';

function intEnv(name: string, dflt: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return n;
}

async function main() {
  const started = Date.now();
  const scaleText = process.env.SANDBOX_TIME_SCALE;
  const timeScale = scaleText ? Number(scaleText) : 1;
  if (!Number.isFinite(timeScale) || timeScale <= 0)
    throw new Error(`SANDBOX_TIME_SCALE must be a positive number, got "${scaleText}"`);
  const host = await startLocalHost({
    port: intEnv('PORT', 9000),
    sandboxPort: intEnv('SANDBOX_PORT', 9100),
    dataDir: process.env.FLEET_DATA_DIR || '.data',
    timeScale,
    ...(process.env.FLEET_ADMIN_TOKEN ? { adminToken: process.env.FLEET_ADMIN_TOKEN } : {}),
  });
  const a = host.sandboxAccount;
  const d = host.deploymentAccount;
  process.stdout.write(
    [
      '',
      `alicloud-fleet is running (ready in ${Date.now() - started} ms)`,
      `  API + console   ${host.url}/            (health: ${host.url}/healthz)`,
      `  admin token     ${host.adminToken}`,
      `  FC invoke API   ${host.url}/2023-03-30/functions/{name}/invocations`,
      `  sandbox         ${host.sandbox.url}  (Alibaba OpenAPI + Tablestore, time scale ${timeScale})`,
      `  sandbox account accountId=${a.accountId} accessKeyId=${a.accessKeyId} accessKeySecret=${a.accessKeySecret}`,
      `  functions       ${host.model.functions.map((f) => f.resource).join(', ')}`,
      `  deployment      accountId=${d.accountId}  function role ${host.functionRole.arn} (STS sessions, rotated)`,
      '',
      'Add the sandbox account with POST /v1/accounts, or open the console URL. Ctrl-C stops.',
      '',
      'A ram_role account: create a role in the sandbox account that trusts the deployment account, then add its ARN:',
      `  curl -s -X POST ${host.sandbox.url}/__sandbox/accounts/${a.accountId}/roles -H 'content-type: application/json' \\`,
      `    -d '{"name":"fleet-operator","trustedAccountIds":["${d.accountId}"],"allow":["ecs:*","vpc:*","resourcecenter:*"]}'`,
      `  curl -s -X POST ${host.url}/v1/accounts -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
      `    -d '{"name":"ops","credential":{"type":"ram_role","roleArn":"acs:ram::${a.accountId}:role/fleet-operator"}}'`,
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping…\n`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    host.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  // If whatever started us dies without passing the signal on (a shell killed by npm), stop too.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stop('parent process exited'), 500).unref();
}

main().catch((e: unknown) => {
  process.stderr.write(`npm start failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
