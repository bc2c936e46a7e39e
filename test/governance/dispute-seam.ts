import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import {
  LOCAL_PARAMETERS,
  REWARD,
  STAKE,
  createFixtures,
  jobRequest,
  postedJobIds,
  submittedTerms,
  type SubmittedJob,
} from "../helpers/fixtures.js";
import { expectSolvent } from "../vault/support.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });

const State = { Submitted: 3n, Disputed: 4n, Finalized: 5n, Overturned: 9n, Voided: 10n } as const;
const bit = (state: bigint) => 1n << state;
const COLLATERAL = (REWARD * 150n + 99n) / 100n;
const FEE = (REWARD * BigInt(LOCAL_PARAMETERS.feeBps)) / 10_000n;
const PAYOUT = REWARD - FEE;
/** Half of every fee goes to the audit reserve (INITIAL_AUDIT_RESERVE_BPS = 5000). */
const RESERVED = FEE / 2n;
const MAX_DISPUTE = BigInt(LOCAL_PARAMETERS.maxDisputeDuration);
const kind = (k: string) => ethers.encodeBytes32String(k);

/**
 * `submittedJob` with a plain signer set as the dispute module: an EOA is enough to drive the
 * seam, since the market only checks `msg.sender`.
 */
async function disputable() {
  const d = await fixtures.submittedJob();
  const module = (await ethers.getSigners())[7];
  await d.market.connect(d.owner).setDisputeModule(module.address);
  const challengeEnd = (await d.market.getJob(d.jobId)).deadline;
  return { ...d, module, challengeEnd };
}

/** `disputable` with the dispute opened; `disputeDeadline` is when it can be voided. */
async function disputed() {
  const d = await disputable();
  await d.market.connect(d.module).openDispute(d.jobId, d.terms);
  const disputeDeadline = (await d.market.getJob(d.jobId)).deadline;
  return { ...d, disputeDeadline };
}

type D = Awaited<ReturnType<typeof disputable>>;

/** Ways to alter the committed terms, one field at a time. */
const TAMPERINGS: [string, (d: D) => SubmittedJob][] = [
  ["reward", (d) => ({ ...d.terms, reward: BigInt(d.terms.reward) + 1n })],
  ["collateral percentage", (d) => ({ ...d.terms, collateralPct: 100 })],
  ["provider", (d) => ({ ...d.terms, provider: d.provider2.address })],
  ["result hash", (d) => ({ ...d.terms, resultHash: ethers.id("another result") })],
];

/** Shared: a call given tampered terms reverts with MarketTermsMismatch(jobId). */
function refusesTamperedTerms(fixture: () => Promise<D>, call: (d: D, terms: SubmittedJob) => Promise<ContractTransactionResponse>) {
  for (const [field, tamper] of TAMPERINGS) {
    it(`refuses terms with another ${field} with MarketTermsMismatch(jobId)`, async function () {
      const d = await networkHelpers.loadFixture(fixture);
      await expect(call(d, tamper(d)))
        .to.be.revertedWithCustomError(d.market, "MarketTermsMismatch")
        .withArgs(d.jobId);
    });
  }
}

async function stakeOf(d: D) {
  const s = await d.market.stakeOf(d.provider.address);
  return { staked: s.staked, locked: s.locked, completed: s.completed };
}

describe("The dispute seam (an EOA acting as the dispute module)", function () {
  describe("openDispute", function () {
    it("moves a Submitted job to Disputed", async function () {
      const d = await networkHelpers.loadFixture(disputable);
      expect(await d.market.jobState(d.jobId)).to.equal(State.Submitted);
      await d.market.connect(d.module).openDispute(d.jobId, d.terms);
      expect(await d.market.jobState(d.jobId)).to.equal(State.Disputed);
    });

    it("emits JobDisputed(jobId, module, now + maxDisputeDuration) and stores that deadline", async function () {
      const d = await networkHelpers.loadFixture(disputable);
      const at = BigInt(await networkHelpers.time.latest()) + 10n;
      await networkHelpers.time.setNextBlockTimestamp(at);
      await expect(d.market.connect(d.module).openDispute(d.jobId, d.terms))
        .to.emit(d.market, "JobDisputed")
        .withArgs(d.jobId, d.module.address, at + MAX_DISPUTE);
      expect((await d.market.getJob(d.jobId)).deadline).to.equal(at + MAX_DISPUTE);
    });

    it("keeps the result commitment", async function () {
      const d = await networkHelpers.loadFixture(disputable);
      const before = (await d.market.getJob(d.jobId)).commitment;
      await d.market.connect(d.module).openDispute(d.jobId, d.terms);
      expect((await d.market.getJob(d.jobId)).commitment).to.equal(before);
      expect(before).to.not.equal(0n);
    });

    it("keeps the provider's collateral locked and moves no tokens", async function () {
      const d = await networkHelpers.loadFixture(disputable);
      await expect(d.market.connect(d.module).openDispute(d.jobId, d.terms)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.market, d.module],
        [0n, 0n],
      );
      expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(COLLATERAL);
    });

    it("is allowed in the last second of the challenge window", async function () {
      const d = await networkHelpers.loadFixture(disputable);
      await networkHelpers.time.setNextBlockTimestamp(d.challengeEnd);
      await d.market.connect(d.module).openDispute(d.jobId, d.terms);
      expect(await d.market.jobState(d.jobId)).to.equal(State.Disputed);
    });

    it("is refused once the window has closed with MarketChallengeWindowClosed(jobId, challengeEnd)", async function () {
      const d = await networkHelpers.loadFixture(disputable);
      await networkHelpers.time.setNextBlockTimestamp(d.challengeEnd + 1n);
      await expect(d.market.connect(d.module).openDispute(d.jobId, d.terms))
        .to.be.revertedWithCustomError(d.market, "MarketChallengeWindowClosed")
        .withArgs(d.jobId, d.challengeEnd);
    });

    refusesTamperedTerms(disputable, (d, t) => d.market.connect(d.module).openDispute(d.jobId, t));

    it("is refused for a job already Disputed with MarketUnexpectedJobState", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await expect(d.market.connect(d.module).openDispute(d.jobId, d.terms))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(d.jobId, State.Disputed, bit(State.Submitted));
    });
  });

  describe("a Disputed job", function () {
    it("cannot be finalized, even after its challenge window (MarketUnexpectedJobState)", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await networkHelpers.time.increaseTo(d.challengeEnd + 1n);
      await expect(d.market.connect(d.keeper).finalizeJob(d.jobId, d.terms))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(d.jobId, State.Disputed, bit(State.Submitted));
    });

    it("is skipped by a batch finalize (settled: 0), staying Disputed", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await networkHelpers.time.increaseTo(d.challengeEnd + 1n);
      expect(await d.market.connect(d.keeper).finalizeJobs.staticCall([d.jobId], [d.terms])).to.equal(0n);
      await d.market.connect(d.keeper).finalizeJobs([d.jobId], [d.terms]);
      expect(await d.market.jobState(d.jobId)).to.equal(State.Disputed);
    });

    it("does not stop a batch from settling the other jobs in it", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      const request = jobRequest(await networkHelpers.time.latest());
      const posted = await (await d.market.connect(d.requester).postJob(request)).wait();
      const [other] = postedJobIds(d.market, posted);
      await d.market.connect(d.provider2).claimJob(other);
      const submitted = await (
        await d.market.connect(d.provider2).submitResult(other, ethers.id("other"), "http://127.0.0.1:8700/o/")
      ).wait();
      const otherTerms = submittedTerms(d.market, submitted).get(other)!;
      await networkHelpers.time.increase(BigInt(request.challengeWindow) + 1n);
      await d.market.connect(d.keeper).finalizeJobs([d.jobId, other], [d.terms, otherTerms]);
      expect([await d.market.jobState(d.jobId), await d.market.jobState(other)]).to.deep.equal([State.Disputed, State.Finalized]);
    });
  });

  describe("settleDispute(providerWon = true)", function () {
    const settle = (d: D, terms: SubmittedJob = d.terms) => d.market.connect(d.module).settleDispute(d.jobId, terms, true);

    it("finalizes the job", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await settle(d);
      expect(await d.market.jobState(d.jobId)).to.equal(State.Finalized);
    });

    it("pays the provider like finalize: payout into stake, collateral unlocked, job counted", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await settle(d);
      expect(await stakeOf(d)).to.deep.equal({ staked: STAKE + PAYOUT, locked: 0n, completed: 1n });
    });

    it("splits the protocol fee between the treasury's accrued fees and the audit reserve", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await settle(d);
      expect([await d.market.accruedFees(), await d.market.auditReserve()]).to.deep.equal([FEE - RESERVED, RESERVED]);
    });

    it("emits JobFinalized(jobId, provider, payout, fee, collateral, totalLocked)", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await expect(settle(d)).to.emit(d.market, "JobFinalized").withArgs(d.jobId, d.provider.address, PAYOUT, FEE, COLLATERAL, 0n);
    });

    it("emits DisputeSettled(jobId, true, 0, 0)", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await expect(settle(d)).to.emit(d.market, "DisputeSettled").withArgs(d.jobId, true, 0n, 0n);
    });

    it('counts disputesWon and emits ReputationChanged(provider, "disputeWon", 1)', async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await expect(settle(d)).to.emit(d.market, "ReputationChanged").withArgs(d.provider.address, kind("disputeWon"), 1n);
      const r = await d.market.reputationOf(d.provider.address);
      expect([r.completed, r.disputesWon, r.disputesLost, r.timedOut]).to.deep.equal([1n, 1n, 0n, 0n]);
    });

    it("counts the won dispute's fee once in feesPaid, as for a completed job", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await settle(d);
      expect((await d.market.reputationOf(d.provider.address)).feesPaid).to.equal(FEE);
    });

    it("scores the provider for a job of the same reward: 10000 * fee / (fee + reward) = 99", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await settle(d);
      expect(await d.market.scoreFor(d.provider.address, REWARD)).to.equal((10_000n * FEE) / (FEE + REWARD));
      expect((10_000n * FEE) / (FEE + REWARD)).to.equal(99n);
    });

    it("leaves the requester's balance untouched and the market solvent", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      const owed = await d.market.totalOwed();
      await settle(d);
      expect(await d.market.balanceOf(d.requester.address)).to.equal(0n);
      expect(await d.market.totalOwed()).to.equal(owed);
      await expectSolvent(d.market, d.token);
    });

    it("cannot settle the same job twice: the finalized job's record is cleared and names no module (GovNotDisputeModule)", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await settle(d);
      await expect(settle(d)).to.be.revertedWithCustomError(d.market, "GovNotDisputeModule").withArgs(d.module.address);
    });

    it("is refused for a job that is not Disputed: no module opened its dispute (GovNotDisputeModule)", async function () {
      const d = await networkHelpers.loadFixture(disputable);
      await expect(settle(d)).to.be.revertedWithCustomError(d.market, "GovNotDisputeModule").withArgs(d.module.address);
    });

    refusesTamperedTerms(disputed, (d, t) => settle(d, t));
  });

  describe("settleDispute(providerWon = false)", function () {
    const settle = (d: D, terms: SubmittedJob = d.terms) => d.market.connect(d.module).settleDispute(d.jobId, terms, false);

    it("overturns the job", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await settle(d);
      expect(await d.market.jobState(d.jobId)).to.equal(State.Overturned);
    });

    it("refunds the reward to the requester's ledger balance", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await settle(d);
      expect(await d.market.balanceOf(d.requester.address)).to.equal(REWARD);
    });

    it("credits the slashed collateral to the module's ledger balance", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await settle(d);
      expect(await d.market.balanceOf(d.module.address)).to.equal(COLLATERAL);
    });

    it("takes the collateral out of the provider's stake, leaving its free stake as it was", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      const free = await d.market.freeStakeOf(d.provider.address);
      await settle(d);
      expect(await stakeOf(d)).to.deep.equal({ staked: STAKE - COLLATERAL, locked: 0n, completed: 0n });
      expect(await d.market.freeStakeOf(d.provider.address)).to.equal(free);
    });

    it("emits StakeSlashed(provider, module, collateral)", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await expect(settle(d)).to.emit(d.market, "StakeSlashed").withArgs(d.provider.address, d.module.address, COLLATERAL);
    });

    it("emits DisputeSettled(jobId, false, reward, collateral)", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await expect(settle(d)).to.emit(d.market, "DisputeSettled").withArgs(d.jobId, false, REWARD, COLLATERAL);
    });

    it("counts disputesLost and adds no fee to feesPaid", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await expect(settle(d)).to.emit(d.market, "ReputationChanged").withArgs(d.provider.address, kind("disputeLost"), 1n);
      const r = await d.market.reputationOf(d.provider.address);
      expect([r.completed, r.disputesWon, r.disputesLost, r.feesPaid]).to.deep.equal([0n, 0n, 1n, 0n]);
    });

    it("accrues no fee, reserves nothing and keeps totalOwed and solvency", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      const owed = await d.market.totalOwed();
      await settle(d);
      expect([await d.market.accruedFees(), await d.market.auditReserve()]).to.deep.equal([0n, 0n]);
      expect(await d.market.totalOwed()).to.equal(owed);
      await expectSolvent(d.market, d.token);
    });

    it("lets the requester and the module withdraw what they were credited", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await settle(d);
      await expect(d.market.connect(d.module).withdraw(d.module.address, COLLATERAL)).to.changeTokenBalance(
        ethers,
        d.token,
        d.module,
        COLLATERAL,
      );
      await expect(d.market.connect(d.requester).withdraw(d.requester.address, REWARD)).to.changeTokenBalance(
        ethers,
        d.token,
        d.requester,
        REWARD,
      );
    });

    it("cannot settle the same job twice (MarketUnexpectedJobState)", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await settle(d);
      await expect(settle(d))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(d.jobId, State.Overturned, bit(State.Disputed));
    });

    refusesTamperedTerms(disputed, (d, t) => settle(d, t));
  });

  describe("voidExpiredDispute", function () {
    type Dd = Awaited<ReturnType<typeof disputed>>;
    async function expiredDispute() {
      const d = await disputed();
      await networkHelpers.time.increaseTo(d.disputeDeadline + 1n);
      return d;
    }
    const voidIt = (d: D, terms: SubmittedJob = d.terms) => d.market.connect(d.stranger).voidExpiredDispute(d.jobId, terms);

    it("is refused at the deadline itself with MarketDisputeDeadlineNotReached(jobId, deadline)", async function () {
      const d: Dd = await networkHelpers.loadFixture(disputed);
      await networkHelpers.time.setNextBlockTimestamp(d.disputeDeadline);
      await expect(voidIt(d))
        .to.be.revertedWithCustomError(d.market, "MarketDisputeDeadlineNotReached")
        .withArgs(d.jobId, d.disputeDeadline);
    });

    it("is refused right after the dispute opens", async function () {
      const d: Dd = await networkHelpers.loadFixture(disputed);
      await expect(voidIt(d))
        .to.be.revertedWithCustomError(d.market, "MarketDisputeDeadlineNotReached")
        .withArgs(d.jobId, d.disputeDeadline);
    });

    it("after the deadline, lets a stranger void the dispute (state Voided)", async function () {
      const d = await networkHelpers.loadFixture(expiredDispute);
      await voidIt(d);
      expect(await d.market.jobState(d.jobId)).to.equal(State.Voided);
    });

    it("refunds the reward to the requester's ledger balance", async function () {
      const d = await networkHelpers.loadFixture(expiredDispute);
      await voidIt(d);
      expect(await d.market.balanceOf(d.requester.address)).to.equal(REWARD);
      expect(await d.market.balanceOf(d.stranger.address)).to.equal(0n);
    });

    it("unlocks the provider's collateral without slashing it", async function () {
      const d = await networkHelpers.loadFixture(expiredDispute);
      await voidIt(d);
      expect(await stakeOf(d)).to.deep.equal({ staked: STAKE, locked: 0n, completed: 0n });
    });

    it("emits DisputeVoided(jobId, reward, collateral) and StakeUnlocked(provider, collateral, 0)", async function () {
      const d = await networkHelpers.loadFixture(expiredDispute);
      const tx = voidIt(d);
      await expect(tx).to.emit(d.market, "DisputeVoided").withArgs(d.jobId, REWARD, COLLATERAL);
      await expect(tx).to.emit(d.market, "StakeUnlocked").withArgs(d.provider.address, COLLATERAL, 0n);
    });

    it("changes no reputation and accrues no fee", async function () {
      const d = await networkHelpers.loadFixture(expiredDispute);
      await expect(voidIt(d)).not.to.emit(d.market, "ReputationChanged");
      const r = await d.market.reputationOf(d.provider.address);
      expect([r.completed, r.disputesWon, r.disputesLost, r.timedOut, r.feesPaid]).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      expect([await d.market.accruedFees(), await d.market.auditReserve()]).to.deep.equal([0n, 0n]);
    });

    it("keeps the market solvent", async function () {
      const d = await networkHelpers.loadFixture(expiredDispute);
      await voidIt(d);
      await expectSolvent(d.market, d.token);
    });

    it("leaves nothing for the module to settle afterwards", async function () {
      const d = await networkHelpers.loadFixture(expiredDispute);
      await voidIt(d);
      await expect(d.market.connect(d.module).settleDispute(d.jobId, d.terms, false))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(d.jobId, State.Voided, bit(State.Disputed));
    });

    it("is refused for a job that was never disputed", async function () {
      const d = await networkHelpers.loadFixture(disputable);
      await networkHelpers.time.increaseTo(d.challengeEnd + MAX_DISPUTE + 1n);
      await expect(voidIt(d))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(d.jobId, State.Submitted, bit(State.Disputed));
    });

    refusesTamperedTerms(expiredDispute, (d, t) => voidIt(d, t));
  });

  describe("no hook into provider stake", function () {
    it("the market offers the module no function to lock, unlock or slash a provider's stake", async function () {
      const d = await networkHelpers.loadFixture(disputable);
      const removed = ["lockStake", "unlockStake", "slashStake", "fundAuditFromFees"];
      const names: string[] = [];
      d.market.interface.forEachFunction((f) => names.push(f.name));
      expect(names.filter((fn) => removed.includes(fn))).to.deep.equal([]);
      expect(names).to.include("fundAudit");
    });
  });

  describe("refundAudit", function () {
    it("is refused for a job no dispute went through: its record names no module (MarketUnexpectedJobState)", async function () {
      const d = await networkHelpers.loadFixture(disputable);
      await expect(d.market.connect(d.module).refundAudit(d.jobId, 0n))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(d.jobId, State.Submitted, bit(State.Disputed) | bit(State.Overturned) | bit(State.Voided));
    });

    it("is refused for a module other than the one that opened the dispute (GovNotDisputeModule)", async function () {
      const d = await networkHelpers.loadFixture(disputed);
      await expect(d.market.connect(d.keeper).refundAudit(d.jobId, 0n))
        .to.be.revertedWithCustomError(d.market, "GovNotDisputeModule")
        .withArgs(d.keeper.address);
    });
  });

  describe("fundAudit", function () {
    /** `disputable` after its job was finalized: RESERVED is in the audit reserve, FEE - RESERVED accrued. */
    async function reserveFilled() {
      const d = await disputable();
      await networkHelpers.time.increaseTo(d.challengeEnd + 1n);
      await d.market.connect(d.keeper).finalizeJob(d.jobId, d.terms);
      return d;
    }

    const fund = (d: D, amount: bigint) => d.market.connect(d.module).fundAudit(amount);

    it("moves the budget from the audit reserve to the module's ledger balance", async function () {
      const d = await networkHelpers.loadFixture(reserveFilled);
      await fund(d, RESERVED / 4n);
      expect(await d.market.auditReserve()).to.equal(RESERVED - RESERVED / 4n);
      expect(await d.market.balanceOf(d.module.address)).to.equal(RESERVED / 4n);
    });

    it("returns the amount funded", async function () {
      const d = await networkHelpers.loadFixture(reserveFilled);
      expect(await d.market.connect(d.module).fundAudit.staticCall(RESERVED / 4n)).to.equal(RESERVED / 4n);
    });

    it("emits AuditFunded(module, amount, reserveLeft)", async function () {
      const d = await networkHelpers.loadFixture(reserveFilled);
      await expect(fund(d, RESERVED / 4n))
        .to.emit(d.market, "AuditFunded")
        .withArgs(d.module.address, RESERVED / 4n, RESERVED - RESERVED / 4n);
    });

    describe("when the budget exceeds the reserve", function () {
      it("funds the whole reserve instead of reverting, and returns it", async function () {
        const d = await networkHelpers.loadFixture(reserveFilled);
        expect(await d.market.connect(d.module).fundAudit.staticCall(RESERVED + 1n)).to.equal(RESERVED);
        await expect(fund(d, RESERVED + 1n))
          .to.emit(d.market, "AuditFunded")
          .withArgs(d.module.address, RESERVED, 0n);
        expect(await d.market.balanceOf(d.module.address)).to.equal(RESERVED);
      });
    });

    describe("when the reserve is empty", function () {
      it("funds 0 without reverting", async function () {
        const d = await networkHelpers.loadFixture(disputable);
        expect(await d.market.connect(d.module).fundAudit.staticCall(FEE)).to.equal(0n);
        await expect(fund(d, FEE)).to.emit(d.market, "AuditFunded").withArgs(d.module.address, 0n, 0n);
        expect(await d.market.balanceOf(d.module.address)).to.equal(0n);
      });
    });

    it("never takes the treasury's accrued fees", async function () {
      const d = await networkHelpers.loadFixture(reserveFilled);
      await fund(d, FEE);
      expect(await d.market.accruedFees()).to.equal(FEE - RESERVED);
    });

    it("moves no tokens and keeps totalOwed and solvency", async function () {
      const d = await networkHelpers.loadFixture(reserveFilled);
      const owed = await d.market.totalOwed();
      await expect(fund(d, RESERVED)).to.changeTokenBalances(ethers, d.token, [d.market, d.module], [0n, 0n]);
      expect(await d.market.totalOwed()).to.equal(owed);
      await expectSolvent(d.market, d.token);
    });

    it("lets the module withdraw what it was funded", async function () {
      const d = await networkHelpers.loadFixture(reserveFilled);
      await fund(d, RESERVED);
      await expect(d.market.connect(d.module).withdraw(d.module.address, RESERVED)).to.changeTokenBalance(
        ethers,
        d.token,
        d.module,
        RESERVED,
      );
    });
  });
});
