/** ECS power: StartInstance, StopInstance, RebootInstance (each with DryRun). */
import { DRY_RUN_OK, type CallCtx } from './call';
import { ecsCaller, type PowerApi } from './ecs-common';

export function createEcsPower(ctx: CallCtx): PowerApi {
  const ecs = ecsCaller(ctx);
  const api = {
    async startInstance(input: { instanceId: string; dryRun?: boolean }) {
      await ecs(
        'StartInstance',
        ({ client, m }) =>
          client.startInstance(
            new m.StartInstanceRequest({ instanceId: input.instanceId, dryRun: input.dryRun || undefined }),
          ),
        input.dryRun,
      );
      return input.dryRun ? DRY_RUN_OK : undefined;
    },

    async stopInstance(input: { instanceId: string; forceStop?: boolean; dryRun?: boolean }) {
      await ecs(
        'StopInstance',
        ({ client, m }) =>
          client.stopInstance(
            new m.StopInstanceRequest({
              instanceId: input.instanceId,
              forceStop: input.forceStop,
              dryRun: input.dryRun || undefined,
            }),
          ),
        input.dryRun,
      );
      return input.dryRun ? DRY_RUN_OK : undefined;
    },

    async rebootInstance(input: { instanceId: string; forceStop?: boolean; dryRun?: boolean }) {
      await ecs(
        'RebootInstance',
        ({ client, m }) =>
          client.rebootInstance(
            new m.RebootInstanceRequest({
              instanceId: input.instanceId,
              forceStop: input.forceStop,
              dryRun: input.dryRun || undefined,
            }),
          ),
        input.dryRun,
      );
      return input.dryRun ? DRY_RUN_OK : undefined;
    },
  };
  return api as unknown as PowerApi;
}
