/**
 * Reading flat RPC parameters as Alibaba sends them: `Tag.N.Key`, `Permissions.N.X`,
 * `Filter.N.Value.M`, JSON list strings (`InstanceIds='["i-…"]'`), and the two paging styles.
 */
import { createHash } from 'node:crypto';
import { apiError, invalidParam, missing } from './errors';
import type { Tag } from './state';

export type Params = Record<string, string>;

/** A trimmed parameter, or undefined when absent or empty. */
export function opt(p: Params, name: string): string | undefined {
  const v = p[name];
  return v === undefined || v === '' ? undefined : v;
}

export function req(p: Params, name: string): string {
  const v = opt(p, name);
  if (v === undefined) throw missing(name);
  return v;
}

export const bool = (p: Params, name: string) => (p[name] ?? '').toLowerCase() === 'true';

/** Integer parameter with a documented range; outside it → `code` (default `InvalidParameter`) and `message`. */
export function int(
  p: Params,
  name: string,
  o: { def: number; min: number; max: number; code?: string; message?: string },
): number {
  const v = opt(p, name);
  if (v === undefined) return o.def;
  const bad = () => (o.message ? apiError(o.code ?? 'InvalidParameter', 400, o.message) : invalidParam(name, o.code));
  if (!/^-?\d+$/.test(v)) throw bad();
  const n = Number(v);
  if (n < o.min || n > o.max) throw bad();
  return n;
}

/** `Name.1`, `Name.2`, … in index order (gaps allowed). */
export function listN(p: Params, prefix: string): string[] {
  const out: [number, string][] = [];
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)$`);
  for (const [k, v] of Object.entries(p)) {
    const m = re.exec(k);
    if (m && v !== '') out.push([Number(m[1]), v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** `Prefix.N.Field` (and `Prefix.N.Field.M` as arrays) grouped by N, in index order. */
export function structN(p: Params, prefix: string): Record<string, string | string[]>[] {
  const groups = new Map<number, Record<string, string | string[]>>();
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.([A-Za-z]+)(?:\\.(\\d+))?$`);
  for (const [k, v] of Object.entries(p)) {
    const m = re.exec(k);
    if (!m) continue;
    const n = Number(m[1]);
    const g = groups.get(n) ?? {};
    groups.set(n, g);
    if (m[3] !== undefined) {
      const arr = (Array.isArray(g[m[2]!]) ? g[m[2]!] : []) as string[];
      arr[Number(m[3]) - 1] = v;
      g[m[2]!] = arr;
    } else g[m[2]!] = v;
  }
  return [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, g]) => {
      for (const [k, v] of Object.entries(g)) if (Array.isArray(v)) g[k] = v.filter((x) => x !== undefined);
      return g;
    });
}

/** A JSON array of strings (`'["a","b"]'`), at most `max` items (more → `tooMany()`); malformed → `code`. */
export function jsonList(
  p: Params,
  name: string,
  max: number,
  code = 'InvalidParameter',
  tooMany?: () => Error,
): string[] | undefined {
  const v = opt(p, name);
  if (v === undefined) return undefined;
  let arr: unknown;
  try {
    arr = JSON.parse(v);
  } catch {
    throw invalidParam(name, code);
  }
  if (!Array.isArray(arr) || arr.some((x) => typeof x !== 'string')) throw invalidParam(name, code);
  if (arr.length > max)
    throw tooMany?.() ?? apiError(code, 400, `The specified parameter "${name}" exceeds the limit of ${max} items.`);
  return arr as string[];
}

/** Comma-separated ids, at most `max` (more → `tooMany()`, by default `InvalidParameter`). */
export function commaList(
  p: Params,
  name: string,
  max: number,
  tooMany: () => Error = () => invalidParam(name),
): string[] | undefined {
  const v = opt(p, name);
  if (v === undefined) return undefined;
  const ids = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (ids.length > max) throw tooMany();
  return ids;
}

/** `Tag.N.Key/Value` of a create call, validated as ECS/VPC do (≤20, unique keys, no `aliyun`/`acs:` prefix). */
export function tagsToSet(p: Params): Tag[] {
  const tags = structN(p, 'Tag').map((g) => ({ Key: String(g.Key ?? ''), Value: String(g.Value ?? '') }));
  if (tags.length > 20) throw apiError('InvalidTagCount', 400, 'The specified tags are beyond the permitted range.');
  const seen = new Set<string>();
  for (const t of tags) {
    if (!t.Key || t.Key.length > 128 || /^(aliyun|acs:)/i.test(t.Key) || /^https?:\/\//.test(t.Key)) {
      throw apiError('InvalidTagKey.Malformed', 400, 'The specified Tag.n.Key is not valid.');
    }
    if (t.Value.length > 128 || /^(aliyun|acs:)/i.test(t.Value))
      throw apiError('InvalidTagValue.Malformed', 400, 'The specified Tag.n.Value is not valid.');
    if (seen.has(t.Key)) throw apiError('Duplicate.TagKey', 400, 'The Tag.N.Key contain duplicate key.');
    seen.add(t.Key);
  }
  return tags;
}

/** `Tag.N.Key/Value` of a Describe call: every given key must match (value too when given). */
export function tagFilter(p: Params): (tags: Tag[]) => boolean {
  const want = structN(p, 'Tag').filter((g) => g.Key);
  if (want.length > 20) throw apiError('InvalidTagCount', 400, 'The specified tags are beyond the permitted range.');
  return (tags) =>
    want.every((w) => tags.some((t) => t.Key === w.Key && (w.Value === undefined || t.Value === w.Value)));
}

/** `PageNumber`/`PageSize` paging: page size 1..max (default 10). */
export function pageByNumber<T>(p: Params, all: T[], max: number, def = 10) {
  const pageSize = int(p, 'PageSize', { def, min: 1, max });
  const pageNumber = int(p, 'PageNumber', { def: 1, min: 1, max: 1_000_000 });
  const items = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return { pageNumber, pageSize, totalCount: all.length, items };
}

const salt = (offset: number) => createHash('md5').update(`nt:${offset}`).digest('hex').slice(0, 24);

/** An opaque 32-hex-char NextToken (like ECS's) for an offset. */
export const encodeToken = (offset: number) => salt(offset) + offset.toString(16).padStart(8, '0');

/** A NextToken this sandbox did not hand out → `bad()` (the code differs per operation; ECS default below). */
export function decodeToken(
  token: string | undefined,
  bad: () => Error = () => invalidParam('NextToken', 'InvalidParameter.NextToken'),
): number {
  if (!token) return 0;
  const off = /^[0-9a-f]{32}$/.test(token) ? parseInt(token.slice(24), 16) : NaN;
  if (!Number.isFinite(off) || salt(off) !== token.slice(0, 24)) throw bad();
  return off;
}

/** `NextToken`/`MaxResults` paging (the size parameter name varies: `MaxResult` in VPC). */
export function pageByToken<T>(
  p: Params,
  all: T[],
  o: { max: number; def: number; min?: number; sizeName?: string; badToken?: () => Error },
) {
  const size = int(p, o.sizeName ?? 'MaxResults', { def: o.def, min: o.min ?? 1, max: o.max });
  const offset = decodeToken(opt(p, 'NextToken'), o.badToken);
  const items = all.slice(offset, offset + size);
  const next = offset + size < all.length ? encodeToken(offset + size) : undefined;
  return { items, nextToken: next, size, totalCount: all.length };
}

/** `*` wildcards as in DescribeKeyPairs' KeyPairName. */
export function wildcard(pattern: string): (s: string) => boolean {
  if (!pattern.includes('*')) return (s) => s === pattern;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (s) => re.test(s);
}

/** ISO-8601 UTC without milliseconds (`2021-06-07T06:08:54Z`), as the APIs print times. */
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** ECS instances print minutes only (`2017-12-10T04:04Z`). */
export const isoMinutes = (ms: number) => new Date(ms).toISOString().replace(/:\d{2}\.\d{3}Z$/, 'Z');
