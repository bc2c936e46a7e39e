/**
 * Deferred pay against a requester who picks the challenge window: the hostage rule (landing
 * review 6, finding 1). A bucket matures at the latest challenge end of its jobs, so before the
 * rule one job with a long window (up to `maxChallengeWindow`, days) fast-pathed beside short
 * ones held their pay and collateral until it ended. Now a bucket takes a job only if its
 * challenge ends before the bucket's opening + 2 * PAY_SEAL; a job that does not fit is
 * finalized on its own (eagerly), so no bucket's pay waits longer than that.
 */
import { expect } from "chai";
import type { ContractTransactionReceipt } from "ethers";
import { network } from "hardhat";

import { REWARD, STAKE, createFixtures, jobRequest, postedJobIds, submittedTerms } from "../helpers/fixtures.js";
import { expectSolvent } from "../vault/support.js";
import { JobState, bucketsOf, collateralOf, feeOf } from "./shared.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const RESULT = ethers.id("result");
const SEAL = 600;
const WEEK = 7 * 24 * 3600;
const PAYOUT = REWARD - feeOf(REWARD);
const COLLATERAL = collateralOf(REWARD, 150n);

type Staked = Awaited<ReturnType<typeof fixtures.staked>>;

/** Posts one job per window (as `poster`, the requester by default); returns their ids. */
async function post(d: Staked, windows: number[], overrides: Parameters<typeof jobRequest>[1] = {}, poster = d.requester) {
  const now = await d.now();
  const requests = windows.map((challengeWindow) => jobRequest(now, { challengeWindow, claimDeadline: now + 4 * 3600, ...overrides }));
  return postedJobIds(d.market, await (await d.market.connect(poster).postJobs(requests)).wait());
}

/** The provider fast-paths `ids` in one call, at `at` if given; returns the receipt. */
async function fastPath(d: Staked, ids: bigint[], at?: number): Promise<ContractTransactionReceipt> {
  if (at !== undefined) await time.setNextBlockTimestamp(at);
  const tx = await d.market.connect(d.provider).claimAndSubmitJobs(
    ids,
    ids.map(() => RESULT),
    ids.map(() => ""),
  );
  return (await tx.wait())!;
}

/** The job ids a receipt's `PayDeferred` names ([] if none). */
function deferredIn(d: Staked, receipt: ContractTransactionReceipt): bigint[] {
  const events = receipt.logs.map((l) => d.market.interface.parseLog(l)).filter((e) => e?.name === "PayDeferred");
  return events.flatMap((e) => [...e!.args.jobIds]);
}

describe("HashworkMarket: deferred pay, the hostage rule", function () {
  this.timeout(60_000);

  it("attack: a week-long job fast-pathed after a short one does not delay the short one's pay or collateral", async function () {
    const d = await loadFixture(fixtures.staked);
    const [short] = await post(d, [600]);
    const [long] = await post(d, [WEEK], {}, d.stranger);
    const first = await fastPath(d, [short!]);
    await time.increase(60); // the same PAY_SEAL: the bucket is still filling
    const second = await fastPath(d, [long!]);
    expect(deferredIn(d, first)).to.deep.equal([short]);
    expect(deferredIn(d, second), "the long job stays out of the bucket").to.deep.equal([]);
    const [b0] = await bucketsOf(d.market, d.provider.address);
    const opened = (await ethers.provider.getBlock(first.blockNumber))!.timestamp;
    expect([b0.jobs, b0.maturesAt]).to.deep.equal([1n, BigInt(opened + 600)]);

    await time.increase(601);
    expect(await d.market.releasePay.staticCall(d.provider.address)).to.equal(PAYOUT);
    await d.market.connect(d.stranger).releasePay(d.provider.address);
    const s = await d.market.stakeOf(d.provider.address);
    expect([s.staked, s.locked], "only the long job's collateral is still locked").to.deep.equal([STAKE + PAYOUT, COLLATERAL]);

    // The long job is disputable for its whole window and then finalized on its own.
    expect(await d.market.jobState(long!)).to.equal(JobState.Submitted);
    const terms = submittedTerms(d.market, second).get(long!)!;
    await expect(d.market.finalizeJob(long!, terms)).to.be.revertedWithCustomError(d.market, "MarketChallengeWindowOpen");
    await time.increase(WEEK);
    await expect(d.market.finalizeJob(long!, terms)).to.emit(d.market, "JobFinalized");
    const after = await d.market.stakeOf(d.provider.address);
    expect([after.staked, after.locked, after.completed]).to.deep.equal([STAKE + 2n * PAYOUT, 0n, 2n]);
    await expectSolvent(d.market, d.token);
  });

  it("attack: a griefer's tiny long job cannot keep a big job's collateral locked (the provider can claim again)", async function () {
    const d = await loadFixture(fixtures.staked);
    const bigReward = (STAKE * 27n) / 100n; // collateral 81% of STAKE at collateralPct 300
    const [tiny] = await post(d, [WEEK], {}, d.stranger);
    const [big, next] = await post(d, [600, 600], { reward: bigReward, collateralPct: 300 });
    await fastPath(d, [tiny!]);
    await fastPath(d, [big!]);
    await time.increase(601 + 60); // the big job's window is over
    // The next call releases the matured bucket first, so the big job's collateral is free again.
    const receipt = await fastPath(d, [next!]);
    expect(deferredIn(d, receipt)).to.deep.equal([next]);
  });

  it("the bound at its edge: a job ending at opening + 2 * PAY_SEAL or later is paid eagerly, one second earlier is bucketed", async function () {
    const d = await loadFixture(fixtures.staked);
    const [fits, edge, laterFits, laterEdge] = await post(d, [2 * SEAL - 1, 2 * SEAL, 2 * SEAL - 101, 2 * SEAL - 100]);
    const opened = (await d.now()) + 10;
    const first = await fastPath(d, [fits!, edge!], opened);
    expect(deferredIn(d, first)).to.deep.equal([fits]);
    // 100 s later, in the same bucket: the bound is the bucket's, not the call's.
    const later = await fastPath(d, [laterFits!, laterEdge!], opened + 100);
    expect(deferredIn(d, later)).to.deep.equal([laterFits]);
    const [b0] = await bucketsOf(d.market, d.provider.address);
    expect([b0.jobs, b0.sealsAt, b0.maturesAt]).to.deep.equal([2n, BigInt(opened + SEAL), BigInt(opened + 2 * SEAL - 1)]);
  });

  it("whatever windows jobs have, every bucket matures before its opening + 2 * PAY_SEAL and every job with a window up to PAY_SEAL is bucketed", async function () {
    const d = await loadFixture(fixtures.staked);
    const windows = [1, 600, 900, 1199, 1200, 3600, WEEK, 300];
    const ids = await post(
      d,
      Array.from({ length: 24 }, (_, i) => windows[i % windows.length]!),
    );
    let eager = 0;
    for (const [i, id] of ids.entries()) {
      await time.increase(137); // calls land at every phase of a bucket's seal
      const receipt = await fastPath(d, [id]);
      const window = windows[i % windows.length]!;
      const deferred = deferredIn(d, receipt).length === 1;
      if (window <= SEAL) expect(deferred, `job ${i} (window ${window} s) bucketed`).to.equal(true);
      if (!deferred) eager += 1;
      for (const b of await bucketsOf(d.market, d.provider.address)) {
        if (b.jobs > 0n) expect(b.maturesAt, `after job ${i}`).to.be.lessThan(b.sealsAt + BigInt(SEAL));
      }
    }
    expect(eager, "the 3600 s and week-long jobs at least went eager").to.be.at.least(6);
    await time.increase(WEEK + 1);
    await d.market.releasePay(d.provider.address);
    await expectSolvent(d.market, d.token);
  });
});
