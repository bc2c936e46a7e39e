/**
 * Review: audits paid from the market's audit reserve.
 *
 * A. Draining the reserve with minimum-reward self-jobs. An audit takes min(auditBudget, reserve)
 *    = 4 tokens whatever the audited job is worth, and a job may be worth minReward = 0.01 token.
 *    An attacker posts tiny jobs to its own provider account and leaves their submission block
 *    unpinned (or relies on the 5% lottery if keepers pin every block): after 256 blocks every one
 *    of them is "selected", and `startAudit` (permissionless, no bond) moves 4 tokens out of the
 *    reserve per job. The unused part goes to the treasury, not back to the reserve, so the
 *    reserve only ever leaks. The attacker's tokens at risk are 0.01 per job, returned.
 *
 * B. Forcing audits on honest providers. Any job whose submission block nobody pinned within
 *    256 blocks (about a minute on a 0.25 s chain) can be audited by anyone for gas only: the
 *    honest provider's pay waits for a whole committee round, and the reserve pays again.
 *
 * C. Code/doc mismatch: docs/economics.md says a wrong provider's collateral pays an audit's
 *    verifiers in full when the reserve is short. The code pays audit verifiers only from the
 *    funded budget (HashworkDisputes._settle, audit branch): with an empty reserve the verifiers
 *    who catch a liar get nothing, and the requester gets all the collateral.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { Role, createDisputeFixtures, expectSystemSolvent, seatsBy, vote, committeeOf } from "../../test/disputes/fixtures.js";
import {
  TOKEN_UNIT,
  jobRequest,
  postClaimSubmit,
  postedJobIds,
  submittedTerms,
  sybils,
  type Deployed,
  type SubmittedJob,
} from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, mine, time } = networkHelpers;

const BUDGET = 4n * TOKEN_UNIT; // (3 + 5 seats) × 0.5
const TINY = TOKEN_UNIT / 100n; // minReward

/** One big honest job finalized: its 1% fee of 10,000 tokens puts 50 tokens in the reserve. */
async function reserveFilled() {
  const d = await fixtures.deployed();
  await d.market.connect(d.provider).stake(20_000n * TOKEN_UNIT);
  const big = await postClaimSubmit(ethers, networkHelpers, d, d.requester, d.provider, ethers.id("big"), {
    reward: 10_000n * TOKEN_UNIT,
    collateralPct: 100,
    challengeWindow: 10,
  });
  await time.increase(11);
  await d.market.finalizeJob(big.jobId, big.terms);
  const [attackerRequester, attackerProvider] = await sybils(ethers, networkHelpers, d, "reserve drainer", 2, 1_000n * TOKEN_UNIT);
  await d.market.connect(attackerProvider).stake(100n * TOKEN_UNIT);
  return { ...d, attackerRequester, attackerProvider };
}

/** 13 minimum-reward self-jobs submitted in one block, then 257 blocks: their seed aged out unpinned. */
async function tinyJobsAged() {
  const d = await reserveFilled();
  const request = jobRequest(Number(await time.latest()), { reward: TINY, collateralPct: 100, challengeWindow: 3600 });
  const gas: bigint[] = [];
  const posted = (await (await d.market.connect(d.attackerRequester).postJobs(Array(13).fill(request))).wait())!;
  const ids = postedJobIds(d.market, posted);
  const claimed = (await (await d.market.connect(d.attackerProvider).claimJobs(ids)).wait())!;
  const submitted = (await (
    await d.market.connect(d.attackerProvider).submitResults(
      ids,
      ids.map(() => ethers.id("tiny")),
      ids.map(() => ""),
    )
  ).wait())!;
  gas.push(posted.gasUsed, claimed.gasUsed, submitted.gasUsed);
  const terms = submittedTerms(d.market, submitted);
  await mine(257);
  return { ...d, ids, terms, setupGas: gas };
}

async function audit(d: Deployed, jobId: bigint, terms: SubmittedJob, caller = d.keeper) {
  const rx = (await (await d.disputes.connect(caller).startAudit(jobId, terms)).wait())!;
  return rx;
}

describe("Review: the audit reserve", function () {
  describe("A. drained by minimum-reward self-jobs", function () {
    it("13 self-jobs of 0.01 token, audited by their own requester, empty a 50-token reserve", async function () {
      const d = await loadFixture(tinyJobsAged);
      expect(await d.market.auditReserve()).to.equal(50n * TOKEN_UNIT);
      let auditGas = 0n;
      for (const id of d.ids) {
        expect(await d.disputes.isSelectedForAudit(id, d.terms.get(id)!.submittedBlock)).to.equal(true);
        auditGas += (await audit(d, id, d.terms.get(id)!, d.attackerRequester as never)).gasUsed;
      }
      const setup = d.setupGas.reduce((a, b) => a + b, 0n);
      console.log(`      gas: post+claim+submit 13 jobs ${setup}, 13 startAudit ${auditGas}; tokens at risk 0.13 (returned)`);
      expect(await d.market.auditReserve()).to.equal(0n);
      await expectSystemSolvent(d);
    });

    it("an honest job the lottery selects afterwards is audited with a budget of 0", async function () {
      const d = await loadFixture(tinyJobsAged);
      for (const id of d.ids) await audit(d, id, d.terms.get(id)!);
      const honest = await postClaimSubmit(ethers, networkHelpers, d, d.requester, d.provider, ethers.id("honest"));
      await mine(257); // stands for "selected by the lottery": an aged unpinned seed selects it
      await expect(d.disputes.connect(d.keeper).startAudit(honest.jobId, honest.terms))
        .to.emit(d.disputes, "DisputeOpened")
        .withArgs(
          honest.jobId,
          ethers.ZeroAddress,
          d.provider.address,
          honest.terms.resultHash,
          ethers.ZeroHash,
          0n,
          (x: bigint) => x > 0n,
        );
    });

    it("a tiny self-job's audit sends the reserve's 4 tokens to the verifiers (1.5) and the TREASURY (2.5), none back to the reserve", async function () {
      const d = await loadFixture(tinyJobsAged);
      const id = d.ids[0];
      const terms = d.terms.get(id)!;
      const reserveAtStart = await d.market.auditReserve();
      await audit(d, id, terms);
      await mine(1);
      const committee = committeeOf(d.disputes, await (await d.disputes.connect(d.keeper).drawCommittee(id, terms)).wait());
      const seats = seatsBy(committee.verifiers, [d.requester, d.provider, d.challenger, ...d.verifiers]);
      await vote(
        d.disputes,
        id,
        seats,
        seats.map(() => terms.resultHash as string),
      );
      const rx = (await (await d.disputes.resolve(id, terms)).wait())!;
      let toTreasury = 0n;
      let toVerifiers = 0n;
      for (const log of rx.logs) {
        const p = d.disputes.interface.parseLog(log);
        if (p?.name !== "DisputePayout") continue;
        if (p.args.role === Role.Treasury) toTreasury += p.args.amount;
        if (p.args.role === Role.Verifier) toVerifiers += p.args.amount;
      }
      expect([toVerifiers, toTreasury]).to.deep.equal([(3n * TOKEN_UNIT) / 2n, (5n * TOKEN_UNIT) / 2n]);
      // The reserve is down by the whole budget, less its half of the tiny job's own fee (0.00005).
      const tinyFee = TINY / 100n;
      expect(await d.market.auditReserve()).to.equal(reserveAtStart - BUDGET + tinyFee / 2n);
      await expectSystemSolvent(d);
    });
  });

  describe("B. audits forced on an honest provider whose block nobody pinned", function () {
    it("a stranger audits an honest 10-token job 257 blocks after submission, for gas only, and the provider cannot finalize when its window ends", async function () {
      const d = await loadFixture(reserveFilled);
      const job = await postClaimSubmit(ethers, networkHelpers, d, d.requester, d.provider, ethers.id("honest"), { challengeWindow: 3600 });
      await mine(257);
      const rx = await audit(d, job.jobId, job.terms, d.attackerRequester as never);
      console.log(`      startAudit by a stranger: ${rx.gasUsed} gas, no bond; the reserve paid ${BUDGET}`);
      await time.increase(3601);
      await expect(d.market.finalizeJob(job.jobId, job.terms)).to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState");
    });
  });

  describe("C. an audit that catches a liar with an empty reserve", function () {
    it("pays its verifiers nothing (docs/economics.md says the collateral pays them in full); the requester takes all the collateral", async function () {
      const d = await loadFixture(fixtures.deployed);
      expect(await d.market.auditReserve()).to.equal(0n);
      const job = await postClaimSubmit(ethers, networkHelpers, d, d.requester, d.provider, ethers.id("a lie"));
      await mine(257);
      await audit(d, job.jobId, job.terms);
      await mine(1);
      const committee = committeeOf(d.disputes, await (await d.disputes.connect(d.keeper).drawCommittee(job.jobId, job.terms)).wait());
      const seats = seatsBy(committee.verifiers, [d.requester, d.provider, d.challenger, ...d.verifiers]);
      await vote(
        d.disputes,
        job.jobId,
        seats,
        seats.map(() => ethers.id("the truth")),
      );
      const rx = (await (await d.disputes.resolve(job.jobId, job.terms)).wait())!;
      const paid = { verifiers: 0n, requester: 0n };
      for (const log of rx.logs) {
        const p = d.disputes.interface.parseLog(log);
        if (p?.name !== "DisputePayout") continue;
        if (p.args.role === Role.Verifier) paid.verifiers += p.args.amount;
        if (p.args.role === Role.Requester) paid.requester += p.args.amount;
      }
      expect(paid).to.deep.equal({ verifiers: 0n, requester: 15n * TOKEN_UNIT });
      await expectSystemSolvent(d);
    });
  });
});
