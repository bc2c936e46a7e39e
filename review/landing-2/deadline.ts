/**
 * The market's dispute deadline against the last round. PASSES WHILE THE ATTACK WORKS.
 *
 * `setConfig` and `setMaxDisputeDuration` only ask maxRounds × (commitPeriod + revealPeriod) <=
 * maxDisputeDuration ("every round must fit inside the market's dispute deadline, or no dispute
 * could finish"). They leave out the time before each draw (at least one block for the seed, and
 * a round's `resolve` comes only after its reveal deadline) and the arbiter's time. At the bound
 * the checks allow, the last round's reveal deadline always falls after the market's deadline, and
 * now that `settleDispute` refuses past that deadline, a single seat that commits and never reveals
 * keeps `resolve` waiting until the reveal deadline, where the settlement reverts: the dispute
 * can only be voided. The lying provider keeps its collateral, nobody is slashed (the void unlocks
 * every seat), the honest verifiers are paid nothing. The arbiter has no time either.
 *
 * B (any settings). `resolve` checks neither the market's state nor its deadline. Past the
 * deadline a round that cannot decide still "fails": its silent seats are slashed into the pot,
 * the next draw is refused, and the void sends the pot to the treasury. The round's truthful
 * revealer gets nothing; whoever calls first (`resolve` or `voidDispute`) decides whether the
 * silent seats lose half their lock. "Nothing but void past the deadline" does not hold for it.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { disputeConfig } from "../../scripts/lib/deploy-local.js";
import {
  COLLATERAL,
  DISPUTE_PARAMETERS,
  Phase,
  SLASH,
  challenge,
  createDisputeFixtures,
  distinct,
  vote,
  voteCommitment,
} from "../../test/disputes/fixtures.js";
import { bondOf, fmt, mineSeedWhere, signersOf } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;

describe("landing review 2: the last round against the market's dispute deadline", function () {
  this.timeout(300_000);

  it("A: at the allowed bound (one round, maxDisputeDuration = commit + reveal) one silent committed seat turns a lost dispute into a void", async function () {
    const d = await networkHelpers.loadFixture(fixtures.deployed);
    // Governance settings both checks accept: one round of 1 h + 1 h, disputes of 2 h.
    await d.disputes.connect(d.owner).setConfig(disputeConfig({ ...DISPUTE_PARAMETERS, maxRounds: 1 }));
    await d.market.connect(d.owner).setMaxDisputeDuration(2 * 3600);
    expect(await d.disputes.minDisputeDuration()).to.equal(BigInt(2 * 3600));

    // The provider submits a wrong hash ("provider"); an honest watcher challenges with the right one.
    const job = await fixtures.submitJob(d);
    const truth = job.challengerHash;
    await challenge(d.disputes, job.jobId, job.terms, d.challenger, truth);
    const marketDeadline = (await d.market.getJob(job.jobId)).deadline;
    await mineSeedWhere(ethers, networkHelpers, d, job.jobId, job.terms, (c) => distinct(c.votes));
    await d.disputes.connect(d.keeper).drawCommittee(job.jobId, job.terms);
    const seats = signersOf(
      (await d.disputes.getCommittee(job.jobId, 0)).map((s) => s.verifier),
      d.verifiers,
    );
    const dispute = await d.disputes.getDispute(job.jobId);
    console.log(
      `      market deadline ${marketDeadline}, the round's reveal deadline ${dispute.revealDeadline} (+${dispute.revealDeadline - marketDeadline} s)`,
    );
    expect(dispute.revealDeadline).to.be.greaterThan(marketDeadline);

    // Seats 0 and 1 are honest; seat 2 is the liar's account: it commits and never reveals.
    const attacker = seats[2];
    const attackerBond = await bondOf(d, attacker.address);
    const salt = ethers.id("salt");
    for (const s of seats.slice(0, 2))
      await d.disputes.connect(s).commitVote(job.jobId, seats.indexOf(s), voteCommitment(truth, salt, s.address));
    const attackGas = (await (
      await d.disputes.connect(attacker).commitVote(job.jobId, 2, voteCommitment(job.providerHash, salt, attacker.address))
    ).wait())!.gasUsed;
    for (const s of seats.slice(0, 2)) await d.disputes.connect(s).revealVote(job.jobId, seats.indexOf(s), truth, salt);
    // Two of three revealed the truth (a quorum and a majority), but one seat is still committed:
    // resolve must wait for the reveal deadline, which is past the market's deadline.
    await expect(d.disputes.resolve(job.jobId, job.terms)).to.be.revertedWithCustomError(d.disputes, "DisputeVotingOngoing");
    await time.increaseTo(dispute.revealDeadline + 1n);
    await expect(d.disputes.resolve(job.jobId, job.terms)).to.be.revertedWithCustomError(d.market, "MarketDisputeDeadlinePassed");

    // Only the void is left.
    const providerStake = await d.market.stakeOf(d.provider.address);
    await d.disputes.voidDispute(job.jobId, job.terms);
    expect((await d.disputes.getDispute(job.jobId)).phase).to.equal(Phase.Voided);
    const after = await d.market.stakeOf(d.provider.address);
    expect(after.staked).to.equal(providerStake.staked, "the liar's collateral is not slashed");
    expect(providerStake.locked - after.locked).to.equal(COLLATERAL, "it is unlocked");
    expect(await bondOf(d, attacker.address)).to.equal(attackerBond, "the silent seat loses nothing");
    console.log(
      `      attacker: one commit (${attackGas} gas), nothing at risk; the lying provider keeps ${fmt(COLLATERAL)} of collateral; ` +
        `two honest verifiers sent 4 transactions for 0`,
    );
  });

  it("B: past the market's deadline resolve still fails a round and slashes its silent seat; the void sends the pot to the treasury", async function () {
    const d = await networkHelpers.loadFixture(fixtures.drawn);
    const [truthful, , silent] = d.seat;
    await vote(d.disputes, d.jobId, d.seat, [d.challengerHash, d.providerHash, undefined], time);
    const deadline = (await d.market.getJob(d.jobId)).deadline;
    await time.increaseTo(deadline + 1n);
    const silentBond = await bondOf(d, silent.address);
    const treasuryBefore = await d.market.balanceOf(await d.market.treasury());
    const truthfulBefore = await d.market.balanceOf(truthful.address);
    await d.disputes.resolve(d.jobId, d.terms); // no deadline check: the round fails
    expect(silentBond - (await bondOf(d, silent.address))).to.equal(SLASH);
    expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.AwaitingDraw);
    await mine(1);
    await expect(d.disputes.drawCommittee(d.jobId, d.terms)).to.be.revertedWithCustomError(d.disputes, "DisputeDeadlinePassed");
    await d.disputes.voidDispute(d.jobId, d.terms);
    const toTreasury = (await d.market.balanceOf(await d.market.treasury())) - treasuryBefore;
    expect(toTreasury).to.equal(SLASH);
    expect(await d.market.balanceOf(truthful.address)).to.equal(truthfulBefore, "the truthful revealer gets nothing");
    console.log(
      `      past the deadline: silent seat -${fmt(SLASH)}, treasury +${fmt(toTreasury)}, truthful revealer +0 (a void called first would have slashed no one)`,
    );
  });
});
