/** Shared plumbing of the ECS wrappers: one typed-SDK call under the retry policy, small readers. */
import { callCloud, chunks, MAX_PAGES, type CallCtx } from './call';
import type { EcsModels } from './transport';
import type { EcsApi, Tag } from './types';

export { MAX_PAGES };

/** The EcsApi methods ecs-catalog implements; ecs-compute implements the rest (one list each, so the split cannot leave a gap or overlap). */
export type CatalogMethod =
  | 'describeRegions'
  | 'describeZones'
  | 'describeAvailableResource'
  | 'describeKeyPairs'
  | 'importKeyPair'
  | 'describeImages'
  | 'describeInstanceTypes';
export type CatalogApi = Pick<EcsApi, CatalogMethod>;
/** Cloud Assistant (ecs-commands.ts) and power (ecs-power.ts). */
export type CommandMethod = 'runCommand' | 'describeInvocations' | 'describeInvocationResults';
export type PowerMethod = 'startInstance' | 'stopInstance' | 'rebootInstance';
export type CommandApi = Pick<EcsApi, CommandMethod>;
export type PowerApi = Pick<EcsApi, PowerMethod>;
export type ComputeApi = Omit<EcsApi, CatalogMethod | CommandMethod | PowerMethod>;

export type TagModel = { tagKey?: string; tagValue?: string };
export const tagsOf = (t: { tag?: TagModel[] } | undefined): Tag[] =>
  (t?.tag ?? []).map((x) => ({ key: x.tagKey ?? '', value: x.tagValue ?? '' }));
export const def = <T>(v: T | undefined | null, d: T): T => (v === undefined || v === null ? d : v);

export type EcsSdkCall = <T>(
  action: string,
  fn: (sdk: { client: InstanceType<EcsModels['default']>; m: EcsModels }) => Promise<T>,
  dryRun?: boolean,
) => Promise<T>;

/** One ECS call under the retry policy; `dryRun` turns DryRunOperation into `{wouldSucceed}`. */
export function ecsCaller(ctx: CallCtx): EcsSdkCall {
  return (action, fn, dryRun) =>
    callCloud(
      ctx,
      `Ecs:${action}`,
      async () => {
        const { client, models } = await ctx.transport.ecs();
        return fn({ client, m: models });
      },
      dryRun ? { dryRun } : {},
    );
}

/**
 * Every item of a `NextToken` listing: one walk of the pages per batch of at most `perCall` ids
 * (Describe calls take ≤100 ids), or a single walk when no ids are given.
 */
export async function tokenPages<T>(
  ids: string[] | undefined,
  perCall: number,
  page: (
    ids: string[] | undefined,
    nextToken: string | undefined,
  ) => Promise<{ items: T[]; nextToken: string | undefined }>,
): Promise<T[]> {
  const out: T[] = [];
  for (const batch of ids ? chunks(ids, perCall) : [undefined]) {
    let nextToken: string | undefined;
    for (let n = 1; n <= MAX_PAGES; n++) {
      const r = await page(batch, nextToken);
      out.push(...r.items);
      nextToken = r.nextToken || undefined;
      if (!nextToken) break;
    }
  }
  return out;
}
