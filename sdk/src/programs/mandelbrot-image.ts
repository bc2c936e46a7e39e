import { PNG } from "pngjs";

import { HashworkError } from "../errors/base.ts";
import { decodeMandelbrotTile, type MandelbrotTile } from "./mandelbrot.ts";

export type AssembleTilesReturnType = {
  /** The PNG file's bytes. */
  png: Uint8Array;
  width: number;
  height: number;
};

/**
 * The tiles do not make up one image: they disagree on the image size, overlap, or leave pixels
 * uncovered.
 *
 * @example
 * if (e instanceof TileMismatchError) console.error(e.details)
 */
export class TileMismatchError extends HashworkError {
  override name = "TileMismatchError";
  constructor(reason: string) {
    super("Tiles do not assemble into one image", { details: reason });
  }
}

/**
 * Assembles `mandelbrot` outputs (raw outputs or decoded tiles, in any order) into one PNG image.
 * Every pixel of the image must be covered exactly once.
 *
 * @example
 * const outputs = await Promise.all(inputs.map((input) => executor.run({ wasm, input, fuelLimit })))
 * const { png } = assembleTiles(outputs.map((r) => r.output))
 * await writeFile("mandelbrot.png", png)
 */
export function assembleTiles(tiles: readonly (Uint8Array | MandelbrotTile)[]): AssembleTilesReturnType {
  if (tiles.length === 0) throw new TileMismatchError("no tiles");
  const decoded = tiles.map((t) => (t instanceof Uint8Array ? decodeMandelbrotTile(t) : t));
  const { imageWidth: width, imageHeight: height } = decoded[0]!;
  const covered = new Uint8Array(width * height);
  const png = new PNG({ width, height });
  for (const tile of decoded) {
    if (tile.imageWidth !== width || tile.imageHeight !== height) {
      throw new TileMismatchError(
        `tile at (${tile.tileX}, ${tile.tileY}) belongs to a ${tile.imageWidth}×${tile.imageHeight} image, not ${width}×${height}`,
      );
    }
    for (let y = 0; y < tile.tileHeight; y++) {
      const row = (tile.tileY + y) * width + tile.tileX;
      for (let x = 0; x < tile.tileWidth; x++) {
        if (covered[row + x]) throw new TileMismatchError(`pixel (${tile.tileX + x}, ${tile.tileY + y}) is in two tiles`);
        covered[row + x] = 1;
      }
      const source = tile.rgba.subarray(y * tile.tileWidth * 4, (y + 1) * tile.tileWidth * 4);
      png.data.set(source, row * 4);
    }
  }
  const missing = covered.indexOf(0);
  if (missing >= 0) throw new TileMismatchError(`pixel (${missing % width}, ${Math.floor(missing / width)}) is in no tile`);
  return { png: new Uint8Array(PNG.sync.write(png)), width, height };
}
