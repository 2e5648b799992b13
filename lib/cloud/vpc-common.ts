/** Shared by the VPC wrappers: tag parameters and readers, and the PageNumber/PageSize walk. */
import { list, MAX_PAGES, num, str } from './call';
import { flattenParams } from './transport';
import type { Tag } from './types';

export const tagsOf = (v: unknown): Tag[] => list(v, 'Tag').map((t) => ({ key: str(t.Key), value: str(t.Value) }));
export const tagParams = (tags?: Tag[]) =>
  tags ? flattenParams({ Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) }) : {};

/** Page* listing: pages until `TotalCount` is reached or a short page arrives. */
export async function allPages(
  fetch: (page: number) => Promise<Record<string, unknown>>,
  items: (b: Record<string, unknown>) => Record<string, unknown>[],
  pageSize: number,
) {
  const out: Record<string, unknown>[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const b = await fetch(page);
    const got = items(b);
    out.push(...got);
    const total = num(b.TotalCount);
    // TotalCount decides when present (a cloud may cap the page below what we asked).
    if (got.length === 0 || (total > 0 ? out.length >= total : got.length < pageSize)) break;
  }
  return out;
}
