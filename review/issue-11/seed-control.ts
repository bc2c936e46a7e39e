/**
 * Review: who controls the committee seed.
 *
 * A. The seed is blockhash(snapshotBlock + 1). Whoever builds that block sees the snapshot (it is
 *    final) and can try block variants (transaction order or set, timestamp, extra data) until
 *    the pool's draw seats its friends, then publish that one. docs/economics.md ("Randomness")
 *    says only that a proposer can *withhold* a block; a builder/sequencer can *grind* it. Here
 *    the variants are timestamps (the same thing the test fixtures' mineSeedFor does): an account
 *    with 18% of the eligible weight (binomial capture rate 8.9%) gets 2 of 3 seats after a
 *    handful of candidate blocks, at no on-chain cost.
 *
 * B. Re-rolls by waiting (documented under "Re-rolls by keepers' silence"): confirmed. The
 *    provider simulates each seed; if it dislikes it, it waits 257 blocks (nobody else draws)
 *    and calls drawCommittee, which reschedules to the next block; repeat.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { CHALLENGE_SALT, challengeCommitment, createDisputeFixtures, predictDraw } from "../../test/disputes/fixtures.js";
import { TOKEN_UNIT, sybils } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, mine, time, takeSnapshot } = networkHelpers;

/** 18% of the eligible weight (7,000 honest tokens) bonded by the attacker BEFORE the challenge. */
const ATTACKER_BOND = 1_537n * TOKEN_UNIT;

async function challengedWithAttacker() {
  const d = await fixtures.submitted();
  const [attacker] = await sybils(ethers, networkHelpers, d, "seed attacker", 1, ATTACKER_BOND);
  await d.pool.connect(attacker).bond(ATTACKER_BOND);
  await d.disputes
    .connect(d.challenger)
    .commitChallenge(challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT));
  await d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT);
  return { ...d, attacker };
}

const majority = (c: { verifiers: string[]; votes: bigint[] }, who: string) => {
  const j = c.verifiers.indexOf(who);
  return j >= 0 && c.votes[j] >= 2n;
};

describe("Review: control of the committee seed", function () {
  it("the builder of the seed block grinds it until an 18%-share account holds 2 of 3 seats", async function () {
    const d = await loadFixture(challengedWithAttacker);
    const { snapshotBlock } = await d.disputes.getDispute(d.jobId);
    const share =
      Number(await d.pool.weightAt(d.attacker.address, snapshotBlock)) /
      Number((await d.pool.totalWeightAt(snapshotBlock)) - 3_000n * TOKEN_UNIT);
    let attempts = 0;
    for (attempts = 1; attempts <= 300; attempts++) {
      const snapshot = await takeSnapshot();
      await time.setNextBlockTimestamp((await time.latest()) + attempts);
      await mine(1);
      if (majority(await predictDraw(ethers, d, d.jobId, d.terms), d.attacker.address)) break;
      await snapshot.restore();
    }
    console.log(`      eligible share ${share.toFixed(3)}; candidate seed blocks tried: ${attempts}`);
    expect(attempts).to.be.lessThanOrEqual(300);
    const rx = (await (await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms)).wait())!;
    const drawn = rx.logs.map((l) => d.disputes.interface.parseLog(l)).find((p) => p?.name === "CommitteeDrawn")!;
    expect(majority({ verifiers: [...drawn.args.verifiers], votes: [...drawn.args.votes] }, d.attacker.address)).to.equal(true);
  });

  it("without grinding, the provider re-rolls by letting seeds expire until the 18% account holds 2 of 3 seats", async function () {
    const d = await loadFixture(challengedWithAttacker);
    await mine(1);
    let rerolls = 0;
    let blocks = 0;
    let gas = 0n;
    while (!majority(await predictDraw(ethers, d, d.jobId, d.terms), d.attacker.address)) {
      expect(rerolls).to.be.lessThan(300);
      await mine(257);
      const rx = (await (await d.disputes.connect(d.provider).drawCommittee(d.jobId, d.terms)).wait())!;
      gas += rx.gasUsed;
      expect(rx.logs.some((l) => d.disputes.interface.parseLog(l)?.name === "DrawRescheduled")).to.equal(true);
      await mine(1);
      rerolls++;
      blocks += 259;
    }
    console.log(`      re-rolls: ${rerolls} (${blocks} blocks of nobody drawing; ${gas} gas of reschedules)`);
    const rx = (await (await d.disputes.connect(d.provider).drawCommittee(d.jobId, d.terms)).wait())!;
    expect(rx.logs.some((l) => d.disputes.interface.parseLog(l)?.name === "CommitteeDrawn")).to.equal(true);
  });
});
