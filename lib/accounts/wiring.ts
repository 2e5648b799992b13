/**
 * The settings and catalog functions' deps: the composition root's `Deps` as they are (store,
 * cloud, secrets). Kept as a name so both functions wire the same way.
 */
import { createDeps } from '../fc/deps';
import type { FcContext } from '../fc/types';
import type { DomainDeps } from './actions';

export const createDomainDeps = (context: FcContext): DomainDeps => createDeps(context);
