import { HashworkError } from "../errors/base.ts";

/** One tile of a Mandelbrot image, as the `mandelbrot` program takes it. */
export type MandelbrotTileParameters = {
  /** Size of the whole image in pixels. */
  imageWidth: number;
  imageHeight: number;
  /** The tile's top-left pixel and size. */
  tileX: number;
  tileY: number;
  tileWidth: number;
  tileHeight: number;
  /** Iteration cap; points that do not escape within it are painted black. */
  maxIterations: number;
  /** The part of the complex plane the whole image shows. */
  reMin: number;
  imMin: number;
  reMax: number;
  imMax: number;
};

/** A decoded `mandelbrot` output. */
export type MandelbrotTile = {
  tileX: number;
  tileY: number;
  tileWidth: number;
  tileHeight: number;
  imageWidth: number;
  imageHeight: number;
  /** tileWidth × tileHeight RGBA pixels, row by row. */
  rgba: Uint8Array;
};

export const MANDELBROT_INPUT_BYTES = 60;
export const MANDELBROT_HEADER_BYTES = 28;
const MAGIC = 0x3154424d; // "MBT1"

/**
 * The output is not a `mandelbrot` tile (wrong magic, truncated, or inconsistent sizes).
 *
 * @example
 * if (e instanceof InvalidMandelbrotTileError) console.error(e.details)
 */
export class InvalidMandelbrotTileError extends HashworkError {
  override name = "InvalidMandelbrotTileError";
  constructor(reason: string) {
    super("Not a mandelbrot tile", { details: reason });
  }
}

/**
 * The 60-byte input of the `mandelbrot` program for one tile.
 *
 * @example
 * const input = encodeMandelbrotInput({ imageWidth: 256, imageHeight: 256, tileX: 0, tileY: 0,
 *   tileWidth: 128, tileHeight: 128, maxIterations: 256, reMin: -2.2, imMin: -1.5, reMax: 0.8, imMax: 1.5 })
 */
export function encodeMandelbrotInput(p: MandelbrotTileParameters): Uint8Array {
  const bytes = new Uint8Array(MANDELBROT_INPUT_BYTES);
  const view = new DataView(bytes.buffer);
  for (const [i, v] of [p.imageWidth, p.imageHeight, p.tileX, p.tileY, p.tileWidth, p.tileHeight, p.maxIterations].entries()) {
    view.setUint32(i * 4, v, true);
  }
  for (const [i, v] of [p.reMin, p.imMin, p.reMax, p.imMax].entries()) view.setFloat64(28 + i * 8, v, true);
  return bytes;
}

/**
 * Splits an image into tiles of at most `tileSize` × `tileSize` pixels, row by row: one job each.
 *
 * @example
 * const inputs = planMandelbrotTiles({ imageWidth: 512, imageHeight: 512, tileSize: 256, maxIterations: 500,
 *   reMin: -2.2, imMin: -1.5, reMax: 0.8, imMax: 1.5 }).map(encodeMandelbrotInput)
 */
export function planMandelbrotTiles(
  p: Omit<MandelbrotTileParameters, "tileX" | "tileY" | "tileWidth" | "tileHeight"> & { tileSize: number },
): MandelbrotTileParameters[] {
  const { tileSize, ...image } = p;
  const tiles: MandelbrotTileParameters[] = [];
  for (let tileY = 0; tileY < p.imageHeight; tileY += tileSize) {
    for (let tileX = 0; tileX < p.imageWidth; tileX += tileSize) {
      tiles.push({
        ...image,
        tileX,
        tileY,
        tileWidth: Math.min(tileSize, p.imageWidth - tileX),
        tileHeight: Math.min(tileSize, p.imageHeight - tileY),
      });
    }
  }
  return tiles;
}

/**
 * Reads a `mandelbrot` output: its 28-byte header and RGBA pixels.
 *
 * @example
 * const { tileX, tileY, rgba } = decodeMandelbrotTile(result.output)
 */
export function decodeMandelbrotTile(output: Uint8Array): MandelbrotTile {
  if (output.length < MANDELBROT_HEADER_BYTES) throw new InvalidMandelbrotTileError(`${output.length} bytes is shorter than the header`);
  const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new InvalidMandelbrotTileError("wrong magic (expected MBT1)");
  const [tileX, tileY, tileWidth, tileHeight, imageWidth, imageHeight] = [4, 8, 12, 16, 20, 24].map((o) => view.getUint32(o, true)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const expected = MANDELBROT_HEADER_BYTES + tileWidth * tileHeight * 4;
  if (output.length !== expected) throw new InvalidMandelbrotTileError(`${output.length} bytes, expected ${expected}`);
  if (tileX + tileWidth > imageWidth || tileY + tileHeight > imageHeight) {
    throw new InvalidMandelbrotTileError("tile lies outside the image");
  }
  return { tileX, tileY, tileWidth, tileHeight, imageWidth, imageHeight, rgba: output.subarray(MANDELBROT_HEADER_BYTES) };
}
