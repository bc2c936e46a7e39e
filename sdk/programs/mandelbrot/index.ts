// Mandelbrot tile renderer. Renders one rectangular tile of a larger image so a job can be split
// across providers; the tiles assemble into the full image (sdk/src/programs/mandelbrot-image.ts).
//
// Input (60 bytes, little-endian):
//   u32 imageWidth, u32 imageHeight, u32 tileX, u32 tileY, u32 tileWidth, u32 tileHeight,
//   u32 maxIterations, f64 reMin, f64 imMin, f64 reMax, f64 imMax
// Output: "MBT1", then u32 tileX, tileY, tileWidth, tileHeight, imageWidth, imageHeight, and
// tileWidth * tileHeight RGBA pixels, row by row. Pixel (x, y) samples the centre of the pixel;
// y grows downwards from imMax. Only f64 arithmetic and comparisons feed the output (no NaN
// bits, no transcendental functions), so every machine renders the same bytes.
import { readInput, writeBytes } from "../lib/hashwork";

const HEADER_BYTES = 28;
const INPUT_BYTES = 60;

/** A 256-entry RGBA palette: a cyclic gradient through five anchor colours. */
function buildPalette(): Uint32Array {
  const anchors: u32[] = [0x000764, 0x206bcb, 0xedffff, 0xffaa00, 0x000200];
  const palette = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const segment = (i * 5) / 256;
    const t = (i * 5) % 256; // position within the segment, 0..255
    const a = anchors[segment];
    const b = anchors[(segment + 1) % 5];
    let rgba: u32 = 0xff000000; // alpha in the top byte: little-endian RGBA in memory
    for (let shift = 0; shift < 24; shift += 8) {
      const ca = <i32>((a >> (16 - shift)) & 0xff);
      const cb = <i32>((b >> (16 - shift)) & 0xff);
      const c = <u32>(ca + ((cb - ca) * t) / 256);
      rgba |= c << shift;
    }
    palette[i] = rgba;
  }
  return palette;
}

export function run(): void {
  const input = readInput();
  assert(input.length == INPUT_BYTES, "mandelbrot: input must be 60 bytes");
  const view = new DataView(input.buffer);
  const imageWidth = view.getUint32(0, true);
  const imageHeight = view.getUint32(4, true);
  const tileX = view.getUint32(8, true);
  const tileY = view.getUint32(12, true);
  const tileWidth = view.getUint32(16, true);
  const tileHeight = view.getUint32(20, true);
  const maxIterations = view.getUint32(24, true);
  const reMin = view.getFloat64(28, true);
  const imMin = view.getFloat64(36, true);
  const reMax = view.getFloat64(44, true);
  const imMax = view.getFloat64(52, true);
  assert(imageWidth > 0 && imageHeight > 0, "mandelbrot: empty image");
  assert(<u64>tileX + tileWidth <= imageWidth && <u64>tileY + tileHeight <= imageHeight, "mandelbrot: tile outside image");
  assert(<u64>tileWidth * tileHeight <= 16 << 20, "mandelbrot: tile too large");

  const out = new Uint8Array(HEADER_BYTES + <i32>(tileWidth * tileHeight * 4));
  const header = new DataView(out.buffer);
  header.setUint32(0, 0x3154424d, true); // "MBT1"
  header.setUint32(4, tileX, true);
  header.setUint32(8, tileY, true);
  header.setUint32(12, tileWidth, true);
  header.setUint32(16, tileHeight, true);
  header.setUint32(20, imageWidth, true);
  header.setUint32(24, imageHeight, true);

  const palette = buildPalette();
  const dx = (reMax - reMin) / <f64>imageWidth;
  const dy = (imMax - imMin) / <f64>imageHeight;
  let p = out.dataStart + HEADER_BYTES;
  for (let y: u32 = 0; y < tileHeight; y++) {
    const ci = imMax - (<f64>(tileY + y) + 0.5) * dy;
    for (let x: u32 = 0; x < tileWidth; x++) {
      const cr = reMin + (<f64>(tileX + x) + 0.5) * dx;
      let zr = 0.0;
      let zi = 0.0;
      let zr2 = 0.0;
      let zi2 = 0.0;
      let i: u32 = 0;
      while (i < maxIterations && zr2 + zi2 <= 4.0) {
        zi = 2.0 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        zr2 = zr * zr;
        zi2 = zi * zi;
        i++;
      }
      const colour = i == maxIterations ? 0xff000000 : unchecked(palette[(i * 4) & 255]);
      store<u32>(p, colour);
      p += 4;
    }
  }
  writeBytes(out);
}
