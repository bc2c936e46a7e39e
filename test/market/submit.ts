import { expect } from "chai";
import { network } from "hardhat";

import { createFixtures, jobRequest, postedJobIds, submittedTerms } from "../helpers/fixtures.js";
import { Expect, JobState, MAX_BATCH, ZERO_BYTES32, commitmentOf, termsFor } from "./shared.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const RESULT = ethers.id("result");
const OUTPUT_URI = "http://127.0.0.1:8700/o/";

/**
 * A claimed job whose execution time (600 s) and challenge window (1800 s) differ, so a test
 * can tell which one a deadline was computed from.
 */
async function claimedJob() {
  const d = await fixtures.staked();
  const request = jobRequest(await d.now(), { executionTime: 600, challengeWindow: 1_800 });
  const [jobId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait());
  await d.market.connect(d.provider).claimJob(jobId);
  return { ...d, request, jobId };
}

/** `staked` plus three jobs claimed by provider. */
async function threeClaimedJobs() {
  const d = await fixtures.staked();
  const request = jobRequest(await d.now());
  const receipt = await (await d.market.connect(d.requester).postJobs([request, request, request])).wait();
  const jobIds = postedJobIds(d.market, receipt);
  await d.market.connect(d.provider).claimJobs(jobIds);
  return { ...d, request, jobIds };
}

const results = [ethers.id("r0"), ethers.id("r1"), ethers.id("r2")];
const uris = ["ipfs://r0", "ipfs://r1", "ipfs://r2"];

describe("HashworkMarket: submitting results", function () {
  describe("submitResult", function () {
    describe("when the claimant submits before its execution deadline", function () {
      it("emits ResultSubmitted with the terms and the challenge end", async function () {
        const d = await loadFixture(claimedJob);
        const t = (await d.now()) + 5;
        await time.setNextBlockTimestamp(t);
        await expect(d.market.connect(d.provider).submitResult(d.jobId, RESULT, OUTPUT_URI))
          .to.emit(d.market, "ResultSubmitted")
          .withArgs(
            d.jobId,
            d.provider.address,
            RESULT,
            d.request.reward,
            d.request.collateralPct,
            (block: bigint) => block > 0n,
            BigInt(t) + BigInt(d.request.challengeWindow),
            OUTPUT_URI,
          );
      });

      it("moves the job to Submitted", async function () {
        const d = await loadFixture(claimedJob);
        await d.market.connect(d.provider).submitResult(d.jobId, RESULT, OUTPUT_URI);
        expect(await d.market.jobState(d.jobId)).to.equal(JobState.Submitted);
      });

      it("commits keccak256(abi.encode(terms)) >> 56 as the job's commitment", async function () {
        const d = await loadFixture(claimedJob);
        const tx = await d.market.connect(d.provider).submitResult(d.jobId, RESULT, OUTPUT_URI);
        const expected = commitmentOf(termsFor(d.request, d.provider.address, RESULT, tx.blockNumber!));
        expect((await d.market.getJob(d.jobId)).commitment).to.equal(expected);
      });

      it("packs state, challenge end and commitment into the record", async function () {
        const d = await loadFixture(claimedJob);
        const t = (await d.now()) + 5;
        await time.setNextBlockTimestamp(t);
        const tx = await d.market.connect(d.provider).submitResult(d.jobId, RESULT, OUTPUT_URI);
        const challengeEnd = BigInt(t) + BigInt(d.request.challengeWindow);
        const commitment = commitmentOf(termsFor(d.request, d.provider.address, RESULT, tx.blockNumber!));
        expect(await d.market.jobRecord(d.jobId)).to.equal(JobState.Submitted | (challengeEnd << 8n) | (commitment << 56n));
      });

      it("emits terms that settle the job", async function () {
        const d = await loadFixture(claimedJob);
        const receipt = await (await d.market.connect(d.provider).submitResult(d.jobId, RESULT, OUTPUT_URI)).wait();
        const terms = submittedTerms(d.market, receipt).get(d.jobId)!;
        await time.increase(Number(d.request.challengeWindow) + 1);
        await expect(d.market.finalizeJob(d.jobId, terms)).to.emit(d.market, "JobFinalized");
      });

      it("keeps the collateral locked", async function () {
        const d = await loadFixture(claimedJob);
        const before = await d.market.stakeOf(d.provider.address);
        await d.market.connect(d.provider).submitResult(d.jobId, RESULT, OUTPUT_URI);
        expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(before.locked);
      });

      it("accepts a submission in the execution deadline's own second", async function () {
        const d = await loadFixture(claimedJob);
        const deadline = (await d.market.getJob(d.jobId)).deadline;
        await time.setNextBlockTimestamp(deadline);
        await expect(d.market.connect(d.provider).submitResult(d.jobId, RESULT, OUTPUT_URI)).to.emit(d.market, "ResultSubmitted");
      });
    });

    describe("when the caller is not the claimant", function () {
      it("reverts with MarketNotClaimant for another registered provider", async function () {
        const d = await loadFixture(claimedJob);
        await expect(d.market.connect(d.provider2).submitResult(d.jobId, RESULT, OUTPUT_URI))
          .to.be.revertedWithCustomError(d.market, "MarketNotClaimant")
          .withArgs(d.jobId, d.provider2.address);
      });

      it("reverts with MarketNotClaimant for an unregistered stranger", async function () {
        const d = await loadFixture(claimedJob);
        await expect(d.market.connect(d.stranger).submitResult(d.jobId, RESULT, OUTPUT_URI))
          .to.be.revertedWithCustomError(d.market, "MarketNotClaimant")
          .withArgs(d.jobId, d.stranger.address);
      });

      it("reverts with MarketNotClaimant for the requester", async function () {
        const d = await loadFixture(claimedJob);
        await expect(d.market.connect(d.requester).submitResult(d.jobId, RESULT, OUTPUT_URI))
          .to.be.revertedWithCustomError(d.market, "MarketNotClaimant")
          .withArgs(d.jobId, d.requester.address);
      });
    });

    describe("when the execution deadline has passed", function () {
      it("reverts with MarketExecutionDeadlinePassed", async function () {
        const d = await loadFixture(claimedJob);
        const deadline = (await d.market.getJob(d.jobId)).deadline;
        await time.increaseTo(deadline + 1n);
        await expect(d.market.connect(d.provider).submitResult(d.jobId, RESULT, OUTPUT_URI))
          .to.be.revertedWithCustomError(d.market, "MarketExecutionDeadlinePassed")
          .withArgs(d.jobId, deadline);
      });
    });

    describe("when the result hash is zero", function () {
      it("reverts with MarketZeroResultHash", async function () {
        const d = await loadFixture(claimedJob);
        await expect(d.market.connect(d.provider).submitResult(d.jobId, ZERO_BYTES32, OUTPUT_URI)).to.be.revertedWithCustomError(
          d.market,
          "MarketZeroResultHash",
        );
      });
    });

    describe("when the job is not claimed", function () {
      it("reverts with MarketUnexpectedJobState on an open job", async function () {
        const d = await loadFixture(fixtures.openJob);
        await expect(d.market.connect(d.provider).submitResult(d.jobId, RESULT, OUTPUT_URI))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.Open, Expect.Claimed);
      });

      it("reverts with MarketUnexpectedJobState on an already submitted job", async function () {
        const d = await loadFixture(fixtures.submittedJob);
        await expect(d.market.connect(d.provider).submitResult(d.jobId, ethers.id("other"), OUTPUT_URI))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.Submitted, Expect.Claimed);
      });

      it("reverts with MarketUnexpectedJobState on a timed-out job", async function () {
        const d = await loadFixture(claimedJob);
        await time.increaseTo((await d.market.getJob(d.jobId)).deadline + 1n);
        await d.market.timeOutJob(d.jobId);
        await expect(d.market.connect(d.provider).submitResult(d.jobId, RESULT, OUTPUT_URI))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.TimedOut, Expect.Claimed);
      });
    });

    describe("when the market is paused", function () {
      it("still accepts the claimant's result", async function () {
        const d = await loadFixture(claimedJob);
        await d.market.connect(d.owner).pause();
        await expect(d.market.connect(d.provider).submitResult(d.jobId, RESULT, OUTPUT_URI)).to.emit(d.market, "ResultSubmitted");
      });
    });
  });

  describe("submitResults", function () {
    it("submits every job in the batch", async function () {
      const d = await loadFixture(threeClaimedJobs);
      await d.market.connect(d.provider).submitResults(d.jobIds, results, uris);
      const states = await Promise.all(d.jobIds.map((id) => d.market.jobState(id)));
      expect(states).to.deep.equal([JobState.Submitted, JobState.Submitted, JobState.Submitted]);
    });

    it("commits each job to its own result hash", async function () {
      const d = await loadFixture(threeClaimedJobs);
      const tx = await d.market.connect(d.provider).submitResults(d.jobIds, results, uris);
      const commitments = await Promise.all(d.jobIds.map(async (id) => (await d.market.getJob(id)).commitment));
      expect(commitments).to.deep.equal(results.map((r) => commitmentOf(termsFor(d.request, d.provider.address, r, tx.blockNumber!))));
    });

    it("emits ResultSubmitted for each job with its own hash and URI", async function () {
      const d = await loadFixture(threeClaimedJobs);
      const tx = d.market.connect(d.provider).submitResults(d.jobIds, results, uris);
      for (const [i, id] of d.jobIds.entries()) {
        await expect(tx)
          .to.emit(d.market, "ResultSubmitted")
          .withArgs(
            id,
            d.provider.address,
            results[i],
            d.request.reward,
            d.request.collateralPct,
            (block: bigint) => block > 0n,
            (v: bigint) => v > 0n,
            uris[i],
          );
      }
    });

    describe("when the lengths do not match", function () {
      it("reverts with MarketInvalidBatch when a result hash is missing", async function () {
        const d = await loadFixture(threeClaimedJobs);
        await expect(d.market.connect(d.provider).submitResults(d.jobIds, results.slice(0, 2), uris))
          .to.be.revertedWithCustomError(d.market, "MarketInvalidBatch")
          .withArgs(3n, MAX_BATCH);
      });

      it("reverts with MarketInvalidBatch when an output URI is missing", async function () {
        const d = await loadFixture(threeClaimedJobs);
        await expect(d.market.connect(d.provider).submitResults(d.jobIds, results, uris.slice(0, 2)))
          .to.be.revertedWithCustomError(d.market, "MarketInvalidBatch")
          .withArgs(3n, MAX_BATCH);
      });

      it("reverts with MarketInvalidBatch when there are extra result hashes", async function () {
        const d = await loadFixture(threeClaimedJobs);
        await expect(d.market.connect(d.provider).submitResults(d.jobIds.slice(0, 2), results, uris.slice(0, 2)))
          .to.be.revertedWithCustomError(d.market, "MarketInvalidBatch")
          .withArgs(2n, MAX_BATCH);
      });
    });

    describe("when the batch is empty", function () {
      it("reverts with MarketInvalidBatch", async function () {
        const d = await loadFixture(threeClaimedJobs);
        await expect(d.market.connect(d.provider).submitResults([], [], []))
          .to.be.revertedWithCustomError(d.market, "MarketInvalidBatch")
          .withArgs(0n, MAX_BATCH);
      });
    });

    describe("when one result in the batch is invalid", function () {
      it("reverts the whole batch", async function () {
        const d = await loadFixture(threeClaimedJobs);
        const withZero = [results[0], results[1], ZERO_BYTES32];
        await expect(d.market.connect(d.provider).submitResults(d.jobIds, withZero, uris)).to.be.revertedWithCustomError(
          d.market,
          "MarketZeroResultHash",
        );
        expect(await d.market.jobState(d.jobIds[0])).to.equal(JobState.Claimed);
      });
    });

    describe("when the caller is not the claimant", function () {
      it("reverts with MarketNotClaimant", async function () {
        const d = await loadFixture(threeClaimedJobs);
        await expect(d.market.connect(d.provider2).submitResults(d.jobIds, results, uris))
          .to.be.revertedWithCustomError(d.market, "MarketNotClaimant")
          .withArgs(d.jobIds[0], d.provider2.address);
      });
    });
  });
});
