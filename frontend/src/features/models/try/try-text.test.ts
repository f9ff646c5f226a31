import { describe, expect, it } from 'vitest';
import type { TokenEntity } from '@sokhan/common';
import { entitySegments, insertToken, rankBySimilarity, splitLabels, splitLines } from './try-text';

const entity = (e: string, text: string, word: string, from = 0): TokenEntity => {
  const start = text.indexOf(word, from);
  return { entity: e, score: 0.9, start, end: start + word.length, word };
};

describe('entitySegments', () => {
  it('cuts the text at the offsets, in order, keeping the ZWNJ of the words between', () => {
    const text = 'مریم در دیجی‌کالا کار می‌کند و علی در شیراز';
    const entities = [entity('LOC', text, 'شیراز'), entity('PER', text, 'مریم'), entity('ORG', text, 'دیجی‌کالا'), entity('PER', text, 'علی')];
    const segments = entitySegments(text, entities);
    expect(segments.map((s) => [s.text, s.entity?.entity ?? null])).toEqual([
      ['مریم', 'PER'],
      [' در ', null],
      ['دیجی‌کالا', 'ORG'],
      [' کار می‌کند و ', null],
      ['علی', 'PER'],
      [' در ', null],
      ['شیراز', 'LOC'],
    ]);
    expect(segments.map((s) => s.text).join('')).toBe(text);
  });

  it('leaves out an entity that overlaps the one before it or lies outside the text', () => {
    const text = 'علی رضایی رفت';
    const segments = entitySegments(text, [
      { entity: 'PER', score: 1, start: 0, end: 9, word: 'علی رضایی' },
      { entity: 'PER', score: 1, start: 4, end: 9, word: 'رضایی' },
      { entity: 'LOC', score: 1, start: 10, end: 40, word: '?' },
    ]);
    expect(segments.map((s) => [s.text, s.entity?.entity ?? null])).toEqual([
      ['علی رضایی', 'PER'],
      [' رفت', null],
    ]);
  });
});

describe('rankBySimilarity', () => {
  it('ranks the sentences after the first by cosine similarity to it, nearest first', () => {
    const ranked = rankBySimilarity(['q', 'far', 'near', 'opposite'], [[1, 0], [0, 1], [0.9, 0.1], [-1, 0]]);
    expect(ranked.map((r) => r.text)).toEqual(['near', 'far', 'opposite']);
    expect(ranked[0]!.score).toBeCloseTo(0.9 / Math.sqrt(0.82), 10);
    expect(ranked[2]!.score).toBeCloseTo(-1, 10);
  });
});

describe('splitLabels and splitLines', () => {
  it('splits on Latin and Persian commas and new lines, each label once', () => {
    expect(splitLabels('ورزش، غذا,سفر\n ورزش ,، ')).toEqual(['ورزش', 'غذا', 'سفر']);
    expect(splitLines('یک\n\n دو \nیک')).toEqual(['یک', 'دو']);
  });
});

describe('insertToken', () => {
  it('puts the mask token at the caret with spaces where words would touch, the caret after it', () => {
    expect(insertToken('این فیلم خیلی بود', 14, 14, '[MASK]')).toEqual({ text: 'این فیلم خیلی [MASK] بود', caret: 20 });
    expect(insertToken('این فیلم خیلیبود', 13, 13, '<mask>')).toEqual({ text: 'این فیلم خیلی <mask> بود', caret: 20 });
    // A selection is replaced.
    expect(insertToken('این فیلم خوب بود', 9, 12, '[MASK]')).toEqual({ text: 'این فیلم [MASK] بود', caret: 15 });
  });
});
