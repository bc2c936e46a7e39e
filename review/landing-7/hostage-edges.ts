/**
 * Landing review 7: the hostage rule (`_defer`: a bucket takes a job only if its challenge ends
 * before `sealsAt + PAY_SEAL`) attacked at its edges: a bucket reopened by a release in the same
 * call, a release in the middle of a bucket's fill (does it reset the bound?), the second
 * bucket, a batch mixing fitting, non-fitting and repeated jobs, and a seeded random schedule
 * checking the rule job by job. Each test PASSES WHILE THE DEFENCE HOLDS.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { REWARD, STAKE, createFixtures, submittedTerms } from "../../test/helpers/fixtures.js";
import { JobState, bucketsOf, collateralOf, feeOf } from "../../test/market/shared.js";
import { expectSolvent } from "../../test/vault/support.js";
import { seededRandom } from "../../testkit/seeded-random.js";
import { SEAL, WEEK, blockTime, deferredIn, eventsIn, fastPath as fast, postWindows } from "./support.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const RESULT = ethers.id("result");
const PAYOUT = REWARD - feeOf(REWARD);
const COLLATERAL = collateralOf(REWARD, 150n);

type Staked = Awaited<ReturnType<typeof fixtures.staked>>;

async function fastPath(d: Staked, ids: bigint[], at?: number) {
  if (at !== undefined) await time.setNextBlockTimestamp(at);
  return fast(d.market, d.provider, ids, RESULT);
}

describe("landing review 7: the hostage rule at its edges", function () {
  this.timeout(120_000);

  it("holds: a bucket reopened by a release in the same call is bounded by the call's time + 2 * PAY_SEAL; it pays exactly at its bound", async function () {
    const d = await loadFixture(fixtures.staked);
    const [first, fits, edge] = await postWindows(d, [1, 2 * SEAL - 1, 2 * SEAL]);
    const t0 = (await d.now()) + 10;
    await fastPath(d, [first!], t0);
    const t1 = t0 + SEAL + 100; // bucket 0 sealed and matured: this call releases it, then reopens it
    const receipt = await fastPath(d, [fits!, edge!], t1);
    expect(eventsIn(d.market, receipt, "PayReleased").length, "released in the same call").to.equal(1);
    expect(deferredIn(d.market, receipt)).to.deep.equal([fits]);
    const [b0] = await bucketsOf(d.market, d.provider.address);
    expect([b0.jobs, b0.sealsAt, b0.maturesAt]).to.deep.equal([1n, BigInt(t1 + SEAL), BigInt(t1 + 2 * SEAL - 1)]);
    await time.setNextBlockTimestamp(t1 + 2 * SEAL - 1);
    await expect(d.market.releasePay(d.provider.address)).not.to.emit(d.market, "PayReleased");
    await time.setNextBlockTimestamp(t1 + 2 * SEAL);
    await expect(d.market.releasePay(d.provider.address)).to.emit(d.market, "PayReleased");
    await expectSolvent(d.market, d.token);
  });

  it("holds: a release in the middle of a fill does not reset the bound (still the bucket's opening + 2 * PAY_SEAL)", async function () {
    const d = await loadFixture(fixtures.staked);
    const [first, fits, edge] = await postWindows(d, [1, 2 * SEAL - 301, 2 * SEAL - 300]);
    const t0 = (await d.now()) + 10;
    await fastPath(d, [first!], t0);
    // 300 s later bucket 0 is matured (1 s window) but still filling: the call releases it and keeps filling it.
    const receipt = await fastPath(d, [fits!, edge!], t0 + 300);
    expect(eventsIn(d.market, receipt, "PayReleased").length).to.equal(1);
    expect(deferredIn(d.market, receipt), "the job ending at t0 + 1200 goes eager").to.deep.equal([fits]);
    const [b0] = await bucketsOf(d.market, d.provider.address);
    expect([b0.sealsAt, b0.maturesAt]).to.deep.equal([BigInt(t0 + SEAL), BigInt(t0 + 2 * SEAL - 1)]);
  });

  it("holds: the second bucket has its own bound; with the rule both buckets are never sealed and unmatured at once", async function () {
    const d = await loadFixture(fixtures.staked);
    const [a, b, c, e, late] = await postWindows(d, [2 * SEAL - 1, 2 * SEAL - 1, 2 * SEAL, 2 * SEAL - 1, SEAL]);
    const t0 = (await d.now()) + 10;
    await fastPath(d, [a!], t0);
    const t1 = t0 + SEAL; // bucket 0 sealed, matures at t0 + 1199: bucket 1 opens
    const second = await fastPath(d, [b!, c!], t1);
    expect(eventsIn(d.market, second, "PayDeferred").map((x) => x.args.bucket)).to.deep.equal([1n]);
    expect(deferredIn(d.market, second)).to.deep.equal([b]);
    const [, b1] = await bucketsOf(d.market, d.provider.address);
    expect([b1.sealsAt, b1.maturesAt]).to.deep.equal([BigInt(t1 + SEAL), BigInt(t1 + 2 * SEAL - 1)]);
    // When bucket 1 seals, bucket 0 has matured (t0 + 1199 < t1 + 600): the call releases and reopens it.
    const third = await fastPath(d, [e!], t1 + SEAL);
    expect(eventsIn(d.market, third, "PayReleased").map((x) => x.args.bucket)).to.deep.equal([0n]);
    expect(deferredIn(d.market, third)).to.deep.equal([e]);
    const fourth = await fastPath(d, [late!], t1 + 2 * SEAL); // bucket 1 matured now: released, bucket 0 still filling
    expect(deferredIn(d.market, fourth)).to.deep.equal([late]);
    await expectSolvent(d.market, d.token);
  });

  it("holds: a batch mixing long, fitting and repeated jobs: each paid once, by the right path", async function () {
    const d = await loadFixture(fixtures.staked);
    const [long1, fit1, long2, fit2] = await postWindows(d, [WEEK, SEAL, 2 * SEAL, 1]);
    const ids = [long1!, fit1!, fit1!, long2!, fit2!, long1!, fit2!];
    const submitted = await d.market.connect(d.provider).claimAndSubmitJobs.staticCall(
      ids,
      ids.map(() => RESULT),
      ids.map(() => ""),
    );
    expect(submitted, "each job counted once").to.equal(4n);
    const receipt = await fastPath(d, ids);
    expect(deferredIn(d.market, receipt)).to.deep.equal([fit1, fit2]);
    expect(eventsIn(d.market, receipt, "JobClaimed").length).to.equal(4);
    expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(4n * COLLATERAL);
    const terms = submittedTerms(d.market, receipt);
    await time.increase(WEEK + 1);
    const all = [long1!, fit1!, long2!, fit2!];
    // A keeper's batch settles exactly the two eager jobs; a second batch settles none.
    expect(
      await d.market.finalizeJobs.staticCall(
        all,
        all.map((id) => terms.get(id)!),
      ),
    ).to.equal(2n);
    await d.market.finalizeJobs(
      all,
      all.map((id) => terms.get(id)!),
    );
    expect(
      await d.market.finalizeJobs.staticCall(
        all,
        all.map((id) => terms.get(id)!),
      ),
    ).to.equal(0n);
    expect(await d.market.releasePay.staticCall(d.provider.address)).to.equal(2n * PAYOUT);
    await d.market.releasePay(d.provider.address);
    const s = await d.market.stakeOf(d.provider.address);
    expect([s.staked, s.locked, s.completed]).to.deep.equal([STAKE + 4n * PAYOUT, 0n, 4n]);
    for (const id of all) expect(await d.market.jobState(id)).to.equal(JobState.Finalized);
    await expectSolvent(d.market, d.token);
  });

  it("holds: a seeded random schedule (100 jobs, ~50 calls): every job bucketed iff it ends before its bucket's sealsAt + PAY_SEAL; all paid once", async function () {
    const d = await loadFixture(fixtures.staked);
    await d.market.connect(d.provider).stake(10n * STAKE); // room for every job's collateral
    const random = seededRandom(7);
    const pick = (n: number) => Math.floor(random() * n);
    const windows = Array.from(
      { length: 100 },
      () => [1, SEAL, 2 * SEAL - 1, 2 * SEAL, 1 + pick(2 * SEAL), 1 + pick(3 * SEAL), WEEK][pick(7)]!,
    );
    const ids = await postWindows(d, windows, { claimDeadline: (await d.now()) + 6 * 3600 });
    const windowOf = new Map(ids.map((id, i) => [id, windows[i]!]));
    const eager: bigint[] = [];
    const terms = new Map<bigint, Awaited<ReturnType<typeof submittedTerms>> extends Map<bigint, infer T> ? T : never>();
    let next = 0;
    let deferredCount = 0;
    while (next < ids.length) {
      const batch = ids.slice(next, next + 1 + pick(3));
      next += batch.length;
      await time.increase(1 + pick(400));
      if (random() < 0.2) await d.market.connect(d.stranger).releasePay(d.provider.address);
      const receipt = await fastPath(d, batch);
      const now = await blockTime(d.market, receipt);
      for (const [id, t] of submittedTerms(d.market, receipt)) terms.set(id, t);
      const deferred = deferredIn(d.market, receipt);
      const buckets = await bucketsOf(d.market, d.provider.address);
      // The bucket taking this call's jobs: the one still filling, else one opened now.
      const bucket = buckets.find((b) => b.sealsAt > BigInt(now));
      for (const id of batch) {
        const end = BigInt(now + windowOf.get(id)!);
        // With the rule a bucket is always taking: the one in this call decides every job.
        const sealsAt = bucket?.sealsAt ?? BigInt(now + SEAL);
        expect(deferred.includes(id), `job ending ${end}, bucket sealing ${sealsAt}`).to.equal(end < sealsAt + BigInt(SEAL));
        if (!deferred.includes(id)) eager.push(id);
      }
      deferredCount += deferred.length;
      for (const b of buckets) if (b.jobs > 0n) expect(b.maturesAt).to.be.lessThan(b.sealsAt + BigInt(SEAL));
      await expectSolvent(d.market, d.token);
    }
    await time.increase(WEEK + 1);
    for (let i = 0; i < eager.length; i += 50) {
      const part = eager.slice(i, i + 50);
      expect(
        await d.market.finalizeJobs.staticCall(
          part,
          part.map((id) => terms.get(id)!),
        ),
      ).to.equal(BigInt(part.length));
      await d.market.finalizeJobs(
        part,
        part.map((id) => terms.get(id)!),
      );
    }
    await d.market.releasePay(d.provider.address);
    const s = await d.market.stakeOf(d.provider.address);
    console.log(`      ${ids.length} jobs: ${deferredCount} bucketed, ${eager.length} eager`);
    expect(deferredCount + eager.length).to.equal(ids.length);
    expect([s.staked, s.locked, s.completed]).to.deep.equal([11n * STAKE + BigInt(ids.length) * PAYOUT, 0n, BigInt(ids.length)]);
    await expectSolvent(d.market, d.token);
  });
});
