/**
 * Quota Center through the typed client (openapi-core, form body, central endpoint) against the
 * sandbox: usage follows the live VPCs, the admin quotas are what it reports, and a key without
 * `quotas:*` gets a permission error the product can tell apart.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CloudClient } from '../../lib/cloud/index';
import type { AppError } from '../../lib/core/errors';
import { clientFor } from '../helpers/cloud-client';
import { rpcClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox';

let sb: TestSandbox;
let c: CloudClient;
let acct: { accountId: string; accessKeyId: string; accessKeySecret: string };

test.before(async () => {
  sb = await startTestSandbox();
  acct = await sb.createAccount();
  c = clientFor(sb, acct);
});
test.after(async () => {
  await sb?.close();
});

test('getProductQuota: the region VPC quota with its live usage; admin quotas change TotalQuota', async () => {
  const code = 'vpc_quota_instances_num_cn-hangzhou';
  const before = await c.quotas.getProductQuota({ productCode: 'vpc', quotaActionCode: code });
  assert.equal(
    [before.productCode, before.quotaActionCode, before.totalQuota, before.totalUsage],
    ['vpc', code, 10, 0],
  );
  await c.vpc.createVpc({ cidrBlock: '10.0.0.0/16' });
  await c.vpc.createVpc({ cidrBlock: '10.1.0.0/16' });
  await sb.admin(`/accounts/${acct.accountId}/quotas`, { vpcsPerRegion: 12, routesPerTable: 48 });
  const after = await c.quotas.getProductQuota({ productCode: 'vpc', quotaActionCode: code });
  assert.equal([after.totalQuota, after.totalUsage], [12, 2]);
  const routes = await c.quotas.getProductQuota({ productCode: 'vpc', quotaActionCode: 'vpc_quota_route_entrys_num' });
  assert.is(routes.totalQuota, 48);
  const generic = await c.quotas.getProductQuota({
    productCode: 'vpc',
    quotaActionCode: 'vpc_quota_instances_num',
    dimensions: { regionId: 'cn-shanghai' },
  });
  assert.equal([generic.totalUsage, generic.dimensions], [0, { regionId: 'cn-shanghai' }]);
});

test('listProductQuotas: every VPC quota (all pages); unknown quota is not-found', async () => {
  const all = await c.quotas.listProductQuotas({ productCode: 'vpc' });
  const codes = all.map((q) => q.quotaActionCode);
  for (const x of ['vpc_quota_instances_num_cn-hangzhou', 'vpc_quota_vswitches_num', 'vpc_quota_route_entrys_num'])
    assert.ok(codes.includes(x), x);
  const e = (await c.quotas
    .getProductQuota({ productCode: 'vpc', quotaActionCode: 'nope' })
    .catch((x) => x)) as AppError;
  assert.equal([e.cloud?.code, (e.cloud as { kind?: string }).kind], ['QUOTA.NOT.FOUND', 'not-found']);
});

test('a key without quotas:* is refused with RAM.PERMISSION.DENIED (kind permission, the RAM action named)', async () => {
  const limited = await sb.admin(`/accounts/${acct.accountId}/access-keys`, { allow: ['ecs:*', 'vpc:*'] });
  const lc = clientFor(sb, limited);
  const e = (await lc.quotas
    .getProductQuota({ productCode: 'vpc', quotaActionCode: 'vpc_quota_vswitches_num' })
    .catch((x) => x)) as AppError;
  const cloud = e.cloud as { code?: string; kind?: string; deniedAction?: string; httpStatus?: number };
  assert.equal(
    [cloud.code, cloud.httpStatus, cloud.kind, cloud.deniedAction],
    ['RAM.PERMISSION.DENIED', 400, 'permission', 'quotas:GetProductQuota'],
  );
  const allowed = await sb.admin(`/accounts/${acct.accountId}/access-keys`, { allow: ['quotas:*'] });
  const ok = await clientFor(sb, allowed).quotas.listProductQuotas({ productCode: 'vpc' });
  assert.ok(ok.length > 0);
});

test('raw SDK (form body): MaxResults above 100 is INVALID.MAX.RESULTS; ProductCode is mandatory', async () => {
  const raw = rpcClient(sb.endpoint, acct);
  const err = async (q: Record<string, unknown>) =>
    (await raw.call('Quotas', 'ListProductQuotas', q, { form: true }).then(
      () => {
        throw new Error('expected a refusal');
      },
      (e) => e,
    )) as { code: string; statusCode: number };
  const over = await err({ ProductCode: 'vpc', MaxResults: 101 });
  assert.equal([over.code, over.statusCode], ['INVALID.MAX.RESULTS', 400]);
  assert.is((await err({})).code, 'MissingProductCode');
  const page = await raw.call('Quotas', 'ListProductQuotas', { ProductCode: 'vpc', MaxResults: 2 }, { form: true });
  assert.equal([page.Quotas.length, typeof page.NextToken, page.MaxResults], [2, 'string', 2]);
});

test.run();
