/**
 * Extends the composition root's `Deps` with the two clients the settings and catalog functions
 * need (a cloud client factory and the SecretBox). Kept beside `lib/fc/deps` semantics: built
 * lazily, once per warm instance; move into `createDeps` once it offers `cloud` itself.
 */
import { createDeps } from '../fc/deps';
import type { FcContext } from '../fc/types';
import { createCloudFactory, type CloudFactoryInternals } from '../cloud/factory';
import { secretBoxFor, type SecretBox } from '../crypto';
import type { DomainDeps } from './actions';

let role: FcContext['credentials'] | undefined;
let factory: CloudFactoryInternals | undefined;

export function createDomainDeps(context: FcContext): DomainDeps {
  const base = createDeps(context);
  if (context.credentials?.accessKeyId) role = context.credentials;
  const existing = base as unknown as Partial<DomainDeps>;
  let secrets: SecretBox | undefined;
  const cloud = () =>
    existing.cloud ??
    (factory ??= createCloudFactory({
      config: base.config,
      clock: base.clock,
      log: base.log,
      roleCredentials: () => {
        if (!role) throw new Error('the FC context carries no role credentials');
        return role.securityToken ? role : { accessKeyId: role.accessKeyId, accessKeySecret: role.accessKeySecret };
      },
    }));
  return {
    config: base.config,
    clock: base.clock,
    log: base.log,
    get store() {
      return base.store;
    },
    get cloud() {
      return cloud();
    },
    get secrets() {
      return (secrets ??= existing.secrets ?? secretBoxFor(base.config.secrets, () => cloud().forFunction().kms));
    },
  };
}
