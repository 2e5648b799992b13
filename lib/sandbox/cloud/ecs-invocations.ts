/**
 * Cloud Assistant results: DescribeInvocations and DescribeInvocationResults. A run's status is
 * computed from its invocation's time (Pending for the 1 s delivery, Running for its run time,
 * then Success / Failed / Timeout), so the sandbox clock and time scale drive it. Output and
 * CommandContent are Base64 unless `ContentEncoding=PlainText`; Output keeps 24 KB, `Dropped`
 * counts the rest.
 */
import type { OpContext } from '../openapi/types';
import { requireRegion } from './catalog';
import { begin, ecsTags } from './context';
import { apiError } from './errors';
import { since, type Clock } from './lifecycle';
import { decodeToken, encodeToken, int, iso, opt } from './params';
import type { Invocation, InvocationTarget } from './state';

const DELIVERY_MS = 1_000;
const OUTPUT_LIMIT = 24 * 1024;

export interface RunView {
  status: 'Pending' | 'Running' | 'Success' | 'Failed' | 'Timeout' | 'Aborted';
  /** Legacy InvokeRecordStatus / InstanceInvokeStatus. */
  record: 'Running' | 'Finished' | 'Failed';
  startAtMs?: number;
  finishAtMs?: number;
  exitCode: number;
  errorCode: string;
  errorInfo: string;
  output: string;
}

const ERROR_INFO: Record<string, string> = {
  InstanceNotRunning: 'the instance is not running when create task',
  ExitCodeNonzero: 'the command execution exit code is not zero.',
  ExecutionTimeout: 'the command execution has been timeout',
};

/** The run of one target now. Real timestamps are the invocation's plus simulated ms × scale. */
export function runView(inv: Invocation, t: InvocationTarget, c: Clock): RunView {
  const at = (simMs: number) => inv.createdAtMs + Math.round(simMs * c.scale);
  const done = { exitCode: 0, errorCode: '', errorInfo: '', output: '' };
  if (t.errorCode)
    return {
      ...done,
      status: 'Aborted',
      record: 'Failed',
      finishAtMs: inv.createdAtMs,
      errorCode: t.errorCode,
      errorInfo: ERROR_INFO[t.errorCode] ?? '',
    };
  const elapsed = since(c, inv.createdAtMs);
  if (elapsed < DELIVERY_MS) return { ...done, status: 'Pending', record: 'Running' };
  const timeoutMs = inv.timeoutSeconds * 1000;
  const end = DELIVERY_MS + Math.min(t.runMs, timeoutMs);
  const started = { startAtMs: at(DELIVERY_MS) };
  if (elapsed < end) return { ...done, ...started, status: 'Running', record: 'Running' };
  const finished = { ...started, finishAtMs: at(end), output: t.output };
  if (t.runMs > timeoutMs)
    return {
      ...done,
      ...finished,
      status: 'Timeout',
      record: 'Failed',
      exitCode: -1,
      errorCode: 'ExecutionTimeout',
      errorInfo: ERROR_INFO.ExecutionTimeout!,
    };
  if (t.exitCode !== 0)
    return {
      ...done,
      ...finished,
      status: 'Failed',
      record: 'Finished',
      exitCode: t.exitCode,
      errorCode: 'ExitCodeNonzero',
      errorInfo: ERROR_INFO.ExitCodeNonzero!,
    };
  return { ...done, ...finished, status: 'Success', record: 'Finished' };
}

/** Overall status of an invocation from its runs (DescribeInvocations' documented rules). */
export function overallStatus(runs: RunView[]): { status: string; invokeStatus: string } {
  if (
    runs.some((r) => r.status === 'Running') ||
    (runs.some((r) => r.status === 'Pending') && !runs.every((r) => r.status === 'Pending'))
  )
    return { status: 'Running', invokeStatus: 'Running' };
  if (runs.every((r) => r.status === 'Pending')) return { status: 'Pending', invokeStatus: 'Running' };
  const ok = runs.filter((r) => r.status === 'Success').length;
  if (ok === runs.length) return { status: 'Success', invokeStatus: 'Finished' };
  if (ok === 0) return { status: 'Failed', invokeStatus: 'Failed' };
  return { status: 'PartialFailed', invokeStatus: 'PartialFailed' };
}

const plainText = (ctx: OpContext) => (opt(ctx.params, 'ContentEncoding') ?? '').toLowerCase() === 'plaintext';
const encode = (ctx: OpContext, text: string) => (plainText(ctx) ? text : Buffer.from(text, 'utf8').toString('base64'));

/** Output as the API returns it: first 24 KB, encoded, and how many bytes were dropped. */
function output(ctx: OpContext, text: string): { Output: string; Dropped: number } {
  const bytes = Buffer.from(text, 'utf8');
  const kept = bytes.subarray(0, OUTPUT_LIMIT).toString('utf8');
  return { Output: encode(ctx, kept), Dropped: Math.max(0, bytes.length - OUTPUT_LIMIT) };
}

/** MaxResults/NextToken (1..50, default 10) or the deprecated PageNumber/PageSize, with Cloud Assistant's codes. */
function page<T>(ctx: OpContext, all: T[]) {
  const p = ctx.params;
  if (opt(p, 'NextToken') !== undefined || opt(p, 'MaxResults') !== undefined) {
    const size = int(p, 'MaxResults', {
      def: 10,
      min: 1,
      max: 50,
      code: 'InvalidParameter.MaxResults',
      message: 'The specified parameter MaxResults is not valid.',
    });
    const offset = decodeToken(opt(p, 'NextToken'), () =>
      apiError('InvalidParameter.NextToken', 400, 'The specified parameter NextToken is not valid.'),
    );
    const next = offset + size < all.length ? encodeToken(offset + size) : '';
    return { items: all.slice(offset, offset + size), pageNumber: 1, pageSize: size, nextToken: next };
  }
  const pageSize = int(p, 'PageSize', {
    def: 10,
    min: 1,
    max: 50,
    code: 'InvalidParam.PageSize',
    message: 'The specified parameter is invalid.',
  });
  const pageNumber = int(p, 'PageNumber', {
    def: 1,
    min: 1,
    max: 1_000_000,
    code: 'InvalidParam.PageNumber',
    message: 'The specified parameter is invalid.',
  });
  return { items: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize), pageNumber, pageSize, nextToken: '' };
}

/** The region's invocations, newest first, filtered by the common parameters. */
function invocationsOf(ctx: OpContext) {
  const { s, c } = begin(ctx);
  const regionId = requireRegion(ctx);
  const f = (n: string) => opt(ctx.params, n);
  const list = (s.invocations ?? [])
    .filter(
      (i) =>
        i.regionId === regionId &&
        (!f('InvokeId') || i.invokeId === f('InvokeId')) &&
        (!f('CommandId') || i.commandId === f('CommandId')) &&
        (!f('InstanceId') || i.targets.some((t) => t.instanceId === f('InstanceId'))),
    )
    .reverse();
  return { list, c };
}

export function describeInvocations(ctx: OpContext) {
  const { list, c } = invocationsOf(ctx);
  const f = (n: string) => opt(ctx.params, n);
  const withOutput = (f('IncludeOutput') ?? '').toLowerCase() === 'true';
  const rows = list
    .map((inv) => ({ inv, runs: inv.targets.map((t) => ({ t, v: runView(inv, t, c) })) }))
    .map((x) => ({ ...x, overall: overallStatus(x.runs.map((r) => r.v)) }))
    .filter(
      (x) =>
        (!f('CommandName') || x.inv.name === f('CommandName')) &&
        (!f('CommandType') || x.inv.type === f('CommandType')) &&
        (!f('InvokeStatus') || x.overall.invokeStatus === f('InvokeStatus') || x.overall.status === f('InvokeStatus')),
    );
  const pg = page(ctx, rows);
  return {
    TotalCount: rows.length,
    PageNumber: pg.pageNumber,
    PageSize: pg.pageSize,
    NextToken: pg.nextToken,
    Invocations: {
      Invocation: pg.items.map(({ inv, runs, overall }) => ({
        InvokeId: inv.invokeId,
        CommandId: inv.commandId,
        CommandName: inv.name,
        CommandType: inv.type,
        CommandContent: encode(ctx, inv.content),
        CommandDescription: inv.description,
        CreationTime: iso(inv.createdAtMs),
        Frequency: '',
        InvocationStatus: overall.status,
        InvokeStatus: overall.invokeStatus,
        Parameters: inv.parameters,
        RepeatMode: 'Once',
        Timed: false,
        Timeout: inv.timeoutSeconds,
        Username: inv.username,
        WorkingDir: inv.workingDir,
        Launcher: '',
        ContainerId: '',
        ContainerName: '',
        TerminationMode: 'Process',
        Tags: ecsTags(inv.tags),
        InvokeInstances: {
          InvokeInstance: runs.map(({ t, v }) => ({
            InstanceId: t.instanceId,
            InvocationStatus: v.status,
            InstanceInvokeStatus: v.record,
            CreationTime: iso(inv.createdAtMs),
            StartTime: v.startAtMs ? iso(v.startAtMs) : '',
            FinishTime: v.finishAtMs ? iso(v.finishAtMs) : '',
            StopTime: '',
            UpdateTime: iso(v.finishAtMs ?? v.startAtMs ?? inv.createdAtMs),
            ExitCode: v.exitCode,
            ...(withOutput ? output(ctx, v.output) : { Output: '', Dropped: 0 }),
            ErrorCode: v.errorCode,
            ErrorInfo: v.errorInfo,
            Repeats: v.startAtMs ? 1 : 0,
            Timed: false,
          })),
        },
      })),
    },
  };
}

export function describeInvocationResults(ctx: OpContext) {
  const { list, c } = invocationsOf(ctx);
  const instanceId = opt(ctx.params, 'InstanceId');
  const recordStatus = opt(ctx.params, 'InvokeRecordStatus');
  const rows = list
    .flatMap((inv) => inv.targets.map((t) => ({ inv, t, v: runView(inv, t, c) })))
    .filter((r) => (!instanceId || r.t.instanceId === instanceId) && (!recordStatus || r.v.record === recordStatus));
  const pg = page(ctx, rows);
  return {
    Invocation: {
      TotalCount: rows.length,
      PageNumber: pg.pageNumber,
      PageSize: pg.pageSize,
      NextToken: pg.nextToken,
      InvocationResults: {
        InvocationResult: pg.items.map(({ inv, t, v }) => ({
          CommandId: inv.commandId,
          InvokeId: inv.invokeId,
          InstanceId: t.instanceId,
          InvocationStatus: v.status,
          InvokeRecordStatus: v.record,
          ExitCode: v.exitCode,
          ...output(ctx, v.output),
          ErrorCode: v.errorCode,
          ErrorInfo: v.errorInfo,
          StartTime: v.startAtMs ? iso(v.startAtMs) : '',
          FinishedTime: v.finishAtMs ? iso(v.finishAtMs) : '',
          StopTime: '',
          Repeats: v.startAtMs ? 1 : 0,
          Username: inv.username,
          ContainerId: '',
          ContainerName: '',
          Launcher: '',
          TerminationMode: 'Process',
          Tags: ecsTags(inv.tags),
        })),
      },
    },
  };
}
