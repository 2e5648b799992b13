/** provision: runs one build/delete stage per async invocation; answers NotImplemented until the stages are built. */
import { notBuiltHandler } from '../../lib/fc/not-built';

export const handler = notBuiltHandler('server provisioning', [['provision.step']]);
