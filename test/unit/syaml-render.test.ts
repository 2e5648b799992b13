/**
 * s.yaml as Serverless Devs renders it (`s preview -o json`, offline): every resource's props
 * validate against the fc3 / fc3-domain component schemas, functions and resources match one to
 * one, and the route table, timers and async config say what the product needs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import Ajv from 'ajv';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRoot } from '../../lib/local/host';
import { matchRoute, renderSYaml, renderSYamlCached, toDeploymentModel } from '../../lib/local/syaml';

const root = findRoot();
const schema = (f: string) => JSON.parse(readFileSync(join(root, 'test/fixtures', f), 'utf8')) as object;
let doc: Record<string, any>;

test.before(async () => {
  doc = await renderSYaml(root, { PATH: process.env.PATH, HOME: process.env.HOME });
});

test('renders offline to edition 3.0.0 with a pre-deploy build', () => {
  assert.is(doc.edition, '3.0.0');
  assert.equal(doc.actions['pre-deploy'][0].run, 'npm run build');
});

test('every fc3 and fc3-domain resource validates against its component schema', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const fc3 = ajv.compile(schema('fc3-props.schema.json'));
  const domain = ajv.compile(schema('fc3-domain-props.schema.json'));
  let fns = 0;
  let domains = 0;
  for (const [name, r] of Object.entries<any>(doc.resources)) {
    const check = r.component === 'fc3' ? fc3 : r.component === 'fc3-domain' ? domain : undefined;
    assert.ok(check, `${name}: unexpected component ${r.component}`);
    const ok = check!(r.props);
    assert.ok(ok, `${name}: ${JSON.stringify(check!.errors)}`);
    if (r.component === 'fc3') fns++;
    else domains++;
  }
  assert.is(fns, 8);
  assert.is(domains, 1);
});

test('the schema check can fail: a wrong memory size is refused', () => {
  const ajv = new Ajv({ strict: false });
  const fc3 = ajv.compile(schema('fc3-props.schema.json'));
  const props = { ...doc.resources.console.props, memorySize: 100 };
  assert.is(fc3(props), false);
});

test('every functions/<fn> has a resource and every resource has a function', () => {
  const dirs = readdirSync(join(root, 'functions'))
    .filter((d) => existsSync(join(root, 'functions', d, 'index.ts')))
    .sort();
  const model = toDeploymentModel(doc);
  const resources = model.functions.map((f) => f.resource).sort();
  assert.equal(resources, [
    'catalog',
    'console',
    'inventory',
    'provision',
    'scan-region',
    'servers',
    'settings',
    'sweeper',
  ]);
  for (const fn of model.functions) {
    assert.is(fn.code, `./dist/${fn.resource}`);
    assert.is(fn.functionName, `fleet-${fn.resource}`);
    assert.is(fn.handler, 'index.handler');
    assert.ok(fn.memorySize <= 256, `${fn.resource} memory ${fn.memorySize}`);
  }
  assert.equal(dirs, resources);
});

test('runtime, role, log config and environment on every function', () => {
  for (const r of Object.values<any>(doc.resources)) {
    if (r.component !== 'fc3') continue;
    assert.is(r.props.runtime, 'nodejs20');
    assert.match(r.props.role, /^acs:ram::.*:role\//);
    assert.ok(r.props.logConfig, 'logConfig');
    assert.is(r.props.environmentVariables.FLEET_FUNCTION_PREFIX, 'fleet');
    assert.is(r.props.environmentVariables.TABLESTORE_INSTANCE, 'fleet');
  }
});

test('env() variables come from the environment at render time', async () => {
  const other = await renderSYaml(root, {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FLEET_FUNCTION_PREFIX: 'acme',
    FLEET_REGION: 'cn-shanghai',
  });
  const m = toDeploymentModel(other);
  assert.is(m.region, 'cn-shanghai');
  assert.ok(m.functions.every((f) => f.functionName.startsWith('acme-')));
  assert.ok(m.routes.every((r) => r.functionName.startsWith('acme-')));
});

test('timers, async retries and HTTP triggers', () => {
  const m = toDeploymentModel(doc);
  const fn = (n: string) => m.functions.find((f) => f.resource === n)!;
  assert.equal(
    fn('sweeper').timers.map((t) => t.cronExpression),
    ['@every 1m'],
  );
  assert.equal(
    fn('inventory').timers.map((t) => t.cronExpression),
    ['0 0 * * * *'],
  );
  for (const n of ['provision', 'scan-region']) {
    assert.ok(fn(n).maxAsyncRetryAttempts >= 1, n);
    assert.is(fn(n).asyncTask, true);
  }
  const http = m.functions
    .filter((f) => f.http)
    .map((f) => f.resource)
    .sort();
  assert.equal(http, ['catalog', 'console', 'inventory', 'servers', 'settings']);
});

test('the custom domain routes each API prefix to its function', () => {
  const m = toDeploymentModel(doc);
  const to = (path: string, method = 'GET') => matchRoute(m.routes, path, method)?.functionName;
  assert.is(to('/v1/accounts'), 'fleet-settings');
  assert.is(to('/v1/accounts/acc-1/verify', 'POST'), 'fleet-settings');
  assert.is(to('/v1/tokens/tok-1', 'DELETE'), 'fleet-settings');
  assert.is(to('/v1/catalog/acc-1/regions'), 'fleet-catalog');
  assert.is(to('/v1/servers/srv-1'), 'fleet-servers');
  assert.is(to('/v1/scans'), 'fleet-inventory');
  assert.is(to('/v1/assets'), 'fleet-inventory');
  assert.is(to('/healthz'), 'fleet-console');
  assert.is(to('/'), 'fleet-console');
  assert.is(to('/anything/else'), 'fleet-console');
});

test('TABLESTORE_TABLE_PREFIX reaches every function (README: functions honour it)', async () => {
  for (const r of Object.values<any>(doc.resources))
    if (r.component === 'fc3') assert.is(r.props.environmentVariables.TABLESTORE_TABLE_PREFIX, 'fleet_');
  const other: Record<string, any> = await renderSYaml(root, {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TABLESTORE_TABLE_PREFIX: 'acme_',
    FLEET_ADMIN_TOKEN: 'plain-admin-token-value',
    FLEET_ADMIN_TOKEN_SHA256: 'ab'.repeat(32),
    FLEET_MASTER_KEY: 'bWFzdGVyLWtleS1tYXN0ZXIta2V5LW1hc3Rlci1rZXk=',
    FLEET_DOMAIN_PROTOCOL: 'HTTP,HTTPS',
    FLEET_CERT_NAME: 'fleet-cert',
    FLEET_CERT_PEM: '-----BEGIN CERTIFICATE-----x',
    FLEET_CERT_KEY: '-----BEGIN PRIVATE KEY-----y',
  });
  const env = (n: string) => other.resources[n].props.environmentVariables as Record<string, string>;
  for (const n of ['settings', 'catalog', 'servers', 'provision', 'inventory', 'scan-region', 'sweeper', 'console'])
    assert.is(env(n).TABLESTORE_TABLE_PREFIX, 'acme_', n);
  // Secrets only where used: the token where HTTP callers are authenticated, the master key where secrets are sealed or opened.
  const withToken = Object.keys(other.resources)
    .filter((n) => other.resources[n].component === 'fc3' && 'FLEET_ADMIN_TOKEN' in env(n))
    .sort();
  const withHash = Object.keys(other.resources)
    .filter((n) => other.resources[n].component === 'fc3' && env(n).FLEET_ADMIN_TOKEN_SHA256 === 'ab'.repeat(32))
    .sort();
  const withKey = Object.keys(other.resources)
    .filter((n) => other.resources[n].component === 'fc3' && 'FLEET_MASTER_KEY' in env(n))
    .sort();
  assert.equal(withToken, ['catalog', 'inventory', 'servers', 'settings']);
  assert.equal(withHash, withToken);
  assert.equal(withKey, ['catalog', 'inventory', 'provision', 'scan-region', 'servers', 'settings']);
  assert.is(env('settings').FLEET_ADMIN_TOKEN, 'plain-admin-token-value');
  for (const n of ['console', 'sweeper'])
    assert.not.match(JSON.stringify(other.resources[n]), /plain-admin-token-value|bWFzdGVyLWtleS1/, n);
  const dom = other.resources.domain.props;
  assert.is(dom.protocol, 'HTTP,HTTPS');
  assert.equal(dom.certConfig, {
    certName: 'fleet-cert',
    certificate: '-----BEGIN CERTIFICATE-----x',
    privateKey: '-----BEGIN PRIVATE KEY-----y',
  });
  const ajv = new Ajv({ strict: false, allErrors: true });
  const check = ajv.compile(schema('fc3-domain-props.schema.json'));
  assert.ok(check(dom), JSON.stringify(check.errors));
});

test('the custom domain is HTTPS with a certificate by default; console and sweeper get no admin token', () => {
  assert.is(doc.resources.domain.props.protocol, 'HTTPS');
  assert.ok(doc.resources.domain.props.certConfig, 'certConfig');
  for (const r of Object.values<any>(doc.resources))
    if (r.component === 'fc3')
      assert.not.ok(
        'FLEET_ADMIN_TOKEN' in r.props.environmentVariables &&
          ['console', 'sweeper'].includes(r.props.functionName.replace(/^fleet-/, '')),
      );
});

test('the render cache keys on the variables s.yaml reads', async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, FLEET_FUNCTION_PREFIX: `cache${process.pid}` };
  const first = await renderSYamlCached(root, env);
  assert.equal(first, await renderSYaml(root, env));
  assert.equal(await renderSYamlCached(root, env), first);
  assert.ok(toDeploymentModel(first).functions.every((f) => f.functionName.startsWith(`cache${process.pid}-`)));
  const other = await renderSYamlCached(root, { ...env, FLEET_FUNCTION_PREFIX: 'other' });
  assert.ok(toDeploymentModel(other).functions.every((f) => f.functionName.startsWith('other-')));
  // An unrelated variable does not change the key (same document back).
  assert.equal(await renderSYamlCached(root, { ...env, UNRELATED: 'x' }), first);
});

test.run();
