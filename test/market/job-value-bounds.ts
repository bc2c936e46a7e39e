import { expect } from "chai";
import { network } from "hardhat";

import { LOCAL_PARAMETERS, createFixtures, jobRequest } from "../helpers/fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });
const { loadFixture } = networkHelpers;

const { minReward, minCollateralPct, maxCollateralPct } = LOCAL_PARAMETERS;

describe("Every job puts something at stake (governance minimums of reward and collateral)", function () {
  describe("when a job asks for no collateral", function () {
    it("reverts with MarketInvalidCollateral: a liar must always have something to lose", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { collateralPct: 0 });
      await expect(d.market.connect(d.requester).postJob(request))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidCollateral")
        .withArgs(0n, BigInt(minCollateralPct), BigInt(maxCollateralPct));
    });
  });

  describe("when a job asks for less collateral than the minimum", function () {
    it("reverts with MarketInvalidCollateral", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { collateralPct: minCollateralPct - 1 });
      await expect(d.market.connect(d.requester).postJob(request)).to.be.revertedWithCustomError(d.market, "MarketInvalidCollateral");
    });
  });

  describe("when a job asks for more collateral than the maximum", function () {
    it("reverts with MarketInvalidCollateral, so no requester can make a provider's stake a prize", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { collateralPct: maxCollateralPct + 1 });
      await expect(d.market.connect(d.requester).postJob(request))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidCollateral")
        .withArgs(BigInt(maxCollateralPct + 1), BigInt(minCollateralPct), BigInt(maxCollateralPct));
    });
  });

  describe("when a job's collateral sits on either bound", function () {
    it("accepts the minimum", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.requester).postJob(jobRequest(await d.now(), { collateralPct: minCollateralPct }))).to.emit(
        d.market,
        "JobPosted",
      );
    });

    it("accepts the maximum", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.requester).postJob(jobRequest(await d.now(), { collateralPct: maxCollateralPct }))).to.emit(
        d.market,
        "JobPosted",
      );
    });
  });

  describe("when a job pays less than the minimum reward", function () {
    it("reverts with MarketRewardTooLow", async function () {
      const d = await loadFixture(fixtures.deployed);
      const request = jobRequest(await d.now(), { reward: minReward - 1n });
      await expect(d.market.connect(d.requester).postJob(request))
        .to.be.revertedWithCustomError(d.market, "MarketRewardTooLow")
        .withArgs(minReward - 1n, minReward);
    });

    it("refuses the whole batch in postJobs", async function () {
      const d = await loadFixture(fixtures.deployed);
      const now = await d.now();
      await expect(
        d.market.connect(d.requester).postJobs([jobRequest(now), jobRequest(now, { reward: 1n })]),
      ).to.be.revertedWithCustomError(d.market, "MarketRewardTooLow");
    });
  });

  describe("setJobValueBounds", function () {
    it("lets the owner change the bounds, one ParameterChanged per value", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.owner).setJobValueBounds(minReward * 2n, 150, 200))
        .to.emit(d.market, "ParameterChanged")
        .withArgs(ethers.encodeBytes32String("minCollateralPct"), BigInt(minCollateralPct), 150n);
      const c = await d.market.config();
      expect([c.minReward, c.minCollateralPct, c.maxCollateralPct]).to.deep.equal([minReward * 2n, 150n, 200n]);
    });

    it("refuses a zero collateral minimum: MIN_COLLATERAL_PCT is a hard bound", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.owner).setJobValueBounds(minReward, 0, 200))
        .to.be.revertedWithCustomError(d.market, "GovValueOutOfBounds")
        .withArgs(ethers.encodeBytes32String("minCollateralPct"), 0n, 1n, 1_000n);
    });

    it("refuses a zero minimum reward", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.owner).setJobValueBounds(0n, 100, 200)).to.be.revertedWithCustomError(
        d.market,
        "GovValueOutOfBounds",
      );
    });

    it("refuses a maximum below the minimum", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.owner).setJobValueBounds(minReward, 200, 150))
        .to.be.revertedWithCustomError(d.market, "GovValueOutOfBounds")
        .withArgs(ethers.encodeBytes32String("maxCollateralPct"), 150n, 200n, 1_000n);
    });

    it("refuses every caller but the owner", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.stranger).setJobValueBounds(minReward, 100, 200))
        .to.be.revertedWithCustomError(d.market, "OwnableUnauthorizedAccount")
        .withArgs(d.stranger.address);
    });
  });
});
