import { expect } from "chai";
import { network } from "hardhat";

import { DISPUTE_PARAMETERS, LOCAL_PARAMETERS } from "../../ignition/parameters/defaults.js";
import { createDisputeFixtures } from "./fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture } = networkHelpers;
const p = DISPUTE_PARAMETERS;
const name = (s: string) => ethers.encodeBytes32String(s);
const UINT96_MAX = 2n ** 96n - 1n;

/** One out-of-bounds value per parameter, with the bounds the revert must name. */
const OUT_OF_BOUNDS: [string, Partial<typeof p>, bigint, bigint, bigint][] = [
  ["committeeSize", { committeeSize: 0 }, 0n, 1n, 15n],
  ["committeeSize", { committeeSize: 17 }, 17n, 1n, 15n],
  ["maxRounds", { maxRounds: 0 }, 0n, 1n, 4n],
  ["maxRounds", { maxRounds: 5 }, 5n, 1n, 4n],
  ["commitPeriod", { commitPeriod: 59 }, 59n, 60n, 604_800n],
  ["revealPeriod", { revealPeriod: 604_801 }, 604_801n, 60n, 604_800n],
  ["verifierSlashBps", { verifierSlashBps: 0 }, 0n, 1n, 10_000n],
  ["challengerRewardBps", { challengerRewardBps: 10_001 }, 10_001n, 0n, 10_000n],
  ["auditRateBps", { auditRateBps: 2_001 }, 2_001n, 0n, 2_000n],
  // The lock's ceiling is the market's minimum stake (below MAX_LOCK here).
  ["verifierLock", { verifierLock: 0n }, 0n, 1n, LOCAL_PARAMETERS.minStake],
  ["verifierLock", { verifierLock: LOCAL_PARAMETERS.minStake + 1n }, LOCAL_PARAMETERS.minStake + 1n, 1n, LOCAL_PARAMETERS.minStake],
  ["verifierFee", { verifierFee: 0n }, 0n, 1n, UINT96_MAX],
  ["challengeBond", { challengeBond: p.verifierFee * 5n - 1n }, p.verifierFee * 5n - 1n, p.verifierFee * 5n, UINT96_MAX],
];

describe("HashworkDisputes: governance", function () {
  describe("setConfig", function () {
    for (const [param, change, value, min, max] of OUT_OF_BOUNDS) {
      it(`refuses ${param} = ${value} with DisputeInvalidParameter("${param}", ${value}, ${min}, ${max})`, async function () {
        const d = await loadFixture(fixtures.deployed);
        await expect(d.disputes.connect(d.owner).setConfig({ ...p, ...change }))
          .to.be.revertedWithCustomError(d.disputes, "DisputeInvalidParameter")
          .withArgs(name(param), value, min, max);
      });
    }

    it("refuses an even committee size", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.disputes.connect(d.owner).setConfig({ ...p, committeeSize: 4 }))
        .to.be.revertedWithCustomError(d.disputes, "DisputeCommitteeSizeNotOdd")
        .withArgs(4n);
    });

    it("refuses rounds that cannot finish before the market's dispute deadline", async function () {
      const d = await loadFixture(fixtures.deployed);
      const week = 7 * 24 * 3600;
      await expect(d.disputes.connect(d.owner).setConfig({ ...p, maxRounds: 2, commitPeriod: week, revealPeriod: week }))
        .to.be.revertedWithCustomError(d.disputes, "DisputeInvalidParameter")
        .withArgs(name("roundsDuration"), BigInt(4 * week + 2 * 300 + 1800), 0n, BigInt(LOCAL_PARAMETERS.maxDisputeDuration));
    });

    it("refuses rounds that fill the deadline exactly: each round needs time to draw and resolve, and the arbiter time after them (landing-2 #3)", async function () {
      const d = await loadFixture(fixtures.deployed);
      // 2 rounds × (commit + reveal) = the whole 3,600 s deadline: nothing left for draws or the arbiter.
      const half = LOCAL_PARAMETERS.maxDisputeDuration / 4;
      await expect(d.disputes.connect(d.owner).setConfig({ ...p, maxRounds: 2, commitPeriod: half, revealPeriod: half }))
        .to.be.revertedWithCustomError(d.disputes, "DisputeInvalidParameter")
        .withArgs(
          name("roundsDuration"),
          BigInt(LOCAL_PARAMETERS.maxDisputeDuration + 2 * 300 + 1800),
          0n,
          BigInt(LOCAL_PARAMETERS.maxDisputeDuration),
        );
      expect(await d.disputes.minDisputeDuration()).to.equal(BigInt(2 * (p.commitPeriod + p.revealPeriod + 300) + 1800));
    });

    it("applies valid parameters and emits ConfigChanged", async function () {
      const d = await loadFixture(fixtures.deployed);
      const next = { ...p, committeeSize: 5, auditRateBps: 1_000 };
      await expect(d.disputes.connect(d.owner).setConfig(next)).to.emit(d.disputes, "ConfigChanged");
      expect((await d.disputes.config()).committeeSize).to.equal(5n);
      expect(await d.disputes.auditBudget()).to.equal(BigInt(5 + 7) * p.verifierFee);
    });

    it("is refused for anyone but the owner with OwnableUnauthorizedAccount", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.disputes.connect(d.keeper).setConfig(p))
        .to.be.revertedWithCustomError(d.disputes, "OwnableUnauthorizedAccount")
        .withArgs(d.keeper.address);
    });

    it("does not change the lock of a committee already drawn", async function () {
      const d = await loadFixture(fixtures.drawn);
      await d.disputes.connect(d.owner).setConfig({ ...p, verifierLock: p.verifierLock * 2n });
      const seats = await d.disputes.getCommittee(d.jobId, 0);
      expect(seats.map((s) => s.locked)).to.deep.equal(seats.map((s) => p.verifierLock * s.votes));
    });
  });

  describe("setArbiter", function () {
    it("changes the arbiter and emits ArbiterChanged(previous, current)", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.disputes.connect(d.owner).setArbiter(d.keeper.address))
        .to.emit(d.disputes, "ArbiterChanged")
        .withArgs(d.owner.address, d.keeper.address);
      expect(await d.disputes.arbiter()).to.equal(d.keeper.address);
    });

    it("refuses the zero address with DisputeZeroAddress", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.disputes.connect(d.owner).setArbiter(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        d.disputes,
        "DisputeZeroAddress",
      );
    });

    it("is refused for anyone but the owner", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.disputes.connect(d.keeper).setArbiter(d.keeper.address)).to.be.revertedWithCustomError(
        d.disputes,
        "OwnableUnauthorizedAccount",
      );
    });
  });

  describe("construction", function () {
    it("refuses parameters outside the bounds", async function () {
      const d = await loadFixture(fixtures.deployed);
      const factory = await ethers.getContractFactory("HashworkDisputes");
      await expect(factory.deploy(d.marketAddress, d.owner.address, d.owner.address, { ...p, committeeSize: 2 }))
        .to.be.revertedWithCustomError(factory, "DisputeCommitteeSizeNotOdd")
        .withArgs(2n);
    });

    it("refuses a zero market with DisputeZeroAddress", async function () {
      const d = await loadFixture(fixtures.deployed);
      const factory = await ethers.getContractFactory("HashworkDisputes");
      await expect(factory.deploy(ethers.ZeroAddress, d.owner.address, d.owner.address, p)).to.be.revertedWithCustomError(
        factory,
        "DisputeZeroAddress",
      );
    });

    it("reports its market", async function () {
      const d = await loadFixture(fixtures.deployed);
      expect(await d.disputes.market()).to.equal(d.marketAddress);
    });

    it("creates its verifier pool, which serves this module and this market", async function () {
      const d = await loadFixture(fixtures.deployed);
      expect(await d.pool.disputeModule()).to.equal(d.disputesAddress);
      expect(await d.pool.market()).to.equal(d.marketAddress);
    });
  });
});
