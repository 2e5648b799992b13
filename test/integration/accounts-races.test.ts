/**
 * Concurrent writes to one account: a verification is only ever stored on the credential it
 * checked. A PATCH or verify that raced a credential change must not put the old credential's
 * verification back (a gate holds one request at a chosen step while the other completes).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { akCredential, startDomain, type Domain } from '../helpers/domain';
import * as T from '../../lib/store/tables';
import type { CloudFactory } from '../../lib/cloud/types';
import type { Store } from '../../lib/store/types';

/** Holds the next call that passes through it until released. */
function gate() {
  let armed = false;
  let reached!: () => void;
  let release!: () => void;
  let reachedP = Promise.resolve();
  let releaseP = Promise.resolve();
  return {
    arm() {
      armed = true;
      reachedP = new Promise<void>((r) => (reached = r));
      releaseP = new Promise<void>((r) => (release = r));
    },
    async pass() {
      if (!armed) return;
      armed = false;
      reached();
      await releaseP;
    },
    reached: () => reachedP,
    release: () => release(),
  };
}

const writeGate = gate();
const verifyGate = gate();
let d: Domain;
let keys: { accountId: string; accessKeyId: string; accessKeySecret: string };

const wrapStore = (s: Store): Store => ({
  ...s,
  mutate: (async (...a: Parameters<Store['mutate']>) => {
    await writeGate.pass();
    return s.mutate(...a);
  }) as Store['mutate'],
});
const wrapCloud = (f: CloudFactory): CloudFactory => ({
  ...f,
  forAccount(cred, o) {
    const c = f.forAccount(cred, o);
    const getCallerIdentity = c.sts.getCallerIdentity.bind(c.sts);
    return { ...c, sts: { ...c.sts, getCallerIdentity: async () => (await verifyGate.pass(), getCallerIdentity()) } };
  },
});

test.before(async () => {
  d = await startDomain({ via: 'inprocess', wrapStore, wrapCloud });
  keys = await d.createSandboxAccount();
});
test.after(async () => {
  await d?.close();
});

const admin = (method: string, path: string, json?: unknown) =>
  d.call(method, path, { token: d.adminToken, ...(json !== undefined ? { json } : {}) });
const badSecret = () =>
  akCredential({
    ...keys,
    accessKeySecret: keys.accessKeySecret.slice(0, -1) + (keys.accessKeySecret.endsWith('a') ? 'b' : 'a'),
  });

async function verifiedAccount(name: string): Promise<string> {
  const res = await admin('POST', '/v1/accounts', { name, credential: akCredential(keys) });
  assert.is(res.status, 201, res.raw);
  assert.is(res.body.verification.status, 'verified');
  return res.body.id;
}

test("a name-only PATCH racing a credential PATCH keeps the new credential's verification", async () => {
  const id = await verifiedAccount('race-name');
  writeGate.arm();
  const rename = admin('PATCH', `/v1/accounts/${id}`, { name: 'renamed' });
  await writeGate.reached(); // the rename read the row (verified) and waits to write
  const cred = await admin('PATCH', `/v1/accounts/${id}`, { credential: badSecret() });
  assert.is(cred.status, 200, cred.raw);
  assert.is(cred.body.verification.status, 'failed');
  writeGate.release();
  const r = await rename;
  assert.is(r.status, 200, r.raw);
  assert.is(r.body.name, 'renamed');
  const row = await d.store.get<any>(T.accounts, { id });
  assert.is(row.verification.status, 'failed');
  assert.is(row.verification.error.code, 'SignatureDoesNotMatch');
});

test('a re-verifying PATCH (alibabaAccountId) that a credential PATCH overtook is a 409, not a stale verification', async () => {
  const id = await verifiedAccount('race-expected');
  verifyGate.arm();
  const expect = admin('PATCH', `/v1/accounts/${id}`, { alibabaAccountId: keys.accountId });
  await verifyGate.reached();
  const cred = await admin('PATCH', `/v1/accounts/${id}`, { credential: badSecret() });
  assert.is(cred.body.verification.status, 'failed');
  verifyGate.release();
  const r = await expect;
  assert.is(r.status, 409, r.raw);
  const row = await d.store.get<any>(T.accounts, { id });
  assert.is(row.verification.status, 'failed');
  assert.is(row.alibabaAccountId, undefined);
});

test('a verify that a credential PATCH overtook is a 409 and leaves the new verification', async () => {
  const id = await verifiedAccount('race-verify');
  verifyGate.arm();
  const verify = admin('POST', `/v1/accounts/${id}/verify`);
  await verifyGate.reached(); // verifying the old (good) credential
  const cred = await admin('PATCH', `/v1/accounts/${id}`, { credential: badSecret() });
  assert.is(cred.body.verification.status, 'failed');
  verifyGate.release();
  const v = await verify;
  assert.is(v.status, 409, v.raw);
  const row = await d.store.get<any>(T.accounts, { id });
  assert.is(row.verification.status, 'failed');
  assert.is(row.credentialRev, 2);
});

test.run();
