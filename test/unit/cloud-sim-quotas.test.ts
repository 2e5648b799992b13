/** Quota Center in the simulator: the account's quotas with usage counted from live resources. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { harness } from '../../lib/sandbox/cloud/test-context';
import { advance, fails, R } from '../helpers/cloud-sim';

const dims = (regionId: string) => ({ 'Dimensions.1.Key': 'regionId', 'Dimensions.1.Value': regionId });

test('vpc_quota_instances_num_<region>: TotalQuota = the account quota, TotalUsage = live VPCs of that region', async () => {
  const h = harness({ quotas: { vpcsPerRegion: 7, routesPerTable: 48 }, timeScale: 0.01 });
  for (let i = 0; i < 3; i++) await h.call('Vpc', 'CreateVpc', R);
  await h.call('Vpc', 'CreateVpc', { RegionId: 'cn-beijing' });
  const q = (
    await h.call('Quotas', 'GetProductQuota', {
      ProductCode: 'vpc',
      QuotaActionCode: 'vpc_quota_instances_num_cn-hangzhou',
    })
  ).Quota;
  assert.equal([q.ProductCode, q.TotalQuota, q.TotalUsage, q.QuotaCategory], ['vpc', 7, 3, 'CommonQuota']);
  assert.equal(q.QuotaItems, [{ Type: 'BaseQuota', Quota: '7', QuotaUnit: 'AMOUNT', Usage: '3' }]);
  assert.match(
    q.QuotaArn,
    /^acs:quotas:cn-hangzhou:1234567890123456:quota\/vpc\/vpc_quota_instances_num_cn-hangzhou\/$/,
  );
  const generic = (
    await h.call('Quotas', 'GetProductQuota', {
      ProductCode: 'vpc',
      QuotaActionCode: 'vpc_quota_instances_num',
      ...dims('cn-beijing'),
    })
  ).Quota;
  assert.equal([generic.TotalUsage, generic.Dimensions], [1, { regionId: 'cn-beijing' }]);
  // a deleted VPC stops counting once it is gone
  const v = await h.call('Vpc', 'CreateVpc', R);
  advance(h, 5_000);
  await h.call('Vpc', 'DeleteVpc', { ...R, VpcId: v.VpcId });
  advance(h, 3_000);
  const after = await h.call('Quotas', 'GetProductQuota', {
    ProductCode: 'vpc',
    QuotaActionCode: 'vpc_quota_instances_num_cn-hangzhou',
  });
  assert.is(after.Quota.TotalUsage, 3);
  const routes = await h.call('Quotas', 'GetProductQuota', {
    ProductCode: 'vpc',
    QuotaActionCode: 'vpc_quota_route_entrys_num',
  });
  assert.equal([routes.Quota.TotalQuota, routes.Quota.TotalUsage], [48, 0]);
});

test('ListProductQuotas: every quota of a product, dimension filter, pages, and the documented refusals', async () => {
  const h = harness();
  const all = await h.call('Quotas', 'ListProductQuotas', { ProductCode: 'vpc' });
  const codes = all.Quotas.map((q: { QuotaActionCode: string }) => q.QuotaActionCode);
  for (const c of [
    'vpc_quota_instances_num',
    'vpc_quota_instances_num_cn-hangzhou',
    'vpc_quota_instances_num_ap-southeast-1',
    'vpc_quota_vswitches_num',
    'vpc_quota_route_entrys_num',
  ])
    assert.ok(codes.includes(c), c);
  assert.equal([all.TotalCount, all.MaxResults], [codes.length, 30]);
  const hz = await h.call('Quotas', 'ListProductQuotas', { ProductCode: 'vpc', ...dims('cn-hangzhou') });
  assert.not.ok(hz.Quotas.some((q: { QuotaActionCode: string }) => q.QuotaActionCode.endsWith('_cn-beijing')));
  const p1 = await h.call('Quotas', 'ListProductQuotas', { ProductCode: 'vpc', MaxResults: 2 });
  const p2 = await h.call('Quotas', 'ListProductQuotas', {
    ProductCode: 'vpc',
    MaxResults: 2,
    NextToken: p1.NextToken,
  });
  assert.is(p1.Quotas.length + p2.Quotas.length, 4);
  assert.not.equal(p1.Quotas[0].QuotaActionCode, p2.Quotas[0].QuotaActionCode);
  assert.equal((await h.call('Quotas', 'ListProductQuotas', { ProductCode: 'nosuch' })).Quotas, []);
  const over = await fails(
    h.call('Quotas', 'ListProductQuotas', { ProductCode: 'vpc', MaxResults: 101 }),
    'INVALID.MAX.RESULTS',
  );
  assert.equal(
    [over.httpStatus, over.message],
    [400, 'The maxResults parameter is invalid. Use an integer ranging from 1 to 100.'],
  );
  await fails(h.call('Quotas', 'ListProductQuotas', {}), 'MissingProductCode');
  await fails(h.call('Quotas', 'ListProductQuotas', { ProductCode: 'vpc', NextToken: 'x' }), 'PARAMETER.ILLEGALL');
  await fails(h.call('Quotas', 'GetProductQuota', { ProductCode: 'vpc', QuotaActionCode: 'nope' }), 'QUOTA.NOT.FOUND');
  await fails(
    h.call('Quotas', 'GetProductQuota', {
      ProductCode: 'vpc',
      QuotaActionCode: 'vpc_quota_vswitches_num',
      'Dimensions.1.Key': 'zoneId',
      'Dimensions.1.Value': 'x',
    }),
    'QUOTA.DIMENSION.UNSUPPORT',
  );
  await fails(
    h.call('Quotas', 'GetProductQuota', {
      ProductCode: 'vpc',
      QuotaActionCode: 'vpc_quota_vswitches_num',
      ...dims('eu-west-1'),
    }),
    'QUOTA.DIMENSION.VALUE.UNSUPPORT',
  );
});

test.run();
