import { expect } from "chai";

import { createBatcher } from "./batch.ts";

/** A flush the test finishes by hand: records each batch and when it may return. */
function manualFlush() {
  const batches: { ids: bigint[]; finish: () => void }[] = [];
  const flush = (items: { jobId: bigint }[]) =>
    new Promise<Map<bigint, string>>((resolve) => {
      const ids = items.map((i) => i.jobId);
      batches.push({ ids, finish: () => resolve(new Map(ids.map((id) => [id, `done ${id}`]))) });
    });
  return { batches, flush };
}
const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe("daemon batcher (pipelined batches)", function () {
  it("keeps up to `inFlight` batches out at once; what arrives meanwhile fills the next batch", async function () {
    const { batches, flush } = manualFlush();
    const batcher = createBatcher(flush, { windowMs: 5, inFlight: 2, fill: 1 });
    const first = batcher.add({ jobId: 1n });
    await tick();
    const second = batcher.add({ jobId: 2n });
    await tick();
    // Two batches are out, neither finished: the third and fourth items wait together.
    expect(batches.map((b) => b.ids)).to.deep.equal([[1n], [2n]]);
    expect(batcher.inFlight).to.equal(2);
    const third = batcher.add({ jobId: 3n });
    const fourth = batcher.add({ jobId: 4n });
    await tick();
    expect(batches).to.have.length(2);
    expect(batcher.size).to.equal(2);
    batches[1]!.finish();
    expect(await second).to.equal("done 2");
    await tick();
    expect(batches.map((b) => b.ids)).to.deep.equal([[1n], [2n], [3n, 4n]]);
    batches[0]!.finish();
    batches[2]!.finish();
    expect(await Promise.all([first, third, fourth])).to.deep.equal(["done 1", "done 3", "done 4"]);
    await tick(5);
    expect(batcher.inFlight).to.equal(0);
  });

  it("beside a batch already out, sends another only once it is worth a transaction: `fill` items, or the oldest waited `fillMs`", async function () {
    const { batches, flush } = manualFlush();
    const batcher = createBatcher(flush, { windowMs: 5, inFlight: 3, fill: 3, fillMs: 150 });
    void batcher.add({ jobId: 1n });
    await tick();
    expect(batches.map((b) => b.ids)).to.deep.equal([[1n]]); // alone: after the window
    void batcher.add({ jobId: 2n });
    await tick(60);
    expect(batches).to.have.length(1); // one item beside a batch out: it waits
    void batcher.add({ jobId: 3n });
    void batcher.add({ jobId: 4n });
    await tick();
    expect(batches.map((b) => b.ids)).to.deep.equal([[1n], [2n, 3n, 4n]]); // full enough: at once
    void batcher.add({ jobId: 5n });
    await tick(60);
    expect(batches).to.have.length(2);
    await tick(150);
    expect(batches.map((b) => b.ids)).to.deep.equal([[1n], [2n, 3n, 4n], [5n]]); // waited long enough
    for (const b of batches) b.finish();
  });

  it("with one in flight, sends one batch at a time (the behaviour before pipelining)", async function () {
    const { batches, flush } = manualFlush();
    const batcher = createBatcher(flush, { windowMs: 5, max: 2 });
    const all = [1n, 2n, 3n].map((jobId) => batcher.add({ jobId }));
    await tick();
    expect(batches.map((b) => b.ids)).to.deep.equal([[1n, 2n]]);
    batches[0]!.finish();
    await tick();
    expect(batches.map((b) => b.ids)).to.deep.equal([[1n, 2n], [3n]]);
    batches[1]!.finish();
    expect(await Promise.all(all)).to.deep.equal(["done 1", "done 2", "done 3"]);
  });
});
