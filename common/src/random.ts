/**
 * mulberry32: a tiny seeded generator returning floats in [0, 1). The same seed gives the same sequence
 * everywhere, so a training job's split and order repeat on every run and resume, and benches and fixtures
 * build the same data each time.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
