/** provision: runs one build/delete stage per async invocation. The stages are a later issue. */
import { notBuiltHandler } from '../../lib/fc/not-built';

export const handler = notBuiltHandler('server provisioning', [['provision.step']]);
