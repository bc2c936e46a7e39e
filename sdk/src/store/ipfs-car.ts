import * as CarBufferWriter from "@ipld/car/buffer-writer";
import { CarBlockIterator } from "@ipld/car/iterator";
import type { CID } from "multiformats/cid";

import { InvalidIpfsDagError } from "./errors.ts";
import type { IpfsBlock } from "./ipfs-cid.ts";
import { verifyIpfsBlock } from "./ipfs-dag.ts";

/**
 * A CARv1 archive of `blocks` with `root` as its one root (what a trustless gateway answers to
 * `?format=car`).
 *
 * @example
 * const dag = await buildIpfsDag(bytes)
 * const car = encodeCar(dag.cid, dag.blocks)
 */
export function encodeCar(root: CID, blocks: readonly IpfsBlock[]): Uint8Array {
  const size = CarBufferWriter.headerLength({ roots: [root] }) + blocks.reduce((sum, block) => sum + CarBufferWriter.blockLength(block), 0);
  const writer = CarBufferWriter.createWriter(new ArrayBuffer(size), { roots: [root] });
  for (const block of blocks) CarBufferWriter.addBlock(writer, block);
  return CarBufferWriter.close(writer);
}

/**
 * The blocks of a CARv1 archive (CID string → bytes), each verified against its CID as it is
 * read: one wrong block throws `IpfsBlockMismatchError`, a CAR that does not parse throws
 * `InvalidIpfsDagError`. Blocks are not required to be reachable from `root` or in any order
 * (the trustless gateway's `order=unk`); `readUnixfsFile` walks what it needs.
 *
 * @example
 * const blocks = await readCarBlocks(carBytes, cid, "http://127.0.0.1:8080")
 */
export async function readCarBlocks(car: Uint8Array, root: CID, source: string): Promise<Map<string, Uint8Array>> {
  const blocks = new Map<string, Uint8Array>();
  let iterator: CarBlockIterator;
  try {
    iterator = await CarBlockIterator.fromBytes(car);
  } catch (error) {
    throw new InvalidIpfsDagError({ cid: root.toString(), source, reason: `not a CAR file (${messageOf(error)})` });
  }
  const it = iterator[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<{ cid: CID; bytes: Uint8Array }>;
    try {
      next = await it.next();
    } catch (error) {
      throw new InvalidIpfsDagError({ cid: root.toString(), source, reason: `truncated or malformed CAR (${messageOf(error)})` });
    }
    if (next.done) break;
    const { cid, bytes } = next.value;
    verifyIpfsBlock(cid, bytes, source);
    blocks.set(cid.toString(), bytes);
  }
  return blocks;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
