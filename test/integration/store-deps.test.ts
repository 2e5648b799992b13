/**
 * The composition root end to end: an FC handler whose deps come from `createDeps` (function-role
 * STS credentials from the FC context, Tablestore endpoint from config) against the sandbox.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../lib/core/config';
import { AppError } from '../../lib/core/errors';
import { createLogger } from '../../lib/core/log';
import { createDeps, type Deps } from '../../lib/fc/deps';
import { createFcHandler } from '../../lib/fc/handler';
import type { Action, FcContext, FcHttpEvent, FcHttpResult } from '../../lib/fc/types';
import { startTablestoreServer } from '../../lib/sandbox/tablestore/index';
import { ensureTables } from '../../lib/store/ensure';
import { accounts } from '../../lib/store/tables';

const dir = mkdtempSync(join(tmpdir(), 'fleet-deps-'));
let srv: Awaited<ReturnType<typeof startTablestoreServer>>;
const lines: string[] = [];
const log = createLogger({}, { write: (l) => lines.push(l) });
const STS = { accessKeyId: 'STS.fnrole', accessKeySecret: 'fn-role-secret-1', securityToken: 'CAIS-fn-role-token-1' };
let config: ReturnType<typeof loadConfig>;

const context = (credentials: FcContext['credentials'] = STS, requestId = 'REQ-D1'): FcContext => ({
  requestId,
  credentials,
  function: { name: 'fleet-settings', handler: 'index.handler', memory: 512, timeout: 60 },
  region: 'cn-hangzhou',
  accountId: '1234',
});

const event = (method: string, path: string, body?: unknown): FcHttpEvent => ({
  version: 'v1',
  rawPath: path,
  headers: { 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  isBase64Encoded: false,
  requestContext: {
    accountId: '1',
    domainName: 'd',
    requestId: 'EV',
    http: { method, path, sourceIp: '127.0.0.1', userAgent: 't' },
    time: '',
    timeEpoch: '0',
  },
});

const actions: Action<Deps>[] = [
  {
    name: 'things.create',
    http: { method: 'POST', path: '/v1/things', status: 201 },
    auth: false,
    run: async (input, { deps }) =>
      deps.store.create(accounts, { id: String(input.id), name: String(input.name), createdAtMs: deps.clock.now() }),
  },
  {
    name: 'things.get',
    http: { method: 'GET', path: '/v1/things/:id' },
    auth: false,
    run: async (input, { deps }) => {
      const row = await deps.store.get(accounts, { id: String(input.id) });
      if (!row) throw new AppError('NotFound', 'thing was not found');
      return row;
    },
  },
];

test.before(async () => {
  srv = await startTablestoreServer({
    dataDir: dir,
    keys: { [STS.accessKeyId]: { secret: STS.accessKeySecret, securityToken: STS.securityToken } },
  });
  config = loadConfig({
    TABLESTORE_ENDPOINT: srv.endpoint,
    TABLESTORE_INSTANCE: 'fleet',
    TABLESTORE_TABLE_PREFIX: 'dp_',
  });
  await ensureTables({ client: { endpoint: srv.endpoint, instance: 'fleet', credentials: STS }, tablePrefix: 'dp_' });
});

test.after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

const handler = createFcHandler<Deps>({ actions, makeDeps: (ctx) => createDeps(ctx, config, { log }) });
const call = async (ev: FcHttpEvent, ctx = context()) =>
  (await handler(Buffer.from(JSON.stringify(ev)), ctx)) as FcHttpResult;

test('an HTTP event reaches Tablestore with the function role STS credentials', async () => {
  const created = await call(event('POST', '/v1/things', { id: 'acc-d1', name: 'one' }));
  assert.is(created.statusCode, 201);
  assert.equal(JSON.parse(created.body).version, 1);
  const got = await call(event('GET', '/v1/things/acc-d1'));
  assert.is(got.statusCode, 200);
  assert.equal(JSON.parse(got.body).name, 'one');
  assert.is(got.headers['x-request-id'], 'REQ-D1');
});

test('store conflicts become 409 with the store reason', async () => {
  const dup = await call(event('POST', '/v1/things', { id: 'acc-d1', name: 'again' }));
  assert.is(dup.statusCode, 409);
  assert.equal(JSON.parse(dup.body).error, {
    code: 'Conflict',
    message: 'accounts row already exists',
    requestId: 'REQ-D1',
    details: [{ reason: 'AlreadyExists' }],
  });
});

test('the store is reused while credentials stay the same and rebuilt when they rotate', () => {
  const a = createDeps(context(), config, { log }).store;
  const b = createDeps(context(STS, 'REQ-2'), config, { log }).store;
  const c = createDeps(context({ ...STS, securityToken: 'CAIS-rotated' }), config, { log }).store;
  assert.ok(a === b, 'same warm-instance store');
  assert.ok(a !== c, 'rotated credentials get a new client');
});

test('a wrong STS token answers 500 Internal without leaking secrets; missing credentials too', async () => {
  lines.length = 0;
  const bad = await call(event('GET', '/v1/things/acc-d1'), context({ ...STS, securityToken: 'CAIS-wrong' }));
  assert.is(bad.statusCode, 500);
  assert.is(JSON.parse(bad.body).error.code, 'Internal');
  const all = bad.body + lines.join('\n');
  assert.not.match(all, STS.accessKeySecret);
  assert.not.match(all, 'CAIS-wrong');
  const none = await call(event('GET', '/v1/things/acc-d1'), context({ accessKeyId: '', accessKeySecret: '' }));
  assert.is(none.statusCode, 500);
  assert.match(JSON.parse(none.body).error.message, 'no credentials');
});

test.run();
