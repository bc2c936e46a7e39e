import { expect } from "chai";
import { network } from "hardhat";

import {
  BOND,
  COLLATERAL,
  DISPUTE_PARAMETERS,
  JobState,
  Phase,
  REWARD,
  SLASH,
  committeeOf,
  createDisputeFixtures,
  expectSystemSolvent,
  vote,
  type Drawn,
} from "./fixtures.js";

const { ethers, networkHelpers } = await network.create();
const fixtures = createDisputeFixtures(ethers, networkHelpers);
const { loadFixture, time, mine } = networkHelpers;

const REWARD_BPS = BigInt(DISPUTE_PARAMETERS.challengerRewardBps);

/** Ends the current round with only one reveal (no quorum). */
async function noQuorum(d: Drawn, seats: Drawn["seat"]) {
  await vote(d.disputes, d.jobId, seats, [d.providerHash, ...seats.slice(1).map(() => undefined)], time);
  await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
  return d.disputes.connect(d.keeper).resolve(d.jobId, d.terms);
}

describe("HashworkDisputes: no quorum, re-draw, arbiter, void", function () {
  describe("when a round ends without quorum", function () {
    async function firstRoundFailed() {
      const d = await fixtures.drawn();
      const tx = await noQuorum(d, d.seat);
      return { ...d, tx };
    }

    it("emits RoundFailed and schedules a second round of five seats", async function () {
      const d = await loadFixture(firstRoundFailed);
      await expect(d.tx).to.emit(d.disputes, "RoundFailed");
      const dispute = await d.disputes.getDispute(d.jobId);
      expect(dispute.phase).to.equal(Phase.AwaitingDraw);
      expect(dispute.round).to.equal(1n);
      expect(dispute.size).to.equal(5n);
    });

    it("slashes the seats that did not reveal into the pot and releases the one that did", async function () {
      const d = await loadFixture(firstRoundFailed);
      expect((await d.disputes.getDispute(d.jobId)).pot).to.equal(2n * SLASH);
      expect((await d.market.stakeOf(d.committee[0])).locked).to.equal(0n);
      for (const v of d.committee.slice(1)) expect((await d.market.stakeOf(v)).locked).to.equal(0n);
      await expectSystemSolvent(d);
    });

    it("leaves the job Disputed in the market", async function () {
      const d = await loadFixture(firstRoundFailed);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Disputed);
    });

    it("re-draws a committee of five from a new seed", async function () {
      const d = await loadFixture(firstRoundFailed);
      await mine(1);
      const receipt = await (await d.disputes.drawCommittee(d.jobId, d.terms)).wait();
      const committee = committeeOf(d.disputes, receipt);
      expect(committee).to.have.length(5);
      expect(new Set(committee).size).to.equal(5);
    });
  });

  describe("when the last round also fails", function () {
    async function awaitingArbiter() {
      const d = await fixtures.drawn();
      await noQuorum(d, d.seat);
      await mine(1);
      const receipt = await (await d.disputes.drawCommittee(d.jobId, d.terms)).wait();
      const all = [d.requester, d.provider, d.keeper, d.challenger, ...d.verifiers];
      const seats = committeeOf(d.disputes, receipt).map((a) => all.find((s) => s.address === a)!);
      const tx = await noQuorum(d, seats);
      return { ...d, tx };
    }

    it("hands the dispute to the arbiter (RoundFailed with no next seed)", async function () {
      const d = await loadFixture(awaitingArbiter);
      await expect(d.tx).to.emit(d.disputes, "RoundFailed").withArgs(d.jobId, 1, 1, 0);
      expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.AwaitingArbiter);
    });

    it("refuses anyone but the arbiter with DisputeNotArbiter", async function () {
      const d = await loadFixture(awaitingArbiter);
      await expect(d.disputes.connect(d.keeper).arbitrate(d.jobId, d.terms, true))
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
        const tx = await d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, false);
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
        expect((await d.market.balanceOf(d.requester.address)) - d.before.requester).to.equal(
          REWARD + COLLATERAL - CHALLENGER_REWARD,
        );
      });

      it("sends the slashed verifier stake to the treasury", async function () {
        const d = await loadFixture(ruled);
        // Two silent seats in round 0, four in round 1.
        expect((await d.market.balanceOf(d.treasury.address)) - d.before.treasury).to.equal(6n * SLASH);
        expect(await d.disputes.totalHeld()).to.equal(0n);
        await expectSystemSolvent(d);
      });
    });

    it("lets the arbiter rule for the provider: paid, and the bond is its compensation", async function () {
      const d = await loadFixture(awaitingArbiter);
      const before = await d.market.balanceOf(d.provider.address);
      await d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, true);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Finalized);
      expect((await d.market.balanceOf(d.provider.address)) - before).to.equal(BOND);
      await expectSystemSolvent(d);
    });

    it("refuses arbitration while a committee can still decide (DisputeWrongPhase)", async function () {
      const d = await loadFixture(fixtures.drawn);
      await expect(d.disputes.connect(d.owner).arbitrate(d.jobId, d.terms, true))
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

    it("returns the bond and releases every verifier's lock", async function () {
      const d = await loadFixture(overdue);
      await expect(d.disputes.connect(d.keeper).voidDispute(d.jobId, d.terms))
        .to.emit(d.disputes, "DisputeVoided")
        .withArgs(d.jobId, BOND, 0);
      expect((await d.market.balanceOf(d.challenger.address)) - d.before.challenger).to.equal(BOND);
      for (const v of d.committee) expect((await d.market.stakeOf(v)).locked).to.equal(0n);
      expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.Voided);
      await expectSystemSolvent(d);
    });

    it("still cleans up after someone voided the job directly in the market", async function () {
      const d = await loadFixture(overdue);
      await d.market.connect(d.keeper).voidExpiredDispute(d.jobId, d.terms);
      await d.disputes.connect(d.keeper).voidDispute(d.jobId, d.terms);
      for (const v of d.committee) expect((await d.market.stakeOf(v)).locked).to.equal(0n);
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
        .to.be.revertedWithCustomError(d.disputes, "DisputeWrongPhase")
        .withArgs(d.jobId, Phase.Resolved, Phase.Voting);
    });
  });
});
