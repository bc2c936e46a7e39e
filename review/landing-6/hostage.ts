/**
 * Landing review 6: deferred pay (pay buckets) against an adversary who controls timing and job
 * terms. Each test PASSES WHILE THE DEFENCE HOLDS; a test that fails now is a finding (README).
 *
 * Finding: a bucket matures at the LATEST challenge end of its jobs, so one job with a long
 * challenge window (a requester may ask for up to `maxChallengeWindow`, 7 days by default)
 * fast-pathed in the same PAY_SEAL as short jobs holds their pay and their collateral hostage
 * until it ends. The short jobs already read Finalized, yet neither `releasePay` nor
 * `finalizeJob` (MarketPaidByBucket) can pay them or unlock their collateral, and the provider's
 * free stake stays short: it cannot claim work that eager finalization would have let it claim.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { REWARD, STAKE, createFixtures, jobRequest, postedJobIds, submittedTerms } from "../../test/helpers/fixtures.js";
import { JobState, bucketsOf, collateralOf, feeOf } from "../../test/market/shared.js";
import { expectSolvent } from "../../test/vault/support.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const RESULT = ethers.id("result");
const WEEK = 7 * 24 * 3600;
const PAYOUT = REWARD - feeOf(REWARD);
const COLLATERAL = collateralOf(REWARD, 150n);

type Staked = Awaited<ReturnType<typeof fixtures.staked>>;

async function post(d: Staked, overrides: Parameters<typeof jobRequest>[1] = {}): Promise<bigint> {
  const request = jobRequest(await d.now(), overrides);
  return postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait())[0]!;
}

async function fastPath(d: Staked, ids: bigint[]) {
  const tx = await d.market.connect(d.provider).claimAndSubmitJobs(
    ids,
    ids.map(() => RESULT),
    ids.map(() => ""),
  );
  return (await tx.wait())!;
}

/** A short honest job (600 s window) and a griefer's job (7-day window) in the same bucket. */
async function shortWithLong() {
  const d = await fixtures.staked();
  const now = await d.now();
  const short = await post(d);
  const long = postedJobIds(
    d.market,
    await (await d.market.connect(d.stranger).postJob(jobRequest(now, { challengeWindow: WEEK, claimDeadline: now + 3600 }))).wait(),
  )[0]!;
  const first = await fastPath(d, [short]);
  await time.increase(60); // a later call in the same PAY_SEAL: same bucket
  const second = await fastPath(d, [long]);
  const terms = submittedTerms(d.market, first).get(short)!;
  return { ...d, short, long, terms, second };
}

describe("landing review 6: a long-window job holds its bucket hostage", function () {
  this.timeout(120_000);

  // Since the hostage rule (session 25) the long job stays out of the bucket: this test was
  // "both jobs landed in bucket 0, which now matures a week out".
  it("after the fix: only the short job landed in bucket 0, which matures with it; the long job went eager", async function () {
    const d = await loadFixture(shortWithLong);
    const [b0] = await bucketsOf(d.market, d.provider.address);
    expect(b0.jobs).to.equal(1n);
    expect(b0.maturesAt).to.be.lessThan(b0.sealsAt + 600n);
    expect(d.second.logs.map((l) => d.market.interface.parseLog(l)?.name)).not.to.include("PayDeferred");
  });

  it("FINDING: once the short job's window has passed (it reads Finalized) someone can pay it and unlock its collateral", async function () {
    const d = await loadFixture(shortWithLong);
    await time.increase(601 + 3600); // the short job's window ended an hour ago
    expect(await d.market.jobState(d.short)).to.equal(JobState.Finalized);
    await expect(d.market.finalizeJob(d.short, d.terms)).to.be.revertedWithCustomError(d.market, "MarketPaidByBucket");
    const paid = await d.market.connect(d.stranger).releasePay.staticCall(d.provider.address);
    await d.market.connect(d.stranger).releasePay(d.provider.address);
    const s = await d.market.stakeOf(d.provider.address);
    console.log(`      releasePay paid ${paid}; locked ${s.locked} (short job's collateral ${COLLATERAL} still held for a week)`);
    // Eager finalization would have paid the short job by now and left only the long job's collateral locked.
    expect(paid, "the short job's payout").to.equal(PAYOUT);
    expect(s.locked, "only the long job's collateral").to.equal(COLLATERAL);
  });

  it("FINDING: the provider's capacity: a job eager finalization would have freed stake for cannot be claimed", async function () {
    const d = await loadFixture(fixtures.staked);
    const now = await d.now();
    // A big honest job whose collateral is most of the stake (3 x reward), and a griefer's tiny long job.
    const bigReward = (STAKE * 27n) / 100n; // collateral 81% of STAKE at collateralPct 300 (the local maximum)
    const big = await post(d, { reward: bigReward, collateralPct: 300 });
    const tiny = postedJobIds(
      d.market,
      await (await d.market.connect(d.stranger).postJob(jobRequest(now, { challengeWindow: WEEK, claimDeadline: now + 3600 }))).wait(),
    )[0]!;
    await fastPath(d, [tiny]);
    await fastPath(d, [big]);
    await time.increase(601 + 60); // the big job's window is over
    const next = await post(d, { reward: bigReward, collateralPct: 300, claimDeadline: (await d.now()) + 7200 });
    await d.market.releasePay(d.provider.address);
    let refused: string | undefined;
    try {
      await d.market.connect(d.provider).claimAndSubmit.staticCall(next, RESULT, "");
    } catch (error) {
      refused = (error as Error).message.split("\n")[0];
    }
    if (refused) console.log(`      claim refused: ${refused}`);
    expect(refused, "claim refused for stake a finished job still locks").to.equal(undefined);
  });

  it("holds: the griefer gains nothing else: the long job is still disputable and paid once, solvency holds", async function () {
    const d = await loadFixture(shortWithLong);
    await time.increase(WEEK + 120);
    const paid = await d.market.releasePay.staticCall(d.provider.address);
    await d.market.releasePay(d.provider.address);
    // Since the hostage rule the bucket holds only the short job; the long one is finalized on its own.
    expect(paid).to.equal(PAYOUT);
    const longTerms = submittedTerms(d.market, d.second).get(d.long)!;
    await d.market.finalizeJob(d.long, longTerms);
    expect(await d.market.releasePay.staticCall(d.provider.address)).to.equal(0n);
    const s = await d.market.stakeOf(d.provider.address);
    expect([s.staked, s.locked, s.completed]).to.deep.equal([STAKE + 2n * PAYOUT, 0n, 2n]);
    await expectSolvent(d.market, d.token);
  });
});
