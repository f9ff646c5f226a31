/**
 * Piper's phoneme → id scheme: the phoneme string is decomposed (NFD) into code points, each looked up in the
 * voice's `phoneme_id_map`; the sequence starts with BOS `^`, ends with EOS `$`, and PAD `_` follows BOS and
 * every phoneme. Code points missing from the map are skipped (and reported).
 */
export const BOS = '^';
export const EOS = '$';
export const PAD = '_';

export interface PhonemeIds {
  ids: number[];
  /** Distinct code points the map does not know. */
  missing: string[];
  /** How many phonemes were mapped (BOS/EOS/PAD not counted). */
  mapped: number;
}

export function phonemesToIds(phonemes: string, map: Record<string, number[]>): PhonemeIds {
  const pad = map[PAD] ?? [];
  const ids: number[] = [...(map[BOS] ?? []), ...pad];
  const missing = new Set<string>();
  let mapped = 0;
  for (const cp of phonemes.normalize('NFD')) {
    const found = map[cp];
    if (!found) {
      missing.add(cp);
      continue;
    }
    ids.push(...found, ...pad);
    mapped += 1;
  }
  ids.push(...(map[EOS] ?? []));
  return { ids, missing: [...missing], mapped };
}
