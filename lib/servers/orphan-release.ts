/**
 * `POST /v1/orphans/release`: a job (lib/jobs, run by the provision function) that deletes the
 * account's orphans — EIPs, then security groups, then VSwitches, then VPCs (what depends on
 * what) — checking each again just before: only what is still tagged and still unused goes;
 * anything a server started using meanwhile is kept and said so.
 */
import { isCloudKind } from '../cloud/errors';
import type { CloudClient } from '../cloud/types';
import type { JobFields, Stage, Workflow } from '../jobs';
import * as T from '../store/tables';
import { accountCloud, type ActivityDeps } from './activities';
import type { ServerRecord } from './model';
import { findOrphans, type OrphanType, serversOf } from './orphans';
import { cloudCodeIs } from './stages/common';
import { waitFor } from './waits';
import { PROVISION } from './workflows';

export interface ReleaseItem {
  regionId: string;
  type: OrphanType;
  id: string;
}

export interface OrphanRelease extends JobFields {
  id: string;
  accountId: string;
  items: ReleaseItem[];
  status: 'running' | 'succeeded' | 'failed';
  released: string[];
  kept: Array<{ id: string; reason: string }>;
  createdBy: string;
  createdAtMs: number;
  updatedAtMs: number;
}

interface ReleaseActivities {
  cloud(regionId: string): Promise<Pick<CloudClient, 'ecs' | 'vpc'>>;
  servers: Map<string, ServerRecord>;
}

type ReleaseStage = Stage<OrphanRelease, ReleaseActivities>;

const BUSY = [
  'DependencyViolation',
  'DependencyViolation.',
  'IncorrectVpcStatus',
  'IncorrectVSwitchStatus',
  'IncorrectEipStatus',
  'OperationConflict',
  'TaskConflict',
];

/** One stage per type, in dependency order. */
function releaseStage(
  name: string,
  type: OrphanType,
  remove: (c: Pick<CloudClient, 'ecs' | 'vpc'>, id: string) => Promise<unknown>,
): ReleaseStage {
  return {
    name,
    when: ({ record }) => record.items.some((i) => i.type === type),
    async run(c) {
      const act = await c.act();
      const done = (c.progress as { released: string[]; kept: Array<{ id: string; reason: string }> } | undefined) ?? {
        released: [],
        kept: [],
      };
      const settled = new Set([...done.released, ...done.kept.map((k) => k.id)]);
      const items = c.record.items.filter((i) => i.type === type && !settled.has(i.id));
      let pending = 0;
      for (const regionId of new Set(items.map((i) => i.regionId))) {
        const cloud = await act.cloud(regionId);
        const orphans = new Set(
          (await findOrphans(cloud, regionId, act.servers)).filter((o) => o.type === type).map((o) => o.id),
        );
        for (const item of items.filter((i) => i.regionId === regionId)) {
          if (!orphans.has(item.id)) {
            // Gone already counts as released; in use (or no longer ours) is kept.
            if (await stillExists(cloud, item))
              done.kept.push({ id: item.id, reason: 'in use, or no longer tagged by this product' });
            else done.released.push(item.id);
            continue;
          }
          try {
            await remove(cloud, item.id);
          } catch (e) {
            if (isCloudKind(e, 'not-found')) {
              done.released.push(item.id);
              continue;
            }
            if (!cloudCodeIs(e, ...BUSY)) throw e;
          }
          pending++;
        }
      }
      if (pending)
        return { wait: { ...waitFor('networkGone', c.attempt, `${pending} being deleted`).wait, progress: done } };
      return { done };
    },
  };
}

async function stillExists(cloud: Pick<CloudClient, 'ecs' | 'vpc'>, i: ReleaseItem): Promise<boolean> {
  switch (i.type) {
    case 'ACS::VPC::VPC':
      return (await cloud.vpc.describeVpcs({ vpcIds: [i.id] })).length > 0;
    case 'ACS::VPC::VSwitch':
      return (await cloud.vpc.describeVSwitches({ vSwitchId: i.id })).length > 0;
    case 'ACS::ECS::SecurityGroup':
      return (await cloud.ecs.describeSecurityGroups({ securityGroupIds: [i.id] })).length > 0;
    case 'ACS::EIP::EipAddress':
      return (await cloud.vpc.describeEips({ allocationId: i.id })).length > 0;
  }
}

export function releaseWorkflow(deps: Omit<ActivityDeps, 'invoker'>): Workflow<OrphanRelease, ReleaseActivities> {
  return {
    kind: 'orphans.release',
    table: T.orphanReleases,
    ...PROVISION,
    stages: [
      releaseStage('eips', 'ACS::EIP::EipAddress', (c, id) => c.vpc.releaseEip({ allocationId: id })),
      releaseStage('security-groups', 'ACS::ECS::SecurityGroup', (c, id) =>
        c.ecs.deleteSecurityGroup({ securityGroupId: id }),
      ),
      releaseStage('vswitches', 'ACS::VPC::VSwitch', (c, id) => c.vpc.deleteVSwitch({ vSwitchId: id })),
      releaseStage('vpcs', 'ACS::VPC::VPC', (c, id) => c.vpc.deleteVpc({ vpcId: id })),
    ],
    async activities(r) {
      const clients = new Map<string, Promise<Pick<CloudClient, 'ecs' | 'vpc'>>>();
      return {
        servers: await serversOf(deps.store, r.accountId),
        cloud: (regionId) => {
          let c = clients.get(regionId);
          if (!c) clients.set(regionId, (c = accountCloud(deps, r.accountId, regionId).then((x) => x.cloud)));
          return c;
        },
      };
    },
    project(_r, job, nowMs) {
      const outs = Object.values(job.outputs) as Array<{
        released: string[];
        kept: Array<{ id: string; reason: string }>;
      }>;
      return {
        status: job.status,
        released: outs.flatMap((o) => o.released),
        kept: outs.flatMap((o) => o.kept),
        updatedAtMs: nowMs,
      };
    },
  };
}

export const releaseView = (r: OrphanRelease) => ({
  id: r.id,
  accountId: r.accountId,
  status: r.status,
  items: r.items,
  released: r.released,
  kept: r.kept,
  stage: r.job?.stage ?? null,
  ...(r.job?.error ? { error: r.job.error } : {}),
  createdAt: r.createdAtMs,
  updatedAt: r.updatedAtMs,
});
