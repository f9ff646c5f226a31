/**
 * The 32-bit hash behind the hashing trick. It must give the same number in every JavaScript engine, so it
 * is plain integer arithmetic (Math.imul, shifts) with no platform API:
 *
 *   featureHash(s) = fmix32(fnv1a32(UTF-16LE bytes of s))
 *
 * FNV-1a is cheap to extend one code unit at a time, which lets the extractor hash every n-gram without
 * building substrings. Its low bits are weak (bit 0 is the XOR of the input bytes' bit 0), and buckets are
 * taken from the low bits, so MurmurHash3's finaliser mixes the state first. Anyone can reproduce the
 * numbers elsewhere, e.g. in Python with `s.encode('utf-16-le')`.
 */

export const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Feeds one UTF-16 code unit (low byte, then high byte) into an FNV-1a state; returns the new state. */
export function fnvStep(state: number, codeUnit: number): number {
  let h = Math.imul(state ^ (codeUnit & 0xff), FNV_PRIME);
  h = Math.imul(h ^ (codeUnit >>> 8), FNV_PRIME);
  return h;
}

/** Feeds every code unit of `text` into an FNV-1a state. */
export function fnvString(state: number, text: string): number {
  let h = state;
  for (let i = 0; i < text.length; i++) h = fnvStep(h, text.charCodeAt(i));
  return h;
}

/** FNV-1a 32 of the UTF-16LE bytes of `text`, as an unsigned integer. */
export function fnv1a32(text: string): number {
  return fnvString(FNV_OFFSET_BASIS, text) >>> 0;
}

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
export function fmix32(state: number): number {
  let h = state ^ (state >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash of one feature string (unsigned 32-bit). Its bucket is `featureHash(s) & (buckets - 1)`. */
export function featureHash(text: string): number {
  return fmix32(fnvString(FNV_OFFSET_BASIS, text));
}
