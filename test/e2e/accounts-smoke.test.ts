import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startDomain, type Domain } from './accounts-support';

let d: Domain;
test.before(async () => {
  d = await startDomain();
});
test.after(async () => {
  await d?.close();
});

test('create an account, list its regions and key pairs', async () => {
  const keys = await d.sb.createAccount();
  const res = await d.call('POST', '/v1/accounts', { token: d.adminToken, json: { name: 'prod', credential: { type: 'access_key', accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret } } });
  console.log(res.status, JSON.stringify(res.body));
  assert.is(res.status, 201);
  const id = res.body.id;
  const regions = await d.call('GET', `/v1/catalog/${id}/regions`, { token: d.adminToken });
  console.log(regions.status, JSON.stringify(regions.body).slice(0, 400));
  const r0 = regions.body.items[0].regionId;
  const kp = await d.call('GET', `/v1/catalog/${id}/regions/${r0}/key-pairs`, { token: d.adminToken });
  console.log(kp.status, JSON.stringify(kp.body).slice(0, 400));
  const v = await d.call('POST', `/v1/accounts/${id}/verify`, { token: d.adminToken });
  console.log(v.status, JSON.stringify(v.body).slice(0, 3000));
});

test.run();
