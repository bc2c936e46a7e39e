/**
 * The confirmation-depth transport the indexer hands Ponder, against a real node: the head it
 * reports (`eth_blockNumber`, `eth_getBlockByNumber("latest")`) is `depth` blocks behind the
 * node's, everything else passes through.
 */
import { expect } from "chai";
import { createPublicClient, http } from "viem";

import { confirmedTransport } from "../../indexer/lib/confirmations.ts";
import { startAnvilNode, type HardhatNode } from "../../testkit/local-cluster.ts";

describe("the indexer's confirmation depth", function () {
  this.timeout(30_000);
  let node: HardhatNode;
  before(async () => {
    node = await startAnvilNode();
    for (let i = 0; i < 5; i++)
      await fetch(node.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] }),
      });
  });
  after(() => node?.kill());

  it("shows the chain `depth` blocks short, and never below block 0", async function () {
    const direct = createPublicClient({ transport: http(node.url) });
    const head = await direct.getBlockNumber();
    expect(head).to.equal(5n);
    const confirmed = createPublicClient({ transport: confirmedTransport(node.url, 2) });
    expect(await confirmed.getBlockNumber({ cacheTime: 0 })).to.equal(3n);
    const latest = await confirmed.getBlock({ blockTag: "latest" });
    expect(latest.number).to.equal(3n);
    expect(latest.hash).to.equal((await direct.getBlock({ blockNumber: 3n })).hash);
    expect((await confirmed.getBlock({ blockNumber: 5n })).number).to.equal(5n); // explicit numbers pass through
    const deep = createPublicClient({ transport: confirmedTransport(node.url, 100) });
    expect(await deep.getBlockNumber({ cacheTime: 0 })).to.equal(0n);
  });
});
