/**
 * Deferred pay ("lazy finalization"): fast-path jobs are paid through their provider's pay
 * buckets (IPayBuckets) instead of one finalize each. Every attack on it is a test here: paying a
 * job twice, releasing before maturity, starving a busy provider's bucket, a full stake, a fee
 * change between submit and release, a slashed provider, falling back when both buckets are
 * sealed, and re-entrancy. Disputes of bucketed jobs are in `deferred-pay-disputes.ts`.
 */
import { expect } from "chai";
import type { ContractTransactionReceipt } from "ethers";
import { network } from "hardhat";

import {
  LOCAL_PARAMETERS,
  REWARD,
  STAKE,
  type SubmittedJob,
  createFixtures,
  jobRequest,
  postedJobIds,
  submittedTerms,
} from "../helpers/fixtures.js";
import { expectSolvent } from "../vault/support.js";
import { JobState, bucketsOf, collateralOf, feeOf } from "./shared.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time, mine } = networkHelpers;

const COLLATERAL = collateralOf(REWARD, 150n);
const PAYOUT = REWARD - feeOf(REWARD);
const RESULT = ethers.id("result");
const SEAL = 600n;
const UINT96_MAX = 2n ** 96n - 1n;

type Staked = Awaited<ReturnType<typeof fixtures.staked>>;

/** Posts `n` default jobs (window 600 s unless overridden); returns their ids. */
async function post(d: Staked, n: number, overrides: Parameters<typeof jobRequest>[1] = {}): Promise<bigint[]> {
  const request = jobRequest(await d.now(), overrides);
  return postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs(Array(n).fill(request))).wait());
}

/** The provider fast-paths `ids` in one call; returns the receipt. */
async function fastPath(d: Staked, ids: bigint[]): Promise<ContractTransactionReceipt> {
  const tx = await d.market.connect(d.provider).claimAndSubmitJobs(
    ids,
    ids.map(() => RESULT),
    ids.map(() => ""),
  );
  return (await tx.wait())!;
}

/** The events named `name` in a receipt, decoded. */
function eventsOf(d: Staked, receipt: ContractTransactionReceipt | null, name: string) {
  return (receipt?.logs ?? []).map((l) => d.market.interface.parseLog(l)).filter((e) => e?.name === name);
}

/** `staked` plus three jobs fast-pathed into the provider's bucket 0. */
async function threeDeferred() {
  const d = await fixtures.staked();
  const ids = await post(d, 3);
  const receipt = await fastPath(d, ids);
  const terms = submittedTerms(d.market, receipt);
  return { ...d, ids, receipt, terms: ids.map((id) => terms.get(id)!) };
}

describe("HashworkMarket: deferred pay through pay buckets", function () {
  describe("the fast path defers pay", function () {
    it("emits one PayDeferred naming every job, and no JobFinalized ever", async function () {
      const d = await loadFixture(threeDeferred);
      const [deferred] = eventsOf(d, d.receipt, "PayDeferred");
      expect(deferred!.args.provider).to.equal(d.provider.address);
      expect(deferred!.args.bucket).to.equal(0n);
      expect([...deferred!.args.jobIds]).to.deep.equal(d.ids);
      await time.increase(601);
      const released = await (await d.market.releasePay(d.provider.address)).wait();
      expect(eventsOf(d, released, "JobFinalized")).to.have.length(0);
    });

    it("holds the payout, fee, collateral and count in bucket 0 until the last window ends", async function () {
      const d = await loadFixture(threeDeferred);
      const [b0, b1] = await bucketsOf(d.market, d.provider.address);
      const block = await ethers.provider.getBlock(d.receipt.blockNumber);
      expect(b0.payout).to.equal(3n * PAYOUT);
      expect(b0.fee).to.equal(3n * feeOf(REWARD));
      expect(b0.collateral).to.equal(3n * COLLATERAL);
      expect(b0.jobs).to.equal(3n);
      expect(b0.maturesAt).to.equal(BigInt(block!.timestamp) + 600n);
      expect(b0.sealsAt).to.equal(BigInt(block!.timestamp) + SEAL);
      expect(b1.jobs).to.equal(0n);
      expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(3n * COLLATERAL);
    });

    it("reads Submitted during the window and Finalized after it, before any release", async function () {
      const d = await loadFixture(threeDeferred);
      expect(await d.market.jobState(d.ids[0])).to.equal(JobState.Submitted);
      await time.increase(601);
      expect(await d.market.jobState(d.ids[0])).to.equal(JobState.Finalized);
      expect((await d.market.getJob(d.ids[0])).state).to.equal(JobState.Finalized);
    });

    it("releasePay pays exactly what finalizing each job would: stake, unlock, completed, fees, reserve", async function () {
      const d = await loadFixture(threeDeferred);
      await time.increase(601);
      const fee = feeOf(REWARD);
      await expect(d.market.connect(d.stranger).releasePay(d.provider.address))
        .to.emit(d.market, "PayReleased")
        .withArgs(d.provider.address, 0n, 3n, 3n * PAYOUT, 3n * fee, 3n * COLLATERAL, 0n);
      const s = await d.market.stakeOf(d.provider.address);
      expect([s.staked, s.locked, s.completed]).to.deep.equal([STAKE + 3n * PAYOUT, 0n, 3n]);
      expect(s.feeUnits).to.equal(3n * (fee / (await d.market.reputationUnit())));
      expect((await d.market.accruedFees()) + (await d.market.auditReserve())).to.equal(3n * fee);
      await expectSolvent(d.market, d.token);
    });

    it("empties a released bucket but keeps its clocks (its slots never return to zero)", async function () {
      const d = await loadFixture(threeDeferred);
      const [before] = await bucketsOf(d.market, d.provider.address);
      await time.increase(601);
      await d.market.releasePay(d.provider.address);
      const [b0] = await bucketsOf(d.market, d.provider.address);
      expect([b0.jobs, b0.collateral, b0.payout, b0.fee, b0.feeUnits]).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
      expect([b0.maturesAt, b0.sealsAt]).to.deep.equal([before.maturesAt, before.sealsAt]);
    });

    it("the next fast-path call releases a matured bucket itself, before taking new jobs", async function () {
      const d = await loadFixture(threeDeferred);
      await time.increase(601);
      const [next] = await post(d, 1);
      const receipt = await (await d.market.connect(d.provider).claimAndSubmit(next, RESULT, "")).wait();
      const [released] = eventsOf(d, receipt, "PayReleased");
      expect(released!.args.jobs).to.equal(3n);
      const s = await d.market.stakeOf(d.provider.address);
      expect([s.staked, s.locked, s.completed]).to.deep.equal([STAKE + 3n * PAYOUT, COLLATERAL, 3n]);
      await expectSolvent(d.market, d.token);
    });
  });

  describe("attack: paying a job twice", function () {
    it("finalizeJob reverts MarketPaidByBucket, during the window, after it and after the release", async function () {
      const d = await loadFixture(threeDeferred);
      const attempt = () => d.market.finalizeJob(d.ids[0], d.terms[0]);
      await expect(attempt()).to.be.revertedWithCustomError(d.market, "MarketPaidByBucket").withArgs(d.ids[0]);
      await time.increase(601);
      await expect(attempt()).to.be.revertedWithCustomError(d.market, "MarketPaidByBucket").withArgs(d.ids[0]);
      await d.market.releasePay(d.provider.address);
      await expect(attempt()).to.be.revertedWithCustomError(d.market, "MarketPaidByBucket").withArgs(d.ids[0]);
    });

    it("finalizeJobs skips bucketed jobs: settles none, pays nothing", async function () {
      const d = await loadFixture(threeDeferred);
      await time.increase(601);
      const before = await d.market.stakeOf(d.provider.address);
      expect(await d.market.finalizeJobs.staticCall(d.ids, d.terms)).to.equal(0n);
      await d.market.finalizeJobs(d.ids, d.terms);
      expect(await d.market.stakeOf(d.provider.address)).to.deep.equal(before);
    });

    it("settleDispute and voidExpiredDispute refuse a bucketed job (no dispute is open on it)", async function () {
      const d = await loadFixture(threeDeferred);
      await time.increase(601);
      await expect(d.market.voidExpiredDispute(d.ids[0], d.terms[0])).to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState");
      // Only the module that opened a dispute may settle it; none did.
      await expect(d.market.settleDispute(d.ids[0], d.terms[0], true)).to.be.revertedWithCustomError(d.market, "GovNotDisputeModule");
      await d.market.releasePay(d.provider.address);
      expect((await d.market.stakeOf(d.provider.address)).staked).to.equal(STAKE + 3n * PAYOUT);
    });

    it("a second releasePay pays nothing (returns 0, no event)", async function () {
      const d = await loadFixture(threeDeferred);
      await time.increase(601);
      await d.market.releasePay(d.provider.address);
      expect(await d.market.releasePay.staticCall(d.provider.address)).to.equal(0n);
      await expect(d.market.releasePay(d.provider.address)).not.to.emit(d.market, "PayReleased");
      expect((await d.market.stakeOf(d.provider.address)).staked).to.equal(STAKE + 3n * PAYOUT);
    });
  });

  describe("attack: releasing early", function () {
    it("nothing is released at the last second of the window; everything one second later", async function () {
      const d = await loadFixture(threeDeferred);
      const [b0] = await bucketsOf(d.market, d.provider.address);
      await time.setNextBlockTimestamp(b0.maturesAt);
      await expect(d.market.releasePay(d.provider.address)).not.to.emit(d.market, "PayReleased");
      expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(3n * COLLATERAL);
      // The next block is one second later: past maturity.
      await expect(d.market.releasePay(d.provider.address)).to.emit(d.market, "PayReleased");
    });
  });

  describe("attack: starving a busy provider's bucket", function () {
    it("a provider submitting every 30 s is paid for its first job within PAY_SEAL + its window", async function () {
      const d = await loadFixture(fixtures.staked);
      const ids = await post(d, 60, { claimDeadline: (await d.now()) + 3 * 3600 });
      const first = await (await d.market.connect(d.provider).claimAndSubmit(ids[0], RESULT, "")).wait();
      const start = BigInt((await ethers.provider.getBlock(first!.blockNumber))!.timestamp);
      let paidAt = 0n;
      for (const id of ids.slice(1)) {
        await time.increase(29);
        const receipt = await (await d.market.connect(d.provider).claimAndSubmit(id, RESULT, "")).wait();
        // Every job lands in a bucket: with a window no longer than PAY_SEAL one always takes it.
        expect(eventsOf(d, receipt, "PayDeferred")).to.have.length(1);
        if (paidAt === 0n && eventsOf(d, receipt, "PayReleased").length > 0) {
          paidAt = BigInt((await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp);
        }
      }
      expect(paidAt).to.be.greaterThan(0n);
      expect(paidAt - start).to.be.at.most(SEAL + 600n + 30n);
      await expectSolvent(d.market, d.token);
    });
  });

  describe("when a job's window does not fit its bucket (the hostage rule, deferred-pay-attacks.ts)", function () {
    it("the job falls back to the eager path: no PayDeferred, finalizeJob pays it (JobFinalized)", async function () {
      // A 3600 s window ends past every bucket's opening + 2 * PAY_SEAL: each job is finalized
      // on its own, whether its bucket is opening or filling. (With the rule in place both
      // buckets can no longer be sealed and unmatured at once: the older has always matured.)
      const d = await loadFixture(fixtures.staked);
      const ids = await post(d, 3, { challengeWindow: 3600, claimDeadline: (await d.now()) + 7200 });
      const terms = new Map<bigint, SubmittedJob>();
      for (const [i, id] of ids.entries()) {
        if (i > 0) await time.increase(Number(SEAL));
        const receipt = await fastPath(d, [id]);
        expect(eventsOf(d, receipt, "PayDeferred")).to.have.length(0);
        terms.set(id, submittedTerms(d.market, receipt).get(id)!);
      }
      await time.increase(3601);
      for (const id of ids) await expect(d.market.finalizeJob(id, terms.get(id)!)).to.emit(d.market, "JobFinalized");
      expect(await d.market.releasePay.staticCall(d.provider.address)).to.equal(0n);
      const s = await d.market.stakeOf(d.provider.address);
      expect([s.staked, s.locked, s.completed]).to.deep.equal([STAKE + 3n * PAYOUT, 0n, 3n]);
      await expectSolvent(d.market, d.token);
    });
  });

  describe("attack: the provider's stake is full (uint96) at release", function () {
    it("credits the payout to its ledger balance (PayoutCreditedToBalance(0, …)) and still unlocks", async function () {
      const d = await loadFixture(fixtures.staked);
      await d.token.connect(d.owner).mint(d.provider.address, UINT96_MAX);
      const [id] = await post(d, 1);
      await fastPath(d, [id]);
      await d.market.connect(d.provider).stake(UINT96_MAX - 1n - STAKE);
      await time.increase(601);
      await expect(d.market.releasePay(d.provider.address))
        .to.emit(d.market, "PayoutCreditedToBalance")
        .withArgs(0n, d.provider.address, PAYOUT);
      const s = await d.market.stakeOf(d.provider.address);
      expect([s.staked, s.locked, s.completed]).to.deep.equal([UINT96_MAX - 1n, 0n, 1n]);
      expect(await d.market.balanceOf(d.provider.address)).to.equal(PAYOUT);
      await expectSolvent(d.market, d.token);
    });
  });

  describe("attack: a fee change scheduled between submit and release", function () {
    it("the job keeps the rate it was deferred at, even released after the change took effect", async function () {
      const d = await loadFixture(fixtures.staked);
      const [id] = await post(d, 1);
      await fastPath(d, [id]);
      await d.market.connect(d.owner).setFeeBps(1_000);
      await time.increaseTo((await d.market.feeChange())[1] + 1n);
      await expect(d.market.releasePay(d.provider.address))
        .to.emit(d.market, "PayReleased")
        .withArgs(d.provider.address, 0n, 1n, PAYOUT, feeOf(REWARD), COLLATERAL, 0n);
    });

    it("a job deferred after the change was scheduled takes the rate a finalize would: old before it, new after", async function () {
      // The fast path prices jobs from the copy of the rate kept in the stake rules' slot: a
      // stale copy would price one of these two jobs wrongly.
      const d = await loadFixture(fixtures.staked);
      await d.market.connect(d.owner).setFeeBps(1_000);
      const changeAt = (await d.market.feeChange())[1];
      const [before] = await post(d, 1);
      await fastPath(d, [before]);
      await time.increaseTo(changeAt + 1n);
      const [after] = await post(d, 1);
      // This call also releases the first job's matured bucket, then refills it with this job.
      const first = eventsOf(d, await fastPath(d, [after]), "PayReleased");
      await time.increase(601);
      const second = eventsOf(d, await (await d.market.releasePay(d.provider.address)).wait(), "PayReleased");
      const newFee = feeOf(REWARD, 1_000n);
      expect([...first, ...second].map((e) => [e!.args.jobs, e!.args.payout, e!.args.fee])).to.deep.equal([
        [1n, PAYOUT, feeOf(REWARD)],
        [1n, REWARD - newFee, newFee],
      ]);
      await expectSolvent(d.market, d.token);
    });
  });

  describe("attack: the provider is slashed below the minimum stake while its bucket holds pay", function () {
    it("the bucket still releases: pay into stake, its collateral unlocked, the slash untouched", async function () {
      const d = await loadFixture(fixtures.staked);
      const [deferred, late] = await post(d, 2, { executionTime: 60 });
      await fastPath(d, [deferred]);
      await d.market.connect(d.provider).claimJob(late);
      // Leave exactly the minimum free of the two locks, then miss the late job's deadline.
      const free = await d.market.freeStakeOf(d.provider.address);
      const keep = LOCAL_PARAMETERS.minStake - 2n * COLLATERAL;
      if (free > keep) await d.market.connect(d.provider).requestUnstake(free - keep);
      await time.increase(61);
      await d.market.timeOutJob(late);
      const slashed = await d.market.stakeOf(d.provider.address);
      expect(slashed.staked).to.be.lessThan(LOCAL_PARAMETERS.minStake);
      await time.increase(601);
      await expect(d.market.connect(d.stranger).releasePay(d.provider.address)).to.emit(d.market, "PayReleased");
      const s = await d.market.stakeOf(d.provider.address);
      expect([s.staked, s.locked]).to.deep.equal([slashed.staked + PAYOUT, 0n]);
      await expectSolvent(d.market, d.token);
    });
  });

  describe("attack: re-entrancy", function () {
    it("releasePay makes no external call at all (nothing to re-enter through)", async function () {
      const d = await loadFixture(threeDeferred);
      await time.increase(601);
      const tx = await d.market.releasePay(d.provider.address);
      const trace = (await ethers.provider.send("debug_traceTransaction", [
        tx.hash,
        { disableStorage: true, disableMemory: true, disableStack: true },
      ])) as { failed: boolean; structLogs: { op: string }[] };
      expect(trace.failed).to.equal(false);
      expect(trace.structLogs.length).to.be.greaterThan(100);
      const external = new Set(["CALL", "CALLCODE", "DELEGATECALL", "STATICCALL", "CREATE", "CREATE2"]);
      expect(trace.structLogs.filter((l) => external.has(l.op)).map((l) => l.op)).to.deep.equal([]);
    });
  });

  describe("many providers in one block", function () {
    it("each provider's bucket is its own: two fast paths in one block, released apart", async function () {
      const d = await loadFixture(fixtures.staked);
      const [a, b] = await post(d, 2);
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        await d.market.connect(d.provider).claimAndSubmit(a, RESULT, "", { gasLimit: 400_000 });
        await d.market.connect(d.provider2).claimAndSubmit(b, RESULT, "", { gasLimit: 400_000 });
        await mine(1);
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      await time.increase(601);
      await d.market.releasePay(d.provider.address);
      expect((await d.market.stakeOf(d.provider.address)).staked).to.equal(STAKE + PAYOUT);
      expect((await d.market.stakeOf(d.provider2.address)).locked).to.equal(COLLATERAL);
      await d.market.releasePay(d.provider2.address);
      expect((await d.market.stakeOf(d.provider2.address)).staked).to.equal(STAKE + PAYOUT);
      await expectSolvent(d.market, d.token);
    });
  });
});
