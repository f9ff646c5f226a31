import { cosineSimilarity, type TokenEntity } from '@sokhan/common';

/** A piece of the text the model read: plain, or one entity it found. */
export interface TextSegment {
  text: string;
  entity: TokenEntity | null;
}

/**
 * The text cut at the entities' offsets (code units, as the runtime gives them), in order. An entity that
 * overlaps the one before it or falls outside the text is left out rather than drawn in the wrong place.
 */
export function entitySegments(text: string, entities: readonly TokenEntity[]): TextSegment[] {
  const out: TextSegment[] = [];
  let at = 0;
  for (const e of [...entities].sort((a, b) => a.start - b.start)) {
    if (e.start < at || e.end <= e.start || e.end > text.length) continue;
    if (e.start > at) out.push({ text: text.slice(at, e.start), entity: null });
    out.push({ text: text.slice(e.start, e.end), entity: e });
    at = e.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), entity: null });
  return out;
}

/** Each sentence after the first, by its embedding's cosine similarity to the first one's, nearest first. */
export function rankBySimilarity(texts: readonly string[], embeddings: readonly (readonly number[])[]): { text: string; score: number }[] {
  const query = embeddings[0];
  if (!query) return [];
  return texts
    .slice(1)
    .map((text, i) => ({ text, score: cosineSimilarity(query, embeddings[i + 1] ?? []) }))
    .sort((a, b) => b.score - a.score);
}

/** Labels typed in one box: separated by commas (Latin or Persian «،») or new lines, each once. */
export function splitLabels(text: string): string[] {
  return [...new Set(text.split(/[,\u060C\n]/).map((l) => l.trim()).filter(Boolean))];
}

/** One sentence per line, each once, blank lines dropped. */
export function splitLines(text: string): string[] {
  return [...new Set(text.split('\n').map((l) => l.trim()).filter(Boolean))];
}

/** `token` put in place of the selection [start, end), with spaces around it where words would touch; the caret after it. */
export function insertToken(text: string, start: number, end: number, token: string): { text: string; caret: number } {
  const before = text.slice(0, start);
  const after = text.slice(end);
  const lead = before && !/\s$/.test(before) ? ' ' : '';
  const trail = after && !/^\s/.test(after) ? ' ' : '';
  const next = `${before}${lead}${token}${trail}${after}`;
  return { text: next, caret: before.length + lead.length + token.length };
}
