// The test kit's nodes start race-free: each binds a port the kernel picks and says which, so two
// starts at once never share one, and a node that cannot bind its port fails the start with one
// line. It used to pick a free port, spawn the node on it and wait for *anything* to answer there:
// when another process took the port in between, the test went on against that process's node
// (three engineers saw "you have 0 tokens" right after deploying to a fresh anvil).
import { expect } from "chai";

import { type HardhatNode, startAnvilNode, startHardhatNode } from "../../testkit/local-cluster.ts";

async function blockNumber(url: string): Promise<bigint | undefined> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
  }).catch(() => undefined);
  return r?.ok ? BigInt(((await r.json()) as { result: string }).result) : undefined;
}

async function mine(url: string): Promise<void> {
  await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] }),
  });
}

/** The error a start rejects with (a node that started after all is kept, to be killed). */
async function failedStart(start: Promise<HardhatNode>, nodes: HardhatNode[]): Promise<Error | undefined> {
  try {
    nodes.push(await start);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

describe("testkit nodes", function () {
  this.timeout(120_000);
  const nodes: HardhatNode[] = [];
  after(async function () {
    for (const node of nodes) node.kill();
    await Promise.all(nodes.map((node) => node.exited));
  });

  it("four anvils started at once each serve their own chain on their own port", async function () {
    const started = await Promise.all([0, 1, 2, 3].map(() => startAnvilNode()));
    nodes.push(...started);
    expect(new Set(started.map((n) => n.port)).size).to.equal(4);
    // Mine i blocks on node i: each URL shows its own node's height, so no two are one chain.
    for (const [i, node] of started.entries()) for (let k = 0; k < i; k++) await mine(node.url);
    expect(await Promise.all(started.map((n) => blockNumber(n.url)))).to.deep.equal([0n, 1n, 2n, 3n]);
    // And each URL belongs to its own child: killing it takes that URL, and only that one, down.
    started[0]!.kill();
    await started[0]!.exited;
    expect(await blockNumber(started[0]!.url)).to.equal(undefined);
    expect(await blockNumber(started[1]!.url)).to.equal(1n);
  });

  it("a node whose port another node holds fails the start in one line instead of using that node", async function () {
    const holder = await startAnvilNode();
    nodes.push(holder);
    const anvilError = await failedStart(startAnvilNode({ port: holder.port }), nodes);
    expect(anvilError?.message).to.match(/^anvil exited \(code 1\) before listening: Error: Address already in use/);
    const hardhatError = await failedStart(startHardhatNode({ port: holder.port }), nodes);
    expect(hardhatError?.message).to.match(/^hardhat node exited \(code 1\) before listening: Error: listen EADDRINUSE/);
    expect(hardhatError?.message).to.not.contain("\n");
    expect(await blockNumber(holder.url)).to.equal(0n);
  });
});
