import { expect } from "chai";
import { getAddress } from "viem";

import { sampled } from "./watcher.ts";

const ME = getAddress("0x90f79bf6eb2c4f870365e785982e1f101e93b906");
const OTHER = getAddress("0x15d34aaf54267db7d7c367839aaf71a00a2c6a65");

describe("daemon watcher sampling", function () {
  const ids = Array.from({ length: 4000 }, (_, i) => BigInt(i) * 7919n + 1n);

  it("checks everything at rate 1 and nothing at rate 0", function () {
    expect(ids.every((id) => sampled(ME, id, 1))).to.equal(true);
    expect(ids.some((id) => sampled(ME, id, 0))).to.equal(false);
  });

  it("draws about the configured share, the same way every time (a restart), and differently per watcher", function () {
    const mine = ids.filter((id) => sampled(ME, id, 0.25));
    expect(mine.length / ids.length).to.be.within(0.22, 0.28);
    expect(ids.filter((id) => sampled(ME, id, 0.25))).to.deep.equal(mine);
    const theirs = new Set(ids.filter((id) => sampled(OTHER, id, 0.25)));
    const both = mine.filter((id) => theirs.has(id)).length;
    // Independent draws overlap on about a quarter of a quarter.
    expect(both / ids.length).to.be.within(0.04, 0.085);
  });
});
