/**
 * ECS Cloud Assistant RunCommand (RepeatMode Once): validates like ECS, then records one
 * invocation whose per-instance runs play out in simulated time (ecs-invocations.ts). A target
 * that is not Running gets `InstanceNotRunning` in its result, as the documented ErrorCode says.
 */
import type { OpContext } from '../openapi/types';
import { randomId } from '../../core/ids';
import { catalogOf, requireRegion } from './catalog';
import { idempotent } from './client-token';
import { takeOutcome } from './command-outcomes';
import { begin } from './context';
import { apiError, missing } from './errors';
import { instanceStatus } from './lifecycle';
import { bool, int, listN, opt, structN, tagsToSet } from './params';
import type { Instance, Invocation, InvocationTarget } from './state';

export const MAX_INVOCATIONS = 10_000;
const CONTENT_LIMIT = 24 * 1024;
const KEPT_CONTENT_LIMIT = 18 * 1024;
const TYPES: Record<string, 'linux' | 'windows'> = {
  RunShellScript: 'linux',
  RunBatScript: 'windows',
  RunPowerShellScript: 'windows',
};

const forbidden = (code: string, message: string) => apiError(code, 403, message);

/** The script as plain text (Base64 when `ContentEncoding=Base64`, any other value is PlainText). */
function scriptOf(ctx: OpContext): string {
  const raw = opt(ctx.params, 'CommandContent');
  if (raw === undefined) throw missing('CommandContent');
  const base64 = (opt(ctx.params, 'ContentEncoding') ?? '').toLowerCase() === 'base64';
  const text = base64 ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (base64 && (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw) || Buffer.from(text, 'utf8').toString('base64') !== raw))
    throw apiError('CmdContent.DecodeError', 400, 'The CommandContent can not be base64 decoded.');
  const limit = bool(ctx.params, 'KeepCommand') ? KEPT_CONTENT_LIMIT : CONTENT_LIMIT;
  if (Buffer.from(text, 'utf8').toString('base64').length > limit)
    throw forbidden('CmdContent.ExceedLimit', 'The length of the command content exceeds the upper limit.');
  return text;
}

/** `{{name}}` placeholders filled from the JSON `Parameters` (EnableParameter=true only). */
function withParameters(ctx: OpContext, script: string): { script: string; parameters: string } {
  const raw = opt(ctx.params, 'Parameters');
  if (raw === undefined) return { script, parameters: '{}' };
  if (!bool(ctx.params, 'EnableParameter'))
    throw apiError(
      'Parameter.Disabled',
      400,
      'Parameters should not be passed when CreateCommand.EnableParameter is false.',
    );
  let values: unknown;
  try {
    values = JSON.parse(raw);
  } catch {
    values = undefined;
  }
  if (!values || typeof values !== 'object' || Array.isArray(values))
    throw apiError('ParameterType.NotSupported', 403, 'The type of parameter value is not supported.');
  const entries = Object.entries(values as Record<string, unknown>);
  if (entries.length > 10)
    throw forbidden(
      'ParameterCount.ExceedLimit',
      'The number of command parameters exceeds the maximum number that can be set.',
    );
  for (const [k, v] of entries) {
    if (!k) throw apiError('CmdParam.EmptyKey', 400, 'Command parameters can not be empty.');
    if (k.length > 64)
      throw forbidden(
        'ParameterKey.ExceedLimit',
        'The length of the specified parameter key exceeds the maximum length that can be set.',
      );
    if (typeof v !== 'string')
      throw apiError('ParameterType.NotSupported', 403, 'The type of parameter value is not supported.');
  }
  const map = new Map(entries.map(([k, v]) => [k.toLowerCase(), v as string]));
  const filled = script.replace(
    /\{\{\s*([A-Za-z0-9_-]+)\s*\}\}/g,
    (all, name: string) => map.get(name.toLowerCase()) ?? all,
  );
  return { script: filled, parameters: JSON.stringify(values) };
}

function checkModes(ctx: OpContext) {
  const p = ctx.params;
  const mode = opt(p, 'RepeatMode') ?? (opt(p, 'Frequency') ? 'Period' : 'Once');
  if (!['Once', 'Period', 'NextRebootOnly', 'EveryReboot', 'DryRun'].includes(mode))
    throw apiError('InvalidRepeatMode.NotFound', 404, 'The specified repeat mode does not exist.');
  // Scheduled and reboot-bound runs are not simulated: refuse them rather than pretend.
  if (mode !== 'Once') throw forbidden('Operation.Forbidden', 'The operation is not permitted.');
  const name = opt(p, 'Name') ?? '';
  if (name.length > 128)
    throw forbidden('CmdName.ExceedLimit', 'The length of the command name exceeds the upper limit.');
  const desc = opt(p, 'Description') ?? '';
  if (desc.length > 512)
    throw forbidden('CmdDesc.ExceedLimit', 'The length of the command description exceeds the upper limit.');
  const username = opt(p, 'Username') ?? '';
  if (username.length > 255)
    throw forbidden('Username.ExceedLimit', 'The length of the username exceeds the upper limit.');
  const workingDir = opt(p, 'WorkingDir');
  if (workingDir !== undefined && workingDir.length > 200)
    throw apiError('InvalidParameter.WorkingDir', 400, 'The specified parameter WorkingDir is not valid.');
  return { name, desc, username, workingDir };
}

/** `InstanceId.N` (1..100) or `ResourceTag.N` (instances carrying every tag), never both. */
function targetsOf(ctx: OpContext, regionId: string, all: Instance[]): Instance[] {
  const ids = listN(ctx.params, 'InstanceId');
  const byTag = structN(ctx.params, 'ResourceTag').map((g) => ({ Key: String(g.Key ?? ''), Value: g.Value }));
  if (ids.length && byTag.length)
    throw apiError(
      'InvalidResourceTag.ConflictWithInstanceIds',
      400,
      'The specified param ResourceTag conflicts with InstanceId.',
    );
  if (byTag.length) {
    const hits = all.filter(
      (i) =>
        i.regionId === regionId &&
        byTag.every((w) => i.tags.some((t) => t.Key === w.Key && (w.Value === undefined || t.Value === w.Value))),
    );
    if (hits.length === 0)
      throw apiError(
        'InvalidResourceTag.InstanceNotFound',
        400,
        'InstanceIds are not found by the specified ResourceTag.',
      );
    if (hits.length > 100)
      throw forbidden('InstanceIds.ExceedLimit', 'The number of instance IDs exceeds the upper limit.');
    return hits;
  }
  if (ids.length === 0) throw apiError('MissingParam.InstanceId', 400, 'The parameter instanceId is missing or empty.');
  if (ids.length > 100)
    throw forbidden('InstanceIds.ExceedLimit', 'The number of instance IDs exceeds the upper limit.');
  return [...new Set(ids)].map((id) => {
    const i = all.find((x) => x.id === id && x.regionId === regionId);
    if (!i) throw apiError('InvalidInstance.NotFound', 404, 'The specified instance does not exist.');
    return i;
  });
}

export function runCommand(ctx: OpContext) {
  const { s, c } = begin(ctx);
  return idempotent(ctx, () => {
    const p = ctx.params;
    const regionId = requireRegion(ctx);
    const type = opt(p, 'Type');
    if (!type) throw missing('Type');
    const os = TYPES[type];
    if (!os) throw apiError('InvalidCmdType.NotFound', 404, 'The specified command type does not exist.');
    const { script, parameters } = withParameters(ctx, scriptOf(ctx));
    const { name, desc, username, workingDir } = checkModes(ctx);
    const timeoutSeconds = int(p, 'Timeout', { def: 60, min: 1, max: 86_400 });
    const tags = tagsToSet(p);
    const live = s.instances.filter((i) => instanceStatus(i, c) !== null);
    const instances = targetsOf(ctx, regionId, live);
    const images = catalogOf(ctx.seed).images;
    for (const i of instances) {
      const imageOs = images.find((m) => m.imageId === i.imageId)?.osType ?? 'linux';
      if (imageOs !== os)
        throw apiError('InvalidInstance.NotMatch', 400, 'The specified instance type does not match the command.');
    }
    const targets: InvocationTarget[] = instances.map((i) => {
      const running = instanceStatus(i, c) === 'Running' && i.op.kind !== 'delete';
      if (!running) return { instanceId: i.id, exitCode: 0, output: '', runMs: 0, errorCode: 'InstanceNotRunning' };
      const o = takeOutcome(s, i.id, script);
      return { instanceId: i.id, exitCode: o.exitCode, output: o.output, runMs: o.runMs };
    });
    const inv: Invocation = {
      invokeId: `t-${randomId(16)}`,
      commandId: `c-${randomId(16)}`,
      regionId,
      name: name || `command-${randomId(8)}`,
      description: desc,
      type,
      content: script,
      workingDir: workingDir ?? (os === 'linux' ? '/root' : 'C:\\Windows\\system32'),
      username: username || (os === 'linux' ? 'root' : 'System'),
      timeoutSeconds,
      parameters,
      createdAtMs: c.now,
      resourceGroupId: opt(p, 'ResourceGroupId') ?? s.resourceGroupId,
      tags,
      targets,
    };
    s.invocations = [...(s.invocations ?? []), inv].slice(-MAX_INVOCATIONS);
    return { CommandId: inv.commandId, InvokeId: inv.invokeId };
  });
}
