/**
 * ECS Cloud Assistant: RunCommand, DescribeInvocations, DescribeInvocationResults. Scripts go
 * out Base64-encoded and output comes back Base64 (the API's default), decoded here; listings
 * follow every page of 50 (the API's maximum).
 */
import type { CallCtx } from './call';
import { def, ecsCaller, MAX_PAGES, type CommandApi } from './ecs-common';
import type { CommandInvocation, InvocationResult, RunCommandInput } from './types';

const PAGE = 50;

const decode = (b64: string | undefined) => (b64 ? Buffer.from(b64, 'base64').toString('utf8') : '');

/** Every item of a NextToken listing. */
async function allPages<T>(page: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string }>) {
  const out: T[] = [];
  let nextToken: string | undefined;
  for (let n = 1; n <= MAX_PAGES; n++) {
    const r = await page(nextToken);
    out.push(...r.items);
    nextToken = r.nextToken || undefined;
    if (!nextToken || r.items.length === 0) break;
  }
  return out;
}

type ResultModel = {
  invokeId?: string;
  commandId?: string;
  instanceId?: string;
  invocationStatus?: string;
  invokeRecordStatus?: string;
  exitCode?: number;
  output?: string;
  dropped?: number;
  errorCode?: string;
  errorInfo?: string;
  startTime?: string;
  finishedTime?: string;
};

export function mapInvocationResult(r: ResultModel): InvocationResult {
  const out: InvocationResult = {
    invokeId: def(r.invokeId, ''),
    commandId: def(r.commandId, ''),
    instanceId: def(r.instanceId, ''),
    invocationStatus: def(r.invocationStatus, ''),
    invokeRecordStatus: def(r.invokeRecordStatus, ''),
    exitCode: def(r.exitCode, 0),
    output: decode(r.output),
    droppedBytes: def(r.dropped, 0),
  };
  if (r.errorCode) out.errorCode = r.errorCode;
  if (r.errorInfo) out.errorInfo = r.errorInfo;
  if (r.startTime) out.startTime = r.startTime;
  if (r.finishedTime) out.finishedTime = r.finishedTime;
  return out;
}

export function createEcsCommands(ctx: CallCtx): CommandApi {
  const regionId = ctx.transport.regionId;
  const ecs = ecsCaller(ctx);
  return {
    async runCommand(input: RunCommandInput) {
      const r = await ecs('RunCommand', ({ client, m }) =>
        client.runCommand(
          new m.RunCommandRequest({
            regionId,
            instanceId: input.instanceIds,
            type: input.type ?? 'RunShellScript',
            commandContent: Buffer.from(input.script, 'utf8').toString('base64'),
            contentEncoding: 'Base64',
            name: input.name,
            description: input.description,
            timeout: input.timeoutSeconds,
            workingDir: input.workingDir,
            username: input.username,
            enableParameter: input.parameters ? true : undefined,
            parameters: input.parameters,
            tag: input.tags?.map((t) => new m.RunCommandRequestTag(t)),
            clientToken: input.clientToken,
          }),
        ),
      );
      return { commandId: def(r.body?.commandId, ''), invokeId: def(r.body?.invokeId, '') };
    },

    async describeInvocations(input = {}) {
      return allPages<CommandInvocation>(async (nextToken) => {
        const r = await ecs('DescribeInvocations', ({ client, m }) =>
          client.describeInvocations(
            new m.DescribeInvocationsRequest({
              regionId,
              invokeId: input.invokeId,
              instanceId: input.instanceId,
              commandId: input.commandId,
              includeOutput: input.includeOutput || undefined,
              maxResults: PAGE,
              nextToken,
            }),
          ),
        );
        const items = (r.body?.invocations?.invocation ?? []).map((i) => ({
          invokeId: def(i.invokeId, ''),
          commandId: def(i.commandId, ''),
          commandName: def(i.commandName, ''),
          commandType: def(i.commandType, ''),
          invocationStatus: def(i.invocationStatus, ''),
          creationTime: def(i.creationTime, ''),
          timeoutSeconds: def(i.timeout, 0),
          instances: (i.invokeInstances?.invokeInstance ?? []).map((x) => {
            const one: CommandInvocation['instances'][number] = {
              instanceId: def(x.instanceId, ''),
              invocationStatus: def(x.invocationStatus, ''),
              exitCode: def(x.exitCode, 0),
              droppedBytes: def(x.dropped, 0),
            };
            if (x.errorCode) one.errorCode = x.errorCode;
            if (input.includeOutput) one.output = decode(x.output);
            if (x.startTime) one.startTime = x.startTime;
            if (x.finishTime) one.finishTime = x.finishTime;
            return one;
          }),
        }));
        return { items, nextToken: r.body?.nextToken };
      });
    },

    async describeInvocationResults(input) {
      return allPages<InvocationResult>(async (nextToken) => {
        const r = await ecs('DescribeInvocationResults', ({ client, m }) =>
          client.describeInvocationResults(
            new m.DescribeInvocationResultsRequest({
              regionId,
              invokeId: input.invokeId,
              instanceId: input.instanceId,
              commandId: input.commandId,
              invokeRecordStatus: input.invokeRecordStatus,
              maxResults: PAGE,
              nextToken,
            }),
          ),
        );
        const inv = r.body?.invocation;
        return {
          items: (inv?.invocationResults?.invocationResult ?? []).map(mapInvocationResult),
          nextToken: inv?.nextToken,
        };
      });
    },
  };
}
