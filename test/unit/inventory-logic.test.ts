/** The inventory's pure logic: diffs, findings, input checks, CSV cells, tags, projections, the time budget. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AppError } from '../../lib/core/errors';
import { diffAsset } from '../../lib/inventory/apply';
import { Budget } from '../../lib/inventory/collect';
import { csvCell } from '../../lib/inventory/export';
import { parseFields } from '../../lib/inventory/input';
import { instanceFinding, tagMap } from '../../lib/inventory/map';
import { assetView, type AssetRecord, type Finding } from '../../lib/inventory/model';
import { splitTag } from '../../lib/inventory/query';
import { scanProjection } from '../../lib/inventory/scan';
import { sliceProjection } from '../../lib/inventory/slice';
import type { JobState } from '../../lib/jobs';

const f = (over: Partial<Finding> = {}): Finding => ({
  type: 'ACS::ECS::Instance',
  id: 'i-1',
  regionId: 'cn-hangzhou',
  zoneId: 'cn-hangzhou-h',
  name: 'web',
  status: 'Running',
  tags: { team: 'blue' },
  properties: { cpu: 2, securityGroupIds: ['sg-1'] },
  ...over,
});

test('diffAsset: only what changed, old → new, tags and properties by key; nothing for equal facts', () => {
  assert.equal(diffAsset(f(), f()), {});
  assert.equal(
    diffAsset(
      f(),
      f({
        status: 'Stopped',
        tags: { env: 'prod' },
        properties: { cpu: 4, securityGroupIds: ['sg-1'], publicIp: '1.2.3.4' },
      }),
    ),
    {
      status: { from: 'Running', to: 'Stopped' },
      'tags.env': { from: null, to: 'prod' },
      'tags.team': { from: 'blue', to: null },
      'properties.cpu': { from: 2, to: 4 },
      'properties.publicIp': { from: null, to: '1.2.3.4' },
    },
  );
});

test('findings: tags as a sorted map, lists sorted, the EIP address before the ephemeral one', () => {
  assert.equal(
    Object.keys(
      tagMap([
        { key: 'b', value: '1' },
        { key: 'a', value: '2' },
      ]),
    ),
    ['a', 'b'],
  );
  const base = {
    instanceId: 'i-1',
    instanceName: 'web',
    instanceType: 'ecs.g6.large',
    cpu: 2,
    memoryMiB: 8192,
    osName: 'Ubuntu',
    osType: 'linux',
    status: 'Running',
    regionId: 'cn-hangzhou',
    zoneId: 'cn-hangzhou-h',
    instanceChargeType: 'PostPaid',
    creationTime: '2026-01-01T00:00Z',
    privateIpAddresses: ['10.0.0.5'],
    publicIpAddresses: [],
    securityGroupIds: ['sg-b', 'sg-a'],
    tags: [],
  };
  const plain = instanceFinding(base, 'cn-hangzhou');
  assert.is(plain.properties.publicIp, null);
  assert.equal(plain.properties.securityGroupIds, ['sg-a', 'sg-b']);
  const withEip = instanceFinding({ ...base, eip: { allocationId: 'eip-1', ipAddress: '47.1.1.1' } }, 'cn-hangzhou');
  assert.equal([withEip.properties.publicIp, withEip.properties.eipAllocationId], ['47.1.1.1', 'eip-1']);
});

test('managedBy comes from the server tag, only when it is a server id', () => {
  const a = (tags: Record<string, string>) =>
    assetView({
      ...f({ tags }),
      accountId: 'acc-1',
      firstSeenAtMs: 1,
      lastSeenAtMs: 2,
      lastScanId: 's',
    } as AssetRecord);
  assert.is(a({ 'fleet:server': 'srv-0123456789abcdef' }).managedBy, 'srv-0123456789abcdef');
  assert.is(a({ 'fleet:server': '<script>' }).managedBy, null);
  assert.is(a({}).managedBy, null);
});

test('parseFields: unknown fields, wrong types and bad values are refused with their path, never their value', () => {
  const schema = {
    n: { kind: 'int', min: 1, max: 5, problem: 'n is 1-5', optional: true },
    b: { kind: 'bool', problem: 'b is true or false', optional: true },
    s: { kind: 'string', re: /^[a-z]+$/, max: 8, problem: 's is letters' },
  } as const;
  assert.equal(parseFields(schema, { n: '3', b: 'false', s: 'abc' }), { n: 3, b: false, s: 'abc' });
  assert.equal(parseFields(schema, { n: 5, b: true, s: 'x' }), { n: 5, b: true, s: 'x' });
  const problems = (input: unknown) => {
    try {
      parseFields(schema, input);
      return [];
    } catch (e) {
      return ((e as AppError).details as { path: string }[]).map((d) => d.path);
    }
  };
  assert.equal(problems({ s: 'ok', n: '1e3' }), ['n']);
  assert.equal(problems({ s: 'ok', n: 1.5 }), ['n']);
  assert.equal(problems({ s: 'ok', b: 'yes' }), ['b']);
  assert.equal(problems({ s: ['a'] }), ['s']);
  assert.equal(problems({ s: 'toolongvalue' }), ['s']);
  assert.equal(problems({}), ['s']);
  assert.equal(problems({ s: 'ok', 'LTAI-secret-looking key': 1 }), ['(field)']);
  assert.equal(problems(null), ['s']);
});

test('CSV cells: quoted when needed, formulas defused', () => {
  assert.is(csvCell('plain'), 'plain');
  assert.is(csvCell('a,b'), '"a,b"');
  assert.is(csvCell('say "hi"'), '"say ""hi"""');
  assert.is(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.is(csvCell('+1'), "'+1");
  assert.is(csvCell('-1'), "'-1");
  assert.is(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.is(csvCell(null), '');
  assert.is(csvCell(12), '12');
  assert.is(csvCell({ a: 1 }), '"{""a"":1}"');
});

test('tag filters: the key ends at the first colon', () => {
  assert.equal(splitTag('env:prod:eu'), ['env', 'prod:eu']);
  assert.equal(splitTag('env'), ['env']);
  assert.equal(splitTag('env:'), ['env', '']);
});

const job = (over: Partial<JobState>): JobState => ({
  id: 'x.1',
  kind: 'k',
  status: 'running',
  stage: 'collect',
  stages: [
    { name: 'collect', status: 'waiting', attempts: 2, progress: { token: 't', pages: 3 } },
    { name: 'commit', status: 'pending', attempts: 0 },
  ],
  outputs: {},
  startedAtMs: 10,
  ...over,
});

test('slice projection: the running stage and pages; a failed end with its error', () => {
  const rec = { id: 's', status: 'running' } as never;
  assert.equal(sliceProjection(rec, job({})), { status: 'running', stage: 'collect', pages: 3 });
  const failing = sliceProjection(
    rec,
    job({
      status: 'failed',
      endedAtMs: 50,
      error: { code: 'ServiceUnavailable', message: 'busy', stage: 'collect', retryable: true },
    }),
  );
  assert.equal([failing.status, failing.error], ['failed', { code: 'ServiceUnavailable', message: 'busy' }]);
  const done = sliceProjection(
    rec,
    job({
      status: 'succeeded',
      endedAtMs: 99,
      outputs: { collect: { pages: 6 }, commit: { counts: { found: 1, added: 1, changed: 0, removed: 0 } } },
    }),
  );
  assert.equal(done, {
    status: 'succeeded',
    stage: undefined,
    pages: 6,
    counts: { found: 1, added: 1, changed: 0, removed: 0 },
    finishedAtMs: 99,
  });
});

test('scan projection: running with live regions, then the watch verdict; a failed plan is a failed scan with why', () => {
  const regions = [
    { regionId: 'cn-hangzhou', status: 'running', counts: { found: 0, added: 0, changed: 0, removed: 0 }, pages: 1 },
  ];
  const running = scanProjection(
    job({ stage: 'watch', stages: [{ name: 'watch', status: 'waiting', attempts: 1, progress: regions }] }),
  );
  assert.equal([running.status, running.regions], ['running', regions]);
  const partial = scanProjection(
    job({
      status: 'succeeded',
      endedAtMs: 5,
      outputs: { plan: { source: 'describe-apis', sourceReason: 'off' }, watch: { status: 'partial', regions: [] } },
    }),
  );
  assert.equal([partial.status, partial.source, partial.finishedAtMs], ['partial', 'describe-apis', 5]);
  const failed = scanProjection(
    job({
      status: 'failed',
      endedAtMs: 6,
      error: {
        code: 'InvalidAccessKeyId.NotFound',
        message: 'no key',
        stage: 'plan',
        retryable: false,
        hint: 'fix it',
      },
    }),
  );
  assert.equal(
    [failed.status, failed.error],
    ['failed', { code: 'InvalidAccessKeyId.NotFound', message: 'no key', hint: 'fix it' }],
  );
});

test('the time budget stops before a unit that may not fit, never before the first', () => {
  let now = 0;
  const b = new Budget(10_000, () => now);
  now = 2000;
  b.lap();
  assert.is(b.nearlyOut(), false); // 2000 + 6000 ≤ 10000
  now = 5000;
  b.lap();
  assert.is(b.nearlyOut(), true); // 5000 + 9000 > 10000
});

test.run();
