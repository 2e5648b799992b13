/**
 * The settings and catalog functions' deps: the composition root's `Deps` (store, cloud, …)
 * plus the SecretBox, built once per warm instance from config (KMS as the function's own role,
 * or the local master key). Move `secrets` into `lib/fc/deps` if another function needs it.
 */
import { createDeps } from '../fc/deps';
import type { FcContext } from '../fc/types';
import { secretBoxFor, type SecretBox } from '../crypto';
import type { DomainDeps } from './actions';

export function createDomainDeps(context: FcContext): DomainDeps {
  const base = createDeps(context);
  let secrets: SecretBox | undefined;
  return {
    config: base.config,
    clock: base.clock,
    log: base.log,
    get store() {
      return base.store;
    },
    get cloud() {
      return base.cloud;
    },
    get secrets() {
      return (secrets ??= secretBoxFor(base.config.secrets, () => base.cloud.forFunction().kms));
    },
  };
}
