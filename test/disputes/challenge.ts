import { expect } from "chai";
import { network } from "hardhat";

import { jobRequest, postedJobIds } from "../../scripts/lib/jobs.js";
import {
  BOND,
  CHALLENGE_SALT,
  JobState,
  Phase,
  challenge,
  challengeCommitment,
  createDisputeFixtures,
  expectSystemSolvent,
  type SubmittedFixture,
} from "./fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time, mine } = networkHelpers;

/** `submitted` with the challenger's commitment made (the reveal can come in any later block). */
async function committed() {
  const d = await fixtures.submitted();
  const commitment = challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT);
  const commitTx = await d.disputes.connect(d.challenger).commitChallenge(commitment);
  return { ...d, commitment, commitTx };
}

/** The reveal of `committed`'s challenge. */
const reveal = (d: SubmittedFixture, hash = d.challengerHash, salt = CHALLENGE_SALT) =>
  d.disputes.connect(d.challenger).challenge(d.jobId, d.terms, hash, salt);

describe("HashworkDisputes: challenge", function () {
  describe("commitChallenge", function () {
    it("records the commitment's block and emits ChallengeCommitted(commitment, challenger)", async function () {
      const d = await loadFixture(committed);
      await expect(d.commitTx).to.emit(d.disputes, "ChallengeCommitted").withArgs(d.commitment, d.challenger.address);
      const receipt = await d.commitTx.wait();
      expect(await d.disputes.challengeCommitBlock(d.commitment)).to.equal(BigInt(receipt!.blockNumber));
    });

    it("takes no bond yet", async function () {
      const d = await loadFixture(committed);
      expect(await d.disputes.totalHeld()).to.equal(0n);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Submitted);
    });

    it("accepts the same commitment again as a no-op that keeps the earliest block", async function () {
      const d = await loadFixture(committed);
      const first = await d.disputes.challengeCommitBlock(d.commitment);
      await mine(3);
      await expect(d.disputes.connect(d.keeper).commitChallenge(d.commitment)).to.not.emit(d.disputes, "ChallengeCommitted");
      expect(await d.disputes.challengeCommitBlock(d.commitment)).to.equal(first);
    });

    it("refuses the zero commitment with DisputeZeroCommitment", async function () {
      const d = await loadFixture(fixtures.submitted);
      await expect(d.disputes.connect(d.challenger).commitChallenge(ethers.ZeroHash)).to.be.revertedWithCustomError(
        d.disputes,
        "DisputeZeroCommitment",
      );
    });
  });

  describe("the reveal, in a later block and during the challenge window", function () {
    it("moves the job to Disputed in the market", async function () {
      const d = await loadFixture(fixtures.challenged);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Disputed);
    });

    it("emits DisputeOpened with both hashes, the bond and the next block as seed block", async function () {
      const d = await loadFixture(committed);
      const tx = await reveal(d);
      const seedBlock = BigInt((await tx.wait())!.blockNumber) + 1n;
      await expect(tx)
        .to.emit(d.disputes, "DisputeOpened")
        .withArgs(d.jobId, d.challenger.address, d.provider.address, d.providerHash, d.challengerHash, BOND, seedBlock);
    });

    it("records the block before the submission as the snapshot the committee will be drawn from", async function () {
      const d = await loadFixture(fixtures.challenged);
      expect((await d.disputes.getDispute(d.jobId)).snapshotBlock).to.equal(BigInt(d.terms.submittedBlock) - 1n);
    });

    it("uses the commitment up (challengeCommitBlock is 0 again)", async function () {
      const d = await loadFixture(committed);
      await reveal(d);
      expect(await d.disputes.challengeCommitBlock(d.commitment)).to.equal(0n);
    });

    it("takes the bond from the challenger into the module's ledger balance", async function () {
      const d = await loadFixture(committed);
      await expect(reveal(d)).to.changeTokenBalances(ethers, d.token, [d.challenger, d.market], [-BOND, BOND]);
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

    it("keeps the market, the module and the pool solvent", async function () {
      const d = await loadFixture(fixtures.challenged);
      await expectSystemSolvent(d);
    });

    it("may come from the requester", async function () {
      const d = await loadFixture(fixtures.submitted);
      await challenge(d.disputes, d.jobId, d.terms, d.requester, d.challengerHash);
      expect((await d.disputes.getDispute(d.jobId)).challenger).to.equal(d.requester.address);
    });

    it("may come many blocks after the commitment", async function () {
      const d = await loadFixture(committed);
      await mine(500);
      await expect(reveal(d)).to.emit(d.disputes, "DisputeOpened");
    });
  });

  describe("is refused", function () {
    it("without a commitment with DisputeChallengeNotCommitted(jobId, commitment)", async function () {
      const d = await loadFixture(fixtures.submitted);
      const expected = challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT);
      await expect(reveal(d)).to.be.revertedWithCustomError(d.disputes, "DisputeChallengeNotCommitted").withArgs(d.jobId, expected);
    });

    it("with another salt than the committed one with DisputeChallengeNotCommitted", async function () {
      const d = await loadFixture(committed);
      const salt = ethers.id("another salt");
      await expect(reveal(d, d.challengerHash, salt))
        .to.be.revertedWithCustomError(d.disputes, "DisputeChallengeNotCommitted")
        .withArgs(d.jobId, challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, salt));
    });

    it("with another hash than the committed one with DisputeChallengeNotCommitted", async function () {
      const d = await loadFixture(committed);
      const other = ethers.id("other");
      await expect(reveal(d, other))
        .to.be.revertedWithCustomError(d.disputes, "DisputeChallengeNotCommitted")
        .withArgs(d.jobId, challengeCommitment(d.jobId, other, d.challenger.address, CHALLENGE_SALT));
    });

    it("from the provider itself with DisputeProviderCannotChallenge(jobId)", async function () {
      const d = await loadFixture(fixtures.submitted);
      await d.disputes
        .connect(d.provider)
        .commitChallenge(challengeCommitment(d.jobId, d.challengerHash, d.provider.address, CHALLENGE_SALT));
      await expect(d.disputes.connect(d.provider).challenge(d.jobId, d.terms, d.challengerHash, CHALLENGE_SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeProviderCannotChallenge")
        .withArgs(d.jobId);
    });

    it("after the window with the market's MarketChallengeWindowClosed", async function () {
      const d = await loadFixture(committed);
      const challengeEnd = (await d.market.getJob(d.jobId)).deadline;
      await time.increaseTo(challengeEnd + 1n);
      await expect(reveal(d)).to.be.revertedWithCustomError(d.market, "MarketChallengeWindowClosed").withArgs(d.jobId, challengeEnd);
    });

    it("a second time (one open dispute per job) with MarketUnexpectedJobState", async function () {
      const d = await loadFixture(fixtures.challenged);
      await expect(challenge(d.disputes, d.jobId, d.terms, d.requester, ethers.id("other")))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(d.jobId, JobState.Disputed, 1n << JobState.Submitted);
    });

    it("on a job not yet submitted with MarketUnexpectedJobState", async function () {
      const d = await loadFixture(fixtures.deployed);
      const receipt = await (await d.market.connect(d.requester).postJob(jobRequest(await time.latest()))).wait();
      const [jobId] = postedJobIds(d.market, receipt);
      await d.market.connect(d.provider).claimJob(jobId);
      const terms = { reward: 1n, collateralPct: 0n, provider: d.provider.address, resultHash: ethers.id("x"), submittedBlock: 0n };
      await expect(challenge(d.disputes, jobId, terms, d.challenger, ethers.id("y")))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(jobId, 2n, 1n << JobState.Submitted);
    });

    it("on a finalized job with MarketUnexpectedJobState", async function () {
      const d = await loadFixture(committed);
      await time.increaseTo((await d.market.getJob(d.jobId)).deadline + 1n);
      await d.market.finalizeJob(d.jobId, d.terms);
      await expect(reveal(d))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(d.jobId, JobState.Finalized, 1n << JobState.Submitted);
    });

    it("with terms that do not match the job with MarketTermsMismatch", async function () {
      const d = await loadFixture(committed);
      const terms = { ...d.terms, reward: BigInt(d.terms.reward) + 1n };
      await expect(d.disputes.connect(d.challenger).challenge(d.jobId, terms, d.challengerHash, CHALLENGE_SALT))
        .to.be.revertedWithCustomError(d.market, "MarketTermsMismatch")
        .withArgs(d.jobId);
    });

    it("naming the provider's own hash with DisputeInvalidChallengeHash", async function () {
      const d = await loadFixture(fixtures.submitted);
      await expect(challenge(d.disputes, d.jobId, d.terms, d.challenger, d.providerHash))
        .to.be.revertedWithCustomError(d.disputes, "DisputeInvalidChallengeHash")
        .withArgs(d.jobId, d.providerHash);
    });

    it("naming the zero hash with DisputeInvalidChallengeHash", async function () {
      const d = await loadFixture(fixtures.submitted);
      await expect(challenge(d.disputes, d.jobId, d.terms, d.challenger, ethers.ZeroHash))
        .to.be.revertedWithCustomError(d.disputes, "DisputeInvalidChallengeHash")
        .withArgs(d.jobId, ethers.ZeroHash);
    });

    it("without an allowance for the bond, leaving the job Submitted and the commitment usable", async function () {
      const d = await loadFixture(committed);
      await d.token.connect(d.challenger).approve(d.disputesAddress, 0n);
      await expect(reveal(d)).to.be.revertedWithCustomError(d.token, "ERC20InsufficientAllowance");
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Submitted);
      expect(await d.disputes.challengeCommitBlock(d.commitment)).to.not.equal(0n);
    });
  });
});
