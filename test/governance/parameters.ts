import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { LOCAL_PARAMETERS, REWARD, STAKE, TOKEN_UNIT, createFixtures, jobRequest } from "../helpers/fixtures.js";
import { marketConfig, type MarketParameters } from "../../ignition/parameters/defaults.js";
import type { HashworkMarket } from "../../types/ethers-contracts/index.js";
import { expectSolvent } from "../vault/support.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });

const HOUR = 3600n;
const DAY = 24n * HOUR;
const UINT96_MAX = 2n ** 96n - 1n;
const FEE = (REWARD * BigInt(LOCAL_PARAMETERS.feeBps)) / 10_000n;
/** The fee of one default job splits 50/50 (INITIAL_AUDIT_RESERVE_BPS): treasury and audit reserve. */
const RESERVED = FEE / 2n;
const TREASURY_FEE = FEE - RESERVED;
const SURPLUS = 3n * TOKEN_UNIT;

const name = (parameter: string) => ethers.encodeBytes32String(parameter);

/** `submittedJob` finalized after its challenge window: FEE is accrued. */
async function finalizedJob() {
  const d = await fixtures.submittedJob();
  const { deadline } = await d.market.getJob(d.jobId);
  await networkHelpers.time.increaseTo(deadline + 1n);
  await d.market.connect(d.keeper).finalizeJob(d.jobId, d.terms);
  return d;
}

/** `finalizedJob` plus SURPLUS sent straight to the market by a careless holder. */
async function withSurplus() {
  const d = await finalizedJob();
  await d.token.connect(d.stranger).transfer(d.marketAddress, SURPLUS);
  return d;
}

type Setter = (m: HashworkMarket, v: bigint) => Promise<ContractTransactionResponse>;

/** A single-valued, bounded parameter. `typeMax` is the largest value its ABI type can carry. */
interface Bounded {
  parameter: string;
  setter: string;
  set: Setter;
  read: (m: HashworkMarket) => Promise<bigint>;
  initial: bigint;
  next: bigint;
  min: bigint;
  max: bigint;
  typeMax: bigint;
}

const BOUNDED: Bounded[] = [
  {
    parameter: "feeBps",
    setter: "setFeeBps",
    set: (m, v) => m.setFeeBps(v),
    read: (m) => m.feeBps(),
    initial: BigInt(LOCAL_PARAMETERS.feeBps),
    next: 250n,
    min: 0n,
    max: 1_000n,
    typeMax: 2n ** 16n - 1n,
  },
  {
    parameter: "auditReserveBps",
    setter: "setAuditReserveBps",
    set: (m, v) => m.setAuditReserveBps(v),
    read: (m) => m.auditReserveBps(),
    initial: 5_000n,
    next: 2_500n,
    min: 0n,
    max: 10_000n,
    typeMax: 2n ** 16n - 1n,
  },
  {
    parameter: "minStake",
    setter: "setMinStake",
    set: (m, v) => m.setMinStake(v),
    read: async (m) => (await m.config()).minStake,
    initial: LOCAL_PARAMETERS.minStake,
    next: 5n * TOKEN_UNIT,
    min: 1n,
    max: UINT96_MAX,
    typeMax: UINT96_MAX,
  },
  {
    parameter: "unbondingPeriod",
    setter: "setUnbondingPeriod",
    set: (m, v) => m.setUnbondingPeriod(v),
    read: async (m) => (await m.config()).unbondingPeriod,
    initial: BigInt(LOCAL_PARAMETERS.unbondingPeriod),
    next: 2n * DAY,
    min: HOUR,
    max: 90n * DAY,
    typeMax: 2n ** 32n - 1n,
  },
  {
    parameter: "maxClaimDelay",
    setter: "setMaxClaimDelay",
    set: (m, v) => m.setMaxClaimDelay(v),
    read: async (m) => (await m.config()).maxClaimDelay,
    initial: BigInt(LOCAL_PARAMETERS.maxClaimDelay),
    next: DAY,
    min: 60n,
    max: 90n * DAY,
    typeMax: 2n ** 24n - 1n,
  },
  {
    parameter: "maxDisputeDuration",
    setter: "setMaxDisputeDuration",
    set: (m, v) => m.setMaxDisputeDuration(v),
    read: (m) => m.maxDisputeDuration(),
    initial: BigInt(LOCAL_PARAMETERS.maxDisputeDuration),
    next: 3n * DAY,
    min: HOUR,
    max: 180n * DAY,
    typeMax: 2n ** 32n - 1n,
  },
];

/** A (min, max) pair set together: min in [1, MAX], max in [min, MAX]. */
interface BoundPair {
  label: string;
  setter: string;
  set: (m: HashworkMarket, lo: bigint, hi: bigint) => Promise<ContractTransactionResponse>;
  read: (m: HashworkMarket) => Promise<[bigint, bigint]>;
  minName: string;
  maxName: string;
  initial: [bigint, bigint];
  ceiling: bigint;
}

const PAIRS: BoundPair[] = [
  {
    label: "execution time",
    setter: "setExecutionTimeBounds",
    set: (m, lo, hi) => m.setExecutionTimeBounds(lo, hi),
    read: async (m) => {
      const c = await m.config();
      return [c.minExecutionTime, c.maxExecutionTime];
    },
    minName: "minExecutionTime",
    maxName: "maxExecutionTime",
    initial: [BigInt(LOCAL_PARAMETERS.minExecutionTime), BigInt(LOCAL_PARAMETERS.maxExecutionTime)],
    ceiling: 30n * DAY,
  },
  {
    label: "challenge window",
    setter: "setChallengeWindowBounds",
    set: (m, lo, hi) => m.setChallengeWindowBounds(lo, hi),
    read: async (m) => {
      const c = await m.config();
      return [c.minChallengeWindow, c.maxChallengeWindow];
    },
    minName: "minChallengeWindow",
    maxName: "maxChallengeWindow",
    initial: [BigInt(LOCAL_PARAMETERS.minChallengeWindow), BigInt(LOCAL_PARAMETERS.maxChallengeWindow)],
    ceiling: 30n * DAY,
  },
];

async function ownerMarket() {
  const d = await networkHelpers.loadFixture(fixtures.deployed);
  return { ...d, m: d.market.connect(d.owner) };
}

function describeBounded(p: Bounded) {
  describe(`${p.setter}`, function () {
    it(`starts at the deployed value ${p.initial}`, async function () {
      const { m } = await ownerMarket();
      expect(await p.read(m)).to.equal(p.initial);
    });

    it("changes the value", async function () {
      const { m } = await ownerMarket();
      await p.set(m, p.next);
      expect(await p.read(m)).to.equal(p.next);
    });

    it(`emits ParameterChanged("${p.parameter}", old, new)`, async function () {
      const { m } = await ownerMarket();
      await expect(p.set(m, p.next)).to.emit(m, "ParameterChanged").withArgs(name(p.parameter), p.initial, p.next);
    });

    it(`accepts both bounds, ${p.min} and ${p.max}`, async function () {
      const { m } = await ownerMarket();
      await p.set(m, p.min);
      expect(await p.read(m)).to.equal(p.min);
      // A fee change takes effect for every job only after the longest job lifetime.
      const [, feeEffectiveAt] = await m.feeChange();
      if (feeEffectiveAt > BigInt(await networkHelpers.time.latest())) await networkHelpers.time.increaseTo(feeEffectiveAt);
      await p.set(m, p.max);
      expect(await p.read(m)).to.equal(p.max);
    });

    if (p.min > 0n) {
      it(`refuses ${p.min - 1n} (just below the minimum) with GovValueOutOfBounds`, async function () {
        const { m } = await ownerMarket();
        await expect(p.set(m, p.min - 1n))
          .to.be.revertedWithCustomError(m, "GovValueOutOfBounds")
          .withArgs(name(p.parameter), p.min - 1n, p.min, p.max);
      });
    }

    if (p.max < p.typeMax) {
      it(`refuses ${p.max + 1n} (just above the maximum) with GovValueOutOfBounds`, async function () {
        const { m } = await ownerMarket();
        await expect(p.set(m, p.max + 1n))
          .to.be.revertedWithCustomError(m, "GovValueOutOfBounds")
          .withArgs(name(p.parameter), p.max + 1n, p.min, p.max);
      });
    }
  });
}

function describePair(p: BoundPair) {
  describe(`${p.setter}`, function () {
    it("starts at the deployed bounds", async function () {
      const { m } = await ownerMarket();
      expect(await p.read(m)).to.deep.equal(p.initial);
    });

    it("changes both bounds", async function () {
      const { m } = await ownerMarket();
      await p.set(m, 30n, 900n);
      expect(await p.read(m)).to.deep.equal([30n, 900n]);
    });

    it(`emits ParameterChanged for "${p.minName}" and for "${p.maxName}"`, async function () {
      const { m } = await ownerMarket();
      const tx = p.set(m, 30n, 900n);
      await expect(tx).to.emit(m, "ParameterChanged").withArgs(name(p.minName), p.initial[0], 30n);
      await expect(tx).to.emit(m, "ParameterChanged").withArgs(name(p.maxName), p.initial[1], 900n);
    });

    it("accepts min == max and the widest range [1, ceiling]", async function () {
      const { m } = await ownerMarket();
      await p.set(m, 77n, 77n);
      expect(await p.read(m)).to.deep.equal([77n, 77n]);
      await p.set(m, 1n, p.ceiling);
      expect(await p.read(m)).to.deep.equal([1n, p.ceiling]);
    });

    it(`refuses a minimum of 0 with GovValueOutOfBounds("${p.minName}", 0, 1, ceiling)`, async function () {
      const { m } = await ownerMarket();
      await expect(p.set(m, 0n, 10n))
        .to.be.revertedWithCustomError(m, "GovValueOutOfBounds")
        .withArgs(name(p.minName), 0n, 1n, p.ceiling);
    });

    it("refuses a minimum just above the ceiling", async function () {
      const { m } = await ownerMarket();
      await expect(p.set(m, p.ceiling + 1n, p.ceiling + 1n))
        .to.be.revertedWithCustomError(m, "GovValueOutOfBounds")
        .withArgs(name(p.minName), p.ceiling + 1n, 1n, p.ceiling);
    });

    it(`refuses a maximum just below the minimum with GovValueOutOfBounds("${p.maxName}", max, min, ceiling)`, async function () {
      const { m } = await ownerMarket();
      await expect(p.set(m, 100n, 99n))
        .to.be.revertedWithCustomError(m, "GovValueOutOfBounds")
        .withArgs(name(p.maxName), 99n, 100n, p.ceiling);
    });

    it("refuses a maximum just above the ceiling", async function () {
      const { m } = await ownerMarket();
      await expect(p.set(m, 1n, p.ceiling + 1n))
        .to.be.revertedWithCustomError(m, "GovValueOutOfBounds")
        .withArgs(name(p.maxName), p.ceiling + 1n, 1n, p.ceiling);
    });
  });
}

interface AddressParameter {
  parameter: string;
  setter: string;
  set: (m: HashworkMarket, a: string) => Promise<ContractTransactionResponse>;
  read: (m: HashworkMarket) => Promise<string>;
}

const ADDRESSES: AddressParameter[] = [
  { parameter: "treasury", setter: "setTreasury", set: (m, a) => m.setTreasury(a), read: (m) => m.treasury() },
  {
    parameter: "disputeModule",
    setter: "setDisputeModule",
    set: (m, a) => m.setDisputeModule(a),
    read: (m) => m.disputeModule(),
  },
];

function describeAddress(p: AddressParameter) {
  describe(`${p.setter}`, function () {
    it("changes the address", async function () {
      const { m, keeper } = await ownerMarket();
      await p.set(m, keeper.address);
      expect(await p.read(m)).to.equal(keeper.address);
    });

    it(`emits AddressChanged("${p.parameter}", old, new)`, async function () {
      const { m, keeper } = await ownerMarket();
      const old = await p.read(m);
      await expect(p.set(m, keeper.address)).to.emit(m, "AddressChanged").withArgs(name(p.parameter), old, keeper.address);
    });

    it("refuses the zero address with GovZeroAddress", async function () {
      const { m } = await ownerMarket();
      await expect(p.set(m, ethers.ZeroAddress)).to.be.revertedWithCustomError(m, "GovZeroAddress");
    });
  });
}

async function deployWith(overrides: Partial<MarketParameters>, treasury?: string) {
  const d = await networkHelpers.loadFixture(fixtures.deployed);
  const p = { ...LOCAL_PARAMETERS, ...overrides };
  const deployment = ethers.deployContract("HashworkMarket", [
    await d.token.getAddress(),
    d.owner.address,
    treasury ?? d.treasury.address,
    marketConfig(p),
    p.feeBps,
    p.maxDisputeDuration,
  ]);
  return { d, deployment };
}

describe("MarketGovernance: parameters", function () {
  describe("deployment", function () {
    it("sets the owner, the treasury and no dispute module", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      expect(await d.market.owner()).to.equal(d.owner.address);
      expect(await d.market.treasury()).to.equal(d.treasury.address);
      expect(await d.market.disputeModule()).to.equal(ethers.ZeroAddress);
    });

    it("starts with no accrued fees and an empty audit reserve", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      expect([await d.market.accruedFees(), await d.market.auditReserve()]).to.deep.equal([0n, 0n]);
    });

    it("starts unpaused with the deployed config, every field of it", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      const c = await d.market.config();
      const expected = marketConfig(LOCAL_PARAMETERS);
      const fields = Object.keys(expected) as (keyof typeof expected)[];
      expect(fields).to.have.length([...c].length);
      expect(Object.fromEntries(fields.map((k) => [k, c[k]]))).to.deep.equal(
        Object.fromEntries(fields.map((k) => [k, typeof expected[k] === "number" ? BigInt(expected[k]) : expected[k]])),
      );
      expect(c.paused).to.equal(false);
    });

    it("applies the job value bounds to constructor arguments (a collateral minimum of 0 refused)", async function () {
      const { d, deployment } = await deployWith({ minCollateralPct: 0 });
      await expect(deployment)
        .to.be.revertedWithCustomError(d.market, "GovValueOutOfBounds")
        .withArgs(name("minCollateralPct"), 0n, 1n, 1_000n);
    });

    it("applies the same bounds to constructor arguments (fee of 1001 bps refused)", async function () {
      const { d, deployment } = await deployWith({ feeBps: 1001 });
      await expect(deployment).to.be.revertedWithCustomError(d.market, "GovValueOutOfBounds").withArgs(name("feeBps"), 1001n, 0n, 1000n);
    });

    it("refuses a zero treasury at deployment with GovZeroAddress", async function () {
      const { d, deployment } = await deployWith({}, ethers.ZeroAddress);
      await expect(deployment).to.be.revertedWithCustomError(d.market, "GovZeroAddress");
    });
  });

  describe("bounded setters", function () {
    for (const p of BOUNDED) describeBounded(p);
  });

  describe("bound pairs", function () {
    for (const p of PAIRS) describePair(p);
  });

  describe("address setters", function () {
    for (const p of ADDRESSES) describeAddress(p);
  });

  // The common cases (a change, a zero minimum, max < min, access) are in test/market/job-value-bounds.ts.
  describe("setJobValueBounds (minReward, minCollateralPct, maxCollateralPct)", function () {
    const readBounds = async (m: HashworkMarket) => {
      const c = await m.config();
      return [c.minReward, c.minCollateralPct, c.maxCollateralPct];
    };
    const initial = [LOCAL_PARAMETERS.minReward, BigInt(LOCAL_PARAMETERS.minCollateralPct), BigInt(LOCAL_PARAMETERS.maxCollateralPct)];

    it("starts at the deployed bounds: 0.01 token, 100% and 300%", async function () {
      const { m } = await ownerMarket();
      expect(await readBounds(m)).to.deep.equal(initial);
      expect(initial).to.deep.equal([TOKEN_UNIT / 100n, 100n, 300n]);
    });

    it('emits ParameterChanged("minReward", old, new)', async function () {
      const { m } = await ownerMarket();
      await expect(m.setJobValueBounds(5n * TOKEN_UNIT, 150, 200))
        .to.emit(m, "ParameterChanged")
        .withArgs(name("minReward"), initial[0], 5n * TOKEN_UNIT);
    });

    it('emits ParameterChanged("maxCollateralPct", old, new)', async function () {
      const { m } = await ownerMarket();
      await expect(m.setJobValueBounds(5n * TOKEN_UNIT, 150, 200))
        .to.emit(m, "ParameterChanged")
        .withArgs(name("maxCollateralPct"), initial[2], 200n);
    });

    it("accepts the widest bounds: a 1-unit minimum reward and collateral from 1% to 1000%", async function () {
      const { m } = await ownerMarket();
      await m.setJobValueBounds(1n, 1, 1_000);
      expect(await readBounds(m)).to.deep.equal([1n, 1n, 1_000n]);
    });

    it("accepts a minimum reward of uint96 max and a single collateral percentage (min == max)", async function () {
      const { m } = await ownerMarket();
      await m.setJobValueBounds(UINT96_MAX, 250, 250);
      expect(await readBounds(m)).to.deep.equal([UINT96_MAX, 250n, 250n]);
    });

    it('refuses a collateral minimum above MAX_COLLATERAL_PCT with GovValueOutOfBounds("minCollateralPct", v, 1, 1000)', async function () {
      const { m } = await ownerMarket();
      await expect(m.setJobValueBounds(TOKEN_UNIT, 1_001, 1_001))
        .to.be.revertedWithCustomError(m, "GovValueOutOfBounds")
        .withArgs(name("minCollateralPct"), 1_001n, 1n, 1_000n);
    });

    it('refuses a collateral maximum above MAX_COLLATERAL_PCT with GovValueOutOfBounds("maxCollateralPct", v, min, 1000)', async function () {
      const { m } = await ownerMarket();
      await expect(m.setJobValueBounds(TOKEN_UNIT, 100, 1_001))
        .to.be.revertedWithCustomError(m, "GovValueOutOfBounds")
        .withArgs(name("maxCollateralPct"), 1_001n, 100n, 1_000n);
    });

    it("exposes the hard collateral bounds MIN_COLLATERAL_PCT = 1 and MAX_COLLATERAL_PCT = 1000", async function () {
      const { m } = await ownerMarket();
      expect([await m.MIN_COLLATERAL_PCT(), await m.MAX_COLLATERAL_PCT()]).to.deep.equal([1n, 1_000n]);
    });
  });

  describe("new values take effect", function () {
    it("a new fee leaves a job already submitted at the fee it was posted under (1%, not 10%)", async function () {
      const d = await networkHelpers.loadFixture(fixtures.submittedJob);
      await d.market.connect(d.owner).setFeeBps(1_000);
      const { deadline } = await d.market.getJob(d.jobId);
      await networkHelpers.time.increaseTo(deadline + 1n);
      await expect(d.market.connect(d.keeper).finalizeJob(d.jobId, d.terms))
        .to.emit(d.market, "JobFinalized")
        .withArgs(d.jobId, d.provider.address, REWARD - REWARD / 100n, REWARD / 100n, (REWARD * 150n) / 100n, 0n);
    });

    it("a new audit reserve share applies to the next finalize (all of it: the treasury accrues nothing)", async function () {
      const d = await networkHelpers.loadFixture(fixtures.submittedJob);
      await d.market.connect(d.owner).setAuditReserveBps(10_000);
      const { deadline } = await d.market.getJob(d.jobId);
      await networkHelpers.time.increaseTo(deadline + 1n);
      await d.market.connect(d.keeper).finalizeJob(d.jobId, d.terms);
      expect([await d.market.auditReserve(), await d.market.accruedFees()]).to.deep.equal([FEE, 0n]);
    });

    it("an audit reserve share of 0 sends every fee to the treasury", async function () {
      const d = await networkHelpers.loadFixture(fixtures.submittedJob);
      await d.market.connect(d.owner).setAuditReserveBps(0);
      const { deadline } = await d.market.getJob(d.jobId);
      await networkHelpers.time.increaseTo(deadline + 1n);
      await d.market.connect(d.keeper).finalizeJob(d.jobId, d.terms);
      expect([await d.market.auditReserve(), await d.market.accruedFees()]).to.deep.equal([0n, FEE]);
    });

    it("a new audit reserve share leaves what is already reserved and accrued as it was", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      await d.market.connect(d.owner).setAuditReserveBps(0);
      expect([await d.market.auditReserve(), await d.market.accruedFees()]).to.deep.equal([RESERVED, TREASURY_FEE]);
    });

    it("a new execution time ceiling is enforced when posting", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await d.market.connect(d.owner).setExecutionTimeBounds(10, 500);
      const request = jobRequest(await d.now(), { executionTime: 600 });
      await expect(d.market.connect(d.requester).postJob(request))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidExecutionTime")
        .withArgs(600n, 10n, 500n);
    });

    it("a raised minimum reward is enforced when posting", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await d.market.connect(d.owner).setJobValueBounds(REWARD + 1n, 100, 300);
      await expect(d.market.connect(d.requester).postJob(jobRequest(await d.now(), { reward: REWARD })))
        .to.be.revertedWithCustomError(d.market, "MarketRewardTooLow")
        .withArgs(REWARD, REWARD + 1n);
    });

    it("a narrower collateral range is enforced when posting", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await d.market.connect(d.owner).setJobValueBounds(LOCAL_PARAMETERS.minReward, 200, 250);
      await expect(d.market.connect(d.requester).postJob(jobRequest(await d.now(), { collateralPct: 150 })))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidCollateral")
        .withArgs(150n, 200n, 250n);
    });

    it("a higher minimum stake stops an under-staked provider from claiming", async function () {
      const d = await networkHelpers.loadFixture(fixtures.openJob);
      await d.market.connect(d.owner).setMinStake(STAKE + 1n);
      await expect(d.market.connect(d.provider).claimJob(d.jobId))
        .to.be.revertedWithCustomError(d.market, "RegistryBelowMinimumStake")
        .withArgs(d.provider.address, STAKE, STAKE + 1n);
    });
  });

  describe("pause and unpause", function () {
    it("pause sets config().paused and emits MarketPausedChanged(true, owner)", async function () {
      const { m, owner } = await ownerMarket();
      await expect(m.pause()).to.emit(m, "MarketPausedChanged").withArgs(true, owner.address);
      expect((await m.config()).paused).to.equal(true);
    });

    it("unpause clears config().paused and emits MarketPausedChanged(false, owner)", async function () {
      const { m, owner } = await ownerMarket();
      await m.pause();
      await expect(m.unpause()).to.emit(m, "MarketPausedChanged").withArgs(false, owner.address);
      expect((await m.config()).paused).to.equal(false);
    });

    it("pausing keeps every other config field", async function () {
      const { m } = await ownerMarket();
      const before = await m.config();
      await m.pause();
      const after = await m.config();
      expect(after.paused).to.equal(true);
      expect([...after].slice(1)).to.deep.equal([...before].slice(1));
      expect([...before]).to.have.length(11);
    });

    it("while paused, new posts are refused with MarketPaused", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await d.market.connect(d.owner).pause();
      await expect(d.market.connect(d.requester).postJob(jobRequest(await d.now()))).to.be.revertedWithCustomError(
        d.market,
        "MarketPaused",
      );
    });

    it("while paused, withdrawals still run", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await d.market.connect(d.requester).deposit(d.requester.address, 5n);
      await d.market.connect(d.owner).pause();
      await expect(d.market.connect(d.requester).withdraw(d.requester.address, 5n)).to.changeTokenBalance(ethers, d.token, d.requester, 5n);
    });

    it("after unpausing, posting works again", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await d.market.connect(d.owner).pause();
      await d.market.connect(d.owner).unpause();
      await expect(d.market.connect(d.requester).postJob(jobRequest(await d.now()))).to.emit(d.market, "JobPosted");
    });
  });

  describe("ownership (Ownable2Step)", function () {
    async function transferStarted() {
      const d = await fixtures.deployed();
      await d.market.connect(d.owner).transferOwnership(d.keeper.address);
      return d;
    }

    it("transferOwnership only nominates: owner unchanged, pendingOwner set", async function () {
      const d = await networkHelpers.loadFixture(transferStarted);
      expect(await d.market.owner()).to.equal(d.owner.address);
      expect(await d.market.pendingOwner()).to.equal(d.keeper.address);
    });

    it("transferOwnership emits OwnershipTransferStarted(owner, nominee)", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.owner).transferOwnership(d.keeper.address))
        .to.emit(d.market, "OwnershipTransferStarted")
        .withArgs(d.owner.address, d.keeper.address);
    });

    it("the nominee has no powers before accepting", async function () {
      const d = await networkHelpers.loadFixture(transferStarted);
      await expect(d.market.connect(d.keeper).setFeeBps(5))
        .to.be.revertedWithCustomError(d.market, "OwnableUnauthorizedAccount")
        .withArgs(d.keeper.address);
    });

    it("acceptOwnership by the nominee makes it the owner and clears pendingOwner", async function () {
      const d = await networkHelpers.loadFixture(transferStarted);
      await expect(d.market.connect(d.keeper).acceptOwnership())
        .to.emit(d.market, "OwnershipTransferred")
        .withArgs(d.owner.address, d.keeper.address);
      expect(await d.market.owner()).to.equal(d.keeper.address);
      expect(await d.market.pendingOwner()).to.equal(ethers.ZeroAddress);
    });

    it("acceptOwnership by anyone else reverts with OwnableUnauthorizedAccount", async function () {
      const d = await networkHelpers.loadFixture(transferStarted);
      await expect(d.market.connect(d.stranger).acceptOwnership())
        .to.be.revertedWithCustomError(d.market, "OwnableUnauthorizedAccount")
        .withArgs(d.stranger.address);
    });

    it("after the handover the new owner governs and the old one is refused", async function () {
      const d = await networkHelpers.loadFixture(transferStarted);
      await d.market.connect(d.keeper).acceptOwnership();
      await d.market.connect(d.keeper).setFeeBps(5);
      expect(await d.market.feeBps()).to.equal(5n);
      await expect(d.market.connect(d.owner).setFeeBps(6))
        .to.be.revertedWithCustomError(d.market, "OwnableUnauthorizedAccount")
        .withArgs(d.owner.address);
    });
  });

  describe("withdrawFees", function () {
    it("accrues the treasury's share of a finalized job's fee", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      expect(await d.market.accruedFees()).to.equal(TREASURY_FEE);
    });

    it("sends the accrued fees to the treasury when the treasury calls it", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      await expect(d.market.connect(d.treasury).withdrawFees()).to.changeTokenBalances(
        ethers,
        d.token,
        [d.market, d.treasury],
        [-TREASURY_FEE, TREASURY_FEE],
      );
    });

    for (const who of ["owner", "keeper", "stranger"] as const) {
      it(`reverts with GovNotTreasury(caller) for the ${who}`, async function () {
        const d = await networkHelpers.loadFixture(finalizedJob);
        await expect(d.market.connect(d[who]).withdrawFees())
          .to.be.revertedWithCustomError(d.market, "GovNotTreasury")
          .withArgs(d[who].address);
      });
    }

    it("emits FeesWithdrawn(treasury, amount)", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      await expect(d.market.connect(d.treasury).withdrawFees())
        .to.emit(d.market, "FeesWithdrawn")
        .withArgs(d.treasury.address, TREASURY_FEE);
    });

    it("zeroes accruedFees, shrinks totalOwed by the treasury's share and keeps the market solvent", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      const before = await d.market.totalOwed();
      await d.market.connect(d.treasury).withdrawFees();
      expect(await d.market.accruedFees()).to.equal(0n);
      expect(await d.market.totalOwed()).to.equal(before - TREASURY_FEE);
      await expectSolvent(d.market, d.token);
    });

    it("never touches the audit reserve", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      await d.market.connect(d.treasury).withdrawFees();
      expect(await d.market.auditReserve()).to.equal(RESERVED);
    });

    it("withdraws nothing of a fee reserved entirely for audits (GovNothingToWithdraw)", async function () {
      const d = await networkHelpers.loadFixture(fixtures.submittedJob);
      await d.market.connect(d.owner).setAuditReserveBps(10_000);
      const { deadline } = await d.market.getJob(d.jobId);
      await networkHelpers.time.increaseTo(deadline + 1n);
      await d.market.connect(d.keeper).finalizeJob(d.jobId, d.terms);
      await expect(d.market.connect(d.treasury).withdrawFees()).to.be.revertedWithCustomError(d.market, "GovNothingToWithdraw");
    });

    it("is for whichever treasury is current, and pays it", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      await d.market.connect(d.owner).setTreasury(d.keeper.address);
      await expect(d.market.connect(d.keeper).withdrawFees()).to.changeTokenBalances(
        ethers,
        d.token,
        [d.keeper, d.treasury],
        [TREASURY_FEE, 0n],
      );
    });

    it("refuses the previous treasury once it is replaced (GovNotTreasury)", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      await d.market.connect(d.owner).setTreasury(d.keeper.address);
      await expect(d.market.connect(d.treasury).withdrawFees())
        .to.be.revertedWithCustomError(d.market, "GovNotTreasury")
        .withArgs(d.treasury.address);
    });

    it("reverts with GovNothingToWithdraw when no fee has accrued", async function () {
      const d = await networkHelpers.loadFixture(fixtures.submittedJob);
      await expect(d.market.connect(d.treasury).withdrawFees()).to.be.revertedWithCustomError(d.market, "GovNothingToWithdraw");
    });

    it("reverts with GovNothingToWithdraw the second time", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      await d.market.connect(d.treasury).withdrawFees();
      await expect(d.market.connect(d.treasury).withdrawFees()).to.be.revertedWithCustomError(d.market, "GovNothingToWithdraw");
    });
  });

  describe("sweepSurplus", function () {
    it("sends tokens transferred directly to the market to the treasury, whoever calls it", async function () {
      const d = await networkHelpers.loadFixture(withSurplus);
      await expect(d.market.connect(d.keeper).sweepSurplus()).to.changeTokenBalances(
        ethers,
        d.token,
        [d.market, d.treasury, d.keeper],
        [-SURPLUS, SURPLUS, 0n],
      );
    });

    it("emits SurplusSwept(treasury, surplus)", async function () {
      const d = await networkHelpers.loadFixture(withSurplus);
      await expect(d.market.connect(d.keeper).sweepSurplus()).to.emit(d.market, "SurplusSwept").withArgs(d.treasury.address, SURPLUS);
    });

    it("leaves totalOwed and accrued fees untouched and restores solvency equality", async function () {
      const d = await networkHelpers.loadFixture(withSurplus);
      const owed = await d.market.totalOwed();
      await d.market.connect(d.keeper).sweepSurplus();
      expect(await d.market.totalOwed()).to.equal(owed);
      expect([await d.market.accruedFees(), await d.market.auditReserve()]).to.deep.equal([TREASURY_FEE, RESERVED]);
      await expectSolvent(d.market, d.token);
    });

    it("never touches what is owed: every owed token can still leave afterwards", async function () {
      const d = await networkHelpers.loadFixture(withSurplus);
      await d.market.connect(d.keeper).sweepSurplus();
      await d.market.connect(d.treasury).withdrawFees();
      // The audit reserve leaves only through a dispute module's fundAudit (here an EOA's).
      await d.market.connect(d.owner).setDisputeModule(d.keeper.address);
      await d.market.connect(d.keeper).fundAudit(RESERVED);
      await d.market.connect(d.keeper).withdraw(d.keeper.address, RESERVED);
      for (const p of [d.provider, d.provider2]) {
        await d.market.connect(p).requestUnstake((await d.market.stakeOf(p.address)).staked);
      }
      await networkHelpers.time.increase(LOCAL_PARAMETERS.unbondingPeriod);
      for (const p of [d.provider, d.provider2]) await d.market.connect(p).withdrawUnstaked(p.address);
      expect(await d.market.totalOwed()).to.equal(0n);
      expect(await d.token.balanceOf(d.marketAddress)).to.equal(0n);
    });

    it("reverts with GovNothingToWithdraw when the market holds exactly what it owes", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      expect(await d.market.totalOwed()).to.be.greaterThan(0n);
      await expect(d.market.connect(d.keeper).sweepSurplus()).to.be.revertedWithCustomError(d.market, "GovNothingToWithdraw");
    });

    it("reverts with GovNothingToWithdraw once swept", async function () {
      const d = await networkHelpers.loadFixture(withSurplus);
      await d.market.connect(d.keeper).sweepSurplus();
      await expect(d.market.connect(d.keeper).sweepSurplus()).to.be.revertedWithCustomError(d.market, "GovNothingToWithdraw");
    });
  });
});
