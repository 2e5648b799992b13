/** The scan's listings call at exactly the APIs' maxima: EIP ids 50, quotas 100, invocations 50, SearchResources 100. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEcsApi } from '../../lib/cloud/ecs';
import { createQuotasApi } from '../../lib/cloud/quotas';
import { createResourceCenterApi } from '../../lib/cloud/resource-center';
import { DEFAULT_RETRY_POLICY } from '../../lib/cloud/retry';
import type { Transport } from '../../lib/cloud/transport';
import { createVpcApi } from '../../lib/cloud/vpc';
import { ManualClock } from '../../lib/core/clock';

type Req = Record<string, unknown>;
const deps = { clock: new ManualClock(), sleep: async () => {}, random: () => 0 };

function fake(rpc: (action: string, p: Req) => Record<string, unknown>, ecs: Record<string, (r: Req) => unknown> = {}) {
  const calls: [string, Req][] = [];
  // request model classes are plain records here (constructible: `new m.XRequest({...})`)
  const models = new Proxy(
    {},
    {
      get: () =>
        function (this: Req, x: Req) {
          return x;
        },
    },
  );
  const client = new Proxy(
    {},
    {
      get: (_t, name: string) => async (r: Req) => {
        calls.push([name, r]);
        return { body: ecs[name]!(r) };
      },
    },
  );
  const transport = {
    regionId: 'cn-hangzhou',
    credentials: { get: async () => ({ accessKeyId: 'a', accessKeySecret: 'b' }) },
    rpc: async (_p: string, a: string, p: Req) => {
      calls.push([a, p]);
      return rpc(a, p);
    },
    ecs: async () => ({ client, models }),
  } as unknown as Transport;
  return { ctx: { transport, policy: DEFAULT_RETRY_POLICY, deps }, calls };
}

test('describeEips({allocationIds}): 120 ids → calls of 50, 50, 20 comma-separated ids', async () => {
  const ids = Array.from({ length: 120 }, (_, i) => `eip-${i}`);
  const { ctx, calls } = fake((_a, p) => ({
    TotalCount: String(p.AllocationId).split(',').length,
    EipAddresses: {
      EipAddress: String(p.AllocationId)
        .split(',')
        .map((AllocationId) => ({ AllocationId })),
    },
  }));
  const got = await createVpcApi(ctx).describeEips({ allocationIds: ids });
  assert.equal(
    got.map((e) => e.allocationId),
    ids,
  );
  assert.equal(
    calls.map(([, p]) => String(p.AllocationId).split(',').length),
    [50, 50, 20],
  );
  assert.ok(calls.every(([, p]) => p.PageSize === 100));
});

test('listProductQuotas: MaxResults 100, NextToken followed to the end', async () => {
  const { ctx, calls } = fake((_a, p) =>
    p.NextToken
      ? { Quotas: [{ QuotaActionCode: 'b', TotalQuota: 2 }] }
      : { Quotas: [{ QuotaActionCode: 'a', TotalQuota: 1 }], NextToken: 'n1' },
  );
  const got = await createQuotasApi(ctx).listProductQuotas({
    productCode: 'vpc',
    dimensions: { regionId: 'cn-hangzhou' },
  });
  assert.equal(
    got.map((q) => [q.quotaActionCode, q.totalQuota]),
    [
      ['a', 1],
      ['b', 2],
    ],
  );
  assert.equal(
    calls.map(([a, p]) => [a, p.MaxResults, p['Dimensions.1.Key'], p['Dimensions.1.Value']]),
    [
      ['ListProductQuotas', 100, 'regionId', 'cn-hangzhou'],
      ['ListProductQuotas', 100, 'regionId', 'cn-hangzhou'],
    ],
  );
});

test('searchResources caps MaxResults at 100 (the API refuses more)', async () => {
  const { ctx, calls } = fake(() => ({ Resources: [] }));
  await createResourceCenterApi(ctx).searchResources({ maxResults: 500 });
  await createResourceCenterApi(ctx).searchAllResources({});
  assert.equal(
    calls.map(([, p]) => p.MaxResults),
    [100, 100],
  );
});

test('describeInvocationResults: pages of 50 via NextToken; Output decoded from Base64', async () => {
  const row = (i: number) => ({
    invokeId: 't-1',
    instanceId: `i-${i}`,
    output: Buffer.from(`out ${i}`).toString('base64'),
    dropped: 0,
  });
  const { ctx, calls } = fake(() => ({}), {
    describeInvocationResults: (r) => ({
      invocation: r.nextToken
        ? { invocationResults: { invocationResult: [row(50)] }, nextToken: '' }
        : { invocationResults: { invocationResult: Array.from({ length: 50 }, (_, i) => row(i)) }, nextToken: 'p2' },
    }),
  });
  const got = await createEcsApi(ctx).describeInvocationResults({ invokeId: 't-1' });
  assert.is(got.length, 51);
  assert.is(got[50]!.output, 'out 50');
  assert.equal(
    calls.map(([, r]) => [r.maxResults, r.nextToken]),
    [
      [50, undefined],
      [50, 'p2'],
    ],
  );
});

test.run();
