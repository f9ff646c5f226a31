import { describe, expect, it } from 'vitest';
import { featureHash, fmix32, fnv1a32, fnvStep, FNV_OFFSET_BASIS } from './hash.js';

// Expected numbers were computed independently in Python:
//   fnv1a over s.encode('utf-16-le') with basis 0x811c9dc5 and prime 0x01000193, then MurmurHash3's fmix32.
const PINNED: [text: string, fnv: number, hash: number][] = [
  ['', 0x811c9dc5, 0xab3e7c0b],
  ['a', 0x2b24d044, 0x91e9da27],
  ['سخن', 0x2a4d415c, 0x255490c6],
  ['w:کتاب', 0xaabad024, 0xef82089b],
  ['w:کتاب خوب', 0x3f9c8518, 0x56b8a594],
  ['c: ک', 0xb37d3d3b, 0x47ed7266],
  ['c:اب ', 0x925f686b, 0xcdd2ccfa],
];

describe('feature hash', () => {
  it.each(PINNED)('%j hashes to the pinned values', (text, fnv, hash) => {
    expect(fnv1a32(text)).toBe(fnv);
    expect(featureHash(text)).toBe(hash);
    expect(fmix32(fnv)).toBe(hash);
  });

  it('extending the state one code unit at a time equals hashing the whole string', () => {
    const text = 'w:کتاب خوب';
    let h = FNV_OFFSET_BASIS;
    for (const ch of text) h = fnvStep(h, ch.charCodeAt(0));
    expect(h >>> 0).toBe(fnv1a32(text));
  });

  it('returns unsigned 32-bit integers and spreads short strings over the low bits', () => {
    const buckets = new Set<number>();
    let outOfRange = 0;
    for (let i = 0; i < 2000; i++) {
      const h = featureHash(`c:${String.fromCharCode(0x0627 + (i % 40), 0x0627 + Math.floor(i / 40))}`);
      if (!Number.isInteger(h) || h < 0 || h > 0xffffffff) outOfRange++;
      buckets.add(h & 255);
    }
    expect(outOfRange).toBe(0);
    expect(buckets.size).toBeGreaterThan(240);
  });
});
