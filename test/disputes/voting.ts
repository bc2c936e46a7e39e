import { expect } from "chai";
import { network } from "hardhat";

import { Phase, createDisputeFixtures, voteCommitment } from "./fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const SALT = ethers.id("salt");

describe("HashworkDisputes: commit–reveal voting", function () {
  describe("commitVote", function () {
    it("records the commitment and emits VoteCommitted", async function () {
      const d = await loadFixture(fixtures.drawn);
      const [v] = d.seat;
      const c = voteCommitment(d.providerHash, SALT, v.address);
      await expect(d.disputes.connect(v).commitVote(d.jobId, 0, c))
        .to.emit(d.disputes, "VoteCommitted")
        .withArgs(d.jobId, 0, v.address, c);
      expect((await d.disputes.getDispute(d.jobId)).committed).to.equal(1n);
    });

    it("is refused for someone without a seat with DisputeNotOnCommittee", async function () {
      const d = await loadFixture(fixtures.drawn);
      await expect(d.disputes.connect(d.challenger).commitVote(d.jobId, 0, SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeNotOnCommittee")
        .withArgs(d.jobId, d.challenger.address);
    });

    it("is refused a second time with DisputeAlreadyCommitted", async function () {
      const d = await loadFixture(fixtures.drawn);
      await d.disputes.connect(d.seat[0]).commitVote(d.jobId, 0, SALT);
      await expect(d.disputes.connect(d.seat[0]).commitVote(d.jobId, 0, SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeAlreadyCommitted")
        .withArgs(d.jobId, d.seat[0].address);
    });

    it("is refused after the commit deadline with DisputeCommitClosed", async function () {
      const d = await loadFixture(fixtures.drawn);
      const { commitDeadline } = await d.disputes.getDispute(d.jobId);
      await time.increaseTo(commitDeadline + 1n);
      await expect(d.disputes.connect(d.seat[0]).commitVote(d.jobId, 0, SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeCommitClosed")
        .withArgs(d.jobId, commitDeadline);
    });

    it("refuses the zero commitment with DisputeZeroCommitment", async function () {
      const d = await loadFixture(fixtures.drawn);
      await expect(d.disputes.connect(d.seat[0]).commitVote(d.jobId, 0, ethers.ZeroHash)).to.be.revertedWithCustomError(
        d.disputes,
        "DisputeZeroCommitment",
      );
    });

    it("is refused at another verifier's seat index with DisputeNotOnCommittee", async function () {
      const d = await loadFixture(fixtures.drawn);
      await expect(d.disputes.connect(d.seat[0]).commitVote(d.jobId, 1, SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeNotOnCommittee")
        .withArgs(d.jobId, d.seat[0].address);
    });

    it("is refused at a seat index past the committee with DisputeNotOnCommittee", async function () {
      const d = await loadFixture(fixtures.drawn);
      await expect(d.disputes.connect(d.seat[0]).commitVote(d.jobId, 3, SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeNotOnCommittee")
        .withArgs(d.jobId, d.seat[0].address);
    });

    it("counts every vote of a verifier holding two seats, from one commitment", async function () {
      const d = await loadFixture(fixtures.drawnWithDoubleSeat);
      const i = d.committee.votes.indexOf(2n);
      const v = d.seat[i];
      await d.disputes.connect(v).commitVote(d.jobId, i, voteCommitment(d.providerHash, SALT, v.address));
      expect((await d.disputes.getDispute(d.jobId)).committed).to.equal(2n);
    });

    it("is refused before the committee is drawn with DisputeWrongPhase", async function () {
      const d = await loadFixture(fixtures.challenged);
      await expect(d.disputes.connect(d.verifiers[0]).commitVote(d.jobId, 0, SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeWrongPhase")
        .withArgs(d.jobId, Phase.AwaitingDraw, Phase.Voting);
    });
  });

  describe("revealVote", function () {
    async function allCommitted() {
      const d = await fixtures.drawn();
      for (const [i, v] of d.seat.entries()) {
        await d.disputes.connect(v).commitVote(d.jobId, i, voteCommitment(d.providerHash, SALT, v.address));
      }
      return d;
    }

    it("opens as soon as every seat has committed, and emits VoteRevealed", async function () {
      const d = await loadFixture(allCommitted);
      await expect(d.disputes.connect(d.seat[0]).revealVote(d.jobId, 0, d.providerHash, SALT))
        .to.emit(d.disputes, "VoteRevealed")
        .withArgs(d.jobId, 0, d.seat[0].address, d.providerHash);
    });

    it("stores the revealed hash in the seat", async function () {
      const d = await loadFixture(allCommitted);
      await d.disputes.connect(d.seat[0]).revealVote(d.jobId, 0, d.providerHash, SALT);
      const [seat] = await d.disputes.getCommittee(d.jobId, 0);
      expect(seat.status).to.equal(3n);
      expect(seat.vote).to.equal(d.providerHash);
    });

    it("is refused while others may still commit with DisputeRevealNotOpen", async function () {
      const d = await loadFixture(fixtures.drawn);
      const [v] = d.seat;
      await d.disputes.connect(v).commitVote(d.jobId, 0, voteCommitment(d.providerHash, SALT, v.address));
      const { commitDeadline } = await d.disputes.getDispute(d.jobId);
      await expect(d.disputes.connect(v).revealVote(d.jobId, 0, d.providerHash, SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeRevealNotOpen")
        .withArgs(d.jobId, commitDeadline);
    });

    it("opens after the commit deadline even if some seats never committed", async function () {
      const d = await loadFixture(fixtures.drawn);
      const [v] = d.seat;
      await d.disputes.connect(v).commitVote(d.jobId, 0, voteCommitment(d.providerHash, SALT, v.address));
      await time.increaseTo((await d.disputes.getDispute(d.jobId)).commitDeadline + 1n);
      await expect(d.disputes.connect(v).revealVote(d.jobId, 0, d.providerHash, SALT)).to.emit(d.disputes, "VoteRevealed");
    });

    it("is refused with another salt with DisputeCommitmentMismatch", async function () {
      const d = await loadFixture(allCommitted);
      await expect(d.disputes.connect(d.seat[0]).revealVote(d.jobId, 0, d.providerHash, ethers.id("other salt")))
        .to.be.revertedWithCustomError(d.disputes, "DisputeCommitmentMismatch")
        .withArgs(d.jobId, d.seat[0].address);
    });

    it("is refused for the zero hash, even when committed, with DisputeZeroOutcome: a committee cannot decide zero", async function () {
      const d = await loadFixture(fixtures.drawn);
      for (const [i, v] of d.seat.entries()) {
        await d.disputes.connect(v).commitVote(d.jobId, i, voteCommitment(ethers.ZeroHash, SALT, v.address));
      }
      await expect(d.disputes.connect(d.seat[0]).revealVote(d.jobId, 0, ethers.ZeroHash, SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeZeroOutcome")
        .withArgs(d.jobId);
    });

    it("is refused for another hash than the one committed with DisputeCommitmentMismatch", async function () {
      const d = await loadFixture(allCommitted);
      await expect(d.disputes.connect(d.seat[0]).revealVote(d.jobId, 0, d.challengerHash, SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeCommitmentMismatch")
        .withArgs(d.jobId, d.seat[0].address);
    });

    it("cannot be copied: a seat that committed another seat's commitment cannot reveal its vote", async function () {
      const d = await loadFixture(fixtures.drawn);
      const [honest, copier, third] = d.seat;
      const c = voteCommitment(d.providerHash, SALT, honest.address);
      await d.disputes.connect(honest).commitVote(d.jobId, 0, c);
      await d.disputes.connect(copier).commitVote(d.jobId, 1, c);
      await d.disputes.connect(third).commitVote(d.jobId, 2, voteCommitment(d.providerHash, SALT, third.address));
      await d.disputes.connect(honest).revealVote(d.jobId, 0, d.providerHash, SALT);
      await expect(d.disputes.connect(copier).revealVote(d.jobId, 1, d.providerHash, SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeCommitmentMismatch")
        .withArgs(d.jobId, copier.address);
    });

    it("counts every vote of a verifier holding two seats in revealed", async function () {
      const d = await loadFixture(fixtures.drawnWithDoubleSeat);
      for (const [i, v] of d.seat.entries()) {
        await d.disputes.connect(v).commitVote(d.jobId, i, voteCommitment(d.providerHash, SALT, v.address));
      }
      const i = d.committee.votes.indexOf(2n);
      await d.disputes.connect(d.seat[i]).revealVote(d.jobId, i, d.providerHash, SALT);
      expect((await d.disputes.getDispute(d.jobId)).revealed).to.equal(2n);
    });

    it("opens once two verifiers holding all three seats have committed", async function () {
      const d = await loadFixture(fixtures.drawnWithDoubleSeat);
      for (const [i, v] of d.seat.entries()) {
        await d.disputes.connect(v).commitVote(d.jobId, i, voteCommitment(d.providerHash, SALT, v.address));
      }
      await expect(d.disputes.connect(d.seat[0]).revealVote(d.jobId, 0, d.providerHash, SALT)).to.emit(d.disputes, "VoteRevealed");
    });

    it("is refused a second time with DisputeNothingToReveal", async function () {
      const d = await loadFixture(allCommitted);
      await d.disputes.connect(d.seat[0]).revealVote(d.jobId, 0, d.providerHash, SALT);
      await expect(d.disputes.connect(d.seat[0]).revealVote(d.jobId, 0, d.providerHash, SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeNothingToReveal")
        .withArgs(d.jobId, d.seat[0].address);
    });

    it("is refused after the reveal deadline with DisputeRevealClosed", async function () {
      const d = await loadFixture(allCommitted);
      const { revealDeadline } = await d.disputes.getDispute(d.jobId);
      await time.increaseTo(revealDeadline + 1n);
      await expect(d.disputes.connect(d.seat[0]).revealVote(d.jobId, 0, d.providerHash, SALT))
        .to.be.revertedWithCustomError(d.disputes, "DisputeRevealClosed")
        .withArgs(d.jobId, revealDeadline);
    });
  });
});
