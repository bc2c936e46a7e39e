/**
 * Review: can checkpoint history make a draw expensive? A bond top-up may be 1 wei (the bond
 * only has to stay >= the minimum), and every weight change in a new block appends a checkpoint
 * to the 8 nodes on the member's path, root included. A draw for an older snapshot then
 * binary-searches those histories (OpenZeppelin upperLookupRecent) instead of reading the
 * latest checkpoint. Measured: the attacker pays per block far more than the draw's extra cost,
 * which grows with the log of the history. This held (low impact).
 */
import { expect } from "chai";
import { network } from "hardhat";

import { createDisputeFixtures } from "../../test/disputes/fixtures.js";
import { TOKEN_UNIT, sybils } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, mine, takeSnapshot } = networkHelpers;

const BLOCKS = 300;

describe("Review: checkpoint history and draw gas", function () {
  this.timeout(0);

  it(`${BLOCKS} blocks of 1-wei top-ups by 4 accounts after the snapshot raise the draw's gas only modestly`, async function () {
    const d = await loadFixture(fixtures.challenged);
    const attackers = await sybils(ethers, networkHelpers, d, "history", 4, 1_000n * TOKEN_UNIT);
    for (const a of attackers) await d.pool.connect(a).bond(100n * TOKEN_UNIT); // after the snapshot: not eligible, but on the tree
    await mine(1);
    const snap = await takeSnapshot();
    const baseline = (await (await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms)).wait())!.gasUsed;
    await snap.restore();
    let attackerGas = 0n;
    for (let b = 0; b < BLOCKS; b++) {
      for (const a of attackers) attackerGas += (await (await d.pool.connect(a).bond(1n)).wait())!.gasUsed;
    }
    // The seed block is long gone: re-seed once (this is what any late draw does) and draw.
    await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms);
    await mine(1);
    const rx = (await (await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms)).wait())!;
    expect(rx.logs.some((l) => d.disputes.interface.parseLog(l)?.name === "CommitteeDrawn")).to.equal(true);
    console.log(
      `      draw: ${baseline} gas before, ${rx.gasUsed} gas after ${BLOCKS * 4} top-ups (attacker paid ${attackerGas} gas, ${attackerGas / BigInt(BLOCKS * 4)} per top-up)`,
    );
    expect(rx.gasUsed).to.be.lessThan(baseline * 3n);
  });
});
