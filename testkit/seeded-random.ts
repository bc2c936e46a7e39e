/**
 * mulberry32, a small seeded PRNG: the same seed gives the same sequence on every machine, so the
 * kit's generated data (sample data sets, the digit classifier's data and weights, random hostile
 * programs) is reproducible. One copy for every user.
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
