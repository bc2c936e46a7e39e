import { expect } from "chai";
import { network } from "hardhat";

import type { HashworkPublicClient } from "../utils/client.ts";
import { createChainInput, type ChainEvent } from "./chain-input.ts";
import { testContext } from "../../../testkit/daemon-context.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const publicClient = (await connection.viem.getPublicClient()) as HashworkPublicClient;

const kinds = (events: ChainEvent[]) =>
  events.map((e) => (e.type === "reorg" ? `reorg@${e.ancestor?.number ?? "?"}` : `${e.type}:${e.block.number}`));

describe("daemon chain input (in-process Hardhat network, reorgs by evm_snapshot/evm_revert)", function () {
  let base: bigint;
  beforeEach(async () => {
    await networkHelpers.mine(3);
    base = await publicClient.getBlockNumber();
  });

  it("yields each new block and reports blocks `confirmations` deep as finalized", async function () {
    const { context } = testContext({ confirmations: 2 });
    const input = createChainInput(context, { publicClient });
    expect(kinds(await input.poll())).to.deep.equal([`block:${base}`, `finalized:${base - 2n}`]);
    expect(await input.poll()).to.deep.equal([]);
    await networkHelpers.mine(3);
    expect(kinds(await input.poll())).to.deep.equal([
      `block:${base + 1n}`,
      `block:${base + 2n}`,
      `block:${base + 3n}`,
      `finalized:${base + 1n}`,
    ]);
    expect(input.finalized!.number).to.equal(base + 1n);
    expect(input.head!.number).to.equal(base + 3n);
  });

  it("detects a reorg: reports the common ancestor and the dropped blocks, then the new branch", async function () {
    const { context } = testContext({ confirmations: 0 });
    const input = createChainInput(context, { publicClient });
    await input.poll();
    const fork = await networkHelpers.takeSnapshot();
    await networkHelpers.mine(2);
    const branchA = await input.poll();
    expect(kinds(branchA)).to.deep.equal([`block:${base + 1n}`, `block:${base + 2n}`, `finalized:${base + 2n}`]);
    await fork.restore();
    await networkHelpers.time.increase(100); // mines one block with another timestamp: a different branch
    await networkHelpers.mine(2);
    const events = await input.poll();
    expect(kinds(events)).to.deep.equal([
      `reorg@${base}`,
      `block:${base + 1n}`,
      `block:${base + 2n}`,
      `block:${base + 3n}`,
      `finalized:${base + 3n}`,
    ]);
    const reorg = events[0] as Extract<ChainEvent, { type: "reorg" }>;
    expect(reorg.dropped.map((b) => b.hash)).to.deep.equal(
      branchA.filter((e) => e.type === "block").map((e) => (e as { block: { hash: string } }).block.hash),
    );
    expect((events[1] as { block: { hash: string } }).block.hash).to.not.equal(reorg.dropped[0]!.hash);
  });

  it("a reorg deeper than the confirmation depth rewinds `finalized` and reports the new branch's block again", async function () {
    const { context, records } = testContext({ confirmations: 1 });
    const input = createChainInput(context, { publicClient });
    await input.poll();
    const fork = await networkHelpers.takeSnapshot();
    await networkHelpers.mine(3);
    await input.poll();
    const oldFinal = input.finalized!;
    expect(oldFinal.number).to.equal(base + 2n);
    await fork.restore();
    await networkHelpers.time.increase(50);
    await networkHelpers.mine(2);
    const events = await input.poll();
    expect(kinds(events)[0]).to.equal(`reorg@${base}`);
    expect(kinds(events).at(-1)).to.equal(`finalized:${base + 2n}`);
    expect(input.finalized!.hash).to.not.equal(oldFinal.hash);
    expect(records.some((r) => r.msg === "reorg reached below the confirmation depth")).to.equal(true);
  });

  it("a head that went back to a known block is a reorg to that block", async function () {
    const { context } = testContext({ confirmations: 0 });
    const input = createChainInput(context, { publicClient });
    await input.poll();
    const fork = await networkHelpers.takeSnapshot();
    await networkHelpers.mine(2);
    await input.poll();
    await fork.restore();
    expect(kinds(await input.poll())).to.deep.equal([`reorg@${base}`]);
  });

  it("starting from a cursor: continues if it is canonical, reports a reorg without ancestor if not", async function () {
    const { context } = testContext({ confirmations: 0 });
    const block = await publicClient.getBlock({ blockNumber: base - 1n });
    const resumed = createChainInput(context, { publicClient, start: { number: block.number, hash: block.hash } });
    expect(kinds(await resumed.poll())).to.deep.equal([`block:${base}`, `finalized:${base}`]);
    const stale = createChainInput(context, { publicClient, start: { number: base - 1n, hash: `0x${"11".repeat(32)}` } });
    expect(kinds(await stale.poll())).to.deep.equal(["reorg@?", `block:${base}`, `finalized:${base}`]);
  });

  it("an announced head (WebSocket) goes through the same logic; a late announcement never moves the head back or fakes a reorg", async function () {
    const { context } = testContext({ confirmations: 0 });
    const input = createChainInput(context, { publicClient });
    await input.poll();
    await networkHelpers.mine(2);
    const announce = async (n: bigint) => {
      const b = await publicClient.getBlock({ blockNumber: n });
      return { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp };
    };
    expect(kinds(await input.poll(await announce(base + 2n)))).to.deep.equal([
      `block:${base + 1n}`,
      `block:${base + 2n}`,
      `finalized:${base + 2n}`,
    ]);
    expect(await input.poll(await announce(base + 1n))).to.deep.equal([]);
    expect(await input.poll(await announce(base + 2n))).to.deep.equal([]);
    expect(input.head!.number).to.equal(base + 2n);
  });
});
