/**
 * Landing review 7: the gas pass's `unchecked` blocks pushed to their bounds.
 *   - `_lock`: `s.locked += uint96(collateral)`, "collateral <= free": a stake at uint96's
 *     maximum, locked to the last wei by one job, then one more claim.
 *   - `_defer`: the sums of a job's pay, fee, collateral and fee units onto the bucket's packed
 *     fields, and `++f.jobs`: fee units (uint24) made the binding limit with the fee at its 10 %
 *     maximum, filled to exactly `MAX_COUNT`, then passed by one unit.
 *   - `claimAndSubmitJobs`: `++submitted` over a full batch of `MAX_BATCH` jobs, and a batch of
 *     one job repeated `MAX_BATCH` times.
 * Each test PASSES WHILE THE DEFENCE HOLDS; everything is paid once and the market stays solvent.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { STAKE, TOKEN_UNIT, createFixtures, jobRequest, postedJobIds, submittedTerms } from "../../test/helpers/fixtures.js";
import { bucketsOf, feeOf } from "../../test/market/shared.js";
import { expectSolvent } from "../../test/vault/support.js";
import { deferredIn, eventsIn, fastPath } from "./support.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const RESULT = ethers.id("result");
const UINT96_MAX = 2n ** 96n - 1n;
const MAX_COUNT = 2n ** 24n - 1n; // PayClocksLib.MAX_COUNT
const UNIT = 10n ** 15n; // reputationUnit
const DAY = 24 * 3600;

describe("landing review 7: unchecked sums at their bounds", function () {
  this.timeout(180_000);

  it("holds: a stake at uint96's maximum locked to the last wei; the next claim is refused (no wrap), the payout goes to the ledger", async function () {
    const d = await loadFixture(fixtures.staked);
    const extra = UINT96_MAX - STAKE;
    await d.token.connect(d.owner).mint(d.provider.address, extra);
    await d.market.connect(d.provider).stake(extra);
    await d.token.connect(d.owner).mint(d.requester.address, UINT96_MAX);
    const now = await d.now();
    const [all, more] = postedJobIds(
      d.market,
      await (
        await d.market
          .connect(d.requester)
          .postJobs([
            jobRequest(now, { reward: UINT96_MAX - TOKEN_UNIT, collateralPct: 100 }),
            jobRequest(now, { reward: TOKEN_UNIT / 100n, collateralPct: 100 }),
          ])
      ).wait(),
    );
    // Lock everything but 1 token, then exactly the rest, so locked reaches staked == 2^96 - 1.
    const first = await (await d.market.connect(d.provider).claimAndSubmit(all!, RESULT, "")).wait();
    expect(deferredIn(d.market, first!), "collateral past uint80: eager").to.deep.equal([]);
    const [filler] = postedJobIds(
      d.market,
      await (await d.market.connect(d.requester).postJob(jobRequest(await d.now(), { reward: TOKEN_UNIT, collateralPct: 100 }))).wait(),
    );
    const second = await (await d.market.connect(d.provider).claimAndSubmit(filler!, RESULT, "")).wait();
    let s = await d.market.stakeOf(d.provider.address);
    expect([s.staked, s.locked]).to.deep.equal([UINT96_MAX, UINT96_MAX]);
    await expect(d.market.connect(d.provider).claimAndSubmit(more!, RESULT, ""))
      .to.be.revertedWithCustomError(d.market, "RegistryInsufficientFreeStake")
      .withArgs(d.provider.address, 0n, TOKEN_UNIT / 100n);
    await expect(d.market.connect(d.provider).claimAndSubmitJobs([more!], [RESULT], [""])).to.be.revertedWithCustomError(
      d.market,
      "RegistryInsufficientFreeStake",
    );
    // Settle both: the big one eagerly, its payout past uint96 credited to the ledger; the small one by its bucket.
    await time.increase(601);
    const bigTerms = submittedTerms(d.market, first!).get(all!)!;
    await expect(d.market.finalizeJob(all!, bigTerms)).to.emit(d.market, "PayoutCreditedToBalance");
    await d.market.releasePay(d.provider.address);
    s = await d.market.stakeOf(d.provider.address);
    expect([s.locked, s.completed]).to.deep.equal([0n, 2n]);
    expect(deferredIn(d.market, second!), "the 1-token filler was bucketed").to.deep.equal([filler]);
    await expectSolvent(d.market, d.token);
  });

  it("holds: fee units (uint24) as the binding limit at a 10 % fee: filled to exactly MAX_COUNT, one unit more goes eager; all paid once", async function () {
    const d = await loadFixture(fixtures.staked);
    await d.market.connect(d.owner).setFeeBps(1_000);
    await time.increase(60 * DAY); // past the scheduled change day (the longest job lifetime away): new jobs pay 10 %
    const big = 10n ** 23n; // fee 10^22 = 10,000,000 units; collateral 100,000 tokens (far below uint80)
    const rest = (MAX_COUNT - 10_000_000n) * UNIT * 10n; // fee = exactly the units left
    const tiny = TOKEN_UNIT / 100n; // fee 10^15: one unit
    await d.token.connect(d.owner).mint(d.requester.address, 3n * big);
    await d.token.connect(d.owner).mint(d.provider.address, 3n * big);
    await d.market.connect(d.provider).stake(3n * big);
    const now = await d.now();
    const requests = [big, big, rest, tiny].map((reward) => jobRequest(now, { reward, collateralPct: 100 }));
    const ids = postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs(requests)).wait());
    const receipt = await fastPath(d.market, d.provider, ids, RESULT);
    // big fits (10,000,000), the second big would pass 2^24 - 1: eager; rest fills it to MAX_COUNT; tiny passes it: eager.
    expect(deferredIn(d.market, receipt)).to.deep.equal([ids[0], ids[2]]);
    const [b0, b1] = await bucketsOf(d.market, d.provider.address);
    expect(b0.feeUnits).to.equal(MAX_COUNT);
    // The full 24-bit field bleeds into neither its neighbour (jobs) nor bucket 1's clocks.
    expect(b0.jobs).to.equal(2n);
    expect([b1.maturesAt, b1.sealsAt, b1.jobs, b1.feeUnits]).to.deep.equal([0n, 0n, 0n, 0n]);
    expect(b0.fee).to.equal(feeOf(big, 1_000n) + feeOf(rest, 1_000n));
    await time.increase(601);
    const terms = submittedTerms(d.market, receipt);
    for (const i of [1, 3]) await expect(d.market.finalizeJob(ids[i]!, terms.get(ids[i]!)!)).to.emit(d.market, "JobFinalized");
    for (const i of [0, 2])
      await expect(d.market.finalizeJob(ids[i]!, terms.get(ids[i]!)!)).to.be.revertedWithCustomError(d.market, "MarketPaidByBucket");
    const payout = (r: bigint) => r - feeOf(r, 1_000n);
    expect(await d.market.releasePay.staticCall(d.provider.address)).to.equal(payout(big) + payout(rest));
    await d.market.releasePay(d.provider.address);
    const s = await d.market.stakeOf(d.provider.address);
    expect([s.staked, s.locked, s.completed]).to.deep.equal([STAKE + 3n * big + 2n * payout(big) + payout(rest) + payout(tiny), 0n, 4n]);
    expect(s.feeUnits).to.equal(2n * 10_000_000n + (MAX_COUNT - 10_000_000n) + 1n);
    await expectSolvent(d.market, d.token);
  });

  it("holds: a full batch of MAX_BATCH jobs counts 100; MAX_BATCH copies of one job count 1 and lock once; 101 are refused", async function () {
    const d = await loadFixture(fixtures.staked);
    const now = await d.now();
    const request = jobRequest(now, { reward: TOKEN_UNIT / 10n, collateralPct: 100 });
    const ids = postedJobIds(d.market, await (await d.market.connect(d.requester).postJobs(Array(100).fill(request))).wait());
    const [one] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait());
    const m = d.market.connect(d.provider);
    const hashes = (n: number) => Array(n).fill(RESULT);
    const uris = (n: number) => Array(n).fill("");
    await expect(m.claimAndSubmitJobs([...ids, one!], hashes(101), uris(101))).to.be.revertedWithCustomError(
      d.market,
      "MarketInvalidBatch",
    );
    expect(await m.claimAndSubmitJobs.staticCall(Array(100).fill(one!), hashes(100), uris(100))).to.equal(1n);
    const repeated = await fastPath(d.market, d.provider, Array(100).fill(one!), RESULT);
    expect(eventsIn(d.market, repeated, "JobClaimed").length).to.equal(1);
    expect((await d.market.stakeOf(d.provider.address)).locked).to.equal(TOKEN_UNIT / 10n);
    expect(await m.claimAndSubmitJobs.staticCall(ids, hashes(100), uris(100))).to.equal(100n);
    const full = await fastPath(d.market, d.provider, ids, RESULT);
    console.log(`      a batch of 100: ${full.gasUsed} gas`);
    expect(deferredIn(d.market, full).length).to.equal(100);
    const [b0] = await bucketsOf(d.market, d.provider.address);
    expect(b0.jobs).to.equal(101n);
    await time.increase(601);
    expect(await d.market.releasePay.staticCall(d.provider.address)).to.equal(101n * (TOKEN_UNIT / 10n - feeOf(TOKEN_UNIT / 10n)));
    await d.market.releasePay(d.provider.address);
    const s = await d.market.stakeOf(d.provider.address);
    expect([s.locked, s.completed]).to.deep.equal([0n, 101n]);
    await expectSolvent(d.market, d.token);
  });
});
