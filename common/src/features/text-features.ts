import { tokenizePersian } from '../persian/normalize.js';
import { FNV_OFFSET_BASIS, fmix32, fnvStep, fnvString } from './hash.js';
import type { FittedText } from './types.js';

/**
 * Hashed n-gram counting for one text. Feature strings (documented so they can be reproduced elsewhere):
 *   word n-gram  "w:" + tokens joined by one space          e.g. "w:کتاب", "w:کتاب خوب"
 *   char n-gram  "c:" + a substring of " " + token + " "     e.g. "c: ک", "c:کتا", "c:اب "
 * Character n-grams never cross a word boundary; the spaces mark the word's start and end.
 * Each string's bucket is featureHash(string) & (buckets - 1); hashes are extended code unit by code unit,
 * so no substring is ever built.
 */

export type TextConfig = Pick<FittedText, 'buckets' | 'word' | 'char' | 'lowercase'>;

const WORD_STATE = fnvString(FNV_OFFSET_BASIS, 'w:');
const CHAR_STATE = fnvString(FNV_OFFSET_BASIS, 'c:');
const SPACE = 0x20;

/** Reusable sparse accumulator: counts per bucket plus the list of buckets touched (each once). */
export interface TextScratch {
  readonly counts: Float64Array;
  readonly touched: Int32Array;
  size: number;
}

export function createTextScratch(buckets: number): TextScratch {
  return { counts: new Float64Array(buckets), touched: new Int32Array(buckets), size: 0 };
}

/** Clears the buckets the last text touched (cheaper than zeroing the whole array). */
export function resetTextScratch(scratch: TextScratch): void {
  const { counts, touched } = scratch;
  for (let i = 0; i < scratch.size; i++) counts[touched[i]!] = 0;
  scratch.size = 0;
}

/** The tokens features are built from: tokenizePersian (which normalises first), optionally lower-cased. */
export function featureTokens(config: Pick<TextConfig, 'lowercase'>, text: string): string[] {
  const tokens = tokenizePersian(text);
  return config.lowercase ? tokens.map((t) => t.toLowerCase()) : tokens;
}

/** Adds the n-gram counts of `text` to `scratch` (call resetTextScratch between texts). */
export function accumulateText(config: TextConfig, text: string, scratch: TextScratch): void {
  if (text.length === 0) return;
  const tokens = featureTokens(config, text);
  const mask = config.buckets - 1;
  const { counts, touched } = scratch;
  let size = scratch.size;
  const emit = (state: number): void => {
    const b = fmix32(state) & mask;
    if (counts[b] === 0) touched[size++] = b;
    counts[b]! += 1;
  };

  const word = config.word;
  if (word) {
    for (let i = 0; i < tokens.length; i++) {
      let h = WORD_STATE;
      for (let k = 0; k < word.max && i + k < tokens.length; k++) {
        if (k > 0) h = fnvStep(h, SPACE);
        h = fnvString(h, tokens[i + k]!);
        if (k + 1 >= word.min) emit(h);
      }
    }
  }

  const char = config.char;
  if (char) {
    for (const token of tokens) {
      const padded = token.length + 2;
      for (let start = 0; start < padded; start++) {
        let h = CHAR_STATE;
        const end = Math.min(padded, start + char.max);
        for (let j = start; j < end; j++) {
          h = fnvStep(h, j === 0 || j === padded - 1 ? SPACE : token.charCodeAt(j - 1));
          if (j - start + 1 >= char.min) emit(h);
        }
      }
    }
  }
  scratch.size = size;
}

/** Smooth idf as scikit-learn computes it, rounded to 1e-6 so the JSON stays short and round-trips exactly. */
export function smoothIdf(documents: number, df: number): number {
  return Math.round((Math.log((1 + documents) / (1 + df)) + 1) * 1e6) / 1e6;
}

/**
 * Writes the L2-normalised TF-IDF vector of the accumulated counts into out[offset + bucket] and resets the
 * scratch. Positions of untouched buckets are left as they are (the caller hands in zeros).
 */
export function writeTfIdf(text: FittedText, scratch: TextScratch, out: Float32Array, offset: number): void {
  const { counts, touched, size } = scratch;
  const inv = weighTfIdf(text, scratch);
  if (inv > 0) for (let i = 0; i < size; i++) out[offset + touched[i]!] = counts[touched[i]!]! * inv;
  resetTextScratch(scratch);
}

/**
 * Turns the scratch's counts into TF-IDF weights in place (sublinear tf when the spec says so) and returns the
 * factor that L2-normalises them (0 when every weight is 0). The dense and the sparse encodings both use it, so
 * they compute the same numbers.
 */
export function weighTfIdf(text: FittedText, scratch: TextScratch): number {
  const { counts, touched, size } = scratch;
  const idf = text.idf;
  let norm = 0;
  for (let i = 0; i < size; i++) {
    const b = touched[i]!;
    const tf = counts[b]!;
    const w = (text.sublinearTf ? 1 + Math.log(tf) : tf) * idf[b]!;
    counts[b] = w;
    norm += w * w;
  }
  return norm > 0 ? 1 / Math.sqrt(norm) : 0;
}
