import type { HubSort } from '@sokhan/common';
import type { HubModelSummary } from '../hub/hub.schemas.js';

function rank(m: HubModelSummary, sort: HubSort): number {
  switch (sort) {
    case 'downloads':
      return m.downloads ?? 0;
    case 'likes':
      return m.likes ?? 0;
    case 'lastModified':
      return m.lastModified ? Date.parse(m.lastModified) || 0 : 0;
    case 'createdAt':
      return m.createdAt ? Date.parse(m.createdAt) || 0 : 0;
    default:
      // The Hub does not return trending scores in lists: the first list's own order stands, extras follow.
      return Number.NaN;
  }
}

/**
 * A Hub result page (the first list) widened by other lists, each already sorted by `sort` (descending), as one:
 * deduplicated by id, in `sort` order. Every item of the first list stays (the next page continues after it, so
 * none may be dropped); at most `extra` items come from the others.
 */
export function mergeRanked(lists: HubModelSummary[][], sort: HubSort, extra: number): HubModelSummary[] {
  const seen = new Set<string>();
  const all: { m: HubModelSummary; list: number; at: number }[] = [];
  let added = 0;
  lists.forEach((items, list) =>
    items.forEach((m, at) => {
      if (seen.has(m.id) || (list > 0 && added >= extra)) return;
      seen.add(m.id);
      if (list > 0) added += 1;
      all.push({ m, list, at });
    }),
  );
  all.sort((a, b) => {
    const ra = rank(a.m, sort);
    const rb = rank(b.m, sort);
    if (!Number.isNaN(ra) && !Number.isNaN(rb) && ra !== rb) return rb - ra;
    return a.list - b.list || a.at - b.at;
  });
  return all.map((x) => x.m);
}
