/**
 * The catalog domain: what an account can use in each region (regions, zones with stock, key
 * pairs, images, instance types), one account for every region, cached per account and region.
 */
import { AppError, validationFailed } from '../core/errors';
import { ACCOUNT_ID_RE, REGION_ID_RE } from '../core/ids';
import type { Clock } from '../core/clock';
import type { Principal } from '../core/principal';
import type { SecretBox } from '../crypto';
import type { AccountCredential, CloudClient, CloudFactory } from '../cloud/types';
import type { Store } from '../store/types';
import { loadAccount, openCredential, type AccountRecord } from '../accounts/read';
import type { Config } from '../core/config';
import { parseQuery, type Rules } from './query';
import * as T from '../store/tables';
import { clearAccountCache, readThrough, type Cached } from './cache';

/** What the catalog needs; the composition root's wide `Deps` provides it as is. */
export interface CatalogDeps {
  readonly store: Store;
  readonly secrets: SecretBox;
  readonly cloud: CloudFactory;
  clock: Clock;
  /** `region`: for account-wide calls (DescribeRegions) when the account has no default region; `catalogTtlMs`: cache TTL. */
  config: Pick<Config, 'region' | 'catalogTtlMs'>;
}

const ACCOUNT_ID = { re: ACCOUNT_ID_RE, problem: 'an account id looks like "acc-" and 16 letters or digits' };
const REGION_ID = { re: REGION_ID_RE, problem: 'a region id looks like "cn-hangzhou"' };
const INSTANCE_TYPE = {
  re: /^ecs\.[a-z0-9-]+(\.[a-z0-9-]+)+$/,
  problem: 'an instance type looks like "ecs.g6.large"',
  optional: true,
};
const ZONE_ID = { re: /^[a-z]{2}(-[a-z0-9]+){1,4}$/, problem: 'a zone id looks like "cn-hangzhou-h"', optional: true };
const OWNER = { re: /^(system|self|others)$/, problem: 'owner is "system", "self" or "others"', optional: true };

const ACCOUNT_Q = { accountId: ACCOUNT_ID } satisfies Rules;
const REGION_Q = { accountId: ACCOUNT_ID, regionId: REGION_ID } satisfies Rules;
const ZONES_Q = { ...REGION_Q, instanceType: INSTANCE_TYPE } satisfies Rules;
const IMAGES_Q = { ...REGION_Q, owner: OWNER } satisfies Rules;
const TYPES_Q = { ...REGION_Q, zoneId: ZONE_ID } satisfies Rules;
const CLEAR_Q = { accountId: ACCOUNT_ID, regionId: { ...REGION_ID, optional: true } } satisfies Rules;
const IMPORT_Q = {
  ...REGION_Q,
  // ECS KeyPairName: 2-128 characters, a letter first.
  keyPairName: {
    re: /^[A-Za-z][A-Za-z0-9._:-]{1,127}$/,
    problem: 'a key pair name is 2-128 characters: a letter first, then letters, digits, ".", "_", ":" or "-"',
  },
} satisfies Rules;
/** An OpenSSH public key line: `<type> <base64> [comment]` (RSA, Ed25519 or ECDSA). */
const PUBLIC_KEY_RE =
  /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]{60,8192}={0,2}( [\x21-\x7e][\x20-\x7e]{0,255})?$/;

/** API answer: `{items, cached, fetchedAt}`. */
const answer = <V>(c: Cached<V[]>) => ({ items: c.value, cached: c.cached, fetchedAt: c.fetchedAtMs });

interface Ctx {
  rec: AccountRecord;
  deps: CatalogDeps;
  /** Cache rows read in parallel with the account row (used only after authorization). */
  pre: Map<string, Promise<unknown>>;
  /** The credential, opened at the first cache miss and shared by every miss of the request. */
  cred?: Promise<AccountCredential>;
  clients: Map<string, CloudClient>;
}

/**
 * Loads the account (404 when out of scope) while the cache rows the answer needs are read in
 * the same round trip: a cached answer costs one Tablestore latency, not three.
 */
async function open(input: unknown, p: Principal, deps: CatalogDeps, cacheKeys: string[] = []): Promise<Ctx> {
  const { accountId } = parseQuery(ACCOUNT_Q, input);
  const pre = new Map(
    cacheKeys.map((key) => [key, deps.store.get(T.cache, { accountId, key }).catch(() => undefined)] as const),
  );
  const rec = await loadAccount(deps.store, accountId, p, { access: 'read', doing: 'read the catalog' });
  return { rec, deps, pre, clients: new Map() };
}

/**
 * Secrets are opened only on a cache miss (a cached answer never touches KMS or the cloud), and
 * at most once per request: the misses of one request (regions, zones, stock) share one Decrypt
 * and one client per region.
 */
async function clientFor(c: Ctx, regionId: string): Promise<CloudClient> {
  const cred = await (c.cred ??= openCredential(c.rec, c.deps.secrets));
  let client = c.clients.get(regionId);
  if (!client) c.clients.set(regionId, (client = c.deps.cloud.forAccount(cred, { regionId })));
  return client;
}

function cachedList<V>(c: Ctx, key: string, regionId: string, load: (client: CloudClient) => Promise<V[]>) {
  const pre = c.pre.get(key);
  c.pre.delete(key); // a prefetched row serves once
  return readThrough(
    { store: c.deps.store, clock: c.deps.clock, ttlMs: c.deps.config.catalogTtlMs },
    c.rec.id,
    key,
    c.rec.credentialRev,
    async () => load(await clientFor(c, regionId)),
    pre,
  );
}

type RegionItem = { regionId: string; localName: string; endpoint: string };

const REGIONS_KEY = '_global/regions';

function regionsOf(c: Ctx) {
  return cachedList<RegionItem>(c, REGIONS_KEY, c.rec.defaultRegion ?? c.deps.config.region, async (client) =>
    (await client.ecs.describeRegions())
      .map((r) => ({ regionId: r.regionId, localName: r.localName, endpoint: r.regionEndpoint }))
      .sort((a, b) => a.regionId.localeCompare(b.regionId)),
  );
}

/** A region the account has (from the cached region list), else 404. */
async function region(c: Ctx, regionId: string) {
  const regions = await regionsOf(c);
  if (!regions.value.some((r) => r.regionId === regionId))
    throw new AppError('NotFound', `the account has no region ${regionId}`);
}

export async function listRegions(input: unknown, p: Principal, deps: CatalogDeps) {
  return answer(await regionsOf(await open(input, p, deps, [REGIONS_KEY])));
}

export async function listZones(input: unknown, p: Principal, deps: CatalogDeps) {
  const q = parseQuery(ZONES_Q, input);
  const c = await open(q, p, deps, [
    REGIONS_KEY,
    `${q.regionId}/zones`,
    ...(q.instanceType ? [`${q.regionId}/stock?instanceType=${q.instanceType}`] : []),
  ]);
  await region(c, q.regionId);
  const zones = await cachedList(c, `${q.regionId}/zones`, q.regionId, async (client) =>
    (await client.ecs.describeZones())
      .map((z) => ({
        zoneId: z.zoneId,
        localName: z.localName,
        available: z.availableResourceCreation.includes('Instance') || z.availableResourceCreation.length === 0,
      }))
      .sort((a, b) => a.zoneId.localeCompare(b.zoneId)),
  );
  if (!q.instanceType) return answer(zones);
  const type = q.instanceType;
  const stock = await cachedList(c, `${q.regionId}/stock?instanceType=${type}`, q.regionId, async (client) =>
    (await client.ecs.describeAvailableResource({ instanceType: type })).map((z) => ({
      zoneId: z.zoneId,
      inStock: z.inStock,
    })),
  );
  const inStock = new Set(stock.value.filter((s) => s.inStock).map((s) => s.zoneId));
  return {
    items: zones.value.map((z) => ({ ...z, available: inStock.has(z.zoneId) })),
    instanceType: type,
    cached: zones.cached && stock.cached,
    fetchedAt: Math.min(zones.fetchedAtMs, stock.fetchedAtMs),
  };
}

export async function listKeyPairs(input: unknown, p: Principal, deps: CatalogDeps) {
  const q = parseQuery(REGION_Q, input);
  const c = await open(q, p, deps, [REGIONS_KEY, `${q.regionId}/key-pairs`]);
  await region(c, q.regionId);
  return answer(
    await cachedList(c, `${q.regionId}/key-pairs`, q.regionId, async (client) =>
      (await client.ecs.describeKeyPairs())
        .map((k) => ({
          keyPairName: k.keyPairName,
          fingerprint: k.keyPairFingerPrint,
          createdAt: k.creationTime ? Date.parse(k.creationTime) || null : null,
        }))
        .sort((a, b) => a.keyPairName.localeCompare(b.keyPairName)),
    ),
  );
}

export async function listImages(input: unknown, p: Principal, deps: CatalogDeps) {
  const parsed = parseQuery(IMAGES_Q, input);
  const q = { ...parsed, owner: parsed.owner ?? 'system' };
  const c = await open(q, p, deps, [REGIONS_KEY, `${q.regionId}/images?owner=${q.owner}`]);
  await region(c, q.regionId);
  return {
    ...answer(
      await cachedList(c, `${q.regionId}/images?owner=${q.owner}`, q.regionId, async (client) =>
        (await client.ecs.describeImages({ imageOwnerAlias: q.owner }))
          .map((i) => ({
            imageId: i.imageId,
            name: i.imageName,
            osName: i.osName,
            osType: i.osType,
            architecture: i.architecture,
          }))
          .sort((a, b) => a.imageId.localeCompare(b.imageId)),
      ),
    ),
    owner: q.owner,
  };
}

export async function listInstanceTypes(input: unknown, p: Principal, deps: CatalogDeps) {
  const q = parseQuery(TYPES_Q, input);
  const c = await open(q, p, deps, [
    REGIONS_KEY,
    `${q.regionId}/instance-types`,
    ...(q.zoneId ? [`${q.regionId}/zone-types`] : []),
  ]);
  await region(c, q.regionId);
  const types = await cachedList(c, `${q.regionId}/instance-types`, q.regionId, async (client) =>
    (await client.ecs.describeInstanceTypes())
      .map((t) => ({
        instanceType: t.instanceTypeId,
        family: t.instanceTypeFamily,
        cpu: t.cpuCoreCount,
        memoryGiB: t.memorySizeGiB,
      }))
      .sort((a, b) => a.instanceType.localeCompare(b.instanceType)),
  );
  if (!q.zoneId) return answer(types);
  const zoneId = q.zoneId;
  const zones = await cachedList(c, `${q.regionId}/zone-types`, q.regionId, async (client) =>
    (await client.ecs.describeZones()).map((z) => ({ zoneId: z.zoneId, types: z.availableInstanceTypes })),
  );
  const zone = zones.value.find((z) => z.zoneId === zoneId);
  if (!zone) throw new AppError('NotFound', `region ${q.regionId} has no zone ${zoneId}`);
  const offered = new Set(zone.types);
  return {
    items: types.value.filter((t) => offered.has(t.instanceType)),
    cached: types.cached && zones.cached,
    fetchedAt: Math.min(types.fetchedAtMs, zones.fetchedAtMs),
    zoneId,
  };
}

/**
 * POST /v1/catalog/{accountId}/regions/{regionId}/key-pairs: imports a public key as a key pair
 * (ImportKeyPair). The private key never comes here: whoever made the pair keeps it. The region's
 * cached key-pair listing is dropped so the next one shows the new pair.
 */
export async function importKeyPair(input: unknown, p: Principal, deps: CatalogDeps) {
  const q = parseQuery(IMPORT_Q, input);
  const fields = input as Record<string, unknown>;
  const extra = Object.keys(fields).filter((k) => !(k in IMPORT_Q) && k !== 'publicKeyBody');
  if (extra.length) throw validationFailed(extra.map((path) => ({ path, problem: 'is not a field of this request' })));
  const body = fields.publicKeyBody;
  if (typeof body !== 'string' || body.length > 16384 || !PUBLIC_KEY_RE.test(body.trim()))
    throw validationFailed([
      {
        path: 'publicKeyBody',
        problem: 'is an OpenSSH public key line: "ssh-ed25519 AAAA… [comment]" (or ssh-rsa, ecdsa)',
      },
    ]);
  const rec = await loadAccount(deps.store, q.accountId, p, { access: 'operate', doing: 'import key pairs' });
  const c: Ctx = { rec, deps, pre: new Map(), clients: new Map() };
  await region(c, q.regionId);
  const r = await (await clientFor(c, q.regionId)).ecs.importKeyPair({
    keyPairName: q.keyPairName,
    publicKeyBody: body.trim(),
  });
  await clearAccountCache(deps.store, rec.id, q.regionId);
  return { keyPairName: r.keyPairName, fingerprint: r.keyPairFingerPrint };
}

/** DELETE /v1/catalog/{accountId}/cache[?regionId=]: the next listing asks the cloud again. */
export async function clearCache(input: unknown, p: Principal, deps: CatalogDeps): Promise<void> {
  const q = parseQuery(CLEAR_Q, input);
  const rec = await loadAccount(deps.store, q.accountId, p, { access: 'operate', doing: 'clear catalog caches' });
  await clearAccountCache(deps.store, rec.id, q.regionId);
}
