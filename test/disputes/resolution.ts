import { expect } from "chai";
import { network } from "hardhat";

import { LOCAL_PARAMETERS } from "../../ignition/parameters/defaults.js";
import {
  BOND,
  COLLATERAL,
  DISPUTE_PARAMETERS,
  JobState,
  LOCK,
  Phase,
  REWARD,
  Role,
  SLASH,
  STAKE,
  VERIFIER_FEE,
  createDisputeFixtures,
  expectSystemSolvent,
  vote,
  type Drawn,
} from "./fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const FEE = (REWARD * BigInt(LOCAL_PARAMETERS.feeBps)) / 10_000n;
const REWARD_BPS = BigInt(DISPUTE_PARAMETERS.challengerRewardBps);

/** Ledger balances of every party, to compare before and after a resolution. */
async function ledgers(d: Drawn) {
  const of = (a: string) => d.market.balanceOf(a);
  return {
    requester: await of(d.requester.address),
    challenger: await of(d.challenger.address),
    provider: await of(d.provider.address),
    treasury: await of(d.treasury.address),
    seats: await Promise.all(d.committee.verifiers.map(of)),
  };
}

/** Votes, then resolves (after the deadlines if some seats stay silent). */
async function voteAndResolve(d: Drawn, votes: (string | undefined)[]) {
  await vote(d.disputes, d.jobId, d.seat, votes, time);
  if (votes.includes(undefined)) await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
  return d.disputes.connect(d.keeper).resolve(d.jobId, d.terms);
}

describe("HashworkDisputes: resolution", function () {
  describe("when the committee agrees with the provider (challenger wrong)", function () {
    async function providerRight() {
      const d = await fixtures.drawn();
      const before = await ledgers(d);
      const stakeBefore = (await d.market.stakeOf(d.provider.address)).staked;
      const tx = await voteAndResolve(d, [d.providerHash, d.providerHash, d.providerHash]);
      return { ...d, before, stakeBefore, tx };
    }

    it("finalizes the job and pays the provider its reward minus the fee", async function () {
      const d = await loadFixture(providerRight);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Finalized);
      const s = await d.market.stakeOf(d.provider.address);
      expect(s.staked).to.equal(d.stakeBefore + REWARD - FEE);
      expect(s.locked).to.equal(0n);
    });

    it("pays the bond to the provider, less the honest verifiers' fees", async function () {
      const d = await loadFixture(providerRight);
      const after = await ledgers(d);
      expect(after.provider - d.before.provider).to.equal(BOND - 3n * VERIFIER_FEE);
      expect(after.challenger).to.equal(d.before.challenger);
    });

    it("pays each honest verifier its fee and releases its lock", async function () {
      const d = await loadFixture(providerRight);
      const after = await ledgers(d);
      for (const [i, v] of d.committee.verifiers.entries()) {
        expect(after.seats[i] - d.before.seats[i]).to.equal(VERIFIER_FEE);
        expect((await d.pool.memberOf(v)).locked).to.equal(0n);
      }
    });

    it("records a won dispute in the provider's reputation", async function () {
      const d = await loadFixture(providerRight);
      expect((await d.market.reputationOf(d.provider.address)).disputesWon).to.equal(1n);
    });

    it("emits DisputeResolved and one DisputePayout per recipient", async function () {
      const d = await loadFixture(providerRight);
      await expect(d.tx).to.emit(d.disputes, "DisputeResolved").withArgs(d.jobId, true, false, d.providerHash, 3);
      await expect(d.tx)
        .to.emit(d.disputes, "DisputePayout")
        .withArgs(d.jobId, d.provider.address, Role.Provider, BOND - 3n * VERIFIER_FEE);
      await expect(d.tx).to.emit(d.disputes, "DisputePayout").withArgs(d.jobId, d.committee.verifiers[0], Role.Verifier, VERIFIER_FEE);
    });

    it("leaves the module holding nothing and everything solvent", async function () {
      const d = await loadFixture(providerRight);
      expect(await d.disputes.totalHeld()).to.equal(0n);
      expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.Resolved);
      await expectSystemSolvent(d);
    });
  });

  describe("when the committee agrees with the challenger (provider wrong)", function () {
    async function providerWrong() {
      const d = await fixtures.drawn();
      const before = await ledgers(d);
      const tx = await voteAndResolve(d, [d.challengerHash, d.challengerHash, d.challengerHash]);
      return { ...d, before, tx };
    }
    const VERIFIERS = 3n * VERIFIER_FEE;
    const CHALLENGER_REWARD = ((COLLATERAL - VERIFIERS) * REWARD_BPS) / 10_000n;
    const COMPENSATION = COLLATERAL - VERIFIERS - CHALLENGER_REWARD;

    it("overturns the job", async function () {
      const d = await loadFixture(providerWrong);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Overturned);
    });

    it("slashes the provider's whole collateral", async function () {
      const d = await loadFixture(providerWrong);
      const s = await d.market.stakeOf(d.provider.address);
      expect(s.staked).to.equal(STAKE - COLLATERAL);
      expect(s.locked).to.equal(0n);
    });

    it("refunds the requester's payment and pays its compensation", async function () {
      const d = await loadFixture(providerWrong);
      const after = await ledgers(d);
      expect(after.requester - d.before.requester).to.equal(REWARD + COMPENSATION);
    });

    it("returns the challenger's bond with its reward", async function () {
      const d = await loadFixture(providerWrong);
      const after = await ledgers(d);
      expect(after.challenger - d.before.challenger).to.equal(BOND + CHALLENGER_REWARD);
    });

    it("pays each honest verifier its fee", async function () {
      const d = await loadFixture(providerWrong);
      const after = await ledgers(d);
      for (const i of [0, 1, 2]) expect(after.seats[i] - d.before.seats[i]).to.equal(VERIFIER_FEE);
    });

    it("records a lost dispute in the provider's reputation", async function () {
      const d = await loadFixture(providerWrong);
      expect((await d.market.reputationOf(d.provider.address)).disputesLost).to.equal(1n);
    });

    it("emits DisputeResolved naming the challenger's hash", async function () {
      const d = await loadFixture(providerWrong);
      await expect(d.tx).to.emit(d.disputes, "DisputeResolved").withArgs(d.jobId, false, true, d.challengerHash, 3);
    });

    it("forgets the challenger's hash once resolved (its storage is reused; DisputeOpened keeps it)", async function () {
      const d = await loadFixture(providerWrong);
      const dispute = await d.disputes.getDispute(d.jobId);
      expect(dispute.challenger).to.equal(d.challenger.address);
      expect(dispute.challengerHash).to.equal(ethers.ZeroHash);
    });

    it("leaves the module holding nothing and everything solvent", async function () {
      const d = await loadFixture(providerWrong);
      expect(await d.disputes.totalHeld()).to.equal(0n);
      await expectSystemSolvent(d);
    });
  });

  describe("when the majority names a third hash (both wrong)", function () {
    it("overturns the job but gives the challenger only its bond back", async function () {
      const d = await loadFixture(fixtures.drawn);
      const before = await ledgers(d);
      const third = ethers.id("third");
      await voteAndResolve(d, [third, third, third]);
      const after = await ledgers(d);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Overturned);
      expect(after.challenger - before.challenger).to.equal(BOND);
      expect(after.requester - before.requester).to.equal(REWARD + COLLATERAL - 3n * VERIFIER_FEE);
    });
  });

  describe("a verifier who does not reveal", function () {
    async function silentSeat() {
      const d = await fixtures.drawn();
      const before = await ledgers(d);
      const tx = await voteAndResolve(d, [d.providerHash, d.providerHash, undefined]);
      return { ...d, before, tx };
    }

    it("loses verifierSlashBps of its lock from its pool bond and gets the rest back", async function () {
      const d = await loadFixture(silentSeat);
      const m = await d.pool.memberOf(d.committee.verifiers[2]);
      expect(m.bonded).to.equal(STAKE - SLASH);
      expect(m.locked).to.equal(0n);
    });

    it("emits VerifierSlashed in the module and BondSlashed (to the module) in the pool", async function () {
      const d = await loadFixture(silentSeat);
      const silent = d.committee.verifiers[2];
      await expect(d.tx).to.emit(d.disputes, "VerifierSlashed").withArgs(d.jobId, 0, silent, SLASH);
      await expect(d.tx)
        .to.emit(d.pool, "BondSlashed")
        .withArgs(silent, d.disputesAddress, SLASH, STAKE - SLASH);
    });

    it("lowers its weight in the pool for later disputes", async function () {
      const d = await loadFixture(silentSeat);
      const block = (await d.tx.wait())!.blockNumber;
      expect(await d.pool.weightAt(d.committee.verifiers[2], block)).to.equal(STAKE - SLASH);
    });

    it("has its slashed stake shared by the honest verifiers", async function () {
      const d = await loadFixture(silentSeat);
      const after = await ledgers(d);
      for (const i of [0, 1]) expect(after.seats[i] - d.before.seats[i]).to.equal(VERIFIER_FEE + SLASH / 2n);
      expect(after.seats[2]).to.equal(d.before.seats[2]);
    });

    it("does not stop the majority from deciding", async function () {
      const d = await loadFixture(silentSeat);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Finalized);
      await expectSystemSolvent(d);
    });
  });

  describe("a verifier in the minority", function () {
    async function minority() {
      const d = await fixtures.drawn();
      const before = await ledgers(d);
      await voteAndResolve(d, [d.challengerHash, d.providerHash, d.challengerHash]);
      return { ...d, before };
    }

    it("loses verifierSlashBps of its lock", async function () {
      const d = await loadFixture(minority);
      expect((await d.pool.memberOf(d.committee.verifiers[1])).bonded).to.equal(STAKE - SLASH);
    });

    it("keeps the majority's verifiers whole and pays them the slash", async function () {
      const d = await loadFixture(minority);
      const after = await ledgers(d);
      for (const i of [0, 2]) {
        expect(after.seats[i] - d.before.seats[i]).to.equal(VERIFIER_FEE + SLASH / 2n);
        expect((await d.pool.memberOf(d.committee.verifiers[i])).bonded).to.equal(STAKE);
      }
      await expectSystemSolvent(d);
    });
  });

  describe("resolve", function () {
    it("is refused while votes are still coming in with DisputeVotingOngoing", async function () {
      const d = await loadFixture(fixtures.drawn);
      const { revealDeadline } = await d.disputes.getDispute(d.jobId);
      await expect(d.disputes.resolve(d.jobId, d.terms))
        .to.be.revertedWithCustomError(d.disputes, "DisputeVotingOngoing")
        .withArgs(d.jobId, revealDeadline);
    });

    it("is allowed before the reveal deadline once everyone who committed has revealed", async function () {
      const d = await loadFixture(fixtures.drawn);
      // Seat 3 never commits; after the commit deadline the round can close early.
      await vote(d.disputes, d.jobId, d.seat.slice(0, 2), [d.providerHash, d.providerHash], time);
      await expect(d.disputes.resolve(d.jobId, d.terms)).to.emit(d.disputes, "DisputeResolved");
    });

    it("refuses terms that do not match the job with the market's MarketTermsMismatch", async function () {
      const d = await loadFixture(fixtures.drawn);
      await vote(d.disputes, d.jobId, d.seat, [d.challengerHash, d.challengerHash, d.challengerHash]);
      await expect(d.disputes.resolve(d.jobId, { ...d.terms, resultHash: d.challengerHash }))
        .to.be.revertedWithCustomError(d.market, "MarketTermsMismatch")
        .withArgs(d.jobId);
    });

    it("cannot be repeated once resolved (DisputeWrongPhase)", async function () {
      const d = await loadFixture(fixtures.drawn);
      await voteAndResolve(d, [d.providerHash, d.providerHash, d.providerHash]);
      await expect(d.disputes.resolve(d.jobId, d.terms))
        .to.be.revertedWithCustomError(d.disputes, "DisputeWrongPhase")
        .withArgs(d.jobId, Phase.Resolved, Phase.Voting);
    });
  });

  describe("a verifier holding two seats", function () {
    /** The two-seat verifier votes for the challenger, the one-seat verifier for the provider. */
    async function twoAgainstOne() {
      const d = await fixtures.drawnWithDoubleSeat();
      const double = d.committee.votes.indexOf(2n);
      const before = await ledgers(d);
      const votes = d.committee.votes.map((v) => (v === 2n ? d.challengerHash : d.providerHash));
      const tx = await voteAndResolve(d, votes);
      return { ...d, before, tx, double, single: 1 - double };
    }

    it("outvotes the verifier holding one: the job is overturned", async function () {
      const d = await loadFixture(twoAgainstOne);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Overturned);
    });

    it("is reported as two honest votes in DisputeResolved", async function () {
      const d = await loadFixture(twoAgainstOne);
      await expect(d.tx).to.emit(d.disputes, "DisputeResolved").withArgs(d.jobId, false, true, d.challengerHash, 2);
    });

    it("is paid a fee per seat plus the minority's slash", async function () {
      const d = await loadFixture(twoAgainstOne);
      const after = await ledgers(d);
      expect(after.seats[d.double] - d.before.seats[d.double]).to.equal(2n * VERIFIER_FEE + SLASH);
      expect(after.seats[d.single]).to.equal(d.before.seats[d.single]);
    });

    it("unlocks both seats' locks", async function () {
      const d = await loadFixture(twoAgainstOne);
      const m = await d.pool.memberOf(d.committee.verifiers[d.double]);
      expect(m.locked).to.equal(0n);
      expect(m.bonded).to.equal(STAKE);
    });

    it("loses the slash of both seats' locks when it does not reveal", async function () {
      const d = await loadFixture(fixtures.drawnWithDoubleSeat);
      const double = d.committee.votes.indexOf(2n);
      // Only the one-seat verifier reveals: 1 of 3 votes is no quorum, so the round fails.
      await voteAndResolve(
        d,
        d.committee.votes.map((v) => (v === 2n ? undefined : d.providerHash)),
      );
      expect((await d.pool.memberOf(d.committee.verifiers[double])).bonded).to.equal(STAKE - 2n * SLASH);
    });
  });

  it("locks the collateral in the market and the seats' locks in the pool while voting, and nothing after", async function () {
    const d = await loadFixture(fixtures.drawn);
    expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(COLLATERAL);
    for (const v of d.committee.verifiers) expect((await d.pool.memberOf(v)).locked).to.equal(LOCK);
    await voteAndResolve(d, [d.providerHash, d.providerHash, d.providerHash]);
    expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(0n);
    for (const v of d.committee.verifiers) expect((await d.pool.memberOf(v)).locked).to.equal(0n);
    await expectSystemSolvent(d);
  });
});
