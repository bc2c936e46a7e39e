import { expect } from "chai";
import { network } from "hardhat";

import { LOCK, Phase, STAKE, committeeOf, createDisputeFixtures, expectSystemSolvent } from "./fixtures.js";

const { ethers, networkHelpers } = await network.create();
const fixtures = createDisputeFixtures(ethers, networkHelpers);
const { loadFixture, mine } = networkHelpers;

describe("HashworkDisputes: committee draw", function () {
  describe("once the seed block is mined", function () {
    it("seats three distinct verifiers and emits CommitteeDrawn", async function () {
      const d = await loadFixture(fixtures.drawn);
      expect(d.committee).to.have.length(3);
      expect(new Set(d.committee).size).to.equal(3);
    });

    it("never seats the provider, the challenger or the requester", async function () {
      const d = await loadFixture(fixtures.drawn);
      for (const party of [d.provider, d.challenger, d.requester]) {
        expect(d.committee).to.not.include(party.address);
      }
    });

    it("locks verifierLock of each verifier's stake", async function () {
      const d = await loadFixture(fixtures.drawn);
      for (const v of d.committee) {
        expect((await d.market.stakeOf(v)).locked).to.equal(LOCK);
        expect(await d.market.freeStakeOf(v)).to.equal(STAKE - LOCK);
      }
    });

    it("opens voting with commit and reveal deadlines", async function () {
      const d = await loadFixture(fixtures.drawn);
      const dispute = await d.disputes.getDispute(d.jobId);
      expect(dispute.phase).to.equal(Phase.Voting);
      expect(dispute.revealDeadline - dispute.commitDeadline).to.equal(3600n);
      expect(dispute.lockPerSeat).to.equal(LOCK);
    });

    it("lists the seats in getCommittee", async function () {
      const d = await loadFixture(fixtures.drawn);
      const seats = await d.disputes.getCommittee(d.jobId, 0);
      expect(seats.map((s) => s.verifier)).to.deep.equal(d.committee);
      expect(seats.map((s) => s.status)).to.deep.equal([1n, 1n, 1n]);
    });

    it("keeps both the market and the module solvent", async function () {
      const d = await loadFixture(fixtures.drawn);
      await expectSystemSolvent(d);
    });

    it("is refused a second time with DisputeWrongPhase", async function () {
      const d = await loadFixture(fixtures.drawn);
      await expect(d.disputes.drawCommittee(d.jobId, d.terms))
        .to.be.revertedWithCustomError(d.disputes, "DisputeWrongPhase")
        .withArgs(d.jobId, Phase.Voting, Phase.AwaitingDraw);
    });
  });

  describe("before the seed block is mined", function () {
    it("is refused with DisputeSeedNotReady(jobId, seedBlock)", async function () {
      const d = await loadFixture(fixtures.challenged);
      const { seedBlock } = await d.disputes.getDispute(d.jobId);
      await expect(d.disputes.drawCommittee(d.jobId, d.terms))
        .to.be.revertedWithCustomError(d.disputes, "DisputeSeedNotReady")
        .withArgs(d.jobId, seedBlock);
    });
  });

  describe("when the seed block is more than 256 blocks old", function () {
    async function stale() {
      const d = await fixtures.challenged();
      await mine(300);
      return d;
    }

    it("reschedules to the next block and emits DrawRescheduled instead of drawing", async function () {
      const d = await loadFixture(stale);
      const next = (await ethers.provider.getBlockNumber()) + 2;
      await expect(d.disputes.drawCommittee(d.jobId, d.terms)).to.emit(d.disputes, "DrawRescheduled").withArgs(d.jobId, 0, next);
      const dispute = await d.disputes.getDispute(d.jobId);
      expect(dispute.phase).to.equal(Phase.AwaitingDraw);
      expect(dispute.seedBlock).to.equal(next);
    });

    it("draws from the new seed once it is mined", async function () {
      const d = await loadFixture(stale);
      await d.disputes.drawCommittee(d.jobId, d.terms);
      await mine(1);
      const receipt = await (await d.disputes.drawCommittee(d.jobId, d.terms)).wait();
      expect(committeeOf(d.disputes, receipt)).to.have.length(3);
      expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.Voting);
    });
  });

  describe("when too few providers have free stake to sit", function () {
    async function starved() {
      const d = await fixtures.challenged();
      // Leave only two eligible verifiers: the others unstake everything.
      for (const v of d.verifiers.slice(2)) await d.market.connect(v).requestUnstake(STAKE);
      await mine(1);
      return d;
    }

    it("fails the round and schedules a larger committee", async function () {
      const d = await loadFixture(starved);
      await expect(d.disputes.drawCommittee(d.jobId, d.terms)).to.emit(d.disputes, "RoundFailed");
      const dispute = await d.disputes.getDispute(d.jobId);
      expect(dispute.phase).to.equal(Phase.AwaitingDraw);
      expect(dispute.round).to.equal(1n);
      expect(dispute.size).to.equal(5n);
    });

    it("locks nobody's stake", async function () {
      const d = await loadFixture(starved);
      await d.disputes.drawCommittee(d.jobId, d.terms);
      for (const v of d.verifiers.slice(0, 2)) expect((await d.market.stakeOf(v.address)).locked).to.equal(0n);
    });

    it("hands the dispute to the arbiter after the last round", async function () {
      const d = await loadFixture(starved);
      await d.disputes.drawCommittee(d.jobId, d.terms);
      await mine(1);
      await d.disputes.drawCommittee(d.jobId, d.terms);
      expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.AwaitingArbiter);
    });
  });

  it("refuses terms that do not match the job with DisputeTermsMismatch", async function () {
    const d = await loadFixture(fixtures.challenged);
    await mine(1);
    await expect(d.disputes.drawCommittee(d.jobId, { ...d.terms, provider: d.challenger.address }))
      .to.be.revertedWithCustomError(d.disputes, "DisputeTermsMismatch")
      .withArgs(d.jobId);
  });

  it("refuses a job with no dispute with DisputeWrongPhase", async function () {
    const d = await loadFixture(fixtures.submitted);
    await expect(d.disputes.drawCommittee(d.jobId, d.terms))
      .to.be.revertedWithCustomError(d.disputes, "DisputeWrongPhase")
      .withArgs(d.jobId, Phase.None, Phase.AwaitingDraw);
  });
});
