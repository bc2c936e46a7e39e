import { expect } from "chai";
import { network } from "hardhat";

import { BOND, JobState, Phase, createDisputeFixtures, expectSystemSolvent } from "./fixtures.js";

const { ethers, networkHelpers } = await network.create();
const fixtures = createDisputeFixtures(ethers, networkHelpers);
const { loadFixture, time } = networkHelpers;

describe("HashworkDisputes: challenge", function () {
  describe("during the challenge window", function () {
    it("moves the job to Disputed in the market", async function () {
      const d = await loadFixture(fixtures.challenged);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Disputed);
    });

    it("emits DisputeOpened with both hashes, the bond and the seed block", async function () {
      const d = await loadFixture(fixtures.submitted);
      const tx = d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash);
      const seedBlock = (await ethers.provider.getBlockNumber()) + 2;
      await expect(tx)
        .to.emit(d.disputes, "DisputeOpened")
        .withArgs(d.jobId, d.challenger.address, d.provider.address, d.providerHash, d.challengerHash, BOND, seedBlock);
    });

    it("takes the bond from the challenger into the module's ledger balance", async function () {
      const d = await loadFixture(fixtures.submitted);
      await expect(d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.challenger, d.market],
        [-BOND, BOND],
      );
      expect(await d.market.balanceOf(d.disputesAddress)).to.equal(BOND);
      expect(await d.disputes.totalHeld()).to.equal(BOND);
    });

    it("records the dispute as awaiting its committee draw", async function () {
      const d = await loadFixture(fixtures.challenged);
      const dispute = await d.disputes.getDispute(d.jobId);
      expect(dispute.phase).to.equal(Phase.AwaitingDraw);
      expect(dispute.challenger).to.equal(d.challenger.address);
      expect(dispute.challengerHash).to.equal(d.challengerHash);
      expect(dispute.size).to.equal(3n);
    });

    it("keeps both the market and the module solvent", async function () {
      const d = await loadFixture(fixtures.challenged);
      await expectSystemSolvent(d);
    });

    it("may come from the requester", async function () {
      const d = await loadFixture(fixtures.submitted);
      await d.disputes.connect(d.requester).challenge(d.jobId, d.terms, d.challengerHash);
      expect((await d.disputes.getDispute(d.jobId)).challenger).to.equal(d.requester.address);
    });
  });

  describe("is refused", function () {
    it("from the provider itself with DisputeProviderCannotChallenge(jobId)", async function () {
      const d = await loadFixture(fixtures.submitted);
      await expect(d.disputes.connect(d.provider).challenge(d.jobId, d.terms, d.challengerHash))
        .to.be.revertedWithCustomError(d.disputes, "DisputeProviderCannotChallenge")
        .withArgs(d.jobId);
    });

    it("after the window with the market's MarketChallengeWindowClosed", async function () {
      const d = await loadFixture(fixtures.submitted);
      const challengeEnd = (await d.market.getJob(d.jobId)).deadline;
      await time.increaseTo(challengeEnd + 1n);
      await expect(d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash))
        .to.be.revertedWithCustomError(d.market, "MarketChallengeWindowClosed")
        .withArgs(d.jobId, challengeEnd);
    });

    it("a second time (one open dispute per job) with MarketUnexpectedJobState", async function () {
      const d = await loadFixture(fixtures.challenged);
      await expect(d.disputes.connect(d.requester).challenge(d.jobId, d.terms, ethers.id("other")))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(d.jobId, JobState.Disputed, 1n << JobState.Submitted);
    });

    it("on a job not yet submitted with MarketUnexpectedJobState", async function () {
      const d = await loadFixture(fixtures.deployed);
      const { jobRequest, postedJobIds } = await import("../../scripts/lib/jobs.js");
      const receipt = await (await d.market.connect(d.requester).postJob(jobRequest(await time.latest()))).wait();
      const [jobId] = postedJobIds(d.market, receipt);
      await d.market.connect(d.provider).claimJob(jobId);
      const terms = { reward: 1n, collateralPct: 0n, provider: d.provider.address, resultHash: ethers.id("x"), submittedBlock: 0n };
      await expect(d.disputes.connect(d.challenger).challenge(jobId, terms, ethers.id("y")))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(jobId, 2n, 1n << JobState.Submitted);
    });

    it("on a finalized job with MarketUnexpectedJobState", async function () {
      const d = await loadFixture(fixtures.submitted);
      await time.increaseTo((await d.market.getJob(d.jobId)).deadline + 1n);
      await d.market.finalizeJob(d.jobId, d.terms);
      await expect(d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(d.jobId, JobState.Finalized, 1n << JobState.Submitted);
    });

    it("with terms that do not match the job with MarketTermsMismatch", async function () {
      const d = await loadFixture(fixtures.submitted);
      const terms = { ...d.terms, reward: BigInt(d.terms.reward) + 1n };
      await expect(d.disputes.connect(d.challenger).challenge(d.jobId, terms, d.challengerHash))
        .to.be.revertedWithCustomError(d.market, "MarketTermsMismatch")
        .withArgs(d.jobId);
    });

    it("naming the provider's own hash with DisputeInvalidChallengeHash", async function () {
      const d = await loadFixture(fixtures.submitted);
      await expect(d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.providerHash))
        .to.be.revertedWithCustomError(d.disputes, "DisputeInvalidChallengeHash")
        .withArgs(d.jobId, d.providerHash);
    });

    it("naming the zero hash with DisputeInvalidChallengeHash", async function () {
      const d = await loadFixture(fixtures.submitted);
      await expect(d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, ethers.ZeroHash))
        .to.be.revertedWithCustomError(d.disputes, "DisputeInvalidChallengeHash")
        .withArgs(d.jobId, ethers.ZeroHash);
    });

    it("without an allowance for the bond, leaving the job Submitted", async function () {
      const d = await loadFixture(fixtures.submitted);
      await d.token.connect(d.challenger).approve(d.disputesAddress, 0n);
      await expect(d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash)).to.be.revertedWithCustomError(
        d.token,
        "ERC20InsufficientAllowance",
      );
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Submitted);
    });
  });
});
