/**
 * The composition root (docs/DESIGN.md principle 7): the one place that turns config and the FC context
 * into clients. It owns the wide `Deps`; each domain declares the narrow deps it needs
 * (`AccountsDeps`, `CatalogDeps`, `BearerDeps`, …) and `Deps` satisfies them as is, so domains
 * never build clients and tests pass their own small objects.
 *
 * Adding a client: add a field to `Deps` and one lazy getter in `createDeps` that builds it once
 * per warm instance (cache keyed by whatever the client depends on, like `storeFor` below).
 */
import { systemClock, type Clock } from '../core/clock';
import { loadConfig, type Config } from '../core/config';
import { AppError } from '../core/errors';
import { createLogger, registerSecret } from '../core/log';
import { createTablestoreClient } from '../store/client';
import { createStore } from '../store/store';
import type { Store } from '../store/types';
import type { FcContext } from './types';
import { createCloudFactory } from '../cloud/factory';
import type { CloudFactory } from '../cloud/types';
import { secretBoxFor } from '../crypto/for-config';
import type { SecretBox } from '../crypto';
import { createInvoker, type Invoker } from '../invoke';
import { newId } from '../core/ids';
import type { Logger } from '../core/log';

/**
 * What the composition root hands every function: config, clock, an invocation-bound logger, a
 * random source, and the store, cloud, secrets and invoke clients, built on first use and reused
 * while the instance is warm.
 */
export interface Deps {
  config: Config;
  clock: Clock;
  /** Logger bound to this invocation (function name, request id). */
  log: Logger;
  /** [0, 1): jitter and anything random a stage needs (tests pass a seeded one). */
  random: () => number;
  /** `srv-…`, `scn-…`: new object ids. */
  newId: (prefix: string) => string;
  /** Tablestore as the function role. */
  readonly store: Store;
  /** Per-account Alibaba Cloud clients; the factory (and its STS cache) lives as long as the warm instance. */
  readonly cloud: CloudFactory;
  /**
   * Opens and seals stored secrets: KMS as the function's role when `FLEET_KMS_KEY_ID` is set,
   * else `FLEET_MASTER_KEY`. Only `lib/accounts/secrets.ts` calls it.
   */
  readonly secrets: SecretBox;
  /** Invokes the deployment's other functions (FC 3.0 invoke API) as the function role. */
  readonly invoker: Invoker;
}

type Credentials = FcContext['credentials'];

let processConfig: Config | undefined;
/** The environment is read once per instance. */
const defaultConfig = () => (processConfig ??= loadConfig());

const stores = new Map<string, Store>();

/** One store per (endpoint, instance, prefix, credentials) per warm instance; STS rotation makes a new one. */
export function storeFor(config: Config, credentials: Credentials | undefined): Store {
  if (!credentials?.accessKeyId || !credentials.accessKeySecret) {
    throw new AppError(
      'Internal',
      'the FC context carries no credentials for Tablestore (is a role attached to the function?)',
    );
  }
  const { endpoint, instance, tablePrefix } = config.tablestore;
  const cacheKey = [endpoint, instance, tablePrefix, credentials.accessKeyId, credentials.securityToken ?? ''].join(
    '\n',
  );
  let store = stores.get(cacheKey);
  if (!store) {
    registerSecret(credentials.accessKeySecret);
    registerSecret(credentials.securityToken);
    if (stores.size >= 4) stores.clear(); // old STS credentials: let them go
    store = createStore({ tablePrefix, client: () => createTablestoreClient({ endpoint, instance, credentials }) });
    stores.set(cacheKey, store);
  }
  return store;
}

let cloudFactory:
  | { config: Config; clock: Clock; slot: { credentials: Credentials | undefined }; factory: CloudFactory }
  | undefined;

/**
 * One cloud factory per warm instance, so cached AssumeRole credentials outlive an invocation.
 * The function role's keys are read from the latest invocation's context (FC rotates them).
 */
export function cloudFor(
  config: Config,
  credentials: Credentials | undefined,
  clock: Clock = systemClock,
): CloudFactory {
  if (!cloudFactory || cloudFactory.config !== config || cloudFactory.clock !== clock) {
    const slot: { credentials: Credentials | undefined } = { credentials };
    const factory = createCloudFactory({
      config,
      clock,
      log: createLogger({ component: 'cloud' }, { level: config.logLevel }),
      roleCredentials: () => {
        const c = slot.credentials;
        if (!c?.accessKeyId || !c.accessKeySecret) {
          throw new AppError(
            'Internal',
            'the FC context carries no credentials for the cloud client (is a role attached to the function?)',
          );
        }
        return c;
      },
    });
    cloudFactory = { config, clock, slot, factory };
  }
  if (credentials?.accessKeyId) cloudFactory.slot.credentials = credentials;
  return cloudFactory.factory;
}

/**
 * The deps of one invocation. Cheap: clients are built lazily and cached across invocations.
 * `overrides` lets tests and the local host swap the clock or the log sink.
 */
export function createDeps(
  context: FcContext,
  config: Config = defaultConfig(),
  overrides: Partial<Pick<Deps, 'clock' | 'log' | 'random'>> = {},
): Deps {
  const log =
    overrides.log ??
    createLogger({ fn: context.function?.name, requestId: context.requestId }, { level: config.logLevel });
  let store: Store | undefined;
  let cloud: CloudFactory | undefined;
  const clock = overrides.clock ?? systemClock;
  return {
    config,
    clock,
    log,
    get store() {
      return (store ??= storeFor(config, context.credentials));
    },
    get cloud() {
      return (cloud ??= cloudFor(config, context.credentials, clock));
    },
    get secrets() {
      return secretBoxFor(config.secrets, () => cloudFor(config, context.credentials, clock).forFunction().kms);
    },
    get invoker() {
      return invokerFor(config, context.credentials);
    },
    random: overrides.random ?? Math.random,
    newId,
  };
}

let invoker: { config: Config; slot: { credentials: Credentials | undefined }; invoker: Invoker } | undefined;

/** One invoker per warm instance (its SDK client is reused); it signs with the latest context's role keys. */
export function invokerFor(config: Config, credentials: Credentials | undefined): Invoker {
  if (!invoker || invoker.config !== config) {
    if (!config.invoke.endpoint) {
      throw new AppError('Internal', 'no FC invoke endpoint: set FLEET_ACCOUNT_ID (or FLEET_INVOKE_ENDPOINT)');
    }
    const slot: { credentials: Credentials | undefined } = { credentials };
    invoker = {
      config,
      slot,
      invoker: createInvoker({
        endpoint: config.invoke.endpoint,
        functionPrefix: config.functionPrefix,
        region: config.region,
        credentials: () => {
          const c = slot.credentials;
          if (!c?.accessKeyId || !c.accessKeySecret) {
            throw new AppError('Internal', 'the FC context carries no credentials to invoke functions with');
          }
          return c;
        },
      }),
    };
  }
  if (credentials?.accessKeyId) invoker.slot.credentials = credentials;
  return invoker.invoker;
}
