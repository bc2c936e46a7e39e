// Data and weights for the `digits` workload (a digit classifier in Rust): synthetic 8×8 digit
// images drawn from a 5×7 bitmap font with shifts and noise (no data set to download), a
// multilayer perceptron trained on them with plain SGD (seeded, so the same weights every time),
// and the MODEL / BATCH files the program reads (formats in sdk/programs/workloads/digits/digits.rs).
import { seededRandom } from "../seeded-random.ts";

/** The 5×7 glyphs of 0–9, one string of five bits per row. */
const FONT = [
  ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
  ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
  ["01110", "10001", "00001", "00010", "00100", "01000", "11111"],
  ["11111", "00010", "00100", "00010", "00001", "10001", "01110"],
  ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
  ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
  ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
  ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
  ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
  ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
];
export const DIGIT_SIDE = 8;
export const DIGIT_PIXELS = DIGIT_SIDE * DIGIT_SIDE;

export type DigitSample = { label: number; pixels: Uint8Array };

/** `count` noisy digit images (labels cycle 0–9): the glyph shifted by up to 3×1 pixels, ink 150–255, 5% of pixels flipped. */
export function digitSamples(count: number, seed: number): DigitSample[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, k) => {
    const label = k % 10;
    const dx = Math.floor(random() * 4);
    const dy = Math.floor(random() * 2);
    const pixels = new Uint8Array(DIGIT_PIXELS);
    for (let y = 0; y < 7; y++)
      for (let x = 0; x < 5; x++)
        if (FONT[label]![y]![x] === "1") pixels[(y + dy) * DIGIT_SIDE + x + dx] = 150 + Math.floor(random() * 106);
    for (let i = 0; i < DIGIT_PIXELS; i++) if (random() < 0.05) pixels[i] = pixels[i]! > 0 ? 0 : 100 + Math.floor(random() * 156);
    return { label, pixels };
  });
}

export type DigitLayer = { inputs: number; outputs: number; weights: Float32Array; biases: Float32Array };

/** The forward pass as the program computes it (f32 weights widened to f64, the same order): the predicted class. */
export function classifyDigit(layers: readonly DigitLayer[], pixels: Uint8Array): number {
  let a = Array.from(pixels, (p) => p / 255);
  layers.forEach((layer, k) => {
    const next: number[] = [];
    for (let o = 0; o < layer.outputs; o++) {
      let sum = layer.biases[o]!;
      for (let i = 0; i < layer.inputs; i++) sum += layer.weights[o * layer.inputs + i]! * a[i]!;
      next.push(k + 1 < layers.length && sum < 0 ? 0 : sum);
    }
    a = next;
  });
  let best = 0;
  for (let c = 1; c < a.length; c++) if (a[c]! > a[best]!) best = c;
  return best;
}

/** A 64→32→10 perceptron trained by SGD on cross-entropy over 1 500 samples, 12 epochs (about a second). */
export function trainDigitModel(seed = 16): DigitLayer[] {
  const random = seededRandom(seed);
  const shape = [DIGIT_PIXELS, 32, 10];
  const w = shape.slice(1).map((out, l) => {
    const inp = shape[l]!;
    const bound = Math.sqrt(6 / (inp + out));
    return {
      inputs: inp,
      outputs: out,
      weights: Float64Array.from({ length: inp * out }, () => (random() * 2 - 1) * bound),
      biases: new Float64Array(out),
    };
  });
  const samples = digitSamples(1500, seed + 1);
  const rate = 0.05;
  for (let epoch = 0; epoch < 12; epoch++) {
    for (const { label, pixels } of samples) {
      const x = Array.from(pixels, (p) => p / 255);
      const [l1, l2] = w as [(typeof w)[0], (typeof w)[0]];
      const h = Array.from({ length: l1.outputs }, (_, o) => {
        let s = l1.biases[o]!;
        for (let i = 0; i < l1.inputs; i++) s += l1.weights[o * l1.inputs + i]! * x[i]!;
        return Math.max(0, s);
      });
      const z = Array.from({ length: l2.outputs }, (_, o) => {
        let s = l2.biases[o]!;
        for (let i = 0; i < l2.inputs; i++) s += l2.weights[o * l2.inputs + i]! * h[i]!;
        return s;
      });
      const max = Math.max(...z);
      const e = z.map((v) => Math.exp(v - max));
      const total = e.reduce((a, b) => a + b, 0);
      const dz = e.map((v, o) => v / total - (o === label ? 1 : 0));
      const dh = new Float64Array(l1.outputs);
      for (let o = 0; o < l2.outputs; o++) {
        for (let i = 0; i < l2.inputs; i++) {
          dh[i]! += l2.weights[o * l2.inputs + i]! * dz[o]!;
          l2.weights[o * l2.inputs + i]! -= rate * dz[o]! * h[i]!;
        }
        l2.biases[o]! -= rate * dz[o]!;
      }
      for (let o = 0; o < l1.outputs; o++) {
        if (h[o]! <= 0) continue;
        for (let i = 0; i < l1.inputs; i++) l1.weights[o * l1.inputs + i]! -= rate * dh[o]! * x[i]!;
        l1.biases[o]! -= rate * dh[o]!;
      }
    }
  }
  return w.map((l) => ({
    inputs: l.inputs,
    outputs: l.outputs,
    weights: Float32Array.from(l.weights),
    biases: Float32Array.from(l.biases),
  }));
}

/** The MODEL file: "HWNN", u32 layers, per layer u32 inputs, outputs, f32 weights, f32 biases (LE). */
export function encodeDigitModel(layers: readonly DigitLayer[]): Uint8Array {
  const floats = layers.reduce((n, l) => n + l.weights.length + l.biases.length, 0);
  const bytes = new Uint8Array(8 + layers.length * 8 + floats * 4);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode("HWNN"));
  view.setUint32(4, layers.length, true);
  let at = 8;
  for (const l of layers) {
    view.setUint32(at, l.inputs, true);
    view.setUint32(at + 4, l.outputs, true);
    at += 8;
    for (const f of [...l.weights, ...l.biases]) {
      view.setFloat32(at, f, true);
      at += 4;
    }
  }
  return bytes;
}

/** The BATCH file: "HWDB", u32 count, u32 pixels, then per image a u8 label and its pixels. */
export function encodeDigitBatch(samples: readonly DigitSample[]): Uint8Array {
  const bytes = new Uint8Array(12 + samples.length * (1 + DIGIT_PIXELS));
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode("HWDB"));
  view.setUint32(4, samples.length, true);
  view.setUint32(8, DIGIT_PIXELS, true);
  samples.forEach((s, k) => {
    bytes[12 + k * (1 + DIGIT_PIXELS)] = s.label;
    bytes.set(s.pixels, 13 + k * (1 + DIGIT_PIXELS));
  });
  return bytes;
}

/** A decoded `digits` output. */
export type DigitsOutput = { count: number; correct: number; predicted: number[]; confusion: number[][] };
