/**
 * sweeper: every minute, resumes jobs whose event was lost or whose invocation died (lib/jobs
 * `sweepJobs` over every workflow of the deployment), and looks for orphaned network in a few
 * regions in use. Wiring only.
 */
import { createDeps, type Deps } from '../../lib/fc/deps';
import { createFcHandler } from '../../lib/fc/handler';
import { addInventoryWorkflows } from '../../lib/inventory';
import { sweepJobs } from '../../lib/jobs';
import { serverJobs, sweepOrphans } from '../../lib/servers';

/** Every workflow of the deployment: builds, deletes, power actions, orphan releases, scans and their slices. */
const sweep = async (deps: Deps) => ({
  ...(await sweepJobs(deps, addInventoryWorkflows(serverJobs(deps).registry, deps))),
  ...(await sweepOrphans(deps)),
});

export const handler = createFcHandler<Deps>({
  actions: [{ name: 'sweeper.run', run: (_input, c) => sweep(c.deps) }],
  makeDeps: createDeps,
  onTimer: (_event, c) => sweep(c.deps),
});
