/** Cloud Assistant in the simulator: RunCommand's checks, runs in simulated time, scripted outcomes, encodings. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commandOutcomesRoute } from '../../lib/sandbox/cloud/command-outcomes';
import { harness, type Harness } from '../../lib/sandbox/cloud/test-context';
import { AdminError } from '../../lib/sandbox/openapi/types';
import { advance, fails, R, simInstances, simNetwork } from '../helpers/cloud-sim';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

async function running(h: Harness, amount = 1) {
  const n = await simNetwork(h);
  const ids = await simInstances(h, n, { Amount: amount });
  advance(h, 20_000);
  return { n, ids };
}

const run = (h: Harness, ids: string[], script: string, extra: Record<string, string | number | boolean> = {}) =>
  h.call('Ecs', 'RunCommand', {
    ...R,
    Type: 'RunShellScript',
    CommandContent: b64(script),
    ContentEncoding: 'Base64',
    ...Object.fromEntries(ids.map((id, i) => [`InstanceId.${i + 1}`, id])),
    ...extra,
  });

const results = async (h: Harness, invokeId: string, extra: Record<string, string | number> = {}) =>
  (await h.call('Ecs', 'DescribeInvocationResults', { ...R, InvokeId: invokeId, ...extra })).Invocation;

const outcome = (h: Harness, input: Record<string, unknown>) =>
  commandOutcomesRoute(h.account, 'POST', input, { now: h.clock.ms, timeScale: h.timeScale, seed: h.seed });

test('RunCommand: Pending (delivery) → Running → Success with exit 0; ids c-/t-; Output Base64 unless PlainText', async () => {
  const h = harness({ timeScale: 0.01 });
  const { ids } = await running(h);
  outcome(h, { output: 'hello\n' });
  const r = await run(h, ids, 'echo hello');
  assert.match(r.CommandId, /^c-[0-9a-z]{16}$/);
  assert.match(r.InvokeId, /^t-[0-9a-z]{16}$/);
  let one = (await results(h, r.InvokeId)).InvocationResults.InvocationResult[0];
  assert.equal([one.InvocationStatus, one.InvokeRecordStatus, one.InstanceId], ['Pending', 'Running', ids[0]]);
  advance(h, 1_500);
  one = (await results(h, r.InvokeId)).InvocationResults.InvocationResult[0];
  assert.equal([one.InvocationStatus, one.InvokeRecordStatus, one.Output], ['Running', 'Running', '']);
  assert.match(one.StartTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  advance(h, 5_000);
  one = (await results(h, r.InvokeId)).InvocationResults.InvocationResult[0];
  assert.equal(
    [one.InvocationStatus, one.InvokeRecordStatus, one.ExitCode, one.ErrorCode, one.Dropped],
    ['Success', 'Finished', 0, '', 0],
  );
  assert.is(unb64(one.Output), 'hello\n');
  assert.match(one.FinishedTime, /Z$/);
  const plain = (await results(h, r.InvokeId, { ContentEncoding: 'PlainText' })).InvocationResults.InvocationResult[0];
  assert.is(plain.Output, 'hello\n');
  const inv = (await h.call('Ecs', 'DescribeInvocations', { ...R, InvokeId: r.InvokeId })).Invocations.Invocation[0];
  assert.equal(
    [inv.InvocationStatus, inv.InvokeStatus, inv.RepeatMode, inv.Timeout],
    ['Success', 'Finished', 'Once', 60],
  );
  assert.is(unb64(inv.CommandContent), 'echo hello');
  assert.is(inv.InvokeInstances.InvokeInstance[0].Output, '', 'no output without IncludeOutput');
  const withOut = await h.call('Ecs', 'DescribeInvocations', { ...R, InvokeId: r.InvokeId, IncludeOutput: true });
  assert.is(unb64(withOut.Invocations.Invocation[0].InvokeInstances.InvokeInstance[0].Output), 'hello\n');
  // plain text content (the default ContentEncoding of RunCommand) is taken as it is
  const p = await h.call('Ecs', 'RunCommand', {
    ...R,
    Type: 'RunShellScript',
    CommandContent: 'uptime',
    'InstanceId.1': ids[0]!,
  });
  const pInv = await h.call('Ecs', 'DescribeInvocations', { ...R, InvokeId: p.InvokeId, ContentEncoding: 'PlainText' });
  assert.is(pInv.Invocations.Invocation[0].CommandContent, 'uptime');
});

test('scripted outcomes: exit code and output (ExitCodeNonzero), Timeout past the command Timeout, Dropped beyond 24 KB', async () => {
  const h = harness({ timeScale: 0.01 });
  const { ids } = await running(h, 2);
  outcome(h, { instanceId: ids[1], match: 'apt-get', exitCode: 100, output: 'E: Unable to locate package', count: 1 });
  const r = await run(h, ids, 'apt-get install -y nginx');
  advance(h, 10_000);
  const rows = (await results(h, r.InvokeId)).InvocationResults.InvocationResult as any[];
  const byId = Object.fromEntries(rows.map((x) => [x.InstanceId, x]));
  assert.equal([byId[ids[0]!].InvocationStatus, byId[ids[0]!].ExitCode], ['Success', 0]);
  const bad = byId[ids[1]!];
  assert.equal(
    [bad.InvocationStatus, bad.InvokeRecordStatus, bad.ExitCode, bad.ErrorCode, bad.ErrorInfo],
    ['Failed', 'Finished', 100, 'ExitCodeNonzero', 'the command execution exit code is not zero.'],
  );
  assert.is(unb64(bad.Output), 'E: Unable to locate package');
  const inv = (await h.call('Ecs', 'DescribeInvocations', { ...R, InvokeId: r.InvokeId })).Invocations.Invocation[0];
  assert.equal([inv.InvocationStatus, inv.InvokeStatus], ['PartialFailed', 'PartialFailed']);
  // count: 1 is used up: the same script now succeeds everywhere
  const again = await run(h, ids, 'apt-get install -y nginx');
  advance(h, 10_000);
  const inv2 = (await h.call('Ecs', 'DescribeInvocations', { ...R, InvokeId: again.InvokeId })).Invocations
    .Invocation[0];
  assert.is(inv2.InvocationStatus, 'Success');

  outcome(h, { durationSeconds: 120, count: 1 });
  const slow = await run(h, [ids[0]!], 'sleep 120', { Timeout: 30 });
  advance(h, 20_000);
  assert.is((await results(h, slow.InvokeId)).InvocationResults.InvocationResult[0].InvocationStatus, 'Running');
  advance(h, 12_000);
  const t = (await results(h, slow.InvokeId)).InvocationResults.InvocationResult[0];
  assert.equal([t.InvocationStatus, t.InvokeRecordStatus, t.ErrorCode], ['Timeout', 'Failed', 'ExecutionTimeout']);

  outcome(h, { output: 'x'.repeat(30_000), count: 1 });
  const big = await run(h, [ids[0]!], 'cat big');
  advance(h, 10_000);
  const g = (await results(h, big.InvokeId, { ContentEncoding: 'PlainText' })).InvocationResults.InvocationResult[0];
  assert.equal([g.Output.length, g.Dropped], [24 * 1024, 30_000 - 24 * 1024]);
});

test('a target that is not Running: Aborted with InstanceNotRunning; the whole invocation Failed', async () => {
  const h = harness({ timeScale: 0.01 });
  const n = await simNetwork(h);
  const [fresh] = await simInstances(h, n);
  const r = await run(h, [fresh!], 'echo hi');
  const one = (await results(h, r.InvokeId)).InvocationResults.InvocationResult[0];
  assert.equal(
    [one.InvocationStatus, one.InvokeRecordStatus, one.ErrorCode, one.ErrorInfo],
    ['Aborted', 'Failed', 'InstanceNotRunning', 'the instance is not running when create task'],
  );
  const inv = (await h.call('Ecs', 'DescribeInvocations', { ...R, InvokeId: r.InvokeId })).Invocations.Invocation[0];
  assert.is(inv.InvocationStatus, 'Failed');
});

test('RunCommand refusals: codes and statuses of the ECS error table', async () => {
  const h = harness({ timeScale: 0.01 });
  const { ids } = await running(h);
  const id = ids[0]!;
  const base = { ...R, Type: 'RunShellScript', CommandContent: 'echo', 'InstanceId.1': id };
  await fails(
    h.call('Ecs', 'RunCommand', { ...R, Type: 'RunShellScript', CommandContent: 'echo' }),
    'MissingParam.InstanceId',
  );
  const hundredOne = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`InstanceId.${i + 1}`, `i-x${i}`]));
  const e = await fails(
    h.call('Ecs', 'RunCommand', { ...R, Type: 'RunShellScript', CommandContent: 'echo', ...hundredOne }),
    'InstanceIds.ExceedLimit',
  );
  assert.is(e.httpStatus, 403);
  assert.is(
    (await fails(h.call('Ecs', 'RunCommand', { ...base, 'InstanceId.1': 'i-bp1nothere' }), 'InvalidInstance.NotFound'))
      .httpStatus,
    404,
  );
  assert.is(
    (await fails(h.call('Ecs', 'RunCommand', { ...base, Type: 'RunPythonScript' }), 'InvalidCmdType.NotFound'))
      .httpStatus,
    404,
  );
  await fails(h.call('Ecs', 'RunCommand', { ...base, Type: 'RunPowerShellScript' }), 'InvalidInstance.NotMatch');
  await fails(
    h.call('Ecs', 'RunCommand', { ...base, CommandContent: '%%%', ContentEncoding: 'Base64' }),
    'CmdContent.DecodeError',
  );
  await fails(h.call('Ecs', 'RunCommand', { ...base, CommandContent: 'x'.repeat(19_000) }), 'CmdContent.ExceedLimit');
  await fails(h.call('Ecs', 'RunCommand', { ...base, Name: 'n'.repeat(129) }), 'CmdName.ExceedLimit');
  await fails(h.call('Ecs', 'RunCommand', { ...base, RepeatMode: 'Sometimes' }), 'InvalidRepeatMode.NotFound');
  await fails(h.call('Ecs', 'RunCommand', { ...base, Parameters: '{"a":"b"}' }), 'Parameter.Disabled');
  await fails(
    h.call('Ecs', 'RunCommand', { ...base, ResourceTag: 'x', 'ResourceTag.1.Key': 'k' }),
    'InvalidResourceTag.ConflictWithInstanceIds',
  );
  // ContentEncoding other than Base64 is PlainText (documented): '%%%' runs as it is
  const odd = await h.call('Ecs', 'RunCommand', { ...base, CommandContent: '%%%', ContentEncoding: 'rot13' });
  assert.match(odd.InvokeId, /^t-/);
  // parameters fill {{name}} placeholders
  const par = await h.call('Ecs', 'RunCommand', {
    ...base,
    CommandContent: 'echo {{ who }}',
    EnableParameter: true,
    Parameters: '{"who":"fleet"}',
  });
  const inv = await h.call('Ecs', 'DescribeInvocations', {
    ...R,
    InvokeId: par.InvokeId,
    ContentEncoding: 'PlainText',
  });
  assert.is(inv.Invocations.Invocation[0].CommandContent, 'echo fleet');
});

test('same ClientToken → same invocation; listings page at most 50 with Cloud Assistant codes', async () => {
  const h = harness({ timeScale: 0.01 });
  const { ids } = await running(h);
  const a = await run(h, ids, 'echo 1', { ClientToken: 'tok-1' });
  const b = await run(h, ids, 'echo 1', { ClientToken: 'tok-1' });
  assert.is(a.InvokeId, b.InvokeId);
  await fails(run(h, ids, 'echo 2', { ClientToken: 'tok-1' }), 'IdempotentParameterMismatch');
  for (let i = 0; i < 11; i++) await run(h, ids, `echo ${i}`);
  const first = await h.call('Ecs', 'DescribeInvocations', { ...R, MaxResults: 5 });
  assert.equal([first.TotalCount, first.Invocations.Invocation.length], [12, 5]);
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const r = await h.call('Ecs', 'DescribeInvocations', {
      ...R,
      MaxResults: 5,
      ...(token ? { NextToken: token } : {}),
    });
    for (const x of r.Invocations.Invocation) seen.add(x.InvokeId);
    token = r.NextToken || undefined;
  } while (token);
  assert.is(seen.size, 12);
  const byInstance = await h.call('Ecs', 'DescribeInvocationResults', { ...R, InstanceId: ids[0]!, MaxResults: 50 });
  assert.is(byInstance.Invocation.TotalCount, 12);
  await fails(h.call('Ecs', 'DescribeInvocations', { ...R, MaxResults: 51 }), 'InvalidParameter.MaxResults');
  await fails(h.call('Ecs', 'DescribeInvocationResults', { ...R, NextToken: 'nope' }), 'InvalidParameter.NextToken');
  await fails(h.call('Ecs', 'DescribeInvocationResults', { ...R, PageSize: 51 }), 'InvalidParam.PageSize');
});

test('command-outcomes admin route validates hostile input; GET lists, DELETE clears', () => {
  const h = harness();
  for (const bad of [
    { exitCode: 1.5 },
    { output: 5 },
    { durationSeconds: -1 },
    { instanceId: '../x' },
    { count: 0 },
    { match: '' },
  ]) {
    assert.throws(
      () => outcome(h, bad),
      (e: unknown) => e instanceof AdminError && e.status === 400,
    );
  }
  outcome(h, { exitCode: 2 });
  const ctx = { now: 0, timeScale: 1, seed: h.seed };
  assert.is((commandOutcomesRoute(h.account, 'GET', {}, ctx) as { outcomes: unknown[] }).outcomes.length, 1);
  assert.equal(commandOutcomesRoute(h.account, 'DELETE', {}, ctx), { cleared: 1 });
});

test.run();
