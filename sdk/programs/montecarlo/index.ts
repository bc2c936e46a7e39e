// Monte Carlo estimate of pi: throws `samples` points into the unit square with a seeded
// SplitMix64 generator and counts those inside the quarter circle.
//
// Input (16 bytes, little-endian): u64 seed, u64 samples (at most 2^40).
// Output: JSON text {"seed":"…","samples":…,"inside":…,"pi":…}. The seed is a decimal string
// because JSON numbers lose precision above 2^53.
import { readInput, writeString } from "../lib/hashwork";

let state: u64 = 0;

/** SplitMix64 (Steele, Lea, Flood 2014): a 64-bit state advanced by a Weyl sequence, then mixed. */
function next(): u64 {
  state += 0x9e3779b97f4a7c15;
  let z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** A uniform f64 in [0, 1) from the top 53 bits. */
function unit(): f64 {
  return <f64>(next() >> 11) * 1.1102230246251565e-16; // 2^-53
}

export function run(): void {
  const input = readInput();
  assert(input.length == 16, "montecarlo: input must be 16 bytes");
  const view = new DataView(input.buffer);
  const seed = view.getUint64(0, true);
  const samples = view.getUint64(8, true);
  assert(samples > 0 && samples <= (<u64>1) << 40, "montecarlo: samples must be in [1, 2^40]");

  state = seed;
  let inside: u64 = 0;
  for (let n: u64 = 0; n < samples; n++) {
    const x = unit();
    const y = unit();
    if (x * x + y * y < 1.0) inside++;
  }
  const pi = (4.0 * <f64>inside) / <f64>samples;
  writeString(
    '{"seed":"' + seed.toString() + '","samples":' + samples.toString() + ',"inside":' + inside.toString() + ',"pi":' + pi.toString() + "}",
  );
}
