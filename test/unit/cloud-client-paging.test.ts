/** Paging and batching logic of the ECS/VPC wrappers, with a fake SDK that pages like Alibaba. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEcsApi } from '../../lib/cloud/ecs';
import { createVpcApi } from '../../lib/cloud/vpc';
import { createResourceCenterApi } from '../../lib/cloud/resource-center';
import { DEFAULT_RETRY_POLICY } from '../../lib/cloud/retry';
import { ManualClock } from '../../lib/core/clock';
import type { Transport } from '../../lib/cloud/transport';

const deps = { clock: new ManualClock(), sleep: async () => {}, random: () => 0 };
type Req = Record<string, unknown>;

/** Request models are plain records here; the fake client answers from arrays. */
const models = new Proxy(
  {},
  {
    get: () =>
      function (this: Req, x: Req) {
        return x;
      },
  },
);

function fakeEcs(handlers: Record<string, (r: Req) => unknown>, calls: [string, Req][]): Transport {
  const client = new Proxy(
    {},
    {
      get: (_t, name: string) => async (r: Req) => {
        calls.push([name, r]);
        return { body: handlers[name]!(r) };
      },
    },
  );
  return {
    regionId: 'cn-hangzhou',
    credentials: { get: async () => ({ accessKeyId: 'a', accessKeySecret: 'b' }) },
    ecs: async () => ({ client, models }),
    rpc: async () => ({}),
  } as unknown as Transport;
}

const page = <T>(all: T[], r: Req) => {
  const size = Number(r.pageSize),
    n = Number(r.pageNumber);
  return all.slice((n - 1) * size, n * size);
};

test('DescribeKeyPairs: 122 key pairs in pages of 50 (3 calls), none lost or doubled', async () => {
  const all = Array.from({ length: 122 }, (_, i) => ({ keyPairName: `kp-${i}`, keyPairFingerPrint: 'fp' }));
  const calls: [string, Req][] = [];
  const ecs = createEcsApi({
    transport: fakeEcs(
      { describeKeyPairs: (r) => ({ keyPairs: { keyPair: page(all, r) }, totalCount: all.length }) },
      calls,
    ),
    policy: DEFAULT_RETRY_POLICY,
    deps,
  });
  const got = await ecs.describeKeyPairs();
  assert.equal(
    got.map((k) => k.keyPairName),
    all.map((k) => k.keyPairName),
  );
  assert.equal(
    calls.map(([, r]) => [r.pageNumber, r.pageSize]),
    [
      [1, 50],
      [2, 50],
      [3, 50],
    ],
  );
});

test('a cloud that caps pages below the asked size is still read to TotalCount', async () => {
  const all = Array.from({ length: 45 }, (_, i) => ({ keyPairName: `kp-${i}`, keyPairFingerPrint: 'fp' }));
  const calls: [string, Req][] = [];
  const capped = (r: Req) => all.slice((Number(r.pageNumber) - 1) * 20, Number(r.pageNumber) * 20);
  const ecs = createEcsApi({
    transport: fakeEcs(
      { describeKeyPairs: (r) => ({ keyPairs: { keyPair: capped(r) }, totalCount: all.length }) },
      calls,
    ),
    policy: DEFAULT_RETRY_POLICY,
    deps,
  });
  assert.is((await ecs.describeKeyPairs()).length, 45);
  assert.is(calls.length, 3);
});

test('DescribeImages: every page, or the first N with one fixed page size', async () => {
  const all = Array.from({ length: 250 }, (_, i) => ({ imageId: `m-${i}` }));
  const calls: [string, Req][] = [];
  const ecs = createEcsApi({
    transport: fakeEcs({ describeImages: (r) => ({ images: { image: page(all, r) }, totalCount: all.length }) }, calls),
    policy: DEFAULT_RETRY_POLICY,
    deps,
  });
  assert.is((await ecs.describeImages({ imageOwnerAlias: 'system' })).length, 250);
  assert.equal(
    calls.map(([, r]) => r.pageNumber),
    [1, 2, 3],
  );
  calls.length = 0;
  const first150 = await ecs.describeImages({ imageOwnerAlias: 'system', limit: 150 });
  assert.equal(
    first150.map((i) => i.imageId),
    all.slice(0, 150).map((i) => i.imageId),
  );
  assert.equal(
    calls.map(([, r]) => [r.pageNumber, r.pageSize]),
    [
      [1, 100],
      [2, 100],
    ],
  );
  calls.length = 0;
  assert.equal(
    (await ecs.describeImages({ limit: 7 })).map((i) => i.imageId),
    all.slice(0, 7).map((i) => i.imageId),
  );
  assert.equal(
    calls.map(([, r]) => [r.pageNumber, r.pageSize]),
    [[1, 7]],
  );
});

test('DescribeInstances: 250 ids → 3 calls of ≤100 ids as JSON arrays; NextToken pages followed', async () => {
  const ids = Array.from({ length: 250 }, (_, i) => `i-${i}`);
  const calls: [string, Req][] = [];
  const ecs = createEcsApi({
    transport: fakeEcs(
      {
        describeInstances: (r) => ({
          instances: {
            instance: (JSON.parse(String(r.instanceIds)) as string[])
              .filter((id) => Number(id.slice(2)) % 2 === 0)
              .map((instanceId) => ({ instanceId })),
          },
        }),
      },
      calls,
    ),
    policy: DEFAULT_RETRY_POLICY,
    deps,
  });
  const got = await ecs.describeInstances({ instanceIds: ids });
  assert.is(got.length, 125);
  assert.equal(
    calls.map(([, r]) => (JSON.parse(String(r.instanceIds)) as string[]).length),
    [100, 100, 50],
  );
  calls.length = 0;
  const byToken = createEcsApi({
    transport: fakeEcs(
      {
        describeInstances: (r) =>
          r.nextToken
            ? { instances: { instance: [{ instanceId: 'i-b' }] } }
            : { instances: { instance: [{ instanceId: 'i-a' }] }, nextToken: 'T2' },
      },
      calls,
    ),
    policy: DEFAULT_RETRY_POLICY,
    deps,
  });
  assert.equal(
    (await byToken.describeInstances({ vpcId: 'vpc-1' })).map((i) => i.instanceId),
    ['i-a', 'i-b'],
  );
  assert.equal(
    calls.map(([, r]) => r.nextToken),
    [undefined, 'T2'],
  );
  assert.equal(await byToken.describeInstances({ instanceIds: [] }), []);
});

function fakeRpc(handler: (action: string, p: Req) => Record<string, unknown>, calls: [string, Req][]): Transport {
  return {
    regionId: 'cn-hangzhou',
    credentials: { get: async () => ({ accessKeyId: 'a', accessKeySecret: 'b' }) },
    rpc: async (_p: string, a: string, p: Req) => {
      calls.push([a, p]);
      return handler(a, p);
    },
    ecs: async () => {
      throw new Error('no');
    },
  } as unknown as Transport;
}

test('DescribeVpcs: 45 ids → 3 calls of ≤20 comma-separated ids; Page* paging by TotalCount', async () => {
  const calls: [string, Req][] = [];
  const vpc = createVpcApi({
    transport: fakeRpc(
      (_a, p) => ({
        Vpcs: {
          Vpc: String(p.VpcId)
            .split(',')
            .map((VpcId) => ({ VpcId })),
        },
        TotalCount: String(p.VpcId).split(',').length,
      }),
      calls,
    ),
    policy: DEFAULT_RETRY_POLICY,
    deps,
  });
  const ids = Array.from({ length: 45 }, (_, i) => `vpc-${i}`);
  assert.equal(
    (await vpc.describeVpcs({ vpcIds: ids })).map((v) => v.vpcId),
    ids,
  );
  assert.equal(
    calls.map(([, p]) => String(p.VpcId).split(',').length),
    [20, 20, 5],
  );
  calls.length = 0;
  const all = Array.from({ length: 120 }, (_, i) => ({ AllocationId: `eip-${i}` }));
  const eips = createVpcApi({
    transport: fakeRpc(
      (_a, p) => ({
        EipAddresses: {
          EipAddress: all.slice(
            (Number(p.PageNumber) - 1) * Number(p.PageSize),
            Number(p.PageNumber) * Number(p.PageSize),
          ),
        },
        TotalCount: all.length,
      }),
      calls,
    ),
    policy: DEFAULT_RETRY_POLICY,
    deps,
  });
  assert.is((await eips.describeEips()).length, 120);
  assert.equal(
    calls.map(([, p]) => [p.PageNumber, p.PageSize]),
    [
      [1, 100],
      [2, 100],
    ],
  );
});

test('Page* paging at the page edges (0, 1, size, size+1, 2×size, 2×size+1 items), with and without TotalCount', async () => {
  // Every item once; with TotalCount no call past the last item; without it, pages run to a short one.
  const callsFor = (n: number, size: number, withTotal: boolean) => {
    if (withTotal) return Math.max(1, Math.ceil(n / size));
    return Math.floor(n / size) + 1;
  };
  for (const withTotal of [true, false]) {
    for (const n of [0, 1, 50, 51, 100, 101]) {
      const all = Array.from({ length: n }, (_, i) => ({ keyPairName: `kp-${i}`, keyPairFingerPrint: 'fp' }));
      const calls: [string, Req][] = [];
      const ecs = createEcsApi({
        transport: fakeEcs(
          {
            describeKeyPairs: (r) => ({
              keyPairs: { keyPair: page(all, r) },
              ...(withTotal ? { totalCount: all.length } : {}),
            }),
          },
          calls,
        ),
        policy: DEFAULT_RETRY_POLICY,
        deps,
      });
      const label = `${n} key pairs, TotalCount ${withTotal ? 'given' : 'absent'}`;
      assert.equal(
        (await ecs.describeKeyPairs()).map((k) => k.keyPairName),
        all.map((k) => k.keyPairName),
        label,
      );
      assert.is(calls.length, callsFor(n, 50, withTotal), label);
    }
    for (const n of [0, 1, 100, 101, 200, 201]) {
      const all = Array.from({ length: n }, (_, i) => ({ AllocationId: `eip-${i}` }));
      const calls: [string, Req][] = [];
      const vpc = createVpcApi({
        transport: fakeRpc(
          (_a, p) => ({
            EipAddresses: {
              EipAddress: all.slice(
                (Number(p.PageNumber) - 1) * Number(p.PageSize),
                Number(p.PageNumber) * Number(p.PageSize),
              ),
            },
            ...(withTotal ? { TotalCount: all.length } : {}),
          }),
          calls,
        ),
        policy: DEFAULT_RETRY_POLICY,
        deps,
      });
      const label = `${n} EIPs, TotalCount ${withTotal ? 'given' : 'absent'}`;
      assert.equal(
        (await vpc.describeEips()).map((e) => e.allocationId),
        all.map((e) => e.AllocationId),
        label,
      );
      assert.is(calls.length, callsFor(n, 100, withTotal), label);
    }
  }
});

test('DescribeRouteEntryList and SearchResources follow NextToken (MaxResult singular for routes)', async () => {
  const calls: [string, Req][] = [];
  const vpc = createVpcApi({
    transport: fakeRpc(
      (_a, p) =>
        p.NextToken
          ? { RouteEntrys: { RouteEntry: [{ RouteEntryId: 'rte-2' }] } }
          : { RouteEntrys: { RouteEntry: [{ RouteEntryId: 'rte-1' }] }, NextToken: 'N' },
      calls,
    ),
    policy: DEFAULT_RETRY_POLICY,
    deps,
  });
  const routes = await vpc.describeRouteEntryList({ routeTableId: 'vtb-1' });
  assert.equal(
    routes.map((r) => [r.routeEntryId, r.routeTableId]),
    [
      ['rte-1', 'vtb-1'],
      ['rte-2', 'vtb-1'],
    ],
  );
  assert.is(calls[0]![1].MaxResult, 100);
  calls.length = 0;
  const rc = createResourceCenterApi({
    transport: fakeRpc(
      (_a, p) =>
        p.NextToken ? { Resources: [{ ResourceId: 'b' }] } : { Resources: [{ ResourceId: 'a' }], NextToken: 'X\t\n' },
      calls,
    ),
    policy: DEFAULT_RETRY_POLICY,
    deps,
  });
  assert.equal(
    (await rc.searchAllResources({ filters: [{ key: 'RegionId', values: ['cn-hangzhou'] }] })).map((r) => r.resourceId),
    ['a', 'b'],
  );
  assert.equal(
    calls.map(([, p]) => [p.NextToken, p.MaxResults, p['Filter.1.Value.1']]),
    [
      [undefined, 100, 'cn-hangzhou'],
      ['X', 100, 'cn-hangzhou'],
    ],
  );
});

test.run();
