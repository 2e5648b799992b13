/**
 * Each function instance's environment, read from the live process (`/proc/<pid>/environ`), is
 * exactly what s.yaml renders for that function with the deployer's secrets, plus FC's runtime
 * variables and the local endpoints: the admin token reaches the four functions that
 * authenticate HTTP callers and no other, the master key only those that seal or open secrets.
 * And no instance logs Node's DEP0005 warning (tablestore's `Buffer()` calls).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInvoker } from '../../lib/invoke';
import { isSecretEnvName } from '../../lib/local/capture';
import { findRoot } from '../../lib/local/host';
import { renderSYaml } from '../../lib/local/syaml';
import { startTestHost, type TestHost } from '../helpers/local';

const MASTER_KEY = randomBytes(32).toString('base64');
const renderEnv = { PATH: process.env.PATH, HOME: process.env.HOME, FLEET_MASTER_KEY: MASTER_KEY };
// FC runtime variables, and the IPC channel of the local worker (fork).
const RUNTIME = /^(PATH|TZ|FC_[A-Z_]+|ALIBABA_CLOUD_[A-Z_]+|NODE_CHANNEL_(FD|SERIALIZATION_MODE))$/;
const logs: string[] = [];
let host: TestHost;

test.before(async () => {
  host = await startTestHost({ renderEnv, timers: false, onLog: (fn, line) => logs.push(`[${fn}] ${line}`) });
});
test.after(async () => {
  await host?.close();
});

function environOf(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const i = entry.indexOf('=');
    if (i > 0) out[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return out;
}
// A failing comparison prints its values: secrets are compared by digest only.
const redact = (env: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      isSecretEnvName(k) && v ? `sha256:${createHash('sha256').update(v).digest('hex').slice(0, 16)}` : v,
    ]),
  );

test('every function instance has exactly its s.yaml environment (secrets included) plus runtime and endpoints', async () => {
  if (!existsSync('/proc/self/environ')) return; // Linux only: the live process environment
  // What a deploy renders, with the real secrets (rendered here, never cached or written).
  const rendered = (await renderSYaml(findRoot(), { ...renderEnv, FLEET_ADMIN_TOKEN: host.adminToken })) as {
    resources: Record<string, { component: string; props: { environmentVariables?: Record<string, unknown> } }>;
  };
  const endpoints = {
    FLEET_ACCOUNT_ID: host.deploymentAccount.accountId,
    FLEET_SANDBOX_ENDPOINT: host.sandbox.endpoint,
    TABLESTORE_ENDPOINT: host.sandbox.url,
    FLEET_INVOKE_ENDPOINT: host.url,
    // The host's time scale (tests run the sandbox 1000x faster), so job waits are due in real time.
    ...(host.timeScale !== 1 ? { FLEET_TIME_SCALE: String(host.timeScale) } : {}),
  };
  const invoker = createInvoker({
    endpoint: host.url,
    credentials: { ...host.deploymentAccount },
    functionPrefix: 'fleet',
  });
  const withToken: string[] = [];
  const withMasterKey: string[] = [];
  for (const fn of host.model.functions) {
    // Any call starts an instance; an unknown action is answered NotFound by the function itself.
    await invoker.invokeSync(fn.functionName.replace(/^fleet-/, ''), { action: 'env.probe' });
    const [pid] = host.instancePids(fn.functionName);
    assert.ok(pid, `${fn.functionName} has an instance`);
    const live = environOf(pid!);
    const own = Object.fromEntries(Object.entries(live).filter(([k]) => !RUNTIME.test(k)));
    const expected: Record<string, string> = {};
    for (const [k, v] of Object.entries(rendered.resources[fn.resource]!.props.environmentVariables ?? {}))
      expected[k] = String(v);
    assert.equal(redact(own), redact({ ...expected, ...endpoints }), fn.resource);
    assert.is(live.FC_FUNCTION_NAME, fn.functionName);
    if (live.FLEET_ADMIN_TOKEN === host.adminToken) withToken.push(fn.resource);
    if (live.FLEET_MASTER_KEY === MASTER_KEY) withMasterKey.push(fn.resource);
  }
  assert.equal(withToken.sort(), ['catalog', 'inventory', 'servers', 'settings']);
  assert.equal(withMasterKey.sort(), ['catalog', 'inventory', 'provision', 'scan-region', 'servers', 'settings']);
});

test('the cached s.yaml render holds placeholders, never the secrets', () => {
  const dir = join(findRoot(), 'dist', '.cache');
  const files = readdirSync(dir).filter((f) => f.startsWith('s-preview-'));
  assert.ok(files.length > 0);
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    assert.not.ok(text.includes(MASTER_KEY) || text.includes(host.adminToken), `${f} holds a secret`);
  }
  assert.ok(
    files.some((f) => readFileSync(join(dir, f), 'utf8').includes('__FLEET_LOCAL_SECRET_FLEET_MASTER_KEY__')),
    'the render this host used is among them',
  );
});

test('a request that reaches Tablestore logs no DEP0005 (Buffer() deprecation)', async () => {
  const res = await host.fetch('/v1/accounts', { token: host.adminToken });
  assert.is(res.status, 200, await res.text());
  assert.ok(
    logs.some((l) => l.startsWith('[settings]')),
    'the settings log is captured',
  );
  assert.equal(
    logs.filter((l) => /DEP0005|Buffer\(\) is deprecated/.test(l)),
    [],
  );
});

test.run();
