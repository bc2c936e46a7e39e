// New heads over WebSocket from a real `hardhat node` child (Hardhat 3 serves WebSocket on the
// HTTP port), through a TCP proxy that the test takes down and brings back.
import { expect } from "chai";
import { createPublicClient, http } from "viem";

import { startTcpProxy, type TcpProxy } from "../../../testkit/tcp-proxy.ts";
import { testContext } from "../../../testkit/daemon-context.ts";
import { startHardhatNode, waitFor, type HardhatNode } from "../../../testkit/local-cluster.ts";
import { watchHeads, type HeadWatcher } from "./ws-heads.ts";

describe("daemon WebSocket heads (hardhat node child, TCP proxy)", function () {
  this.timeout(60_000);
  let node: HardhatNode | undefined;
  let proxy: TcpProxy | undefined;
  let heads: HeadWatcher | undefined;
  before(async () => {
    node = await startHardhatNode();
  });
  afterEach(async () => {
    heads?.close();
    await proxy?.close();
  });
  after(() => node?.kill());

  it("announces each new head, rides out a dropped socket with back-off, and announces again after reconnecting", async function () {
    const publicClient = createPublicClient({ transport: http(node!.url) });
    const mine = () => publicClient.request({ method: "evm_mine" as never, params: [] as never });
    proxy = await startTcpProxy({ port: node!.port });
    const { context, records } = testContext();
    heads = watchHeads(context, { url: `ws://127.0.0.1:${proxy.port}`, baseDelayMs: 50, maxDelayMs: 400 });
    const h = heads;
    await waitFor("the subscription", () => (h.connected ? true : undefined), 10_000, 20);

    await mine();
    const head = await h.next(5_000);
    const block = await publicClient.getBlock();
    expect(head).to.deep.equal({ number: block.number, hash: block.hash, parentHash: block.parentHash, timestamp: block.timestamp });
    expect(await h.next(200)).to.equal(undefined);

    await proxy.down();
    await waitFor("the drop to be noticed", () => (!h.connected ? true : undefined), 10_000, 20);
    await mine(); // announced to nobody: the chain input finds it by walking back from the next head
    await new Promise((r) => setTimeout(r, 1_000)); // several failed attempts while it is down
    await proxy.up();
    await waitFor("the reconnection", () => (h.connected ? true : undefined), 10_000, 20);
    await mine();
    const after = await h.next(5_000);
    expect(after!.number).to.equal(await publicClient.getBlockNumber());
    expect(after!.number).to.equal(block.number + 2n);

    const msgs = records.map((r) => r.msg);
    expect(msgs.filter((m) => m === "websocket closed; reconnecting")).to.have.length(1);
    expect(msgs.filter((m) => m === "websocket connection failed; retrying").length).to.be.at.least(2);
    expect(msgs.indexOf("websocket reconnected")).to.be.above(msgs.indexOf("websocket closed; reconnecting"));
    expect(context.metrics.render()).to.match(/^hashwork_chain_ws_reconnects_total [1-9]/m);
  });
});
