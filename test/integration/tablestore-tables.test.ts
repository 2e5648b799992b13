/**
 * The official `tablestore` SDK against the sandbox: table operations, instances, and request
 * authentication (signature, unknown key, STS token, body MD5, headers, method).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TableStore from 'tablestore';
import { startTablestoreServer } from '../../lib/sandbox/tablestore/index';
import { pb } from '../../lib/sandbox/tablestore/proto';

const TS = TableStore;
const dir = mkdtempSync(join(tmpdir(), 'ts-tables-'));
let srv: Awaited<ReturnType<typeof startTablestoreServer>>;
const keys = { AKTABLES: 'tables-secret', STSKEY: { secret: 'sts-secret', securityToken: 'token-123' } };

function clientFor(opts: { id?: string; secret?: string; instance?: string; stsToken?: string } = {}): any {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  return new TS.Client({
    accessKeyId: opts.id ?? 'AKTABLES',
    secretAccessKey: opts.secret ?? 'tables-secret',
    stsToken: opts.stsToken,
    endpoint: srv.endpoint,
    instancename: opts.instance ?? 'fleet',
    maxRetries: 0,
  });
}
async function failure(p: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: number; message: string };
    return { status: err.code, code: /OTS[A-Za-z]+/.exec(err.message)?.[0] ?? '', message: err.message };
  }
  throw new Error('expected the call to fail');
}
const createParams = (tableName: string, primaryKey: object[]) => ({
  tableMeta: { tableName, primaryKey },
  reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
  tableOptions: { timeToLive: -1, maxVersions: 1 },
});

/** A hand-made signed request (independent of the sandbox code), to tamper with. */
function rawRequest(
  op: string,
  body: Buffer,
  tweak: (h: Record<string, string>) => void = () => {},
  method = 'POST',
): Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }> {
  const h: Record<string, string> = {
    'x-ots-apiversion': '2015-12-31',
    'x-ots-instancename': 'fleet',
    'x-ots-date': new Date().toISOString(),
    'x-ots-accesskeyid': 'AKTABLES',
    'x-ots-contentmd5': createHash('md5').update(body).digest('base64'),
  };
  const canon = Object.keys(h)
    .sort()
    .map((k) => `${k}:${h[k]}`)
    .join('\n');
  h['x-ots-signature'] = createHmac('sha1', 'tables-secret').update(`/${op}\nPOST\n\n${canon}\n`).digest('base64');
  tweak(h);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: srv.port, path: `/${op}`, method, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const decodeError = (b: Buffer): { code: string; message: string } => {
  const e = pb.Error!.decode(b);
  return { code: e.code, message: e.message };
};

test.before(async () => {
  srv = await startTablestoreServer({ dataDir: dir, keys });
});
test.after(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

test('create, list, describe, update, delete a table', async () => {
  const c = clientFor();
  await c.createTable(
    createParams('servers', [
      { name: 'accountId', type: 'STRING' },
      { name: 'serverId', type: 'STRING' },
    ]),
  );
  await c.createTable(createParams('blobs', [{ name: 'k', type: 'BINARY' }]));
  assert.equal((await c.listTable({})).tableNames, ['blobs', 'servers']);
  const raw = await c.describeTable({ tableName: 'servers' });
  const d = JSON.parse(JSON.stringify(raw)); // enums by name, as the SDK's toJSON renders them
  assert.is(d.tableMeta.tableName, 'servers');
  assert.equal(
    d.tableMeta.primaryKey.map((p: { name: string; type: string }) => `${p.name}:${p.type}`),
    ['accountId:STRING', 'serverId:STRING'],
  );
  assert.is(d.tableOptions.timeToLive, -1);
  assert.is(d.tableOptions.maxVersions, 1);
  assert.is(d.tableStatus, 'ACTIVE');
  assert.ok(typeof raw.RequestId === 'string' && raw.RequestId.length > 10, 'x-ots-requestid reaches the SDK');
  const u = await c.updateTable({ tableName: 'servers', tableOptions: { maxVersions: 3 } });
  assert.is(u.tableOptions.maxVersions, 3);
  assert.is((await c.describeTable({ tableName: 'servers' })).tableOptions.maxVersions, 3);
  await c.deleteTable({ tableName: 'blobs' });
  assert.equal((await c.listTable({})).tableNames, ['servers']);
});

test('table errors: already exists (409), does not exist (404), bad schema (400)', async () => {
  const c = clientFor();
  const dup = await failure(c.createTable(createParams('servers', [{ name: 'x', type: 'STRING' }])));
  assert.equal([dup.status, dup.code], [409, 'OTSObjectAlreadyExist']);
  for (const p of [
    c.describeTable({ tableName: 'ghost' }),
    c.deleteTable({ tableName: 'ghost' }),
    c.getRow({ tableName: 'ghost', primaryKey: [{ a: 'b' }] }),
  ]) {
    const e = await failure(p);
    assert.equal([e.status, e.code], [404, 'OTSObjectNotExist']);
  }
  const noPk = await failure(c.createTable(createParams('nopk', [])));
  assert.equal([noPk.status, noPk.code], [400, 'OTSParameterInvalid']);
  const fivePk = await failure(
    c.createTable(
      createParams(
        'fivepk',
        ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, type: 'STRING' })),
      ),
    ),
  );
  assert.is(fivePk.code, 'OTSParameterInvalid');
  const badName = await failure(c.createTable(createParams('bad-name', [{ name: 'x', type: 'STRING' }])));
  assert.is(badName.code, 'OTSParameterInvalid');
});

test('an instance exists once used, and its tables are its own', async () => {
  const other = clientFor({ instance: 'other-instance' });
  assert.equal((await other.listTable({})).tableNames, []);
  await other.createTable(createParams('servers', [{ name: 'id', type: 'INTEGER' }]));
  assert.equal((await other.listTable({})).tableNames, ['servers']);
  const d = await other.describeTable({ tableName: 'servers' });
  assert.equal(
    d.tableMeta.primaryKey.map((p: { name: string }) => p.name),
    ['id'],
  );
  assert.equal((await clientFor().describeTable({ tableName: 'servers' })).tableMeta.primaryKey.length, 2);
});

test('auto-increment primary key: generated, increasing, returned with RT_PK', async () => {
  const c = clientFor();
  await c.createTable(
    createParams('auto', [
      { name: 'part', type: 'STRING' },
      { name: 'id', type: 'INTEGER', option: 'AUTO_INCREMENT' },
    ]),
  );
  const ids: bigint[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await c.putRow({
      tableName: 'auto',
      condition: new TS.Condition(TS.RowExistenceExpectation.IGNORE, null),
      primaryKey: [{ part: 'p' }, { id: TS.PK_AUTO_INCR }],
      attributeColumns: [{ i: TS.Long.fromNumber(i) }],
      returnContent: { returnType: TS.ReturnType.Primarykey },
    });
    ids.push(BigInt(String(r.row.primaryKey[1].value)));
  }
  assert.ok(ids[0]! < ids[1]! && ids[1]! < ids[2]!, ids.join(','));
  const got = await c.getRow({
    tableName: 'auto',
    primaryKey: [{ part: 'p' }, { id: TS.Long.fromString(ids[1]!.toString()) }],
  });
  assert.is(String(got.row.attributes[0].columnValue), '1');
});

test('wrong secret and unknown AccessKeyId: 403 OTSAuthFailed', async () => {
  const wrong = await failure(clientFor({ secret: 'not-the-secret' }).listTable({}));
  assert.equal([wrong.status, wrong.code], [403, 'OTSAuthFailed']);
  assert.match(wrong.message, 'Signature mismatch');
  const unknown = await failure(clientFor({ id: 'NOSUCHKEY' }).listTable({}));
  assert.equal([unknown.status, unknown.code], [403, 'OTSAuthFailed']);
  assert.match(unknown.message, 'AccessKeyID does not exist');
});

test('STS credentials: the token must match the key', async () => {
  const ok = await clientFor({ id: 'STSKEY', secret: 'sts-secret', stsToken: 'token-123' }).listTable({});
  assert.ok(Array.isArray(ok.tableNames));
  const bad = await failure(clientFor({ id: 'STSKEY', secret: 'sts-secret', stsToken: 'token-999' }).listTable({}));
  assert.equal([bad.status, bad.code], [403, 'OTSAuthFailed']);
  const none = await failure(clientFor({ id: 'STSKEY', secret: 'sts-secret' }).listTable({}));
  assert.equal([none.status, none.code], [403, 'OTSAuthFailed']);
});

test('raw protocol: body MD5 mismatch, missing header, GET, unknown operation', async () => {
  const body = Buffer.from(pb.ListTableRequest!.encode({}).finish());
  const good = await rawRequest('ListTable', body);
  assert.is(good.status, 200);
  assert.is(good.headers['x-ots-contentmd5'], createHash('md5').update(good.body).digest('base64'));
  assert.ok(good.headers['x-ots-requestid']);
  const md5 = await rawRequest('ListTable', body, (h) => {
    h['x-ots-contentmd5'] = createHash('md5').update('other').digest('base64');
  });
  // The signature covers the header, so re-sign to isolate the MD5 check.
  assert.is(md5.status, 403);
  const md5Resigned = await rawRequest(
    'DescribeTable',
    Buffer.from(pb.DescribeTableRequest!.encode({ tableName: 'servers' }).finish()),
    (h) => {
      h['x-ots-contentmd5'] = createHash('md5').update('other').digest('base64');
      delete h['x-ots-signature'];
      const canon = Object.keys(h)
        .sort()
        .map((k) => `${k}:${h[k]}`)
        .join('\n');
      h['x-ots-signature'] = createHmac('sha1', 'tables-secret')
        .update(`/DescribeTable\nPOST\n\n${canon}\n`)
        .digest('base64');
    },
  );
  assert.is(md5Resigned.status, 403);
  assert.equal(decodeError(md5Resigned.body), {
    code: 'OTSAuthFailed',
    message: 'Mismatch between MD5 value of request body and x-ots-contentmd5 in header.',
  });
  const missing = await rawRequest('ListTable', body, (h) => {
    delete h['x-ots-date'];
  });
  assert.is(missing.status, 400);
  assert.is(decodeError(missing.body).code, 'OTSParameterInvalid');
  const skewed = await rawRequest('ListTable', body, (h) => {
    h['x-ots-date'] = new Date(Date.now() - 3600_000).toISOString();
  });
  assert.is(skewed.status, 403);
  assert.match(decodeError(skewed.body).message, 'Mismatch between system time and x-ots-date');
  const get = await rawRequest('ListTable', Buffer.alloc(0), () => {}, 'GET');
  assert.is(get.status, 405);
  assert.is(decodeError(get.body).code, 'OTSMethodNotAllowed');
  const unknownOp = await rawRequest('Teleport', body);
  assert.is(unknownOp.status, 400);
  assert.match(decodeError(unknownOp.body).message, 'Unsupported operation');
  const garbage = await rawRequest('GetRow', Buffer.from('not protobuf at all'));
  assert.is(garbage.status, 400);
  assert.is(decodeError(garbage.body).code, 'OTSParameterInvalid');
});

test.run();
