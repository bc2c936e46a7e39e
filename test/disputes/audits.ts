import { expect } from "chai";
import { network } from "hardhat";

import { jobRequest, postedJobIds, submittedTerms } from "../../scripts/lib/jobs.js";
import {
  DISPUTE_PARAMETERS,
  JobState,
  Phase,
  TOKEN_UNIT,
  committeeOf,
  createDisputeFixtures,
  expectSystemSolvent,
  vote,
  type SubmittedJob,
} from "./fixtures.js";

const { ethers, networkHelpers } = await network.create();
const fixtures = createDisputeFixtures(ethers, networkHelpers);
const { loadFixture, time, mine } = networkHelpers;

const JOBS = 400;
const BATCH = 100;
const RATE = DISPUTE_PARAMETERS.auditRateBps / 10_000;

/**
 * Fees accrued from one large finalized job, then JOBS small jobs submitted in batches: enough
 * to measure the lottery's rate and to find jobs it selects and jobs it does not.
 */
async function manySubmitted() {
  const d = await fixtures.deployed();
  const now = async () => Number(await time.latest());
  // One 1,000-token job finalized: 10 tokens of fees, more than an audit's budget.
  const big = jobRequest(await now(), { reward: 1_000n * TOKEN_UNIT, collateralPct: 0, challengeWindow: 1 });
  const [bigId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(big)).wait());
  await d.market.connect(d.provider).claimJob(bigId);
  const bigTerms = submittedTerms(d.market, await (await d.market.connect(d.provider).submitResult(bigId, ethers.id("big"), "")).wait());
  await time.increase(2);
  await d.market.finalizeJob(bigId, bigTerms.get(bigId)!);

  const terms = new Map<bigint, SubmittedJob>();
  for (let b = 0; b < JOBS / BATCH; b++) {
    const request = jobRequest(await now(), { reward: TOKEN_UNIT, collateralPct: 100, challengeWindow: 3600 });
    const ids = postedJobIds(
      d.market,
      await (await d.market.connect(d.requester).postJobs(Array(BATCH).fill(request))).wait(),
    );
    await d.market.connect(d.provider).claimJobs(ids);
    const receipt = await (
      await d.market.connect(d.provider).submitResults(ids, ids.map(() => ethers.id("provider")), ids.map(() => ""))
    ).wait();
    for (const [id, t] of submittedTerms(d.market, receipt)) terms.set(id, t);
  }
  const selected: bigint[] = [];
  const unselected: bigint[] = [];
  for (const [id, t] of terms) {
    ((await d.disputes.isSelectedForAudit(id, t.submittedBlock)) ? selected : unselected).push(id);
  }
  return { ...d, terms, selected, unselected };
}

/** The first selected job, audited, with its committee drawn. */
async function auditDrawn() {
  const d = await manySubmitted();
  const jobId = d.selected[0];
  const terms = d.terms.get(jobId)!;
  const feesBefore = await d.market.accruedFees();
  const startTx = await d.disputes.connect(d.keeper).startAudit(jobId, terms);
  await mine(1);
  const receipt = await (await d.disputes.connect(d.keeper).drawCommittee(jobId, terms)).wait();
  const all = [d.requester, d.keeper, d.challenger, ...d.verifiers];
  const seats = committeeOf(d.disputes, receipt).map((a) => all.find((s) => s.address === a)!);
  return { ...d, jobId, terms, seats, feesBefore, startTx };
}

describe("HashworkDisputes: random audits", function () {
  it(`selects about ${RATE * 100}% of ${JOBS} submitted jobs`, async function () {
    const d = await loadFixture(manySubmitted);
    // Binomial(400, 0.05): mean 20, standard deviation 4.4; the bounds are 4 deviations out.
    expect(d.selected.length).to.be.within(3, 38);
  });

  it("refuses a job the lottery did not select with DisputeNotSelectedForAudit", async function () {
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

  it("refuses once the submission block's hash is unreadable with DisputeAuditSeedUnavailable", async function () {
    const d = await loadFixture(manySubmitted);
    await mine(300);
    const jobId = d.selected[0];
    const terms = d.terms.get(jobId)!;
    await expect(d.disputes.startAudit(jobId, terms))
      .to.be.revertedWithCustomError(d.disputes, "DisputeAuditSeedUnavailable")
      .withArgs(jobId, terms.submittedBlock);
  });

  describe("for a selected job", function () {
    it("opens a dispute with no challenger, paid for out of the accrued fees", async function () {
      const d = await loadFixture(auditDrawn);
      const budget = await d.disputes.auditBudget();
      await expect(d.startTx)
        .to.emit(d.disputes, "DisputeOpened")
        .withArgs(d.jobId, ethers.ZeroAddress, d.terms.provider, d.terms.resultHash, ethers.ZeroHash, budget, (b: bigint) => b > 0n);
      expect(d.feesBefore - (await d.market.accruedFees())).to.equal(budget);
    });

    it("seats a committee like a challenge does", async function () {
      const d = await loadFixture(auditDrawn);
      expect(d.seats).to.have.length(3);
      expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.Voting);
    });

    it("when the provider was right: pays it, pays the verifiers from the budget, returns the rest to the treasury", async function () {
      const d = await loadFixture(auditDrawn);
      const treasuryBefore = await d.market.balanceOf(d.treasury.address);
      const right = d.terms.resultHash as string;
      await vote(d.disputes, d.jobId, d.seats, [right, right, right]);
      await d.disputes.resolve(d.jobId, d.terms);
      const budget = await d.disputes.auditBudget();
      const verifierPay = 3n * DISPUTE_PARAMETERS.verifierFee;
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Finalized);
      expect((await d.market.balanceOf(d.treasury.address)) - treasuryBefore).to.equal(budget - verifierPay);
      await expectSystemSolvent(d);
    });

    it("when the provider was wrong: overturns it, gives all the collateral to the requester, pays verifiers from the budget", async function () {
      const d = await loadFixture(auditDrawn);
      const requesterBefore = await d.market.balanceOf(d.requester.address);
      const wrong = ethers.id("the real output");
      await vote(d.disputes, d.jobId, d.seats, [wrong, wrong, wrong]);
      await d.disputes.resolve(d.jobId, d.terms);
      const collateral = d.terms.reward; // collateralPct 100
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Overturned);
      expect((await d.market.balanceOf(d.requester.address)) - requesterBefore).to.equal(
        BigInt(d.terms.reward) + BigInt(collateral),
      );
      await expectSystemSolvent(d);
    });
  });

  it("refuses an audit the fees cannot pay for with MarketInsufficientFees", async function () {
    const d = await loadFixture(manySubmitted);
    await d.market.withdrawFees();
    const jobId = d.selected[0];
    await expect(d.disputes.startAudit(jobId, d.terms.get(jobId)!)).to.be.revertedWithCustomError(
      d.market,
      "MarketInsufficientFees",
    );
  });
});
