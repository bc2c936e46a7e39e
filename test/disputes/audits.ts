import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import {
  DISPUTE_PARAMETERS,
  JobState,
  Phase,
  TOKEN_UNIT,
  committeeOf,
  createDisputeFixtures,
  expectSystemSolvent,
  seatsBy,
  vote,
} from "./fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, mine } = networkHelpers;

const JOBS = 400;
const RATE = DISPUTE_PARAMETERS.auditRateBps / 10_000;
/** Fees of the one large job: 1% of 1,000 tokens, half of it reserved for audits. */
const BIG_FEE = 10n * TOKEN_UNIT;
const RESERVE = BIG_FEE / 2n;

/**
 * Fees accrued from one large finalized job (RESERVE in the audit reserve: one audit's budget
 * and a bit), then JOBS small jobs submitted in batches: enough to measure the lottery's rate and
 * to find jobs it selects and jobs it does not.
 */
async function manySubmitted() {
  return fixtures.auditable(JOBS, true, 3);
}

/** The first selected job, audited, with its committee drawn. */
async function auditDrawn() {
  const d = await manySubmitted();
  const jobId = d.selected[0];
  const terms = d.terms.get(jobId)!;
  const reserveBefore = await d.market.auditReserve();
  const accruedBefore = await d.market.accruedFees();
  const startTx = await d.disputes.connect(d.keeper).startAudit(jobId, terms);
  await mine(1);
  const receipt = await (await d.disputes.connect(d.keeper).drawCommittee(jobId, terms)).wait();
  const committee = committeeOf(d.disputes, receipt);
  const seats = seatsBy(committee.verifiers, [d.requester, d.keeper, d.challenger, ...d.verifiers]);
  return { ...d, jobId, terms, committee, seats, reserveBefore, accruedBefore, startTx };
}

/** `manySubmitted` with every submission block pinned, then 300 blocks mined: no hash is readable. */
async function pinnedAndAged() {
  const d = await manySubmitted();
  for (const b of d.blocks) await d.disputes.pinAuditSeed(b);
  await mine(300);
  return d;
}

describe("HashworkDisputes: random audits", function () {
  describe("the lottery", function () {
    it(`selects about ${RATE * 100}% of ${JOBS} submitted jobs`, async function () {
      const d = await loadFixture(manySubmitted);
      // Binomial(400, 0.05): mean 20, standard deviation 4.4; the bounds are 4 deviations out.
      expect(d.selected.length).to.be.within(3, 38);
    });

    it("refuses a job it did not select with DisputeNotSelectedForAudit", async function () {
      const d = await loadFixture(manySubmitted);
      const jobId = d.unselected[0];
      await expect(d.disputes.startAudit(jobId, d.terms.get(jobId)!))
        .to.be.revertedWithCustomError(d.disputes, "DisputeNotSelectedForAudit")
        .withArgs(jobId);
    });

    it("refuses terms naming another submission block (the market checks the commitment)", async function () {
      const d = await loadFixture(manySubmitted);
      // Claim a selected job's seed for an unselected job: the terms no longer match.
      const jobId = d.unselected[0];
      const terms = { ...d.terms.get(jobId)!, submittedBlock: BigInt(d.terms.get(jobId)!.submittedBlock) - 1n };
      const selectedWithFakeBlock = await d.disputes.isSelectedForAudit(jobId, terms.submittedBlock);
      const tx = d.disputes.startAudit(jobId, terms);
      if (selectedWithFakeBlock) await expect(tx).to.be.revertedWithCustomError(d.market, "MarketTermsMismatch");
      else await expect(tx).to.be.revertedWithCustomError(d.disputes, "DisputeNotSelectedForAudit");
    });

    it("selects nothing for a block not mined yet", async function () {
      const d = await loadFixture(manySubmitted);
      const future = BigInt(await ethers.provider.getBlockNumber()) + 1n;
      expect(await d.disputes.isSelectedForAudit(d.selected[0], future)).to.equal(false);
    });

    it("selects nothing submitted at an audit rate of zero, even for an unpinned, aged-out block", async function () {
      const d = await loadFixture(fixtures.deployed);
      await d.disputes.connect(d.owner).setConfig({ ...DISPUTE_PARAMETERS, auditRateBps: 0 });
      const { jobId, terms } = await fixtures.submitJob(d);
      await mine(300);
      expect(await d.disputes.isSelectedForAudit(jobId, terms.submittedBlock)).to.equal(false);
    });

    it("keeps the rate in force when the result was submitted: a later rate of zero frees no selected job", async function () {
      const d = await loadFixture(manySubmitted);
      await d.disputes.connect(d.owner).setConfig({ ...DISPUTE_PARAMETERS, auditRateBps: 0 });
      const jobId = d.selected[0];
      expect(await d.disputes.isSelectedForAudit(jobId, d.terms.get(jobId)!.submittedBlock)).to.equal(true);
    });
  });

  describe("pinAuditSeed", function () {
    it("stores a readable block's hash and emits AuditSeedPinned(block, hash)", async function () {
      const d = await loadFixture(manySubmitted);
      const block = d.blocks[0];
      const hash = (await ethers.provider.getBlock(Number(block)))!.hash!;
      await expect(d.disputes.connect(d.keeper).pinAuditSeed(block)).to.emit(d.disputes, "AuditSeedPinned").withArgs(block, hash);
      await mine(300);
      expect(await d.disputes.auditSeed(block)).to.equal(hash);
    });

    it("is idempotent: a second pin changes nothing and emits nothing", async function () {
      const d = await loadFixture(manySubmitted);
      await d.disputes.pinAuditSeed(d.blocks[0]);
      await expect(d.disputes.pinAuditSeed(d.blocks[0])).to.not.emit(d.disputes, "AuditSeedPinned");
    });

    it("refuses a block more than 256 blocks old with DisputeAuditSeedUnavailable(block)", async function () {
      const d = await loadFixture(manySubmitted);
      await mine(300);
      await expect(d.disputes.pinAuditSeed(d.blocks[0]))
        .to.be.revertedWithCustomError(d.disputes, "DisputeAuditSeedUnavailable")
        .withArgs(d.blocks[0]);
    });

    it("refuses a block not mined yet with DisputeAuditSeedUnavailable(block)", async function () {
      const d = await loadFixture(manySubmitted);
      const future = BigInt(await ethers.provider.getBlockNumber()) + 5n;
      await expect(d.disputes.pinAuditSeed(future))
        .to.be.revertedWithCustomError(d.disputes, "DisputeAuditSeedUnavailable")
        .withArgs(future);
    });

    it("keeps a selected job selected after its block aged out", async function () {
      const d = await loadFixture(pinnedAndAged);
      const jobId = d.selected[0];
      await expect(d.disputes.startAudit(jobId, d.terms.get(jobId)!)).to.emit(d.disputes, "DisputeOpened");
    });

    it("keeps an unselected job unselected after its block aged out", async function () {
      const d = await loadFixture(pinnedAndAged);
      const jobId = d.unselected[0];
      expect(await d.disputes.isSelectedForAudit(jobId, d.terms.get(jobId)!.submittedBlock)).to.equal(false);
      await expect(d.disputes.startAudit(jobId, d.terms.get(jobId)!))
        .to.be.revertedWithCustomError(d.disputes, "DisputeNotSelectedForAudit")
        .withArgs(jobId);
    });

    it("leaves auditSeed zero for an aged-out block nobody pinned", async function () {
      const d = await loadFixture(manySubmitted);
      await mine(300);
      expect(await d.disputes.auditSeed(d.blocks[0])).to.equal(ethers.ZeroHash);
    });
  });

  describe("an aged-out submission block nobody pinned", function () {
    it("counts as selecting every job submitted in it", async function () {
      const d = await loadFixture(manySubmitted);
      await mine(300);
      for (const jobId of d.unselected.slice(0, 10)) {
        expect(await d.disputes.isSelectedForAudit(jobId, d.terms.get(jobId)!.submittedBlock)).to.equal(true);
      }
    });

    it("lets anyone audit a job the lottery would not have selected", async function () {
      const d = await loadFixture(manySubmitted);
      await mine(300);
      const jobId = d.unselected[0];
      await expect(d.disputes.connect(d.keeper).startAudit(jobId, d.terms.get(jobId)!)).to.emit(d.disputes, "DisputeOpened");
    });
  });

  describe("for a selected job", function () {
    it("opens a dispute with no challenger whose bond is the audit budget", async function () {
      const d = await loadFixture(auditDrawn);
      const budget = await d.disputes.auditBudget();
      await expect(d.startTx)
        .to.emit(d.disputes, "DisputeOpened")
        .withArgs(d.jobId, ethers.ZeroAddress, d.terms.provider, d.terms.resultHash, ethers.ZeroHash, budget, (b: bigint) => b > 0n);
    });

    it("pays the budget out of the audit reserve (AuditFunded), not the treasury's fees", async function () {
      const d = await loadFixture(auditDrawn);
      const budget = await d.disputes.auditBudget();
      await expect(d.startTx)
        .to.emit(d.market, "AuditFunded")
        .withArgs(d.disputesAddress, budget, RESERVE - budget);
      expect(d.reserveBefore - (await d.market.auditReserve())).to.equal(budget);
      expect(await d.market.accruedFees()).to.equal(d.accruedBefore);
    });

    it("seats a committee like a challenge does", async function () {
      const d = await loadFixture(auditDrawn);
      expect(d.committee.votes.reduce((a, b) => a + b, 0n)).to.equal(3n);
      expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.Voting);
    });

    it("when the provider was right: pays it, pays the verifiers from the budget, returns the rest to the audit reserve", async function () {
      const d = await loadFixture(auditDrawn);
      const treasuryBefore = await d.market.balanceOf(d.treasury.address);
      const reserveBefore = await d.market.auditReserve();
      const right = d.terms.resultHash as string;
      await vote(
        d.disputes,
        d.jobId,
        d.seats,
        d.seats.map(() => right),
      );
      const tx = await d.disputes.resolve(d.jobId, d.terms);
      const budget = await d.disputes.auditBudget();
      const verifierPay = 3n * DISPUTE_PARAMETERS.verifierFee;
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Finalized);
      await expect(tx)
        .to.emit(d.market, "AuditRefunded")
        .withArgs(d.disputesAddress, budget - verifierPay, anyValue);
      // The job's own fee adds its reserve share on top.
      expect((await d.market.auditReserve()) - reserveBefore).to.be.greaterThanOrEqual(budget - verifierPay);
      expect(await d.market.balanceOf(d.treasury.address)).to.equal(treasuryBefore);
      await expectSystemSolvent(d);
    });

    it("when the provider was wrong: overturns it, gives all the collateral to the requester, pays verifiers from the budget", async function () {
      const d = await loadFixture(auditDrawn);
      const requesterBefore = await d.market.balanceOf(d.requester.address);
      const wrong = ethers.id("the real output");
      await vote(
        d.disputes,
        d.jobId,
        d.seats,
        d.seats.map(() => wrong),
      );
      await d.disputes.resolve(d.jobId, d.terms);
      const collateral = d.terms.reward; // collateralPct 100
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Overturned);
      expect((await d.market.balanceOf(d.requester.address)) - requesterBefore).to.equal(BigInt(d.terms.reward) + BigInt(collateral));
      await expectSystemSolvent(d);
    });
  });

  describe("when the reserve holds less than the budget", function () {
    /** The first audit takes a full budget; the second finds RESERVE - budget; the third nothing. */
    async function reserveDrained() {
      const d = await manySubmitted();
      const [first, second, third] = d.selected;
      await d.disputes.startAudit(first, d.terms.get(first)!);
      const partialTx = await d.disputes.startAudit(second, d.terms.get(second)!);
      const emptyTx = await d.disputes.startAudit(third, d.terms.get(third)!);
      return { ...d, second, third, partialTx, emptyTx };
    }

    it("funds the audit with what is left and opens it", async function () {
      const d = await loadFixture(reserveDrained);
      const left = RESERVE - (await d.disputes.auditBudget());
      await expect(d.partialTx).to.emit(d.market, "AuditFunded").withArgs(d.disputesAddress, left, 0n);
      expect((await d.disputes.getDispute(d.second)).bond).to.equal(left);
    });

    it("opens an audit with a bond of zero when the reserve is empty", async function () {
      const d = await loadFixture(reserveDrained);
      expect(await d.market.auditReserve()).to.equal(0n);
      expect((await d.disputes.getDispute(d.third)).bond).to.equal(0n);
      expect((await d.disputes.getDispute(d.third)).phase).to.equal(Phase.AwaitingDraw);
      await expectSystemSolvent(d);
    });

    it("still settles an unfunded audit: the verifiers are paid nothing and the job is finalized", async function () {
      const d = await loadFixture(reserveDrained);
      const terms = d.terms.get(d.third)!;
      await mine(1);
      const committee = committeeOf(d.disputes, await (await d.disputes.drawCommittee(d.third, terms)).wait());
      const seats = seatsBy(committee.verifiers, [d.challenger, ...d.verifiers]);
      const before = await Promise.all(committee.verifiers.map((v) => d.market.balanceOf(v)));
      await vote(
        d.disputes,
        d.third,
        seats,
        seats.map(() => terms.resultHash as string),
      );
      await d.disputes.resolve(d.third, terms);
      expect(await d.market.jobState(d.third)).to.equal(JobState.Finalized);
      for (const [i, v] of committee.verifiers.entries()) expect(await d.market.balanceOf(v)).to.equal(before[i]);
      await expectSystemSolvent(d);
    });
  });
});
