/**
 * The new deadline bound (`maxDisputeDuration ≥ minDisputeDuration()`) is checked by the module's
 * `setConfig` (and constructor) and by the market's `setMaxDisputeDuration` against the CURRENT
 * module, but not by `setDisputeModule`. PASSES WHILE THE ATTACK WORKS.
 *
 * A replacement module B is deployed (its constructor checks its rounds against today's 14-day
 * deadline: 13.6 days fit). Before the swap executes, `setMaxDisputeDuration(1 day)` passes (it is
 * checked against the old module's 4h40m). After the swap, every dispute B opens has a 1-day
 * deadline and a 3.4-day commit period: one silent seat (a liar's sybil, or an offline verifier)
 * keeps reveals shut past the deadline, `resolve` reverts `DisputeDeadlinePassed`, and the only
 * way out is the void: the lying provider keeps its collateral, its reputation, and the silent
 * seat loses nothing (a void slashes no one). This is landing-2 #3 reopened by ordering.
 */
import { expect } from "chai";
import { network } from "hardhat";

import {
  COLLATERAL,
  DISPUTE_PARAMETERS,
  Phase,
  challenge,
  createDisputeFixtures,
  expectSystemSolvent,
} from "../../test/disputes/fixtures.js";
import { newModule } from "../landing/_helpers.js";
import { bondOf, drawNow } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time, mine } = networkHelpers;

describe("landing review 4: the deadline bound and a module swap", function () {
  this.timeout(300_000);

  it("setDisputeModule installs a module whose rounds no longer fit the market's dispute deadline; a lying provider's dispute can only be voided", async function () {
    const d = await fixtures.deployed();
    const period = Math.floor(3.4 * 86_400);
    const config = { ...DISPUTE_PARAMETERS, maxRounds: 2, commitPeriod: period, revealPeriod: period };
    const b = await newModule(ethers, d, config); // checked against today's 14 days: fits
    const bMin = await b.next.minDisputeDuration();
    expect(bMin).to.be.lessThanOrEqual(BigInt(await d.market.maxDisputeDuration()));

    // Governance, in the order the timelock happens to execute its proposals:
    await d.market.connect(d.owner).setMaxDisputeDuration(86_400); // checked against the OLD module only
    await d.disputes.connect(d.owner).sharePool(b.nextAddress);
    await d.market.connect(d.owner).setDisputeModule(b.nextAddress); // no check at all
    const max = BigInt(await d.market.maxDisputeDuration());
    expect(bMin).to.be.greaterThan(max, "the installed module's rounds exceed the market's deadline");
    console.log(`      installed module's minDisputeDuration ${bMin} s > market's maxDisputeDuration ${max} s`);

    // A lying provider is challenged through B.
    const job = await fixtures.submitJob(d);
    await d.token.connect(d.challenger).approve(b.nextAddress, ethers.MaxUint256);
    await challenge(b.next, job.jobId, job.terms, d.challenger, job.challengerHash);
    const sys = { ...d, disputes: b.next, disputesAddress: b.nextAddress };
    const everyone = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];
    const { seats } = await drawNow(ethers, networkHelpers, sys, job.jobId, job.terms, d.keeper, everyone);
    const dispute = await b.next.getDispute(job.jobId);
    const deadline = (await d.market.getJob(job.jobId)).deadline;
    expect(dispute.commitDeadline).to.be.greaterThan(deadline, "round 0's commit period alone outlasts the dispute");

    // Every seat but one (silent) commits the truth; reveals stay shut until the commit deadline.
    const silent = seats[seats.length - 1];
    const silentBond = await bondOf(sys, silent.address);
    for (const [i, s] of seats.slice(0, -1).entries()) {
      await b.next
        .connect(s)
        .commitVote(
          job.jobId,
          i,
          ethers.keccak256(
            ethers.AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32", "address"], [job.challengerHash, ethers.ZeroHash, s.address]),
          ),
        );
    }
    await time.increaseTo(dispute.commitDeadline + 1n);
    await expect(b.next.resolve(job.jobId, job.terms)).to.be.revertedWithCustomError(b.next, "DisputeDeadlinePassed");

    const before = await d.market.stakeOf(d.provider.address);
    await b.next.voidDispute(job.jobId, job.terms);
    const after = await d.market.stakeOf(d.provider.address);
    expect(after.staked).to.equal(before.staked, "the liar's collateral is not slashed");
    expect(before.locked - after.locked).to.equal(COLLATERAL, "it is unlocked");
    expect((await b.next.getDispute(job.jobId)).phase).to.equal(Phase.Voided);
    expect(await bondOf(sys, silent.address)).to.equal(silentBond, "the silent seat lost nothing");
    await mine(1);
    await expectSystemSolvent(sys);
  });
});
