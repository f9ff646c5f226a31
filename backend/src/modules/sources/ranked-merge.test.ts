import { describe, expect, it } from 'vitest';
import { mergeRanked } from './ranked-merge.js';
import type { HubModelSummary } from '../hub/hub.schemas.js';

const m = (id: string, downloads: number): HubModelSummary => ({ id, downloads, likes: 0, tags: [], gated: false });

describe('mergeRanked', () => {
  it('keeps every item of the Hub page, adds at most `extra` others, ranks all by the sort, lists each once', () => {
    const page = [m('a', 90), m('b', 50), m('c', 10)];
    const named = [m('x', 100), m('b', 50), m('y', 60), m('z', 5)];
    const merged = mergeRanked([page, named], 'downloads', 2);
    expect(merged.map((i) => i.id)).toEqual(['x', 'a', 'y', 'b', 'c']);
  });

  it('keeps the first list in its own order where the Hub gives no rank (trending)', () => {
    expect(mergeRanked([[m('a', 1), m('b', 9)], [m('c', 5)]], 'trendingScore', 5).map((i) => i.id)).toEqual(['a', 'b', 'c']);
  });
});
