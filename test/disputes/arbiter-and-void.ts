import { expect } from "chai";
import { network } from "hardhat";

import {
  BOND,
  COLLATERAL,
  DISPUTE_PARAMETERS,
  JobState,
  LOCK,
  Phase,
  REWARD,
  SLASH,
  STAKE,
  VERIFIER_FEE,
  committeeOf,
  createDisputeFixtures,
  distinct,
  expectSystemSolvent,
  vote,
  type Drawn,
} from "./fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time, mine } = networkHelpers;

const REWARD_BPS = BigInt(DISPUTE_PARAMETERS.challengerRewardBps);

/** Ends the current round with only the first seat entry revealing (no quorum). */
async function noQuorum(d: Drawn, seats: Drawn["seat"]) {
  await vote(d.disputes, d.jobId, seats, [d.providerHash, ...seats.slice(1).map(() => undefined)], time);
  await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
  return d.disputes.connect(d.keeper).resolve(d.jobId, d.terms);
}

/** Ends the current round with nobody revealing. */
async function silence(d: Drawn) {
  await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
  return d.disputes.connect(d.keeper).resolve(d.jobId, d.terms);
}

describe("HashworkDisputes: no quorum, re-draw, arbiter, void", function () {
  describe("when a round ends without quorum", function () {
    async function firstRoundFailed() {
      const d = await fixtures.drawn();
      const revealerBefore = await d.market.balanceOf(d.committee.verifiers[0]);
      const tx = await noQuorum(d, d.seat);
      return { ...d, tx, revealerBefore };
    }

    it("emits RoundFailed and schedules a second round of five seats", async function () {
      const d = await loadFixture(firstRoundFailed);
      await expect(d.tx).to.emit(d.disputes, "RoundFailed");
      const dispute = await d.disputes.getDispute(d.jobId);
      expect(dispute.phase).to.equal(Phase.AwaitingDraw);
      expect(dispute.round).to.equal(1n);
      expect(dispute.size).to.equal(5n);
    });

    it("slashes the seats that did not reveal", async function () {
      const d = await loadFixture(firstRoundFailed);
      for (const v of d.committee.verifiers.slice(1)) {
        await expect(d.tx).to.emit(d.disputes, "VerifierSlashed").withArgs(d.jobId, 0, v, SLASH);
        expect((await d.pool.memberOf(v)).bonded).to.equal(STAKE - SLASH);
      }
    });

    it("keeps those slashes in the pot until a decision: the seat that revealed may have lied", async function () {
      const d = await loadFixture(firstRoundFailed);
      const revealer = d.committee.verifiers[0];
      await expect(d.tx).to.not.emit(d.disputes, "DisputePayout");
      expect(await d.market.balanceOf(revealer)).to.equal(d.revealerBefore);
      expect((await d.disputes.getDispute(d.jobId)).pot).to.equal(2n * SLASH);
    });

    it("keeps the round's seats on record for that decision", async function () {
      const d = await loadFixture(firstRoundFailed);
      const seats = await d.disputes.getCommittee(d.jobId, 0);
      expect(seats.map((s) => s.verifier)).to.deep.equal(d.committee.verifiers);
      expect(seats[0]!.vote).to.equal(d.providerHash);
    });

    it("releases the silent seats' locks, keeps the revealer's until the decision, and stays solvent", async function () {
      const d = await loadFixture(firstRoundFailed);
      const [revealer, ...silent] = d.committee.verifiers;
      for (const v of silent) expect((await d.pool.memberOf(v)).locked).to.equal(0n);
      expect((await d.pool.memberOf(revealer!)).locked).to.equal(d.committee.votes[0]! * LOCK);
      expect(await d.disputes.totalHeld()).to.equal(BOND + 2n * SLASH);
      await expectSystemSolvent(d);
    });

    it("leaves the job Disputed in the market", async function () {
      const d = await loadFixture(firstRoundFailed);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Disputed);
    });

    it("re-draws five seats from a new seed, from the same snapshot", async function () {
      const d = await loadFixture(firstRoundFailed);
      const { snapshotBlock } = await d.disputes.getDispute(d.jobId);
      await mine(1);
      const receipt = await (await d.disputes.drawCommittee(d.jobId, d.terms)).wait();
      const { votes } = committeeOf(d.disputes, receipt);
      expect(votes.reduce((a, b) => a + b, 0n)).to.equal(5n);
      expect((await d.disputes.getDispute(d.jobId)).snapshotBlock).to.equal(snapshotBlock);
    });
  });

  describe("when nobody reveals in a round", function () {
    async function silentRound() {
      const d = await fixtures.drawn();
      const tx = await silence(d);
      return { ...d, tx };
    }

    it("keeps the slashes in the pot for the deciding round", async function () {
      const d = await loadFixture(silentRound);
      expect((await d.disputes.getDispute(d.jobId)).pot).to.equal(3n * SLASH);
      expect(await d.disputes.totalHeld()).to.equal(BOND + 3n * SLASH);
      await expectSystemSolvent(d);
    });

    it("pays the pot to the deciding round's honest verifiers", async function () {
      const d = await loadFixture(silentRound);
      const next = await fixtures.drawRound(d, distinct);
      const before = await Promise.all(next.committee.verifiers.map((v) => d.market.balanceOf(v)));
      await vote(
        d.disputes,
        d.jobId,
        next.seat,
        next.seat.map(() => d.providerHash),
      );
      await d.disputes.resolve(d.jobId, d.terms);
      const paid = await Promise.all(next.committee.verifiers.map(async (v, i) => (await d.market.balanceOf(v)) - before[i]));
      expect(paid.reduce((a, b) => a + b, 0n)).to.equal(5n * VERIFIER_FEE + 3n * SLASH);
      expect(await d.disputes.totalHeld()).to.equal(0n);
      await expectSystemSolvent(d);
    });
  });

  describe("when the last round also fails", function () {
    async function awaitingArbiter() {
      const d = await fixtures.drawn();
      await noQuorum(d, d.seat);
      const second = await fixtures.drawRound(d, distinct);
      const revealers = [d.committee.verifiers[0]!, second.committee.verifiers[0]!];
      const revealersBefore = await Promise.all(revealers.map((v) => d.market.balanceOf(v)));
      const tx = await noQuorum(d, second.seat);
      return { ...d, second: second.committee, tx, revealers, revealersBefore };
    }

    it("hands the dispute to the arbiter (RoundFailed with no next seed)", async function () {
      const d = await loadFixture(awaitingArbiter);
      await expect(d.tx).to.emit(d.disputes, "RoundFailed").withArgs(d.jobId, 1, 1, 0);
      expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.AwaitingArbiter);
    });

    it("adds that round's four slashes to the pot", async function () {
      const d = await loadFixture(awaitingArbiter);
      expect((await d.disputes.getDispute(d.jobId)).pot).to.equal(6n * SLASH);
    });

    it("refuses anyone but the arbiter with DisputeNotArbiter", async function () {
      const d = await loadFixture(awaitingArbiter);
      await expect(d.disputes.connect(d.keeper).arbitrate(d.jobId, d.terms, d.terms.resultHash))
        .to.be.revertedWithCustomError(d.disputes, "DisputeNotArbiter")
        .withArgs(d.keeper.address);
    });

    describe("and the arbiter rules for the challenger", function () {
      async function ruled() {
        const d = await awaitingArbiter();
        const before = {
          requester: await d.market.balanceOf(d.requester.address),
          challenger: await d.market.balanceOf(d.challenger.address),
          treasury: await d.market.balanceOf(d.treasury.address),
        };
        const tx = await d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, d.challengerHash);
        return { ...d, before, tx };
      }
      const CHALLENGER_REWARD = (COLLATERAL * REWARD_BPS) / 10_000n;

      it("emits ArbiterDecided and overturns the job", async function () {
        const d = await loadFixture(ruled);
        await expect(d.tx).to.emit(d.disputes, "ArbiterDecided").withArgs(d.jobId, d.owner.address, false);
        expect(await d.market.jobState(d.jobId)).to.equal(JobState.Overturned);
      });

      it("pays the collateral to the challenger and the requester (no verifier earned it)", async function () {
        const d = await loadFixture(ruled);
        expect((await d.market.balanceOf(d.challenger.address)) - d.before.challenger).to.equal(BOND + CHALLENGER_REWARD);
        expect((await d.market.balanceOf(d.requester.address)) - d.before.requester).to.equal(REWARD + COLLATERAL - CHALLENGER_REWARD);
      });

      it("slashes the revealers, who revealed the provider's hash, and sends the pot to the treasury: no revealer voted for the outcome", async function () {
        const d = await loadFixture(ruled);
        // Six silent seats' slashes, plus one slash from each of the two rounds' revealers.
        expect((await d.market.balanceOf(d.treasury.address)) - d.before.treasury).to.equal(8n * SLASH);
        for (const v of d.revealers) expect((await d.pool.memberOf(v)).locked).to.equal(0n);
        for (const [i, v] of d.revealers.entries()) expect(await d.market.balanceOf(v)).to.equal(d.revealersBefore[i]);
        expect(await d.disputes.totalHeld()).to.equal(0n);
        await expectSystemSolvent(d);
      });
    });

    it("pays the pot to the failed rounds' revealers when the arbiter rules for what they revealed", async function () {
      const d = await loadFixture(awaitingArbiter);
      await d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, d.terms.resultHash);
      // The same verifier may have revealed in both rounds: count each address once.
      const unique = [...new Set(d.revealers)];
      const before = unique.map((v) => d.revealersBefore[d.revealers.indexOf(v)]!);
      const paid = await Promise.all(unique.map(async (v, i) => (await d.market.balanceOf(v)) - before[i]!));
      expect(paid.reduce((a, b) => a + b, 0n)).to.equal(6n * SLASH);
      expect(await d.disputes.totalHeld()).to.equal(0n);
      await expectSystemSolvent(d);
    });

    it("lets the arbiter rule for the provider: paid, and the bond is its compensation", async function () {
      const d = await loadFixture(awaitingArbiter);
      const before = await d.market.balanceOf(d.provider.address);
      await d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, d.terms.resultHash);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Finalized);
      expect((await d.market.balanceOf(d.provider.address)) - before).to.equal(BOND);
      await expectSystemSolvent(d);
    });

    it("refuses arbitration while a committee can still decide (DisputeWrongPhase)", async function () {
      const d = await loadFixture(fixtures.drawn);
      await expect(d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, d.terms.resultHash))
        .to.be.revertedWithCustomError(d.disputes, "DisputeWrongPhase")
        .withArgs(d.jobId, Phase.Voting, Phase.AwaitingArbiter);
    });
  });

  describe("voidDispute, when no one settles the dispute before the market's deadline", function () {
    async function overdue() {
      const d = await fixtures.drawn();
      const deadline = (await d.market.getJob(d.jobId)).deadline;
      await time.increaseTo(deadline + 1n);
      const before = {
        requester: await d.market.balanceOf(d.requester.address),
        challenger: await d.market.balanceOf(d.challenger.address),
      };
      return { ...d, before };
    }

    it("lets anyone void it: the requester is refunded and the provider's collateral unlocked", async function () {
      const d = await loadFixture(overdue);
      await d.disputes.connect(d.keeper).voidDispute(d.jobId, d.terms);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Voided);
      expect((await d.market.balanceOf(d.requester.address)) - d.before.requester).to.equal(REWARD);
      expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(0n);
    });

    it("returns the bond and releases every verifier's lock in the pool", async function () {
      const d = await loadFixture(overdue);
      await expect(d.disputes.connect(d.keeper).voidDispute(d.jobId, d.terms))
        .to.emit(d.disputes, "DisputeVoided")
        .withArgs(d.jobId, BOND, 0);
      expect((await d.market.balanceOf(d.challenger.address)) - d.before.challenger).to.equal(BOND);
      for (const v of d.committee.verifiers) expect((await d.pool.memberOf(v)).locked).to.equal(0n);
      expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.Voided);
      await expectSystemSolvent(d);
    });

    it("slashes no verifier", async function () {
      const d = await loadFixture(overdue);
      await d.disputes.connect(d.keeper).voidDispute(d.jobId, d.terms);
      for (const v of d.committee.verifiers) expect((await d.pool.memberOf(v)).bonded).to.equal(STAKE);
    });

    it("still cleans up after someone voided the job directly in the market", async function () {
      const d = await loadFixture(overdue);
      await d.market.connect(d.keeper).voidExpiredDispute(d.jobId, d.terms);
      await d.disputes.connect(d.keeper).voidDispute(d.jobId, d.terms);
      for (const v of d.committee.verifiers) expect((await d.pool.memberOf(v)).locked).to.equal(0n);
      expect(await d.disputes.totalHeld()).to.equal(0n);
      await expectSystemSolvent(d);
    });

    it("is refused before the deadline with the market's MarketDisputeDeadlineNotReached", async function () {
      const d = await loadFixture(fixtures.drawn);
      const deadline = (await d.market.getJob(d.jobId)).deadline;
      await expect(d.disputes.voidDispute(d.jobId, d.terms))
        .to.be.revertedWithCustomError(d.market, "MarketDisputeDeadlineNotReached")
        .withArgs(d.jobId, deadline);
    });

    it("is refused once resolved with DisputeWrongPhase", async function () {
      const d = await loadFixture(fixtures.drawn);
      await vote(d.disputes, d.jobId, d.seat, [d.providerHash, d.providerHash, d.providerHash]);
      await d.disputes.resolve(d.jobId, d.terms);
      await expect(d.disputes.voidDispute(d.jobId, d.terms))
        .to.be.revertedWithCustomError(d.disputes, "DisputeNotActive")
        .withArgs(d.jobId, Phase.Resolved);
    });
  });
});
