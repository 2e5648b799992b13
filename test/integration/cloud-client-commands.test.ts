/**
 * Cloud Assistant and power through the typed client (@alicloud/ecs20140526) against the
 * sandbox, on a frozen sandbox clock: runs, scripted failures, encodings, reboots.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CloudClient } from '../../lib/cloud/index';
import type { AppError } from '../../lib/core/errors';
import { clientFor, LINUX_IMAGE, readyNetwork, sandboxClock } from '../helpers/cloud-client';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox';

let sb: TestSandbox;
let c: CloudClient;
let clock: ReturnType<typeof sandboxClock>;
let accountId = '';
let ids: string[] = [];

test.before(async () => {
  sb = await startTestSandbox();
  const acct = await sb.createAccount();
  accountId = acct.accountId;
  c = clientFor(sb, acct);
  clock = sandboxClock(sb);
  await clock.freeze();
  const n = await readyNetwork(c, clock);
  ids = (
    await c.ecs.runInstances({
      imageId: LINUX_IMAGE,
      instanceType: 'ecs.g6.large',
      securityGroupId: n.securityGroupId,
      vSwitchId: n.vSwitchId,
      amount: 2,
    })
  ).instanceIds;
  await clock.advance(20);
});
test.after(async () => {
  await sb?.close();
});

const outcome = (body: Record<string, unknown>) => sb.admin(`/accounts/${accountId}/command-outcomes`, body);
const statusOf = async (id: string) => (await c.ecs.describeInstances({ instanceIds: [id] }))[0]!.status;

test('runCommand: Pending, then each instance its outcome; a scripted exit code and output fail one instance', async () => {
  await outcome({ instanceId: ids[1], exitCode: 3, output: 'boom\n', count: 1 });
  await outcome({ instanceId: ids[0], output: 'hello from fleet\n', count: 1 });
  const { commandId, invokeId } = await c.ecs.runCommand({ instanceIds: ids, script: 'echo hello from fleet' });
  assert.match(commandId, /^c-/);
  let res = await c.ecs.describeInvocationResults({ invokeId });
  assert.equal(
    res.map((r) => r.invocationStatus),
    ['Pending', 'Pending'],
  );
  await clock.advance(10);
  res = await c.ecs.describeInvocationResults({ invokeId });
  const by = Object.fromEntries(res.map((r) => [r.instanceId, r]));
  assert.equal(
    [by[ids[0]!]!.invocationStatus, by[ids[0]!]!.exitCode, by[ids[0]!]!.output],
    ['Success', 0, 'hello from fleet\n'],
  );
  assert.equal(
    [by[ids[1]!]!.invocationStatus, by[ids[1]!]!.exitCode, by[ids[1]!]!.output, by[ids[1]!]!.errorCode],
    ['Failed', 3, 'boom\n', 'ExitCodeNonzero'],
  );
  const [inv] = await c.ecs.describeInvocations({ invokeId, includeOutput: true });
  assert.equal([inv!.invocationStatus, inv!.timeoutSeconds, inv!.commandType], ['PartialFailed', 60, 'RunShellScript']);
  assert.is(inv!.instances.find((x) => x.instanceId === ids[1])!.output, 'boom\n');
});

test('output over 24 KB is cut and the rest counted in droppedBytes; Timeout past timeoutSeconds', async () => {
  await outcome({ output: 'y'.repeat(30_000), count: 1 });
  const big = await c.ecs.runCommand({ instanceIds: [ids[0]!], script: 'cat /var/log/big' });
  await outcome({ durationSeconds: 90, count: 1 });
  const slow = await c.ecs.runCommand({ instanceIds: [ids[0]!], script: 'sleep 90', timeoutSeconds: 30 });
  await clock.advance(40);
  const [b] = await c.ecs.describeInvocationResults({ invokeId: big.invokeId });
  assert.equal([b!.output.length, b!.droppedBytes], [24 * 1024, 30_000 - 24 * 1024]);
  const [s] = await c.ecs.describeInvocationResults({ invokeId: slow.invokeId });
  assert.equal([s!.invocationStatus, s!.errorCode], ['Timeout', 'ExecutionTimeout']);
  // every page: the instance's runs so far (3) are all listed
  assert.is((await c.ecs.describeInvocationResults({ instanceId: ids[0]! })).length, 3);
});

test('reboot: Running → Starting → Running; a command sent meanwhile is Aborted (InstanceNotRunning); stop and start', async () => {
  assert.equal(await c.ecs.rebootInstance({ instanceId: ids[0]!, dryRun: true }), { wouldSucceed: true });
  await c.ecs.rebootInstance({ instanceId: ids[0]! });
  assert.is(await statusOf(ids[0]!), 'Starting');
  const { invokeId } = await c.ecs.runCommand({ instanceIds: [ids[0]!], script: 'true' });
  const [r] = await c.ecs.describeInvocationResults({ invokeId });
  assert.equal([r!.invocationStatus, r!.errorCode], ['Aborted', 'InstanceNotRunning']);
  await clock.advance(11);
  assert.is(await statusOf(ids[0]!), 'Running');
  await c.ecs.stopInstance({ instanceId: ids[0]! });
  await clock.advance(6);
  assert.is(await statusOf(ids[0]!), 'Stopped');
  const e = (await c.ecs.rebootInstance({ instanceId: ids[0]! }).catch((x) => x)) as AppError;
  assert.is(e.cloud?.code, 'IncorrectInstanceStatus');
  await c.ecs.startInstance({ instanceId: ids[0]! });
  assert.is(await statusOf(ids[0]!), 'Starting');
  await clock.advance(9);
  assert.is(await statusOf(ids[0]!), 'Running');
});

test('RunCommand refusals reach the caller with Alibaba codes', async () => {
  const missing = (await c.ecs
    .runCommand({ instanceIds: ['i-bp1nothere0000000000'], script: 'true' })
    .catch((x) => x)) as AppError;
  assert.equal([missing.cloud?.code, missing.cloud?.httpStatus], ['InvalidInstance.NotFound', 404]);
  const many = Array.from({ length: 101 }, (_, i) => `i-bp1x${i}`);
  const tooMany = (await c.ecs.runCommand({ instanceIds: many, script: 'true' }).catch((x) => x)) as AppError;
  assert.equal([tooMany.cloud?.code, tooMany.cloud?.httpStatus], ['InstanceIds.ExceedLimit', 403]);
});

test.run();
