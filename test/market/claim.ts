import { expect } from "chai";
import { network } from "hardhat";

import {
  LOCAL_PARAMETERS,
  REWARD,
  STAKE,
  TOKEN_UNIT,
  createFixtures,
  jobRequest,
  postedJobIds,
  type JobRequest,
} from "../helpers/fixtures.js";
import { Expect, JobState, MAX_BATCH, collateralOf, feeOf, feesPaidOf, jobIdOf, scoreFor } from "./shared.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

type Staked = Awaited<ReturnType<typeof fixtures.staked>>;

const COLLATERAL = collateralOf(REWARD, 150n); // 15 tokens for the default 10-token, 150% job

/** Posts one job for the requester with the given overrides and returns its id. */
async function post(d: Staked, overrides: Partial<JobRequest> = {}): Promise<bigint> {
  const request = jobRequest(await d.now(), overrides);
  const [jobId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait());
  return jobId;
}

/** `staked` plus three open default jobs. */
async function threeOpenJobs() {
  const d = await fixtures.staked();
  const request = jobRequest(await d.now());
  const receipt = await (await d.market.connect(d.requester).postJobs([request, request, request])).wait();
  return { ...d, jobIds: postedJobIds(d.market, receipt) };
}

/**
 * `staked` after the provider settled one default job (fees paid: its fee): `score` is what it
 * scores for a job of the default reward.
 */
async function experienced() {
  const d = await fixtures.submittedJob();
  await time.increase(d.request.challengeWindow);
  await d.market.finalizeJob(d.jobId, d.terms);
  const feesPaid = feesPaidOf(feeOf(REWARD));
  expect((await d.market.reputationOf(d.provider.address)).feesPaid).to.equal(feesPaid);
  const score = scoreFor(feesPaid, REWARD);
  expect(await d.market.scoreFor(d.provider.address, REWARD)).to.equal(score);
  return { ...d, feesPaid, score };
}

describe("HashworkMarket: claiming jobs", function () {
  describe("claimJob", function () {
    describe("when a staked provider claims an open job", function () {
      it("locks reward * collateralPct / 100 of its stake", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.provider).claimJob(d.jobId);
        const s = await d.market.stakeOf(d.provider.address);
        expect(s.locked).to.equal(15n * TOKEN_UNIT);
        expect(s.staked).to.equal(STAKE);
      });

      it("reduces the free stake by the collateral", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.provider).claimJob(d.jobId);
        expect(await d.market.freeStakeOf(d.provider.address)).to.equal(STAKE - COLLATERAL);
      });

      it("adds nothing to its record yet: completed and feeUnits stay 0 until the job settles", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.provider).claimJob(d.jobId);
        const s = await d.market.stakeOf(d.provider.address);
        expect([s.completed, s.feeUnits]).to.deep.equal([0n, 0n]);
      });

      it("emits JobClaimed with the collateral, the execution deadline and the provider's total locked stake", async function () {
        const d = await loadFixture(fixtures.openJob);
        const t = (await d.now()) + 10;
        await time.setNextBlockTimestamp(t);
        await expect(d.market.connect(d.provider).claimJob(d.jobId))
          .to.emit(d.market, "JobClaimed")
          .withArgs(d.jobId, d.provider.address, COLLATERAL, BigInt(t) + BigInt(d.request.executionTime), COLLATERAL);
      });

      it("moves the job to Claimed", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.provider).claimJob(d.jobId);
        expect(await d.market.jobState(d.jobId)).to.equal(JobState.Claimed);
      });

      it("moves no tokens", async function () {
        const d = await loadFixture(fixtures.openJob);
        await expect(d.market.connect(d.provider).claimJob(d.jobId)).to.changeTokenBalances(
          ethers,
          d.token,
          [d.provider, d.market],
          [0n, 0n],
        );
      });
    });

    describe("when the collateral is not a whole number of token units", function () {
      it("rounds the locked collateral up", async function () {
        const d = await loadFixture(fixtures.staked);
        const reward = LOCAL_PARAMETERS.minReward + 1n; // 150% of it ends in .5 of a unit
        const jobId = await post(d, { reward, collateralPct: 150 });
        await d.market.connect(d.provider).claimJob(jobId);
        expect((await d.market.stakeOf(d.provider.address)).locked).to.equal((reward * 3n) / 2n + 1n);
      });

      it("locks at least one unit when governance allows the smallest job (1 unit at 1%)", async function () {
        const d = await loadFixture(fixtures.staked);
        await d.market.connect(d.owner).setJobValueBounds(1n, 1, LOCAL_PARAMETERS.maxCollateralPct);
        const jobId = await post(d, { reward: 1n, collateralPct: 1 }); // 0.01
        await d.market.connect(d.provider).claimJob(jobId);
        expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(1n);
      });
    });

    describe("when the job designates the caller", function () {
      it("lets the designated provider claim", async function () {
        const d = await loadFixture(fixtures.staked);
        const jobId = await post(d, { designatedProvider: d.provider2.address });
        await expect(d.market.connect(d.provider2).claimJob(jobId))
          .to.emit(d.market, "JobClaimed")
          .withArgs(jobId, d.provider2.address, COLLATERAL, (v: bigint) => v > 0n, COLLATERAL);
      });
    });

    describe("when the job designates another provider", function () {
      it("reverts with MarketNotDesignatedProvider", async function () {
        const d = await loadFixture(fixtures.staked);
        const jobId = await post(d, { designatedProvider: d.provider2.address });
        await expect(d.market.connect(d.provider).claimJob(jobId))
          .to.be.revertedWithCustomError(d.market, "MarketNotDesignatedProvider")
          .withArgs(jobId, d.provider.address);
      });
    });

    describe("when the caller never registered", function () {
      it("reverts with RegistryNotProvider", async function () {
        const d = await loadFixture(fixtures.openJob);
        await expect(d.market.connect(d.stranger).claimJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "RegistryNotProvider")
          .withArgs(d.stranger.address);
      });
    });

    describe("when the provider's stake is below the minimum", function () {
      it("reverts with RegistryBelowMinimumStake after governance raises minStake", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.owner).setMinStake(STAKE + 1n);
        await expect(d.market.connect(d.provider).claimJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "RegistryBelowMinimumStake")
          .withArgs(d.provider.address, STAKE, STAKE + 1n);
      });

      it("reverts with RegistryBelowMinimumStake for a registered provider that never staked", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.stranger).registerProvider("http://127.0.0.1:8701", 1n, 1n);
        await expect(d.market.connect(d.stranger).claimJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "RegistryBelowMinimumStake")
          .withArgs(d.stranger.address, 0n, LOCAL_PARAMETERS.minStake);
      });

      it("accepts a stake exactly at the minimum", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.owner).setMinStake(STAKE);
        await expect(d.market.connect(d.provider).claimJob(d.jobId)).to.emit(d.market, "JobClaimed");
      });
    });

    describe("when the collateral exceeds the provider's free stake", function () {
      it("reverts with RegistryInsufficientFreeStake", async function () {
        const d = await loadFixture(fixtures.staked);
        const reward = 700n * TOKEN_UNIT; // collateral 1050 > 1000 staked
        const jobId = await post(d, { reward });
        await expect(d.market.connect(d.provider).claimJob(jobId))
          .to.be.revertedWithCustomError(d.market, "RegistryInsufficientFreeStake")
          .withArgs(d.provider.address, STAKE, collateralOf(reward, 150n));
      });

      it("counts collateral already locked by earlier claims", async function () {
        const d = await loadFixture(fixtures.staked);
        const reward = 400n * TOKEN_UNIT; // collateral 600 each
        const first = await post(d, { reward });
        const second = await post(d, { reward });
        await d.market.connect(d.provider).claimJob(first);
        await expect(d.market.connect(d.provider).claimJob(second))
          .to.be.revertedWithCustomError(d.market, "RegistryInsufficientFreeStake")
          .withArgs(d.provider.address, STAKE - 600n * TOKEN_UNIT, 600n * TOKEN_UNIT);
      });
    });

    describe("when the job requires more reputation than the provider has", function () {
      it("reverts with MarketReputationTooLow giving the provider's score for this job's reward", async function () {
        const d = await loadFixture(experienced);
        const jobId = await post(d, { minReputation: Number(d.score) + 1 });
        await expect(d.market.connect(d.provider).claimJob(jobId))
          .to.be.revertedWithCustomError(d.market, "MarketReputationTooLow")
          .withArgs(jobId, d.score, d.score + 1n);
      });

      it("lets the provider claim a job requiring exactly its score", async function () {
        const d = await loadFixture(experienced);
        const jobId = await post(d, { minReputation: Number(d.score) });
        await expect(d.market.connect(d.provider).claimJob(jobId)).to.emit(d.market, "JobClaimed");
      });

      it("weighs the same fees against each job's own reward: a smaller job at the same gate is open", async function () {
        const d = await loadFixture(experienced);
        const small = REWARD / 10n;
        expect(scoreFor(d.feesPaid, small)).to.be.greaterThan(d.score);
        const jobId = await post(d, { reward: small, minReputation: Number(d.score) + 1 });
        await expect(d.market.connect(d.provider).claimJob(jobId)).to.emit(d.market, "JobClaimed");
      });
    });

    describe("when the claim deadline has passed", function () {
      it("reverts with MarketClaimDeadlinePassed", async function () {
        const d = await loadFixture(fixtures.openJob);
        await time.increaseTo(BigInt(d.request.claimDeadline) + 1n);
        await expect(d.market.connect(d.provider).claimJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "MarketClaimDeadlinePassed")
          .withArgs(d.jobId, d.request.claimDeadline);
      });

      it("still accepts a claim in the deadline's own second", async function () {
        const d = await loadFixture(fixtures.openJob);
        await time.setNextBlockTimestamp(d.request.claimDeadline);
        await expect(d.market.connect(d.provider).claimJob(d.jobId)).to.emit(d.market, "JobClaimed");
      });
    });

    describe("when the job is not open", function () {
      it("reverts with MarketUnexpectedJobState (current Claimed, expected mask 2) on a claimed job", async function () {
        const d = await loadFixture(fixtures.claimedJob);
        await expect(d.market.connect(d.provider2).claimJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.Claimed, 2n);
      });

      it("reverts with MarketUnexpectedJobState (current None) on a job that does not exist", async function () {
        const d = await loadFixture(fixtures.staked);
        const missing = jobIdOf(d.requester.address, 42n);
        await expect(d.market.connect(d.provider).claimJob(missing))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(missing, JobState.None, Expect.Open);
      });

      it("reverts with MarketUnexpectedJobState (current Cancelled) on a cancelled job", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.requester).cancelJob(d.jobId);
        await expect(d.market.connect(d.provider).claimJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.Cancelled, Expect.Open);
      });
    });

    describe("when the market is paused", function () {
      it("reverts with MarketPaused", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.owner).pause();
        await expect(d.market.connect(d.provider).claimJob(d.jobId)).to.be.revertedWithCustomError(d.market, "MarketPaused");
      });

      it("accepts claims again after unpause", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.owner).pause();
        await d.market.connect(d.owner).unpause();
        await expect(d.market.connect(d.provider).claimJob(d.jobId)).to.emit(d.market, "JobClaimed");
      });
    });
  });

  describe("claimJobs", function () {
    it("claims every job in the batch", async function () {
      const d = await loadFixture(threeOpenJobs);
      await d.market.connect(d.provider).claimJobs(d.jobIds);
      const states = await Promise.all(d.jobIds.map((id) => d.market.jobState(id)));
      expect(states).to.deep.equal([JobState.Claimed, JobState.Claimed, JobState.Claimed]);
    });

    it("locks the sum of the collaterals", async function () {
      const d = await loadFixture(threeOpenJobs);
      await d.market.connect(d.provider).claimJobs(d.jobIds);
      expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(3n * COLLATERAL);
    });

    it("emits JobClaimed for each job, its total locked stake growing by each collateral", async function () {
      const d = await loadFixture(threeOpenJobs);
      const tx = d.market.connect(d.provider).claimJobs(d.jobIds);
      for (const [i, id] of d.jobIds.entries()) {
        await expect(tx)
          .to.emit(d.market, "JobClaimed")
          .withArgs(id, d.provider.address, COLLATERAL, (v: bigint) => v > 0n, BigInt(i + 1) * COLLATERAL);
      }
    });

    describe("when the free stake runs out part-way through the batch", function () {
      it("reverts with RegistryInsufficientFreeStake, counting the batch's own locks", async function () {
        const d = await loadFixture(fixtures.staked);
        const reward = 400n * TOKEN_UNIT; // collateral 600 each, 1000 staked
        const ids = [await post(d, { reward }), await post(d, { reward })];
        await expect(d.market.connect(d.provider).claimJobs(ids))
          .to.be.revertedWithCustomError(d.market, "RegistryInsufficientFreeStake")
          .withArgs(d.provider.address, STAKE - 600n * TOKEN_UNIT, 600n * TOKEN_UNIT);
      });
    });

    describe("when one job in the batch cannot be claimed", function () {
      it("reverts the whole batch and locks nothing", async function () {
        const d = await loadFixture(threeOpenJobs);
        await d.market.connect(d.provider2).claimJob(d.jobIds[2]);
        await expect(d.market.connect(d.provider).claimJobs(d.jobIds))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobIds[2], JobState.Claimed, Expect.Open);
        expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(0n);
        expect(await d.market.jobState(d.jobIds[0])).to.equal(JobState.Open);
      });

      it("rejects the same job twice in one batch", async function () {
        const d = await loadFixture(threeOpenJobs);
        await expect(d.market.connect(d.provider).claimJobs([d.jobIds[0], d.jobIds[0]]))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobIds[0], JobState.Claimed, Expect.Open);
      });
    });

    describe("when the batch is empty", function () {
      it("reverts with MarketInvalidBatch", async function () {
        const d = await loadFixture(fixtures.staked);
        await expect(d.market.connect(d.provider).claimJobs([]))
          .to.be.revertedWithCustomError(d.market, "MarketInvalidBatch")
          .withArgs(0n, MAX_BATCH);
      });
    });

    describe("when the batch holds more than MAX_BATCH ids", function () {
      it("reverts with MarketInvalidBatch", async function () {
        const d = await loadFixture(threeOpenJobs);
        const ids = Array.from({ length: Number(MAX_BATCH) + 1 }, () => d.jobIds[0]);
        await expect(d.market.connect(d.provider).claimJobs(ids))
          .to.be.revertedWithCustomError(d.market, "MarketInvalidBatch")
          .withArgs(MAX_BATCH + 1n, MAX_BATCH);
      });
    });

    describe("when the market is paused", function () {
      it("reverts with MarketPaused", async function () {
        const d = await loadFixture(threeOpenJobs);
        await d.market.connect(d.owner).pause();
        await expect(d.market.connect(d.provider).claimJobs(d.jobIds)).to.be.revertedWithCustomError(d.market, "MarketPaused");
      });
    });
  });
});
