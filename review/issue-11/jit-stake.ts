/**
 * Review: just-in-time verifier stake.
 *
 * The snapshot is the end of the block the dispute opened in, so a bond mined in that very block
 * (even after the challenge's reveal) counts. The watcher's commitChallenge is public at least one
 * block before the reveal, so a lying provider gets a warning and can bring stake only when it
 * is challenged (no mempool needed; with the mempool, it can also follow the reveal in the same
 * block). For an audit it is simpler still: the provider knows its job is selected one block after
 * submitting and can call startAudit itself, after bonding.
 *
 * What the stake risks: nothing when it wins. A majority is never slashed (the honest minority
 * is), and the whole bond comes back after withdrawalDelay() (14 days locally). The only cost is
 * capital parked for 14 days and gas. The capture rate follows the binomial for the attacker's
 * share of the eligible weight at the snapshot, so it needs k times the honest pool: measured
 * below for k = 1, 3, 9 and shown end to end with 10M tokens (≈1,400× the honest pool).
 */
import { expect } from "chai";
import { network } from "hardhat";

import {
  BOND,
  CHALLENGE_SALT,
  challengeCommitment,
  committeeOf,
  createDisputeFixtures,
  expectSystemSolvent,
  seatsBy,
  vote,
} from "../../test/disputes/fixtures.js";
import { TOKEN_UNIT, inOneBlock, sybils, tip } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, mine, time } = networkHelpers;

const JIT = 10_000_000n * TOKEN_UNIT;

/** The watcher commits (public); in the next block it reveals, and the provider's sybil bonds JIT after it. */
async function jitBonded() {
  const d = await fixtures.submitted(); // provider's hash id("provider") is the lie
  const [sybil] = await sybils(ethers, networkHelpers, d, "jit", 1, JIT);
  await d.disputes
    .connect(d.challenger)
    .commitChallenge(challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT));
  const [revealTx, bondTx] = await inOneBlock(ethers, async () => [
    await d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT, tip(50n)),
    await d.pool.connect(sybil).bond(JIT, tip(1n)),
  ]);
  const reveal = (await revealTx.wait())!;
  const bond = (await bondTx.wait())!;
  return { ...d, sybil, reveal, bond };
}

describe("Review: just-in-time stake captures committees", function () {
  it("a bond mined after the challenge's reveal, in the same block, counts at the dispute's snapshot", async function () {
    const d = await loadFixture(jitBonded);
    expect(d.bond.blockNumber).to.equal(d.reveal.blockNumber);
    expect(d.bond.index).to.be.greaterThan(d.reveal.index);
    const { snapshotBlock } = await d.disputes.getDispute(d.jobId);
    expect(await d.pool.weightAt(d.sybil.address, snapshotBlock)).to.equal(JIT);
    console.log(`      JIT bond: ${d.bond.gasUsed} gas`);
  });

  it("capture rate of a JIT stake k × the honest eligible weight over 300 seeds: k=1 ~50%, k=3 ~84%, k=9 ~97%", async function () {
    const d = await loadFixture(fixtures.submitted);
    const honest = 7_000n * TOKEN_UNIT; // seven verifiers; provider, challenger and requester are excluded
    const rates: number[] = [];
    for (const k of [1n, 3n, 9n]) {
      const [s] = await sybils(ethers, networkHelpers, d, `jit k=${k}`, 1, honest * k);
      await d.pool.connect(s).bond(honest * k);
      const at = await ethers.provider.getBlockNumber();
      let captured = 0;
      for (let i = 0; i < 300; i++) {
        const [verifiers, votes] = await d.pool.draw(at, ethers.id(`k${k} seed ${i}`), 3, [
          d.provider.address,
          d.challenger.address,
          d.requester.address,
        ]);
        const j = verifiers.indexOf(s.address);
        if (j >= 0 && votes[j] >= 2n) captured++;
      }
      rates.push(captured / 300);
      await d.pool.connect(s).requestWithdrawal(honest * k); // out again for the next k
    }
    console.log(`      capture rates (2 of 3 seats): k=1 ${rates[0]}, k=3 ${rates[1]}, k=9 ${rates[2]}`);
    expect(rates[0]).to.be.within(0.4, 0.6); // binomial 0.5
    expect(rates[1]).to.be.within(0.77, 0.91); // 0.844
    expect(rates[2]).to.be.within(0.94, 1); // 0.972
  });

  it("end to end: the JIT committee upholds the lie, the honest watcher loses its bond, and the sybil withdraws its whole bond (plus fees) 14 days later", async function () {
    const d = await loadFixture(jitBonded);
    await mine(1);
    const committee = committeeOf(d.disputes, await (await d.disputes.connect(d.keeper).drawCommittee(d.jobId, d.terms)).wait());
    const seats = seatsBy(committee.verifiers, [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers, d.sybil as never]);
    const sybilVotes = committee.votes[committee.verifiers.indexOf(d.sybil.address)] ?? 0n;
    expect(sybilVotes).to.be.greaterThanOrEqual(2n);
    await vote(
      d.disputes,
      d.jobId,
      seats,
      seats.map((s) => (s.address === d.sybil.address ? (d.terms.resultHash as string) : d.challengerHash)),
    );
    await expect(d.disputes.resolve(d.jobId, d.terms))
      .to.emit(d.disputes, "DisputeResolved")
      .withArgs(d.jobId, true, false, d.terms.resultHash, sybilVotes);
    // The watcher's bond is gone: verifier pay (mostly the sybil's) and the rest to the lying provider.
    // Fee per winning vote, plus the slash of an honest minority seat if there was one.
    const sybilLedger = await d.market.balanceOf(d.sybil.address);
    const slashOfHonestSeat = sybilVotes === 3n ? 0n : 5n * TOKEN_UNIT;
    expect(sybilLedger).to.equal((sybilVotes * 10n ** 18n) / 2n + slashOfHonestSeat);
    console.log(`      sybil votes ${sybilVotes}, paid ${sybilLedger} (incl. the honest minority's slash ${slashOfHonestSeat})`);
    await d.pool.connect(d.sybil).requestWithdrawal(JIT);
    await time.increase(Number(await d.pool.withdrawalDelay()) + 1);
    await d.pool.connect(d.sybil).withdraw(d.sybil.address);
    expect(await d.token.balanceOf(d.sybil.address)).to.equal(JIT);
    expect(BOND).to.equal(20n * TOKEN_UNIT);
    await expectSystemSolvent(d);
  });
});
