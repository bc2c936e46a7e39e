import { expect } from "chai";
import { keccak256, type Hex } from "viem";

import { createContentMemo } from "./content-memo.ts";

const blob = (n: number, fill = 1) => new Uint8Array(n).fill(fill);
const hashOf = (bytes: Uint8Array): Hex => keccak256(bytes);

describe("daemon content memo (verified programs and inputs in memory)", function () {
  it("loads a hash once for concurrent and later readers of one source", async function () {
    const memo = createContentMemo({ maxBytes: 1024 });
    const bytes = blob(100);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return bytes;
    };
    const got = await Promise.all(Array.from({ length: 32 }, () => memo.get(hashOf(bytes), "http://a/x", load)));
    expect(loads).to.equal(1);
    expect(got.every((g) => g === bytes)).to.equal(true);
    // Held: another source of the same hash reads memory, not its URI.
    expect(await memo.get(hashOf(bytes).toUpperCase().replace("0X", "0x") as Hex, "http://b/x", load)).to.equal(bytes);
    expect(loads).to.equal(1);
  });

  it("never shares a load across sources, and keeps no failure", async function () {
    const memo = createContentMemo({ maxBytes: 1024 });
    const bytes = blob(10);
    const hash = hashOf(bytes);
    let release!: () => void;
    const bad = memo
      .get(hash, "http://slow-liar/x", async () => {
        await new Promise<void>((r) => (release = r));
        throw new Error("hash mismatch");
      })
      .catch((error: Error) => error.message);
    // A job naming a good URI for the same hash is not tied to the bad one's fate.
    expect(await memo.get(hash, "http://good/x", async () => bytes)).to.equal(bytes);
    release();
    expect(await bad).to.equal("hash mismatch");
    const memo2 = createContentMemo({ maxBytes: 1024 });
    const down = await memo2.get(hash, "http://a/x", async () => Promise.reject(new Error("down"))).catch((error: Error) => error.message);
    expect(down).to.equal("down");
    expect(await memo2.get(hash, "http://a/x", async () => bytes)).to.equal(bytes);
  });

  it("stays under its byte budget, least recently used out first, and skips oversized blobs", async function () {
    const memo = createContentMemo({ maxBytes: 300, maxEntryBytes: 150 });
    const [a, b, c, big] = [blob(100, 1), blob(100, 2), blob(100, 3), blob(200, 4)];
    let loads = 0;
    const get = (x: Uint8Array) =>
      memo.get(hashOf(x), "s", async () => {
        loads++;
        return x;
      });
    await get(a);
    await get(b);
    await get(c);
    expect(memo.bytes).to.equal(300);
    await get(a); // a is now the most recent
    await get(big); // too big to keep
    expect(memo.bytes).to.equal(300);
    await get(blob(100, 5)); // evicts b, the least recent
    expect(memo.bytes).to.equal(300);
    loads = 0;
    await get(a);
    await get(c);
    expect(loads).to.equal(0);
    await get(b);
    expect(loads).to.equal(1);
  });
});
