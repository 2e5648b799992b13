/** provision: runs one stage of a server's build, delete or power job per async invocation (lib/servers, lib/jobs). */
import { createDeps, type Deps } from '../../lib/fc/deps';
import { createFcHandler } from '../../lib/fc/handler';
import { provisionActions } from '../../lib/servers';

export const handler = createFcHandler<Deps>({ actions: provisionActions(), makeDeps: createDeps });
