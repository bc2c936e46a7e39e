/**
 * The fast path (`claimAndSubmit`, `claimAndSubmitJobs`): a provider that ran a job before
 * claiming it claims and commits its result in one transaction. Each attack the fast path could
 * open is a test here: two providers racing in one block, dodging the challenge window,
 * submitting for a job whose terms changed, re-entrancy, and a batch with bad members.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { REWARD, STAKE, createFixtures, jobRequest, postedJobIds, submittedTerms } from "../helpers/fixtures.js";
import { expectSolvent } from "../vault/support.js";
import { Expect, JobState, ZERO_BYTES32, collateralOf, feeOf } from "./shared.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time, mine } = networkHelpers;

const COLLATERAL = collateralOf(REWARD, 150n);
const RESULT = ethers.id("result");
const URI = "http://127.0.0.1:8700/o/";

type Staked = Awaited<ReturnType<typeof fixtures.staked>>;

/** `staked` plus ten open default jobs. */
async function tenOpenJobs() {
  const d = await fixtures.staked();
  const request = jobRequest(await d.now());
  const receipt = await (await d.market.connect(d.requester).postJobs(Array(10).fill(request))).wait();
  return { ...d, jobIds: postedJobIds(d.market, receipt) };
}

/** Mines the given transactions, sent in this order, into one block; returns their statuses and gas used. */
async function inOneBlock(send: (() => Promise<{ hash: string }>)[]): Promise<{ statuses: number[]; gas: bigint[] }> {
  await ethers.provider.send("evm_setAutomine", [false]);
  try {
    const hashes: string[] = [];
    // Fixed gas limits: estimating against the pending block would fail for the loser.
    for (const s of send) hashes.push((await s()).hash);
    await mine(1);
    const receipts = await Promise.all(hashes.map((h) => ethers.provider.getTransactionReceipt(h)));
    expect(new Set(receipts.map((r) => r!.blockNumber)).size).to.equal(1, "all in one block");
    return { statuses: receipts.map((r) => r!.status!), gas: receipts.map((r) => r!.gasUsed) };
  } finally {
    await ethers.provider.send("evm_setAutomine", [true]);
  }
}

async function stakeOf(d: Staked, who: { address: string }) {
  return d.market.stakeOf(who.address);
}

describe("HashworkMarket: the fast path (claimAndSubmit)", function () {
  describe("claimAndSubmit", function () {
    it("claims and submits in one transaction: JobClaimed then ResultSubmitted, the job Submitted", async function () {
      const d = await loadFixture(fixtures.openJob);
      const tx = d.market.connect(d.provider).claimAndSubmit(d.jobId, RESULT, URI);
      await expect(tx).to.emit(d.market, "JobClaimed");
      await expect(tx).to.emit(d.market, "ResultSubmitted");
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Submitted);
      const s = await stakeOf(d, d.provider);
      expect(s.locked).to.equal(COLLATERAL);
      expect(s.staked).to.equal(STAKE);
    });

    it("settles like the 2-transaction path, through its pay bucket: reward minus fee, collateral unlocked", async function () {
      const d = await loadFixture(fixtures.openJob);
      const receipt = await (await d.market.connect(d.provider).claimAndSubmit(d.jobId, RESULT, URI)).wait();
      const terms = submittedTerms(d.market, receipt).get(d.jobId)!;
      expect(terms.resultHash).to.equal(RESULT);
      expect(terms.submittedBlock).to.equal(BigInt(receipt!.blockNumber));
      await time.increase(d.request.challengeWindow);
      await d.market.connect(d.keeper).releasePay(d.provider.address);
      const s = await stakeOf(d, d.provider);
      expect([s.staked, s.locked, s.completed]).to.deep.equal([STAKE + REWARD - feeOf(REWARD), 0n, 1n]);
      await expectSolvent(d.market, d.token);
    });

    it("opens the full challenge window from its own block: nothing is released earlier", async function () {
      const d = await loadFixture(fixtures.openJob);
      const receipt = await (await d.market.connect(d.provider).claimAndSubmit(d.jobId, RESULT, URI)).wait();
      const block = await ethers.provider.getBlock(receipt!.blockNumber);
      const end = BigInt(block!.timestamp) + BigInt(d.request.challengeWindow);
      expect((await d.market.getJob(d.jobId)).deadline).to.equal(end);
      await time.setNextBlockTimestamp(end);
      await expect(d.market.releasePay(d.provider.address)).not.to.emit(d.market, "PayReleased");
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Submitted);
    });

    it("refuses a zero result hash and locks nothing", async function () {
      const d = await loadFixture(fixtures.openJob);
      await expect(d.market.connect(d.provider).claimAndSubmit(d.jobId, ZERO_BYTES32, URI)).to.be.revertedWithCustomError(
        d.market,
        "MarketZeroResultHash",
      );
      expect((await stakeOf(d, d.provider)).locked).to.equal(0n);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Open);
    });

    it("refuses a caller that is not a staked provider", async function () {
      const d = await loadFixture(fixtures.openJob);
      await expect(d.market.connect(d.stranger).claimAndSubmit(d.jobId, RESULT, URI))
        .to.be.revertedWithCustomError(d.market, "RegistryNotProvider")
        .withArgs(d.stranger.address);
    });

    it("refuses a job designated to another provider", async function () {
      const d = await loadFixture(fixtures.staked);
      const request = jobRequest(await d.now(), { designatedProvider: d.provider2.address });
      const [jobId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait());
      await expect(d.market.connect(d.provider).claimAndSubmit(jobId, RESULT, URI))
        .to.be.revertedWithCustomError(d.market, "MarketNotDesignatedProvider")
        .withArgs(jobId, d.provider.address);
    });
  });

  describe("attack: two providers race the same job in one block", function () {
    it("the first wins; the loser's transaction reverts and it keeps no locked collateral", async function () {
      const d = await loadFixture(fixtures.openJob);
      const before = await stakeOf(d, d.provider2);
      const { statuses, gas } = await inOneBlock([
        () => d.market.connect(d.provider).claimAndSubmit(d.jobId, RESULT, URI, { gasLimit: 300_000 }),
        () => d.market.connect(d.provider2).claimAndSubmit(d.jobId, ethers.id("other"), URI, { gasLimit: 300_000 }),
      ]);
      expect(statuses).to.deep.equal([1, 0]);
      // What the loser pays: a transaction that reverts at the state check (docs/economics.md).
      expect(gas[1]).to.be.lessThan(35_000n);
      const after = await stakeOf(d, d.provider2);
      expect([after.staked, after.locked]).to.deep.equal([before.staked, 0n]);
      const [submitted] = await d.market.queryFilter(d.market.filters.ResultSubmitted(d.jobId));
      expect(submitted!.args.provider).to.equal(d.provider.address);
      expect((await stakeOf(d, d.provider)).locked).to.equal(COLLATERAL);
      await expectSolvent(d.market, d.token);
    });

    it("a fast-path loser to a plain claim in the same block also locks nothing", async function () {
      const d = await loadFixture(fixtures.openJob);
      const { statuses } = await inOneBlock([
        () => d.market.connect(d.provider).claimJob(d.jobId, { gasLimit: 300_000 }),
        () => d.market.connect(d.provider2).claimAndSubmit(d.jobId, RESULT, URI, { gasLimit: 300_000 }),
      ]);
      expect(statuses).to.deep.equal([1, 0]);
      expect((await stakeOf(d, d.provider2)).locked).to.equal(0n);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Claimed);
    });

    it("the loser's revert names the state it found (MarketUnexpectedJobState, Submitted)", async function () {
      const d = await loadFixture(fixtures.openJob);
      await d.market.connect(d.provider).claimAndSubmit(d.jobId, RESULT, URI);
      await expect(d.market.connect(d.provider2).claimAndSubmit(d.jobId, RESULT, URI))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(d.jobId, JobState.Submitted, Expect.Open);
    });
  });

  describe("attack: submitting for a job whose terms changed", function () {
    it("a cancelled job cannot be fast-pathed; the requester's repost with new terms is a new id", async function () {
      const d = await loadFixture(fixtures.openJob);
      await d.market.connect(d.requester).cancelJob(d.jobId);
      const changed = jobRequest(await d.now(), { reward: REWARD * 2n, programHash: ethers.id("another program") });
      const [reposted] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(changed)).wait());
      expect(reposted).to.not.equal(d.jobId);
      await expect(d.market.connect(d.provider).claimAndSubmit(d.jobId, RESULT, URI))
        .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
        .withArgs(d.jobId, JobState.Cancelled, Expect.Open);
      expect((await stakeOf(d, d.provider)).locked).to.equal(0n);
    });

    it("a job past its claim deadline cannot be fast-pathed", async function () {
      const d = await loadFixture(fixtures.openJob);
      await time.increaseTo(BigInt(d.request.claimDeadline) + 1n);
      await expect(d.market.connect(d.provider).claimAndSubmit(d.jobId, RESULT, URI)).to.be.revertedWithCustomError(
        d.market,
        "MarketClaimDeadlinePassed",
      );
    });
  });

  describe("attack: re-entrancy", function () {
    it("claimAndSubmit makes no external call at all (nothing to re-enter through)", async function () {
      const d = await loadFixture(fixtures.openJob);
      const tx = await d.market.connect(d.provider).claimAndSubmit(d.jobId, RESULT, URI);
      const trace = (await ethers.provider.send("debug_traceTransaction", [
        tx.hash,
        { disableStorage: true, disableMemory: true, disableStack: true },
      ])) as { failed: boolean; structLogs: { op: string }[] };
      expect(trace.failed).to.equal(false);
      expect(trace.structLogs.length).to.be.greaterThan(100);
      const external = new Set(["CALL", "CALLCODE", "DELEGATECALL", "STATICCALL", "CREATE", "CREATE2"]);
      const calls = trace.structLogs.filter((l) => external.has(l.op));
      expect(calls.map((l) => l.op)).to.deep.equal([]);
    });
  });

  describe("claimAndSubmitJobs", function () {
    it("claims and submits every member, writes the stake once, and returns the count", async function () {
      const d = await loadFixture(tenOpenJobs);
      const hashes = d.jobIds.map((_, i) => ethers.id(`r${i}`));
      const uris = d.jobIds.map(() => URI);
      expect(await d.market.connect(d.provider).claimAndSubmitJobs.staticCall(d.jobIds, hashes, uris)).to.equal(10n);
      const receipt = await (await d.market.connect(d.provider).claimAndSubmitJobs(d.jobIds, hashes, uris)).wait();
      const terms = submittedTerms(d.market, receipt);
      expect([...terms.keys()]).to.deep.equal(d.jobIds);
      expect((await stakeOf(d, d.provider)).locked).to.equal(COLLATERAL * 10n);
      await time.increase(3600);
      // Paid through the provider's bucket: a keeper's finalizeJobs settles none of them.
      expect(
        await d.market.finalizeJobs.staticCall(
          d.jobIds,
          d.jobIds.map((id) => terms.get(id)!),
        ),
      ).to.equal(0n);
      await d.market.releasePay(d.provider.address);
      const s = await stakeOf(d, d.provider);
      expect([s.locked, s.completed]).to.deep.equal([0n, 10n]);
      await expectSolvent(d.market, d.token);
    });

    it("skips members another provider took first: only the lost jobs, nothing locked for them", async function () {
      const d = await loadFixture(tenOpenJobs);
      await d.market.connect(d.provider2).claimAndSubmit(d.jobIds[3], RESULT, URI);
      await d.market.connect(d.provider2).claimJob(d.jobIds[7]);
      const hashes = d.jobIds.map(() => RESULT);
      const receipt = await (
        await d.market.connect(d.provider).claimAndSubmitJobs(
          d.jobIds,
          hashes,
          d.jobIds.map(() => URI),
        )
      ).wait();
      const won = [...submittedTerms(d.market, receipt).keys()];
      expect(won).to.deep.equal(d.jobIds.filter((_, i) => i !== 3 && i !== 7));
      expect((await stakeOf(d, d.provider)).locked).to.equal(COLLATERAL * 8n);
      expect((await stakeOf(d, d.provider2)).locked).to.equal(COLLATERAL * 2n);
    });

    it("skips a member past its claim deadline (a job posted to expire mid-run): the rest lands", async function () {
      const d = await loadFixture(tenOpenJobs);
      const soon = jobRequest(await d.now(), { claimDeadline: (await d.now()) + 5 });
      const [expiring] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(soon)).wait());
      await time.increase(10);
      const ids = [...d.jobIds, expiring];
      const receipt = await (
        await d.market.connect(d.provider).claimAndSubmitJobs(
          ids,
          ids.map(() => RESULT),
          ids.map(() => URI),
        )
      ).wait();
      expect([...submittedTerms(d.market, receipt).keys()]).to.deep.equal(d.jobIds);
      expect(await d.market.jobState(expiring)).to.equal(JobState.Open);
      expect((await stakeOf(d, d.provider)).locked).to.equal(COLLATERAL * 10n);
    });

    it("reverts the whole batch for one bad member (a zero hash): nothing claimed, nothing locked", async function () {
      const d = await loadFixture(tenOpenJobs);
      const hashes = d.jobIds.map((_, i) => (i === 5 ? ZERO_BYTES32 : RESULT));
      await expect(
        d.market.connect(d.provider).claimAndSubmitJobs(
          d.jobIds,
          hashes,
          d.jobIds.map(() => URI),
        ),
      ).to.be.revertedWithCustomError(d.market, "MarketZeroResultHash");
      expect((await stakeOf(d, d.provider)).locked).to.equal(0n);
      for (const id of d.jobIds) expect(await d.market.jobState(id)).to.equal(JobState.Open);
    });

    it("reverts the whole batch when the collateral of all members exceeds the free stake", async function () {
      const d = await loadFixture(tenOpenJobs);
      await d.market.connect(d.provider).requestUnstake(STAKE - COLLATERAL * 9n);
      await expect(
        d.market.connect(d.provider).claimAndSubmitJobs(
          d.jobIds,
          d.jobIds.map(() => RESULT),
          d.jobIds.map(() => URI),
        ),
      ).to.be.revertedWithCustomError(d.market, "RegistryInsufficientFreeStake");
      expect((await stakeOf(d, d.provider)).locked).to.equal(0n);
    });

    it("refuses arrays of different lengths and empty batches (MarketInvalidBatch)", async function () {
      const d = await loadFixture(tenOpenJobs);
      await expect(
        d.market.connect(d.provider).claimAndSubmitJobs(
          d.jobIds,
          [RESULT],
          d.jobIds.map(() => URI),
        ),
      ).to.be.revertedWithCustomError(d.market, "MarketInvalidBatch");
      await expect(d.market.connect(d.provider).claimAndSubmitJobs([], [], [])).to.be.revertedWithCustomError(
        d.market,
        "MarketInvalidBatch",
      );
    });
  });
});
