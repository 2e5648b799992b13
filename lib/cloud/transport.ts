/**
 * The wire: official SDK clients, loaded lazily (requiring @alicloud/openapi-core costs ~130 ms
 * and @alicloud/ecs20140526 ~700 ms, against a 150 ms cold-start budget), signing with V3
 * (ACS3-HMAC-SHA256, the SDK default), with credentials asked for on every request so
 * refreshed STS credentials are picked up without rebuilding clients.
 */
import type { RoleCredentials } from './types';
import { resolveEndpoint, type Product } from './endpoints';
import type { Config } from '../core/config';
import type EcsClient from '@alicloud/ecs20140526';

/** The `@alicloud/ecs20140526` exports (request model classes live here). */
export type EcsModels = typeof import('@alicloud/ecs20140526');
export interface EcsSdk {
  client: EcsClient;
  models: EcsModels;
}

export const API_VERSION: Record<Product, string> = {
  Ecs: '2014-05-26',
  Vpc: '2016-04-28',
  Sts: '2015-04-01',
  ResourceCenter: '2022-12-01',
  Kms: '2016-01-20',
  Quotas: '2020-05-10',
};

/** Products whose SDK sends the parameters as a form body (Quota Center), not in the query. */
const FORM_BODY = new Set<Product>(['Quotas']);

/** Where a client's credentials come from; asked before every request. */
export interface CredentialSource {
  get(): Promise<RoleCredentials>;
  /** Forget cached credentials (after `InvalidSecurityToken.Expired`); absent for static keys. */
  invalidate?(): void;
}

export interface Transport {
  readonly regionId: string;
  readonly credentials: CredentialSource;
  /** Generic RPC call (VPC, ResourceCenter, STS, KMS): flat PascalCase params in, raw JSON body out. */
  rpc(
    product: Exclude<Product, 'Ecs'>,
    action: string,
    params: Record<string, string | number | boolean | undefined>,
  ): Promise<Record<string, unknown>>;
  /** The typed ECS SDK client and its request models (loaded on first use). */
  ecs(): Promise<EcsSdk>;
}

export interface TransportOptions {
  config: Pick<Config, 'sandboxEndpoint'>;
  regionId: string;
  credentials: CredentialSource;
  /** Only honoured per endpoints.ts rules. */
  endpointOverride?: string;
  /** How long one call may wait for its answer (default 15 s); also bounds connecting (see below). */
  readTimeoutMs?: number;
}

type OpenApiModule = typeof import('@alicloud/openapi-core');
let openApiModule: Promise<OpenApiModule> | undefined;
let ecsModule: Promise<typeof import('@alicloud/ecs20140526')> | undefined;

/** Loaded once per process, on the first cloud call. */
/** The CommonJS exports object, however the runtime or bundler wraps a dynamic import of it. */
function cjsExports<T>(ns: unknown, marker: string): T {
  const d = (ns as { default?: Record<string, unknown> }).default;
  return (d && marker in d ? d : ns) as T;
}

/** Loaded once per process, on the first cloud call. */
export const loadOpenApi = () =>
  (openApiModule ??= import('@alicloud/openapi-core').then((ns) => cjsExports<OpenApiModule>(ns, '$OpenApiUtil')));
const loadEcs = () => (ecsModule ??= import('@alicloud/ecs20140526'));

/** The SDK's credential hook: `getCredential()` is awaited before signing each request. */
function sdkCredential(source: CredentialSource) {
  return {
    async getCredential() {
      const c = await source.get();
      return {
        accessKeyId: c.accessKeyId,
        accessKeySecret: c.accessKeySecret,
        securityToken: c.securityToken,
        bearerToken: undefined,
        type: c.securityToken ? 'sts' : 'access_key',
        providerName: 'fleet',
      };
    },
  };
}

/** Flattens `{Filter: [{Key: 'a', Value: ['x']}]}` into `Filter.1.Key=a`, `Filter.1.Value.1=x` (RPC repeat lists). */
export function flattenParams(
  input: Record<string, unknown>,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  for (const [k, v] of Object.entries(input)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        if (item !== null && typeof item === 'object')
          flattenParams(item as Record<string, unknown>, `${key}.${i + 1}`, out);
        else if (item !== undefined && item !== null) out[`${key}.${i + 1}`] = String(item);
      });
    } else if (typeof v === 'object') {
      flattenParams(v as Record<string, unknown>, key, out);
    } else {
      out[key] = String(v);
    }
  }
  return out;
}

export function createTransport(opts: TransportOptions): Transport {
  const rpcClients = new Map<Product, Promise<InstanceType<OpenApiModule['default']>>>();
  let ecsClient: Promise<EcsSdk> | undefined;
  const sdkConfig = async (product: Product) => {
    const ep = resolveEndpoint(product, opts.regionId, opts.config, opts.endpointOverride);
    const m = await loadOpenApi();
    const cfg = new m.$OpenApiUtil.Config({
      credential: sdkCredential(opts.credentials) as never,
      endpoint: ep.host,
      protocol: ep.protocol,
      regionId: opts.regionId,
      // The SDK's HTTP layer (httpx) applies the connect time-out as the socket's idle time-out for
      // the whole exchange, so it also bounds the wait for the answer: it must be the read time-out.
      readTimeout: opts.readTimeoutMs ?? 15_000,
      connectTimeout: opts.readTimeoutMs ?? 15_000,
      userAgent: 'alicloud-fleet',
    });
    return { m, cfg };
  };
  return {
    regionId: opts.regionId,
    credentials: opts.credentials,
    async rpc(product, action, params) {
      let client = rpcClients.get(product);
      if (!client) {
        client = sdkConfig(product).then(({ m, cfg }) => new m.default(cfg));
        rpcClients.set(product, client);
        client.catch(() => rpcClients.delete(product));
      }
      const c = await client;
      const m = await loadOpenApi();
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(params)) if (v !== undefined) query[k] = String(v);
      const p = new m.$OpenApiUtil.Params({
        action,
        version: API_VERSION[product],
        protocol: 'HTTPS',
        pathname: '/',
        method: 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'json',
      });
      const req = FORM_BODY.has(product)
        ? new m.$OpenApiUtil.OpenApiRequest({ body: query })
        : new m.$OpenApiUtil.OpenApiRequest({ query });
      const res = await c.callApi(p, req, {} as never);
      return ((res as { body?: unknown }).body ?? {}) as Record<string, unknown>;
    },
    ecs() {
      if (!ecsClient) {
        ecsClient = Promise.all([sdkConfig('Ecs'), loadEcs()]).then(([{ cfg }, mod]) => {
          const models = cjsExports<EcsModels>(mod, 'DescribeRegionsRequest');
          return { client: new models.default(cfg), models };
        });
        ecsClient.catch(() => (ecsClient = undefined));
      }
      return ecsClient;
    },
  };
}
