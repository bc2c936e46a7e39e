import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import {
  LOCAL_PARAMETERS,
  REWARD,
  TOKEN_UNIT,
  createFixtures,
  jobRequest,
  postedJobIds,
  submittedTerms,
  type JobRequest,
} from "../helpers/fixtures.js";
import type { HashworkMarket } from "../../types/ethers-contracts/index.js";
import type { IJobMarket } from "../../types/ethers-contracts/HashworkMarket.js";
import { JobState, collateralOf, commitmentOf, jobIdOf } from "./shared.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

type JobView = IJobMarket.JobViewStructOutput;

// ------------------------------------------------------------------ fixtures, one per state

const RESULT = ethers.id("result");

/**
 * `staked` after the provider settled a 500-token job it posted to itself (5 tokens of fees), so
 * it may claim jobs gated at a score of 1,234 (its own nonce, not the requester's, is used).
 */
async function reputable() {
  const d = await fixtures.staked();
  const p = d.provider;
  const own = jobRequest(await d.now(), { reward: 500n * TOKEN_UNIT, collateralPct: 100, challengeWindow: 1 });
  const [id] = postedJobIds(d.market, await (await d.market.connect(p).postJob(own)).wait());
  await d.market.connect(p).claimJob(id);
  const receipt = await (await d.market.connect(p).submitResult(id, RESULT, "")).wait();
  await time.increase(2);
  await d.market.finalizeJob(id, submittedTerms(d.market, receipt).get(id)!);
  return d;
}

/**
 * An open job whose terms all differ from each other (and from the defaults), so a decoding
 * mistake that swaps or shifts a field shows up.
 */
async function openJob() {
  const d = await reputable();
  const request = jobRequest(await d.now(), {
    reward: 3n * REWARD + 7n,
    collateralPct: 175,
    minReputation: 1_234,
    executionTime: 700,
    challengeWindow: 1_900,
  });
  const [jobId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait());
  expect(await d.market.scoreFor(d.provider.address, request.reward)).to.be.greaterThanOrEqual(request.minReputation);
  return { ...d, request, jobId };
}

async function claimedJob() {
  const d = await openJob();
  const t = (await d.now()) + 5;
  await time.setNextBlockTimestamp(t);
  await d.market.connect(d.provider).claimJob(d.jobId);
  return { ...d, executionDeadline: BigInt(t) + BigInt(d.request.executionTime) };
}

async function submittedJob() {
  const d = await claimedJob();
  const t = (await d.now()) + 5;
  await time.setNextBlockTimestamp(t);
  const receipt = await (await d.market.connect(d.provider).submitResult(d.jobId, RESULT, "")).wait();
  const terms = submittedTerms(d.market, receipt).get(d.jobId)!;
  return { ...d, terms, challengeEnd: BigInt(t) + BigInt(d.request.challengeWindow) };
}

async function noJob() {
  const d = await fixtures.staked();
  return { ...d, jobId: jobIdOf(d.requester.address, 0n) };
}

async function cancelledJob() {
  const d = await openJob();
  await d.market.connect(d.requester).cancelJob(d.jobId);
  return d;
}

async function expiredJob() {
  const d = await openJob();
  await time.increaseTo(BigInt(d.request.claimDeadline) + 1n);
  await d.market.expireJob(d.jobId);
  return d;
}

async function timedOutJob() {
  const d = await claimedJob();
  await time.increaseTo(d.executionDeadline + 1n);
  await d.market.timeOutJob(d.jobId);
  return d;
}

async function finalizedJob() {
  const d = await submittedJob();
  await time.increaseTo(d.challengeEnd + 1n);
  await d.market.finalizeJob(d.jobId, d.terms);
  return d;
}

/** A submitted job under dispute; an EOA stands in for the dispute module. */
async function disputedJob() {
  const d = await submittedJob();
  const arbiter = (await ethers.getSigners())[8];
  await d.market.connect(d.owner).setDisputeModule(arbiter.address);
  const t = (await d.now()) + 5;
  await time.setNextBlockTimestamp(t);
  await d.market.connect(arbiter).openDispute(d.jobId, d.terms);
  return { ...d, arbiter, disputeDeadline: BigInt(t) + BigInt(LOCAL_PARAMETERS.maxDisputeDuration) };
}

async function overturnedJob() {
  const d = await disputedJob();
  await d.market.connect(d.arbiter).settleDispute(d.jobId, d.terms, false);
  return d;
}

async function voidedJob() {
  const d = await disputedJob();
  await time.increaseTo(d.disputeDeadline + 1n);
  await d.market.voidExpiredDispute(d.jobId, d.terms);
  return d;
}

async function disputeWonJob() {
  const d = await disputedJob();
  await d.market.connect(d.arbiter).settleDispute(d.jobId, d.terms, true);
  return d;
}

// ------------------------------------------------------------------ shared expectations

/** The open terms of a job, as getJob decodes them from the record. */
function expectStoredTerms(job: JobView, request: JobRequest) {
  expect(job.reward).to.equal(request.reward);
  expect(job.collateralPct).to.equal(request.collateralPct);
  expect(job.collateral).to.equal(collateralOf(BigInt(request.reward), BigInt(request.collateralPct)));
  expect(job.minReputation).to.equal(request.minReputation);
  expect(job.executionTime).to.equal(request.executionTime);
  expect(job.challengeWindow).to.equal(request.challengeWindow);
  expect(job.commitment).to.equal(0n);
}

/** From Submitted on only the commitment is stored: every term field reads as zero. */
function expectNoTerms(job: JobView) {
  expect([
    job.reward,
    job.provider,
    job.collateral,
    job.collateralPct,
    job.minReputation,
    job.executionTime,
    job.challengeWindow,
  ]).to.deep.equal([0n, ZeroAddress, 0n, 0n, 0n, 0n, 0n]);
}

// ------------------------------------------------------------------ tests

describe("HashworkMarket: views", function () {
  describe("jobState", function () {
    const cases: [string, () => Promise<{ market: HashworkMarket; jobId: bigint }>, bigint][] = [
      ["None for a job that was never posted", noJob, JobState.None],
      ["Open after posting", openJob, JobState.Open],
      ["Claimed after a claim", claimedJob, JobState.Claimed],
      ["Submitted after a result", submittedJob, JobState.Submitted],
      ["Disputed while the dispute module decides", disputedJob, JobState.Disputed],
      ["Finalized after finalizeJob", finalizedJob, JobState.Finalized],
      ["Finalized after the provider wins a dispute", disputeWonJob, JobState.Finalized],
      ["Cancelled after cancelJob", cancelledJob, JobState.Cancelled],
      ["Expired after expireJob", expiredJob, JobState.Expired],
      ["TimedOut after timeOutJob", timedOutJob, JobState.TimedOut],
      ["Overturned after the provider loses a dispute", overturnedJob, JobState.Overturned],
      ["Voided after an expired dispute is voided", voidedJob, JobState.Voided],
    ];

    for (const [title, fixture, expected] of cases) {
      it(`is ${title}`, async function () {
        const d = await loadFixture(fixture);
        expect(await d.market.jobState(d.jobId)).to.equal(expected);
      });
    }

    it("is None for the requester's next, unused nonce", async function () {
      const d = await loadFixture(finalizedJob);
      expect(await d.market.jobState(d.jobId + 1n)).to.equal(JobState.None);
    });

    it("is None for the same nonce under a requester that never posted", async function () {
      const d = await loadFixture(finalizedJob);
      expect(await d.market.jobState(jobIdOf(d.stranger.address, 0n))).to.equal(JobState.None);
    });
  });

  describe("getJob", function () {
    describe("for a job that was never posted", function () {
      it("reads None with the requester decoded from the id and every other field zero", async function () {
        const d = await loadFixture(noJob);
        const job = await d.market.getJob(d.jobId);
        expect(job.state).to.equal(JobState.None);
        expect(job.requester).to.equal(d.requester.address);
        expect(job.deadline).to.equal(0n);
        expect(job.commitment).to.equal(0n);
        expectNoTerms(job);
      });
    });

    describe("for an open job", function () {
      it("holds the claim deadline and the open terms", async function () {
        const d = await loadFixture(openJob);
        const job = await d.market.getJob(d.jobId);
        expect(job.state).to.equal(JobState.Open);
        expect(job.requester).to.equal(d.requester.address);
        expect(job.deadline).to.equal(d.request.claimDeadline);
        expect(job.provider).to.equal(ZeroAddress);
        expectStoredTerms(job, d.request);
      });
    });

    describe("for a claimed job", function () {
      it("holds the execution deadline, the claimant and the open terms", async function () {
        const d = await loadFixture(claimedJob);
        const job = await d.market.getJob(d.jobId);
        expect(job.state).to.equal(JobState.Claimed);
        expect(job.deadline).to.equal(d.executionDeadline);
        expect(job.provider).to.equal(d.provider.address);
        expectStoredTerms(job, d.request);
      });
    });

    describe("for a submitted job", function () {
      it("holds the challenge end and the commitment, and no terms", async function () {
        const d = await loadFixture(submittedJob);
        const job = await d.market.getJob(d.jobId);
        expect(job.state).to.equal(JobState.Submitted);
        expect(job.deadline).to.equal(d.challengeEnd);
        expect(job.commitment).to.equal(
          commitmentOf({
            reward: d.request.reward,
            collateralPct: d.request.collateralPct,
            provider: d.provider.address,
            resultHash: RESULT,
            submittedBlock: d.terms.submittedBlock,
          }),
        );
        expectNoTerms(job);
      });
    });

    describe("for a disputed job", function () {
      it("holds the dispute deadline and keeps the commitment", async function () {
        const d = await loadFixture(disputedJob);
        const job = await d.market.getJob(d.jobId);
        expect(job.state).to.equal(JobState.Disputed);
        expect(job.deadline).to.equal(d.disputeDeadline);
        expect(job.commitment).to.equal(commitmentOf(d.terms));
        expectNoTerms(job);
      });
    });

    describe("for a finalized job", function () {
      it("keeps only the state and the requester", async function () {
        const d = await loadFixture(finalizedJob);
        const job = await d.market.getJob(d.jobId);
        expect(job.state).to.equal(JobState.Finalized);
        expect(job.requester).to.equal(d.requester.address);
        expect(job.deadline).to.equal(0n);
        expect(job.commitment).to.equal(0n);
        expectNoTerms(job);
      });
    });

    describe("for a cancelled job", function () {
      it("keeps the claim deadline and the open terms", async function () {
        const d = await loadFixture(cancelledJob);
        const job = await d.market.getJob(d.jobId);
        expect(job.state).to.equal(JobState.Cancelled);
        expect(job.deadline).to.equal(d.request.claimDeadline);
        expectStoredTerms(job, d.request);
      });
    });

    describe("for an expired job", function () {
      it("keeps the claim deadline and the open terms", async function () {
        const d = await loadFixture(expiredJob);
        const job = await d.market.getJob(d.jobId);
        expect(job.state).to.equal(JobState.Expired);
        expect(job.deadline).to.equal(d.request.claimDeadline);
        expectStoredTerms(job, d.request);
      });
    });

    describe("for a timed-out job", function () {
      it("keeps the execution deadline, the claimant and the open terms", async function () {
        const d = await loadFixture(timedOutJob);
        const job = await d.market.getJob(d.jobId);
        expect(job.state).to.equal(JobState.TimedOut);
        expect(job.deadline).to.equal(d.executionDeadline);
        expect(job.provider).to.equal(d.provider.address);
        expectStoredTerms(job, d.request);
      });
    });

    describe("for an overturned job", function () {
      it("keeps the commitment and no terms", async function () {
        const d = await loadFixture(overturnedJob);
        const job = await d.market.getJob(d.jobId);
        expect(job.state).to.equal(JobState.Overturned);
        expect(job.commitment).to.equal(commitmentOf(d.terms));
        expectNoTerms(job);
      });
    });

    describe("for a voided job", function () {
      it("keeps the commitment and no terms", async function () {
        const d = await loadFixture(voidedJob);
        const job = await d.market.getJob(d.jobId);
        expect(job.state).to.equal(JobState.Voided);
        expect(job.commitment).to.equal(commitmentOf(d.terms));
        expectNoTerms(job);
      });
    });
  });

  describe("jobRecord", function () {
    it("packs an open job's fields at the documented bit offsets", async function () {
      const d = await loadFixture(openJob);
      const q = d.request;
      const expected =
        JobState.Open |
        (BigInt(q.claimDeadline) << 8n) |
        (BigInt(q.reward) << 48n) |
        (0n << 144n) | // no designated provider
        (BigInt(q.collateralPct) << 176n) |
        (BigInt(q.minReputation) << 192n) |
        (BigInt(q.executionTime) << 208n) |
        (BigInt(q.challengeWindow) << 232n);
      expect(await d.market.jobRecord(d.jobId)).to.equal(expected);
    });

    it("is zero for a job that was never posted", async function () {
      const d = await loadFixture(noJob);
      expect(await d.market.jobRecord(d.jobId)).to.equal(0n);
    });
  });

  describe("requesterOf", function () {
    it("returns the requester of a posted job", async function () {
      const d = await loadFixture(openJob);
      expect(await d.market.requesterOf(d.jobId)).to.equal(d.requester.address);
    });

    it("decodes the top 160 bits of any id, ignoring the nonce bits", async function () {
      const d = await loadFixture(noJob);
      const id = jobIdOf(d.stranger.address, 2n ** 96n - 1n);
      expect(await d.market.requesterOf(id)).to.equal(d.stranger.address);
    });

    it("returns the zero address for id 0", async function () {
      const d = await loadFixture(noJob);
      expect(await d.market.requesterOf(0n)).to.equal(ZeroAddress);
    });

    it("returns the all-ones address for the largest id", async function () {
      const d = await loadFixture(noJob);
      expect(await d.market.requesterOf(2n ** 256n - 1n)).to.equal(ethers.getAddress(`0x${"ff".repeat(20)}`));
    });
  });
});
