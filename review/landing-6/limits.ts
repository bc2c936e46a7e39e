/**
 * Landing review 6: the packed bucket fields at their limits, and stake moves while a bucket
 * holds collateral. Every test here PASSES WHILE THE DEFENCE HOLDS (regression tests).
 *
 * The binding limit is `collateral` (uint80, 1,208,925.8 tokens at 18 decimals): collateralPct is
 * at least 100, so a bucket's collateral passes uint80 before its payout passes uint88 or its fee
 * uint80. A job that would take the bucket past it goes down the eager path; the others in the
 * same call still go into the bucket; everything is paid exactly once.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { STAKE, TOKEN_UNIT, createFixtures, jobRequest, postedJobIds, submittedTerms } from "../../test/helpers/fixtures.js";
import { bucketsOf, collateralOf, feeOf } from "../../test/market/shared.js";
import { expectSolvent } from "../../test/vault/support.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

const RESULT = ethers.id("result");
const UINT80_MAX = 2n ** 80n - 1n;
const BIG = 500_000n * TOKEN_UNIT; // collateral 750,000: two pass uint80
const SMALL = 10n * TOKEN_UNIT;

describe("landing review 6: bucket fields at their limits", function () {
  this.timeout(120_000);

  it("holds: the job that would pass uint80 collateral goes eager; the rest of the batch is bucketed; all paid once", async function () {
    const d = await loadFixture(fixtures.staked);
    await d.token.connect(d.owner).mint(d.requester.address, 2n * BIG);
    await d.token.connect(d.owner).mint(d.provider.address, 4n * BIG);
    await d.market.connect(d.provider).stake(4n * BIG);
    const now = await d.now();
    const ids = postedJobIds(
      d.market,
      await (
        await d.market
          .connect(d.requester)
          .postJobs([jobRequest(now, { reward: BIG }), jobRequest(now, { reward: BIG }), jobRequest(now, { reward: SMALL })])
      ).wait(),
    );
    expect(2n * collateralOf(BIG, 150n) > UINT80_MAX).to.equal(true);
    const receipt = await (
      await d.market.connect(d.provider).claimAndSubmitJobs(
        ids,
        ids.map(() => RESULT),
        ids.map(() => ""),
      )
    ).wait();
    const deferred = receipt!.logs.map((l) => d.market.interface.parseLog(l)).find((e) => e?.name === "PayDeferred");
    expect([...deferred!.args.jobIds]).to.deep.equal([ids[0], ids[2]]);
    const [b0] = await bucketsOf(d.market, d.provider.address);
    expect(b0.collateral).to.equal(collateralOf(BIG, 150n) + collateralOf(SMALL, 150n));
    await time.increase(601);
    const terms = submittedTerms(d.market, receipt);
    await expect(d.market.finalizeJob(ids[1]!, terms.get(ids[1]!)!)).to.emit(d.market, "JobFinalized");
    await expect(d.market.finalizeJob(ids[0]!, terms.get(ids[0]!)!)).to.be.revertedWithCustomError(d.market, "MarketPaidByBucket");
    expect(await d.market.releasePay.staticCall(d.provider.address)).to.equal(BIG - feeOf(BIG) + SMALL - feeOf(SMALL));
    await d.market.releasePay(d.provider.address);
    const s = await d.market.stakeOf(d.provider.address);
    expect(s.locked).to.equal(0n);
    expect(s.staked).to.equal(STAKE + 4n * BIG + 2n * (BIG - feeOf(BIG)) + SMALL - feeOf(SMALL));
    expect(s.completed).to.equal(3n);
    await expectSolvent(d.market, d.token);
  });

  it("holds: a provider cannot unstake collateral a bucket still counts; the release then unlocks it", async function () {
    const d = await loadFixture(fixtures.staked);
    const [id] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(jobRequest(await d.now()))).wait());
    await d.market.connect(d.provider).claimAndSubmit(id!, RESULT, "");
    const c = collateralOf(jobRequest(0).reward, 150n);
    await d.market.connect(d.provider).requestUnstake(STAKE - c); // all its free stake
    await expect(d.market.connect(d.provider).requestUnstake(1n)).to.be.revertedWithCustomError(d.market, "RegistryInsufficientFreeStake");
    await time.increase(601);
    await d.market.connect(d.stranger).releasePay(d.provider.address);
    const s = await d.market.stakeOf(d.provider.address);
    const reward = jobRequest(0).reward;
    expect([s.staked, s.locked]).to.deep.equal([c + reward - feeOf(reward), 0n]);
    await expectSolvent(d.market, d.token);
  });
});
