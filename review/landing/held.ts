/**
 * What held in the landing review: each test PASSES WHILE THE DEFENCE HOLDS.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { CHALLENGE_SALT, STAKE, TOKEN_UNIT, challengeCommitment, createDisputeFixtures } from "../../test/disputes/fixtures.js";
import { finalizedFee, fund, jobRequest, postedJobIds, submittedTerms } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { time } = networkHelpers;
async function auditableWithFees() {
  return fixtures.auditable(200, true, 1);
}

describe("landing review: what held", function () {
  this.timeout(300_000);

  it("an audit opened by the old module is voided after a swap and its whole budget returns to the reserve", async function () {
    const d = await networkHelpers.loadFixture(auditableWithFees);
    const jobId = d.selected[0];
    const terms = d.terms.get(jobId)!;
    const reserveBefore = await d.market.auditReserve();
    await d.disputes.startAudit(jobId, terms);
    expect(await d.market.auditReserve()).to.be.lessThan(reserveBefore);
    const hostile = (await ethers.getSigners())[15];
    await d.market.connect(d.owner).setDisputeModule(hostile.address);
    // The new module can neither settle nor refund the old module's dispute.
    await expect(d.market.connect(hostile).settleDispute(jobId, terms, false)).to.be.revertedWithCustomError(
      d.market,
      "GovNotDisputeModule",
    );
    await expect(d.market.connect(hostile).refundAudit(jobId, 1n)).to.be.revertedWithCustomError(d.market, "GovNotDisputeModule");
    await time.increase(Number(await d.market.maxDisputeDuration()) + 1);
    await d.disputes.voidDispute(jobId, terms);
    expect(await d.market.auditReserve()).to.equal(reserveBefore);
    expect(await d.disputes.totalHeld()).to.equal(0n);
  });

  it("the old module cannot open a dispute after a swap (its challenge reverts, the bond stays with the challenger)", async function () {
    const d = await networkHelpers.loadFixture(fixtures.submitted);
    await d.market.connect(d.owner).setDisputeModule((await ethers.getSigners())[15].address);
    await d.disputes
      .connect(d.challenger)
      .commitChallenge(challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT));
    await expect(
      d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT),
    ).to.be.revertedWithCustomError(d.market, "GovNotDisputeModule");
  });

  it("a copied challenge commitment (front-run) neither fails nor delays the watcher's commit and reveal", async function () {
    const d = await networkHelpers.loadFixture(fixtures.submitted);
    const squatter = (await ethers.getSigners())[14];
    const commitment = challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT);
    await d.disputes.connect(squatter).commitChallenge(commitment);
    const gas = (await (await d.disputes.connect(d.challenger).commitChallenge(commitment)).wait())!.gasUsed;
    await d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT);
    expect(await d.market.jobState(d.jobId)).to.equal(4n);
    console.log(`      the watcher's repeated commit cost ${gas} gas and did not revert`);
  });

  it("stake bonded after the submission weighs nothing in that job's draws", async function () {
    const d = await networkHelpers.loadFixture(fixtures.submitted);
    const late = (await ethers.getSigners())[14];
    await fund(d, [late], 10_000_000n * TOKEN_UNIT, [d.poolAddress]);
    await d.pool.connect(late).bond(10_000_000n * TOKEN_UNIT);
    expect(await d.pool.weightAt(late.address, BigInt(d.terms.submittedBlock) - 1n)).to.equal(0n);
  });

  it("a fee change with the bounds unchanged: a job posted before it pays the old fee; a second change waits", async function () {
    const d = await networkHelpers.loadFixture(fixtures.deployed);
    const now = await time.latest();
    const [jobId] = postedJobIds(
      d.market,
      await (
        await d.market
          .connect(d.requester)
          .postJob(jobRequest(now, { claimDeadline: now + 7 * 86400 - 10, executionTime: 7 * 86400, challengeWindow: 7 * 86400 }))
      ).wait(),
    );
    await d.market.connect(d.owner).setFeeBps(1_000);
    await expect(d.market.connect(d.owner).setFeeBps(100)).to.be.revertedWithCustomError(d.market, "GovFeeChangePending");
    await time.increase(7 * 86400 - 100);
    await d.market.connect(d.provider).claimJob(jobId);
    await time.increase(7 * 86400 - 100);
    const terms = submittedTerms(d.market, await (await d.market.connect(d.provider).submitResult(jobId, ethers.id("ok"), "")).wait()).get(
      jobId,
    )!;
    await time.increase(7 * 86400 + 1);
    expect(finalizedFee(d, await (await d.market.finalizeJob(jobId, terms)).wait())).to.equal(TOKEN_UNIT / 10n);
  });

  it("a paused market still settles, disputes, unstakes and withdraws; the guardian cannot unpause", async function () {
    const d = await networkHelpers.loadFixture(fixtures.submitted);
    const guardian = (await ethers.getSigners())[16];
    await d.market.connect(d.owner).setGuardian(guardian.address);
    await d.market.connect(guardian).pause();
    await expect(d.market.connect(guardian).unpause()).to.be.revertedWithCustomError(d.market, "OwnableUnauthorizedAccount");
    await time.increase(3601);
    await d.market.finalizeJob(d.jobId, d.terms);
    await d.market.connect(d.provider).requestUnstake(STAKE / 2n);
    await time.increase(Number((await d.market.config()).unbondingPeriod) + 1);
    await d.market.connect(d.provider).withdrawUnstaked(d.provider.address);
    await d.pool.connect(d.verifiers[0]).requestWithdrawal(STAKE);
    await time.increase(Number(await d.pool.withdrawalDelay()) + 1);
    await d.pool.connect(d.verifiers[0]).withdraw(d.verifiers[0].address);
    expect((await d.market.config()).paused).to.equal(true);
  });
});
