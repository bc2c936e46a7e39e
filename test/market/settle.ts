import { expect } from "chai";
import { encodeBytes32String, type ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import {
  LOCAL_PARAMETERS,
  REWARD,
  STAKE,
  TOKEN_UNIT,
  createFixtures,
  jobRequest,
  postedJobIds,
  submittedTerms,
  type JobRequest,
  type SubmittedJob,
} from "../helpers/fixtures.js";
import {
  Expect,
  JobState,
  MAX_BATCH,
  collateralOf,
  feeOf,
  jobIdOf,
  feesPaidOf,
  reserveOf,
  scoreFor,
  tampered,
  treasuryShareOf,
} from "./shared.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

type Staked = Awaited<ReturnType<typeof fixtures.staked>>;
type Tx = Promise<ContractTransactionResponse>;

const COLLATERAL = collateralOf(REWARD, 150n);
const FEE = feeOf(REWARD);
const PAYOUT = REWARD - FEE;
const UINT96_MAX = 2n ** 96n - 1n;

// ------------------------------------------------------------------ fixtures

/** A submitted job whose challenge window has closed. */
async function windowPassed() {
  const d = await fixtures.submittedJob();
  const challengeEnd = (await d.market.getJob(d.jobId)).deadline;
  await time.increaseTo(challengeEnd + 1n);
  return { ...d, challengeEnd };
}

/** An open job whose claim deadline has passed. */
async function claimDeadlinePassed() {
  const d = await fixtures.openJob();
  await time.increaseTo(BigInt(d.request.claimDeadline) + 1n);
  return d;
}

/** A claimed job whose execution deadline has passed. */
async function executionDeadlinePassed() {
  const d = await fixtures.claimedJob();
  const executionDeadline = (await d.market.getJob(d.jobId)).deadline;
  await time.increaseTo(executionDeadline + 1n);
  return { ...d, executionDeadline };
}

/** Posts one job for the requester and returns its id. */
async function post(d: Staked, overrides: Partial<JobRequest> = {}): Promise<bigint> {
  const request = jobRequest(await d.now(), overrides);
  const [jobId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait());
  return jobId;
}

/** Claims and submits `jobIds` as `provider`; returns their settlement terms in order. */
async function claimAndSubmit(d: Staked, jobIds: bigint[]): Promise<SubmittedJob[]> {
  await d.market.connect(d.provider).claimJobs(jobIds);
  const hashes = jobIds.map((id) => ethers.id(`result-${id}`));
  const receipt = await (
    await d.market.connect(d.provider).submitResults(
      jobIds,
      hashes,
      jobIds.map(() => "ipfs://out"),
    )
  ).wait();
  const terms = submittedTerms(d.market, receipt);
  return jobIds.map((id) => terms.get(id)!);
}

/** Three submitted jobs (rewards 1, 2 and 3 x REWARD) whose windows have closed. */
async function threeFinalizable() {
  const d = await fixtures.staked();
  const rewards = [REWARD, 2n * REWARD, 3n * REWARD];
  const jobIds: bigint[] = [];
  for (const reward of rewards) jobIds.push(await post(d, { reward }));
  const terms = await claimAndSubmit(d, jobIds);
  await time.increase(601);
  return { ...d, rewards, jobIds, terms };
}

/**
 * One job in each situation settleOverdueJobs must tell apart, after the clock has moved past
 * every short deadline: open and unclaimed past its claim deadline, claimed past its execution
 * deadline, open but not due yet, submitted with its window closed, cancelled.
 */
async function mixedJobs() {
  const d = await fixtures.staked();
  const t = await d.now();
  const unclaimed = await post(d, { claimDeadline: t + 100 });
  const late = await post(d, { executionTime: 50 });
  const notDue = await post(d, { claimDeadline: t + 3600 });
  const submitted = await post(d, { challengeWindow: 50 });
  const cancelled = await post(d, { claimDeadline: t + 100 });
  await d.market.connect(d.provider).claimJob(late);
  await claimAndSubmit(d, [submitted]);
  await d.market.connect(d.requester).cancelJob(cancelled);
  await time.increase(200);
  const missing = jobIdOf(d.requester.address, 99n);
  return { ...d, unclaimed, late, notDue, submitted, cancelled, missing };
}

/** A provider whose stake is one unit short of uint96 max, with a submitted, finalizable job. */
async function fullStake() {
  const d = await fixtures.staked();
  await d.token.connect(d.owner).mint(d.provider.address, UINT96_MAX);
  await d.market.connect(d.provider).stake(UINT96_MAX - 1n - STAKE);
  const jobId = await post(d);
  const [terms] = await claimAndSubmit(d, [jobId]);
  await time.increase(601);
  return { ...d, jobId, terms };
}

// ------------------------------------------------------------------ shared behaviours

interface Market {
  market: Staked["market"];
  owner: Staked["owner"];
  stranger: Staked["stranger"];
}

/** Settlement never depends on the pause switch: the action still emits its event. */
function worksWhilePaused<T extends Market>(fixture: () => Promise<T>, act: (d: T) => Tx, event: string) {
  it(`still works while the market is paused (emits ${event})`, async function () {
    const d = await loadFixture(fixture);
    await d.market.connect(d.owner).pause();
    await expect(act(d)).to.emit(d.market, event);
  });
}

/** Anyone, here a stranger with no role, may call it. */
function isPermissionless<T extends Market>(fixture: () => Promise<T>, act: (d: T, caller: T["stranger"]) => Tx, event: string) {
  it(`can be called by any keeper (a stranger gets ${event})`, async function () {
    const d = await loadFixture(fixture);
    await expect(act(d, d.stranger)).to.emit(d.market, event);
  });
}

/** Terms that differ from the committed ones in any field are refused. */
function rejectsTamperedTerms(
  changes: Record<string, (terms: SubmittedJob, d: Awaited<ReturnType<typeof windowPassed>>) => Partial<SubmittedJob>>,
) {
  for (const [field, change] of Object.entries(changes)) {
    it(`reverts with MarketTermsMismatch when the ${field} is tampered with`, async function () {
      const d = await loadFixture(windowPassed);
      const bad = tampered(d.terms, change(d.terms, d));
      await expect(d.market.finalizeJob(d.jobId, bad)).to.be.revertedWithCustomError(d.market, "MarketTermsMismatch").withArgs(d.jobId);
    });
  }
}

// ------------------------------------------------------------------ tests

describe("HashworkMarket: settlement", function () {
  describe("finalizeJob", function () {
    describe("when the challenge window has passed", function () {
      it("pays the reward minus the 1% fee into the provider's stake", async function () {
        const d = await loadFixture(windowPassed);
        await d.market.finalizeJob(d.jobId, d.terms);
        expect((await d.market.stakeOf(d.provider.address)).staked).to.equal(STAKE + PAYOUT);
        expect(PAYOUT).to.equal(99n * 10n ** 17n); // 9.9 tokens
      });

      it("unlocks the provider's collateral", async function () {
        const d = await loadFixture(windowPassed);
        expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(COLLATERAL);
        await d.market.finalizeJob(d.jobId, d.terms);
        expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(0n);
      });

      it("increments the provider's completed count", async function () {
        const d = await loadFixture(windowPassed);
        await d.market.finalizeJob(d.jobId, d.terms);
        expect((await d.market.stakeOf(d.provider.address)).completed).to.equal(1n);
      });

      it("adds the fee to the provider's feeUnits, counted in thousandths of a token (0.1 token = 100)", async function () {
        const d = await loadFixture(windowPassed);
        await d.market.finalizeJob(d.jobId, d.terms);
        expect((await d.market.stakeOf(d.provider.address)).feeUnits).to.equal(100n);
        expect(feesPaidOf(FEE)).to.equal(100n * (await d.market.reputationUnit()));
      });

      it("raises the provider's score for a job of the same reward from 0 to 10000 × fee / (fee + reward) = 99", async function () {
        const d = await loadFixture(windowPassed);
        expect(await d.market.scoreFor(d.provider.address, REWARD)).to.equal(0n);
        await d.market.finalizeJob(d.jobId, d.terms);
        expect(await d.market.scoreFor(d.provider.address, REWARD)).to.equal(scoreFor(FEE, REWARD));
        expect(scoreFor(FEE, REWARD)).to.equal(99n);
      });

      it("accrues the treasury's half of the fee", async function () {
        const d = await loadFixture(windowPassed);
        await d.market.finalizeJob(d.jobId, d.terms);
        expect(await d.market.accruedFees()).to.equal(FEE / 2n);
        expect(FEE).to.equal(10n ** 17n); // 0.1 token
      });

      it("sets the other half of the fee aside in the audit reserve", async function () {
        const d = await loadFixture(windowPassed);
        await d.market.finalizeJob(d.jobId, d.terms);
        expect(await d.market.auditReserve()).to.equal(FEE / 2n);
      });

      it("makes the treasury's share withdrawable by the treasury", async function () {
        const d = await loadFixture(windowPassed);
        await d.market.finalizeJob(d.jobId, d.terms);
        await expect(d.market.connect(d.treasury).withdrawFees()).to.changeTokenBalances(
          ethers,
          d.token,
          [d.treasury, d.market],
          [FEE / 2n, -FEE / 2n],
        );
      });

      it("clears the record, so the job reads as Finalized", async function () {
        const d = await loadFixture(windowPassed);
        await d.market.finalizeJob(d.jobId, d.terms);
        expect(await d.market.jobRecord(d.jobId)).to.equal(0n);
        expect(await d.market.jobState(d.jobId)).to.equal(JobState.Finalized);
      });

      it("emits JobFinalized with the payout, the fee, the unlocked collateral and the provider's total locked stake", async function () {
        const d = await loadFixture(windowPassed);
        await expect(d.market.finalizeJob(d.jobId, d.terms))
          .to.emit(d.market, "JobFinalized")
          .withArgs(d.jobId, d.provider.address, PAYOUT, FEE, COLLATERAL, 0n);
      });

      it("reports the collateral of the provider's other claims as still locked", async function () {
        const d = await loadFixture(windowPassed);
        const other = await post(d);
        await d.market.connect(d.provider).claimJob(other);
        await expect(d.market.finalizeJob(d.jobId, d.terms))
          .to.emit(d.market, "JobFinalized")
          .withArgs(d.jobId, d.provider.address, PAYOUT, FEE, COLLATERAL, COLLATERAL);
      });

      it("emits no separate StakeUnlocked (JobFinalized is the settlement's stake-unlock event)", async function () {
        const d = await loadFixture(windowPassed);
        await expect(d.market.finalizeJob(d.jobId, d.terms)).not.to.emit(d.market, "StakeUnlocked");
      });

      it("moves no tokens and keeps everything owed", async function () {
        const d = await loadFixture(windowPassed);
        const owed = await d.market.totalOwed();
        await expect(d.market.finalizeJob(d.jobId, d.terms)).to.changeTokenBalances(
          ethers,
          d.token,
          [d.market, d.provider, d.requester],
          [0n, 0n, 0n],
        );
        expect(await d.market.totalOwed()).to.equal(owed);
      });

      isPermissionless(windowPassed, (d, keeper) => d.market.connect(keeper).finalizeJob(d.jobId, d.terms), "JobFinalized");
      worksWhilePaused(windowPassed, (d) => d.market.finalizeJob(d.jobId, d.terms), "JobFinalized");
    });

    describe("when the fee does not divide evenly", function () {
      // The smallest reward plus 199 units: fee = minReward / 100 + 1.99 units, rounded to + 1.
      const reward = LOCAL_PARAMETERS.minReward + 199n;
      const fee = LOCAL_PARAMETERS.minReward / 100n + 1n;

      it("rounds the fee down, in the provider's favour", async function () {
        const d = await loadFixture(fixtures.staked);
        const jobId = await post(d, { reward });
        const [terms] = await claimAndSubmit(d, [jobId]);
        await time.increase(601);
        expect(feeOf(reward)).to.equal(fee);
        await expect(d.market.finalizeJob(jobId, terms))
          .to.emit(d.market, "JobFinalized")
          .withArgs(jobId, d.provider.address, reward - fee, fee, collateralOf(reward, 150n), 0n);
      });

      it("rounds the audit reserve's share of an odd fee down, so the treasury gets the odd unit", async function () {
        const d = await loadFixture(fixtures.staked);
        const jobId = await post(d, { reward });
        const [terms] = await claimAndSubmit(d, [jobId]);
        await time.increase(601);
        await d.market.finalizeJob(jobId, terms);
        expect(fee % 2n).to.equal(1n);
        expect([await d.market.auditReserve(), await d.market.accruedFees()]).to.deep.equal([(fee - 1n) / 2n, (fee + 1n) / 2n]);
      });
    });

    describe("when the fee would take the provider's feeUnits past 32 bits", function () {
      it("saturates feeUnits at uint32 max instead of reverting", async function () {
        const d = await loadFixture(fixtures.staked);
        // 43 million tokens at the 10% fee cap: 4.3 million tokens of fees, 4.3e9 units.
        const reward = 43_000_000n * TOKEN_UNIT;
        await d.market.connect(d.owner).setFeeBps(1_000);
        await time.increaseTo((await d.market.feeChange())[1]); // the 10% fee applies to jobs from then on
        for (const a of [d.requester, d.provider]) await d.token.connect(d.owner).mint(a.address, reward);
        await d.market.connect(d.provider).stake(reward);
        const jobId = await post(d, { reward, collateralPct: 100 });
        const [terms] = await claimAndSubmit(d, [jobId]);
        await time.increase(601);
        expect(feeOf(reward, 1_000n) / (await d.market.reputationUnit())).to.be.greaterThan(2n ** 32n - 1n);
        await expect(d.market.finalizeJob(jobId, terms)).to.emit(d.market, "JobFinalized");
        expect((await d.market.stakeOf(d.provider.address)).feeUnits).to.equal(2n ** 32n - 1n);
      });
    });

    describe("when the provider's stake cannot hold the payout", function () {
      it("credits the payout to the provider's ledger balance instead", async function () {
        const d = await loadFixture(fullStake);
        await d.market.finalizeJob(d.jobId, d.terms);
        expect(await d.market.balanceOf(d.provider.address)).to.equal(PAYOUT);
        expect((await d.market.stakeOf(d.provider.address)).staked).to.equal(UINT96_MAX - 1n);
      });

      it("emits PayoutCreditedToBalance(jobId, provider, payout)", async function () {
        const d = await loadFixture(fullStake);
        await expect(d.market.finalizeJob(d.jobId, d.terms))
          .to.emit(d.market, "PayoutCreditedToBalance")
          .withArgs(d.jobId, d.provider.address, PAYOUT);
      });

      it("still unlocks the collateral and counts the job", async function () {
        const d = await loadFixture(fullStake);
        await d.market.finalizeJob(d.jobId, d.terms);
        const s = await d.market.stakeOf(d.provider.address);
        expect(s.locked).to.equal(0n);
        expect(s.completed).to.equal(1n);
      });
    });

    describe("when the payout fills the provider's stake exactly to the uint96 limit", function () {
      async function stakeJustFits() {
        const d = await fixtures.staked();
        await d.token.connect(d.owner).mint(d.provider.address, UINT96_MAX);
        await d.market.connect(d.provider).stake(UINT96_MAX - PAYOUT - STAKE);
        const jobId = await post(d);
        const [terms] = await claimAndSubmit(d, [jobId]);
        await time.increase(601);
        return { ...d, jobId, terms };
      }

      it("still pays into the stake", async function () {
        const d = await loadFixture(stakeJustFits);
        await d.market.finalizeJob(d.jobId, d.terms);
        expect((await d.market.stakeOf(d.provider.address)).staked).to.equal(UINT96_MAX);
        expect(await d.market.balanceOf(d.provider.address)).to.equal(0n);
      });

      it("emits no PayoutCreditedToBalance", async function () {
        const d = await loadFixture(stakeJustFits);
        await expect(d.market.finalizeJob(d.jobId, d.terms)).not.to.emit(d.market, "PayoutCreditedToBalance");
      });
    });

    describe("when the challenge window is still open", function () {
      it("reverts with MarketChallengeWindowOpen, even in the window's last second", async function () {
        const d = await loadFixture(fixtures.submittedJob);
        const challengeEnd = (await d.market.getJob(d.jobId)).deadline;
        await time.setNextBlockTimestamp(challengeEnd);
        await expect(d.market.finalizeJob(d.jobId, d.terms))
          .to.be.revertedWithCustomError(d.market, "MarketChallengeWindowOpen")
          .withArgs(d.jobId, challengeEnd);
      });
    });

    describe("when the job was already finalized", function () {
      it("reverts with MarketUnexpectedJobState (current Finalized)", async function () {
        const d = await loadFixture(windowPassed);
        await d.market.finalizeJob(d.jobId, d.terms);
        await expect(d.market.finalizeJob(d.jobId, d.terms))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.Finalized, Expect.Submitted);
      });
    });

    describe("when the job has not been submitted", function () {
      it("reverts with MarketUnexpectedJobState (current Claimed)", async function () {
        const d = await loadFixture(fixtures.claimedJob);
        const terms = {
          reward: REWARD,
          collateralPct: 150n,
          provider: d.provider.address,
          resultHash: ethers.id("x"),
          submittedBlock: 1n,
        };
        await expect(d.market.finalizeJob(d.jobId, terms))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.Claimed, Expect.Submitted);
      });
    });

    describe("when the terms do not match the commitment", function () {
      rejectsTamperedTerms({
        reward: (t) => ({ reward: BigInt(t.reward) + 1n }),
        "collateral percentage": () => ({ collateralPct: 0n }),
        provider: (_, d) => ({ provider: d.provider2.address }),
        "result hash": () => ({ resultHash: ethers.id("forged") }),
      });
    });
  });

  describe("finalizeJobs", function () {
    it("finalizes every job in the batch", async function () {
      const d = await loadFixture(threeFinalizable);
      await d.market.finalizeJobs(d.jobIds, d.terms);
      const states = await Promise.all(d.jobIds.map((id) => d.market.jobState(id)));
      expect(states).to.deep.equal([JobState.Finalized, JobState.Finalized, JobState.Finalized]);
    });

    it("returns how many jobs it settled", async function () {
      const d = await loadFixture(threeFinalizable);
      expect(await d.market.finalizeJobs.staticCall(d.jobIds, d.terms)).to.equal(3n);
    });

    it("accrues the treasury's share of every fee", async function () {
      const d = await loadFixture(threeFinalizable);
      await d.market.finalizeJobs(d.jobIds, d.terms);
      const expected = d.rewards.reduce((sum, r) => sum + treasuryShareOf(feeOf(r)), 0n);
      expect(await d.market.accruedFees()).to.equal(expected);
      expect(expected).to.equal(feeOf(6n * REWARD) / 2n);
    });

    it("sets the audit reserve's share of every fee aside", async function () {
      const d = await loadFixture(threeFinalizable);
      await d.market.finalizeJobs(d.jobIds, d.terms);
      expect(await d.market.auditReserve()).to.equal(d.rewards.reduce((sum, r) => sum + reserveOf(feeOf(r)), 0n));
    });

    it("pays the sum of the payouts, unlocks everything and counts every job", async function () {
      const d = await loadFixture(threeFinalizable);
      await d.market.finalizeJobs(d.jobIds, d.terms);
      const s = await d.market.stakeOf(d.provider.address);
      expect(s.staked).to.equal(STAKE + 6n * REWARD - feeOf(6n * REWARD));
      expect(s.locked).to.equal(0n);
      expect(s.completed).to.equal(3n);
    });

    it("emits JobFinalized for each job, the provider's total locked stake shrinking by each collateral", async function () {
      const d = await loadFixture(threeFinalizable);
      const tx = d.market.finalizeJobs(d.jobIds, d.terms);
      let locked = d.rewards.reduce((sum, r) => sum + collateralOf(r, 150n), 0n);
      for (const [i, id] of d.jobIds.entries()) {
        const reward = d.rewards[i];
        locked -= collateralOf(reward, 150n);
        await expect(tx)
          .to.emit(d.market, "JobFinalized")
          .withArgs(id, d.provider.address, reward - feeOf(reward), feeOf(reward), collateralOf(reward, 150n), locked);
      }
    });

    describe("when a job was settled before the batch", function () {
      async function oneSettledFirst() {
        const d = await threeFinalizable();
        await d.market.connect(d.stranger).finalizeJob(d.jobIds[1], d.terms[1]);
        return d;
      }

      it("skips it and settles the others", async function () {
        const d = await loadFixture(oneSettledFirst);
        await d.market.finalizeJobs(d.jobIds, d.terms);
        const states = await Promise.all(d.jobIds.map((id) => d.market.jobState(id)));
        expect(states).to.deep.equal([JobState.Finalized, JobState.Finalized, JobState.Finalized]);
        expect((await d.market.stakeOf(d.provider.address)).completed).to.equal(3n);
      });

      it("returns the number of jobs it settled itself", async function () {
        const d = await loadFixture(oneSettledFirst);
        expect(await d.market.finalizeJobs.staticCall(d.jobIds, d.terms)).to.equal(2n);
      });

      it("pays and charges the skipped job only once", async function () {
        const d = await loadFixture(oneSettledFirst);
        await d.market.finalizeJobs(d.jobIds, d.terms);
        const s = await d.market.stakeOf(d.provider.address);
        expect(s.staked).to.equal(STAKE + 6n * REWARD - feeOf(6n * REWARD));
        expect((await d.market.accruedFees()) + (await d.market.auditReserve())).to.equal(feeOf(6n * REWARD));
      });

      it("emits no JobFinalized for it", async function () {
        const d = await loadFixture(oneSettledFirst);
        const receipt = await (await d.market.finalizeJobs(d.jobIds, d.terms)).wait();
        const finalized = receipt!.logs
          .map((log) => d.market.interface.parseLog(log))
          .filter((e) => e?.name === "JobFinalized")
          .map((e) => e!.args.jobId as bigint);
        expect(finalized).to.deep.equal([d.jobIds[0], d.jobIds[2]]);
      });

      it("does not check the skipped job's terms", async function () {
        const d = await loadFixture(oneSettledFirst);
        const terms = [...d.terms];
        terms[1] = tampered(terms[1], { resultHash: ethers.id("forged") });
        expect(await d.market.finalizeJobs.staticCall(d.jobIds, terms)).to.equal(2n);
      });
    });

    describe("when a job's challenge window is still open", function () {
      async function oneStillOpen() {
        const d = await threeFinalizable();
        const late = await post(d, { challengeWindow: 3600 });
        const [lateTerms] = await claimAndSubmit(d, [late]);
        return { ...d, late, lateTerms };
      }

      it("skips it and leaves it Submitted", async function () {
        const d = await loadFixture(oneStillOpen);
        await d.market.finalizeJobs([...d.jobIds, d.late], [...d.terms, d.lateTerms]);
        expect(await d.market.jobState(d.late)).to.equal(JobState.Submitted);
        expect(await d.market.jobState(d.jobIds[0])).to.equal(JobState.Finalized);
      });

      it("does not count it as settled", async function () {
        const d = await loadFixture(oneStillOpen);
        expect(await d.market.finalizeJobs.staticCall([...d.jobIds, d.late], [...d.terms, d.lateTerms])).to.equal(3n);
      });

      it("keeps its collateral locked", async function () {
        const d = await loadFixture(oneStillOpen);
        await d.market.finalizeJobs([...d.jobIds, d.late], [...d.terms, d.lateTerms]);
        expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(COLLATERAL);
      });
    });

    describe("when every job is skipped", function () {
      async function allSettled() {
        const d = await threeFinalizable();
        await d.market.finalizeJobs(d.jobIds, d.terms);
        return d;
      }

      it("returns 0", async function () {
        const d = await loadFixture(allSettled);
        expect(await d.market.finalizeJobs.staticCall(d.jobIds, d.terms)).to.equal(0n);
      });

      it("does not revert and changes no stake or fee", async function () {
        const d = await loadFixture(allSettled);
        const before = [await d.market.stakeOf(d.provider.address), await d.market.accruedFees(), await d.market.auditReserve()];
        await d.market.finalizeJobs(d.jobIds, d.terms);
        const after = [await d.market.stakeOf(d.provider.address), await d.market.accruedFees(), await d.market.auditReserve()];
        expect(after).to.deep.equal(before);
      });

      it("skips ids that were never posted", async function () {
        const d = await loadFixture(threeFinalizable);
        const missing = jobIdOf(d.requester.address, 99n);
        expect(await d.market.finalizeJobs.staticCall([missing], [d.terms[0]])).to.equal(0n);
      });
    });

    describe("when the lengths do not match", function () {
      it("reverts with MarketInvalidBatch", async function () {
        const d = await loadFixture(threeFinalizable);
        await expect(d.market.finalizeJobs(d.jobIds, d.terms.slice(0, 2)))
          .to.be.revertedWithCustomError(d.market, "MarketInvalidBatch")
          .withArgs(3n, MAX_BATCH);
      });
    });

    describe("when the batch is empty", function () {
      it("reverts with MarketInvalidBatch", async function () {
        const d = await loadFixture(threeFinalizable);
        await expect(d.market.finalizeJobs([], [])).to.be.revertedWithCustomError(d.market, "MarketInvalidBatch").withArgs(0n, MAX_BATCH);
      });
    });

    describe("when one job's terms are tampered with", function () {
      it("reverts the whole batch", async function () {
        const d = await loadFixture(threeFinalizable);
        const terms = [...d.terms];
        terms[1] = tampered(terms[1], { resultHash: ethers.id("forged") });
        await expect(d.market.finalizeJobs(d.jobIds, terms))
          .to.be.revertedWithCustomError(d.market, "MarketTermsMismatch")
          .withArgs(d.jobIds[1]);
        expect(await d.market.jobState(d.jobIds[0])).to.equal(JobState.Submitted);
      });
    });
  });

  describe("cancelJob", function () {
    describe("when the requester cancels its open job", function () {
      it("refunds the reward to the requester's ledger balance", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.requester).cancelJob(d.jobId);
        expect(await d.market.balanceOf(d.requester.address)).to.equal(REWARD);
      });

      it("moves no tokens", async function () {
        const d = await loadFixture(fixtures.openJob);
        await expect(d.market.connect(d.requester).cancelJob(d.jobId)).to.changeTokenBalances(
          ethers,
          d.token,
          [d.requester, d.market],
          [0n, 0n],
        );
      });

      it("lets the requester withdraw the refund", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.requester).cancelJob(d.jobId);
        const owed = await d.market.totalOwed();
        await expect(d.market.connect(d.requester).withdraw(d.requester.address, REWARD)).to.changeTokenBalances(
          ethers,
          d.token,
          [d.requester, d.market],
          [REWARD, -REWARD],
        );
        expect(await d.market.totalOwed()).to.equal(owed - REWARD);
        expect(await d.market.balanceOf(d.requester.address)).to.equal(0n);
      });

      it("lets the refund pay for the next post without a token transfer", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.requester).cancelJob(d.jobId);
        await expect(d.market.connect(d.requester).postJob(jobRequest(await d.now()))).to.changeTokenBalances(
          ethers,
          d.token,
          [d.requester, d.market],
          [0n, 0n],
        );
      });

      it("emits JobCancelled with the refund", async function () {
        const d = await loadFixture(fixtures.openJob);
        await expect(d.market.connect(d.requester).cancelJob(d.jobId))
          .to.emit(d.market, "JobCancelled")
          .withArgs(d.jobId, d.requester.address, REWARD);
      });

      it("moves the job to Cancelled", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.requester).cancelJob(d.jobId);
        expect(await d.market.jobState(d.jobId)).to.equal(JobState.Cancelled);
      });

      worksWhilePaused(fixtures.openJob, (d) => d.market.connect(d.requester).cancelJob(d.jobId), "JobCancelled");
    });

    describe("when someone other than the requester cancels", function () {
      it("reverts with MarketNotRequester", async function () {
        const d = await loadFixture(fixtures.openJob);
        await expect(d.market.connect(d.stranger).cancelJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "MarketNotRequester")
          .withArgs(d.jobId, d.stranger.address);
      });
    });

    describe("when the job has been claimed", function () {
      it("reverts with MarketUnexpectedJobState (current Claimed)", async function () {
        const d = await loadFixture(fixtures.claimedJob);
        await expect(d.market.connect(d.requester).cancelJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.Claimed, Expect.Open);
      });
    });

    describe("when the job was already cancelled", function () {
      it("reverts with MarketUnexpectedJobState (current Cancelled), refunding only once", async function () {
        const d = await loadFixture(fixtures.openJob);
        await d.market.connect(d.requester).cancelJob(d.jobId);
        await expect(d.market.connect(d.requester).cancelJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.Cancelled, Expect.Open);
        expect(await d.market.balanceOf(d.requester.address)).to.equal(REWARD);
      });
    });
  });

  describe("expireJob", function () {
    describe("when the claim deadline has passed", function () {
      it("refunds the reward to the requester's ledger balance", async function () {
        const d = await loadFixture(claimDeadlinePassed);
        await d.market.expireJob(d.jobId);
        expect(await d.market.balanceOf(d.requester.address)).to.equal(REWARD);
      });

      it("emits JobExpired with the refund", async function () {
        const d = await loadFixture(claimDeadlinePassed);
        await expect(d.market.expireJob(d.jobId)).to.emit(d.market, "JobExpired").withArgs(d.jobId, d.requester.address, REWARD);
      });

      it("moves the job to Expired", async function () {
        const d = await loadFixture(claimDeadlinePassed);
        await d.market.expireJob(d.jobId);
        expect(await d.market.jobState(d.jobId)).to.equal(JobState.Expired);
      });

      it("cannot be expired twice", async function () {
        const d = await loadFixture(claimDeadlinePassed);
        await d.market.expireJob(d.jobId);
        await expect(d.market.expireJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.Expired, Expect.Open);
      });

      isPermissionless(claimDeadlinePassed, (d, keeper) => d.market.connect(keeper).expireJob(d.jobId), "JobExpired");
      worksWhilePaused(claimDeadlinePassed, (d) => d.market.expireJob(d.jobId), "JobExpired");
    });

    describe("when the claim deadline has not passed", function () {
      it("reverts with MarketClaimDeadlineNotReached, even in the deadline's own second", async function () {
        const d = await loadFixture(fixtures.openJob);
        await time.setNextBlockTimestamp(d.request.claimDeadline);
        await expect(d.market.expireJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "MarketClaimDeadlineNotReached")
          .withArgs(d.jobId, d.request.claimDeadline);
      });
    });

    describe("when the job was claimed", function () {
      it("reverts with MarketUnexpectedJobState (current Claimed)", async function () {
        const d = await loadFixture(fixtures.claimedJob);
        await time.increaseTo(BigInt(d.request.claimDeadline) + 1n);
        await expect(d.market.expireJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.Claimed, Expect.Open);
      });
    });
  });

  describe("timeOutJob", function () {
    describe("when the execution deadline has passed", function () {
      it("credits the requester the reward plus the provider's collateral", async function () {
        const d = await loadFixture(executionDeadlinePassed);
        await d.market.timeOutJob(d.jobId);
        expect(await d.market.balanceOf(d.requester.address)).to.equal(REWARD + COLLATERAL);
      });

      it("drops the provider's staked and locked amounts by the collateral", async function () {
        const d = await loadFixture(executionDeadlinePassed);
        await d.market.timeOutJob(d.jobId);
        const s = await d.market.stakeOf(d.provider.address);
        expect(s.staked).to.equal(STAKE - COLLATERAL);
        expect(s.locked).to.equal(0n);
      });

      it("increments the provider's timedOut counter", async function () {
        const d = await loadFixture(executionDeadlinePassed);
        await d.market.timeOutJob(d.jobId);
        expect((await d.market.reputationOf(d.provider.address)).timedOut).to.equal(1n);
      });

      it("emits JobTimedOut with the refund and the slashed collateral", async function () {
        const d = await loadFixture(executionDeadlinePassed);
        await expect(d.market.timeOutJob(d.jobId))
          .to.emit(d.market, "JobTimedOut")
          .withArgs(d.jobId, d.provider.address, d.requester.address, REWARD, COLLATERAL);
      });

      it("emits StakeSlashed to the requester", async function () {
        const d = await loadFixture(executionDeadlinePassed);
        await expect(d.market.timeOutJob(d.jobId))
          .to.emit(d.market, "StakeSlashed")
          .withArgs(d.provider.address, d.requester.address, COLLATERAL);
      });

      it("emits ReputationChanged for the timedOut counter", async function () {
        const d = await loadFixture(executionDeadlinePassed);
        await expect(d.market.timeOutJob(d.jobId))
          .to.emit(d.market, "ReputationChanged")
          .withArgs(d.provider.address, encodeBytes32String("timedOut"), 1n);
      });

      it("moves the job to TimedOut", async function () {
        const d = await loadFixture(executionDeadlinePassed);
        await d.market.timeOutJob(d.jobId);
        expect(await d.market.jobState(d.jobId)).to.equal(JobState.TimedOut);
      });

      it("moves no tokens and keeps everything owed", async function () {
        const d = await loadFixture(executionDeadlinePassed);
        const owed = await d.market.totalOwed();
        await expect(d.market.timeOutJob(d.jobId)).to.changeTokenBalances(
          ethers,
          d.token,
          [d.market, d.requester, d.provider],
          [0n, 0n, 0n],
        );
        expect(await d.market.totalOwed()).to.equal(owed);
      });

      isPermissionless(executionDeadlinePassed, (d, keeper) => d.market.connect(keeper).timeOutJob(d.jobId), "JobTimedOut");
      worksWhilePaused(executionDeadlinePassed, (d) => d.market.timeOutJob(d.jobId), "JobTimedOut");
    });

    describe("when the execution deadline has not passed", function () {
      it("reverts with MarketExecutionDeadlineNotReached, even in the deadline's own second", async function () {
        const d = await loadFixture(fixtures.claimedJob);
        const deadline = (await d.market.getJob(d.jobId)).deadline;
        await time.setNextBlockTimestamp(deadline);
        await expect(d.market.timeOutJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "MarketExecutionDeadlineNotReached")
          .withArgs(d.jobId, deadline);
      });
    });

    describe("when the job is not claimed", function () {
      it("reverts with MarketUnexpectedJobState on an open job", async function () {
        const d = await loadFixture(claimDeadlinePassed);
        await expect(d.market.timeOutJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.Open, Expect.Claimed);
      });

      it("reverts with MarketUnexpectedJobState on a submitted job", async function () {
        const d = await loadFixture(windowPassed);
        await expect(d.market.timeOutJob(d.jobId))
          .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
          .withArgs(d.jobId, JobState.Submitted, Expect.Claimed);
      });
    });
  });

  describe("settleOverdueJobs", function () {
    const all = (d: Awaited<ReturnType<typeof mixedJobs>>) => [d.unclaimed, d.late, d.notDue, d.submitted, d.cancelled, d.missing];

    it("returns how many jobs it settled", async function () {
      const d = await loadFixture(mixedJobs);
      expect(await d.market.settleOverdueJobs.staticCall(all(d))).to.equal(2n);
    });

    it("expires the open job past its claim deadline", async function () {
      const d = await loadFixture(mixedJobs);
      await expect(d.market.settleOverdueJobs(all(d)))
        .to.emit(d.market, "JobExpired")
        .withArgs(d.unclaimed, d.requester.address, REWARD);
      expect(await d.market.jobState(d.unclaimed)).to.equal(JobState.Expired);
    });

    it("times out the claimed job past its execution deadline", async function () {
      const d = await loadFixture(mixedJobs);
      await expect(d.market.settleOverdueJobs(all(d)))
        .to.emit(d.market, "JobTimedOut")
        .withArgs(d.late, d.provider.address, d.requester.address, REWARD, COLLATERAL);
      expect(await d.market.jobState(d.late)).to.equal(JobState.TimedOut);
    });

    it("skips the jobs that are not due, leaving their state alone", async function () {
      const d = await loadFixture(mixedJobs);
      await d.market.settleOverdueJobs(all(d));
      expect(await d.market.jobState(d.notDue)).to.equal(JobState.Open);
      expect(await d.market.jobState(d.submitted)).to.equal(JobState.Submitted);
      expect(await d.market.jobState(d.cancelled)).to.equal(JobState.Cancelled);
      expect(await d.market.jobState(d.missing)).to.equal(JobState.None);
    });

    it("credits the requester for exactly the settled jobs", async function () {
      const d = await loadFixture(mixedJobs);
      const before = await d.market.balanceOf(d.requester.address); // the cancelled job's refund
      await d.market.settleOverdueJobs(all(d));
      expect(await d.market.balanceOf(d.requester.address)).to.equal(before + REWARD + REWARD + COLLATERAL);
    });

    it("skips a job another keeper settled first instead of reverting", async function () {
      const d = await loadFixture(mixedJobs);
      await d.market.connect(d.keeper).expireJob(d.unclaimed);
      expect(await d.market.settleOverdueJobs.staticCall([d.unclaimed])).to.equal(0n);
      await expect(d.market.settleOverdueJobs([d.unclaimed])).not.to.emit(d.market, "JobExpired");
    });

    it("leaves an open job alone in its claim deadline's own second", async function () {
      const d = await loadFixture(fixtures.openJob);
      await time.setNextBlockTimestamp(d.request.claimDeadline);
      await expect(d.market.settleOverdueJobs([d.jobId])).not.to.emit(d.market, "JobExpired");
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Open);
    });

    it("leaves a claimed job alone in its execution deadline's own second", async function () {
      const d = await loadFixture(fixtures.claimedJob);
      await time.setNextBlockTimestamp((await d.market.getJob(d.jobId)).deadline);
      await expect(d.market.settleOverdueJobs([d.jobId])).not.to.emit(d.market, "JobTimedOut");
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Claimed);
    });

    isPermissionless(mixedJobs, (d, keeper) => d.market.connect(keeper).settleOverdueJobs(all(d)), "JobTimedOut");
    worksWhilePaused(mixedJobs, (d) => d.market.settleOverdueJobs(all(d)), "JobExpired");

    describe("when the batch is empty", function () {
      it("reverts with MarketInvalidBatch", async function () {
        const d = await loadFixture(mixedJobs);
        await expect(d.market.settleOverdueJobs([])).to.be.revertedWithCustomError(d.market, "MarketInvalidBatch").withArgs(0n, MAX_BATCH);
      });
    });

    describe("when the batch holds more than MAX_BATCH ids", function () {
      it("reverts with MarketInvalidBatch", async function () {
        const d = await loadFixture(mixedJobs);
        const ids = Array.from({ length: Number(MAX_BATCH) + 1 }, () => d.missing);
        await expect(d.market.settleOverdueJobs(ids))
          .to.be.revertedWithCustomError(d.market, "MarketInvalidBatch")
          .withArgs(MAX_BATCH + 1n, MAX_BATCH);
      });
    });
  });
});
