import { expect } from "chai";
import { network } from "hardhat";

import {
  DISPUTE_PARAMETERS,
  LOCK,
  MIN_BOND,
  Phase,
  SeatStatus,
  STAKE,
  TOKEN_UNIT,
  challenge,
  committeeOf,
  createDisputeFixtures,
  expectSystemSolvent,
  predictDraw,
} from "./fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, mine } = networkHelpers;

const sum = (votes: bigint[]) => votes.reduce((a, b) => a + b, 0n);

describe("HashworkDisputes: committee draw", function () {
  describe("once the seed block is mined", function () {
    it("fills every seat of the round", async function () {
      const d = await loadFixture(fixtures.drawn);
      expect(sum(d.committee.votes)).to.equal(3n);
    });

    it("seats exactly what the pool's draw view predicts from the dispute's snapshot and seed", async function () {
      const d = await loadFixture(fixtures.challenged);
      await mine(1);
      const predicted = await predictDraw(ethers, d, d.jobId, d.terms);
      const receipt = await (await d.disputes.drawCommittee(d.jobId, d.terms)).wait();
      expect(committeeOf(d.disputes, receipt)).to.deep.equal(predicted);
    });

    it("emits CommitteeDrawn with the verifiers, their votes, the lock per seat and both deadlines", async function () {
      const d = await loadFixture(fixtures.drawn);
      const { commitDeadline, revealDeadline } = await d.disputes.getDispute(d.jobId);
      await expect(d.drawTx)
        .to.emit(d.disputes, "CommitteeDrawn")
        .withArgs(d.jobId, 0, d.committee.verifiers, d.committee.votes, LOCK, commitDeadline, revealDeadline);
    });

    it("never seats the provider, the challenger or the requester (all three are bonded)", async function () {
      const d = await loadFixture(fixtures.drawn);
      for (const party of [d.provider, d.challenger, d.requester]) {
        expect((await d.pool.memberOf(party.address)).bonded).to.equal(STAKE);
        expect(d.committee.verifiers).to.not.include(party.address);
      }
    });

    it("locks verifierLock per seat in the pool, not in the market", async function () {
      const d = await loadFixture(fixtures.drawn);
      for (const v of d.committee.verifiers) {
        const member = await d.pool.memberOf(v);
        expect(member.locked).to.equal(LOCK);
        expect(member.bonded).to.equal(STAKE);
        expect((await d.market.stakeOf(v)).locked).to.equal(0n);
      }
    });

    it("emits BondLocked in the pool for each seat entry", async function () {
      const d = await loadFixture(fixtures.drawn);
      for (const v of d.committee.verifiers) await expect(d.drawTx).to.emit(d.pool, "BondLocked").withArgs(v, LOCK, LOCK);
    });

    it("opens voting with commit and reveal deadlines", async function () {
      const d = await loadFixture(fixtures.drawn);
      const dispute = await d.disputes.getDispute(d.jobId);
      expect(dispute.phase).to.equal(Phase.Voting);
      expect(dispute.revealDeadline - dispute.commitDeadline).to.equal(3600n);
      expect(dispute.members).to.equal(3n);
    });

    it("lists the seats in getCommittee with their votes and locks", async function () {
      const d = await loadFixture(fixtures.drawn);
      const seats = await d.disputes.getCommittee(d.jobId, 0);
      expect(seats.map((s) => s.verifier)).to.deep.equal(d.committee.verifiers);
      expect(seats.map((s) => s.status)).to.deep.equal([SeatStatus.Drawn, SeatStatus.Drawn, SeatStatus.Drawn]);
      expect(seats.map((s) => s.votes)).to.deep.equal([1n, 1n, 1n]);
      expect(seats.map((s) => s.locked)).to.deep.equal([LOCK, LOCK, LOCK]);
    });

    it("keeps the market, the module and the pool solvent", async function () {
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

  describe("when the draw lands on one verifier twice", function () {
    it("gives it one seat entry holding two votes", async function () {
      const d = await loadFixture(fixtures.drawnWithDoubleSeat);
      const seats = await d.disputes.getCommittee(d.jobId, 0);
      expect(seats).to.have.length(2);
      expect(seats.map((s) => s.votes).sort()).to.deep.equal([1n, 2n]);
      expect((await d.disputes.getDispute(d.jobId)).members).to.equal(2n);
    });

    it("locks verifierLock for each of its votes", async function () {
      const d = await loadFixture(fixtures.drawnWithDoubleSeat);
      for (const [i, v] of d.committee.verifiers.entries()) {
        expect((await d.pool.memberOf(v)).locked).to.equal(LOCK * d.committee.votes[i]);
      }
    });

    it("still counts the round's size in votes", async function () {
      const d = await loadFixture(fixtures.drawnWithDoubleSeat);
      expect((await d.disputes.getDispute(d.jobId)).size).to.equal(3n);
    });
  });

  describe("when only two verifiers are bonded besides the parties", function () {
    async function twoVerifiers() {
      // Withdrawn before the submission: the dispute draws from the pool as it stood then.
      const deployed = await fixtures.deployed();
      for (const v of deployed.verifiers.slice(2)) await deployed.pool.connect(v).requestWithdrawal(STAKE);
      const d = { ...deployed, ...(await fixtures.submitJob(deployed)) };
      await challenge(d.disputes, d.jobId, d.terms, d.challenger, d.challengerHash);
      await mine(1);
      const receipt = await (await d.disputes.drawCommittee(d.jobId, d.terms)).wait();
      return { ...d, committee: committeeOf(d.disputes, receipt) };
    }

    it("still fills all three seats from them (with replacement, no rejection)", async function () {
      const d = await loadFixture(twoVerifiers);
      expect(sum(d.committee.votes)).to.equal(3n);
      const eligible = d.verifiers.slice(0, 2).map((v) => v.address);
      for (const v of d.committee.verifiers) expect(eligible).to.include(v);
    });
  });

  describe("when a verifier has less bond left than its seats' lock", function () {
    /** verifierLock 60 tokens; the only eligible verifier bonds the 100-token minimum and takes all 3 seats. */
    async function thinBond() {
      const d = await fixtures.deployed();
      await d.disputes.connect(d.owner).setConfig({ ...DISPUTE_PARAMETERS, verifierLock: 60n * TOKEN_UNIT });
      for (const v of d.verifiers) await d.pool.connect(v).requestWithdrawal(STAKE);
      const thin = (await ethers.getSigners())[13];
      await d.token.connect(d.owner).mint(thin.address, MIN_BOND);
      await d.token.connect(thin).approve(d.poolAddress, MIN_BOND);
      await d.pool.connect(thin).bond(MIN_BOND);
      const job = await fixtures.submitJob(d);
      await challenge(d.disputes, job.jobId, job.terms, d.challenger, job.challengerHash);
      await mine(1);
      const receipt = await (await d.disputes.drawCommittee(job.jobId, job.terms)).wait();
      return { ...d, ...job, thin, committee: committeeOf(d.disputes, receipt) };
    }

    it("seats it only for the votes its bond can lock in full (100 tokens: one 60-token lock)", async function () {
      const d = await loadFixture(thinBond);
      expect(d.committee).to.deep.equal({ verifiers: [d.thin.address], votes: [1n] });
      const [seat] = await d.disputes.getCommittee(d.jobId, 0);
      expect(seat.locked).to.equal(60n * TOKEN_UNIT);
      expect((await d.pool.memberOf(d.thin.address)).locked).to.equal(60n * TOKEN_UNIT);
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

    it("keeps the dispute's snapshot block when it reschedules", async function () {
      const d = await loadFixture(stale);
      const { snapshotBlock } = await d.disputes.getDispute(d.jobId);
      await d.disputes.drawCommittee(d.jobId, d.terms);
      expect((await d.disputes.getDispute(d.jobId)).snapshotBlock).to.equal(snapshotBlock);
    });

    it("draws from the new seed once it is mined", async function () {
      const d = await loadFixture(stale);
      await d.disputes.drawCommittee(d.jobId, d.terms);
      await mine(1);
      const receipt = await (await d.disputes.drawCommittee(d.jobId, d.terms)).wait();
      expect(sum(committeeOf(d.disputes, receipt).votes)).to.equal(3n);
      expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.Voting);
    });
  });

  describe("when no eligible verifier was bonded before the result was submitted", function () {
    async function starved() {
      // Only the excluded parties stay bonded when the result is submitted.
      const deployed = await fixtures.deployed();
      for (const v of deployed.verifiers) await deployed.pool.connect(v).requestWithdrawal(STAKE);
      const d = { ...deployed, ...(await fixtures.submitJob(deployed)) };
      await challenge(d.disputes, d.jobId, d.terms, d.challenger, d.challengerHash);
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

    it("locks nobody's bond", async function () {
      const d = await loadFixture(starved);
      await d.disputes.drawCommittee(d.jobId, d.terms);
      for (const s of [d.provider, d.challenger, d.requester, ...d.verifiers]) {
        expect((await d.pool.memberOf(s.address)).locked).to.equal(0n);
      }
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
