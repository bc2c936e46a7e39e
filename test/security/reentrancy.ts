import { expect } from "chai";
import type { ContractTransactionResponse, Interface } from "ethers";
import { network } from "hardhat";

import { LOCAL_PARAMETERS, MINTED, REWARD, STAKE, TOKEN_UNIT, jobRequest, postedJobIds, submittedTerms } from "../helpers/fixtures.js";
import { deployLocalDisputes, deployLocalMarketOn } from "../../scripts/lib/deploy-local.js";
import type { HashworkMarket } from "../../types/ethers-contracts/index.js";
import { expectSolvent } from "../vault/support.js";

const { ethers, networkHelpers, ignition } = await network.create();

const COLLATERAL = (REWARD * 150n + 99n) / 100n;
const FEE = (REWARD * BigInt(LOCAL_PARAMETERS.feeBps)) / 10_000n;
const PAYOUT = REWARD - FEE;
const DEPOSIT = 50n * TOKEN_UNIT;
/** Ledger balance credited to the token contract itself, so a re-entrant withdraw or post would have funds. */
const LOOT = 20n * TOKEN_UNIT;
/** Where every re-entrant withdrawal tries to send its loot; no test touches it otherwise. */
const SINK = "0x000000000000000000000000000000000000dEaD";
const State = { Open: 1n, Claimed: 2n, Submitted: 3n, Finalized: 5n, Expired: 7n, TimedOut: 8n } as const;
const bit = (state: bigint) => 1n << state;

/** A market settling in `token`, through the Ignition module `HashworkLocalMarketOnToken`. */
function deployMarket(token: string) {
  return deployLocalMarketOn({ ethers, ignition }, token);
}

async function actors() {
  const [owner, treasury, requester, provider, provider2, keeper, stranger] = await ethers.getSigners();
  return { owner, treasury, requester, provider, provider2, keeper, stranger };
}

/**
 * A market settling in ReentrantToken, with four jobs by the requester, all due:
 * `finalized` (paid, so FEE is accrued), `finalizable` (submitted, window over), `expirable`
 * (never claimed, claim deadline over) and `overdue` (claimed, execution deadline over).
 * The keeper holds DEPOSIT in the ledger and the token contract itself holds LOOT.
 */
async function reentrantMarket() {
  const a = await actors();
  const token = await ethers.deployContract("ReentrantToken");
  const tokenAddress = await token.getAddress();
  const market = await deployMarket(tokenAddress);
  const marketAddress = await market.getAddress();
  for (const s of [a.requester, a.provider, a.provider2, a.keeper, a.stranger]) {
    await token.mint(s.address, MINTED);
    await token.connect(s).approve(marketAddress, ethers.MaxUint256);
  }
  for (const p of [a.provider, a.provider2]) await market.connect(p).stake(STAKE);

  const now = await networkHelpers.time.latest();
  const posted = await (await market.connect(a.requester).postJobs([0, 1, 2, 3].map(() => jobRequest(now)))).wait();
  const [finalized, finalizable, expirable, overdue] = postedJobIds(market, posted);
  await market.connect(a.provider).claimJobs([finalized, finalizable, overdue]);
  const submitted = await (
    await market.connect(a.provider).submitResults([finalized, finalizable], [ethers.id("a"), ethers.id("b")], ["", ""])
  ).wait();
  const terms = submittedTerms(market, submitted);
  await networkHelpers.time.increase(3601);
  await market.connect(a.keeper).finalizeJob(finalized, terms.get(finalized)!);

  await market.connect(a.keeper).deposit(a.keeper.address, DEPOSIT);
  await market.connect(a.requester).deposit(tokenAddress, LOOT);
  return {
    ...a,
    token,
    tokenAddress,
    market,
    marketAddress,
    jobs: { finalized, finalizable, expirable, overdue },
    finalizableTerms: terms.get(finalizable)!,
  };
}

type R = Awaited<ReturnType<typeof reentrantMarket>>;
const call = (market: HashworkMarket, fn: string, args: unknown[] = []) => (market.interface as Interface).encodeFunctionData(fn, args);

/** Arms the token with `payload` (a call into the market) and has the keeper withdraw DEPOSIT. */
async function withdrawArmedWith(d: R, payload: string): Promise<ContractTransactionResponse> {
  await d.token.arm(d.marketAddress, payload);
  return d.market.connect(d.keeper).withdraw(d.keeper.address, DEPOSIT);
}

async function expectGuardTripped(d: R) {
  expect(await d.token.attacks()).to.equal(1n);
  expect(await d.token.attackSucceeded()).to.equal(false);
  expect(await d.token.attackRevertData()).to.equal(d.market.interface.encodeErrorResult("ReentrancyGuardReentrantCall"));
}

interface GuardedEntry {
  fn: string;
  payload: (d: R) => Promise<string> | string;
  /** State the re-entrant call would have changed had it succeeded. */
  untouched: (d: R) => Promise<unknown>;
}

const GUARDED: GuardedEntry[] = [
  {
    fn: "withdraw",
    payload: (d) => call(d.market, "withdraw", [SINK, LOOT]),
    untouched: async (d) => [await d.market.balanceOf(d.tokenAddress), await d.token.balanceOf(SINK)],
  },
  {
    fn: "deposit",
    payload: (d) => call(d.market, "deposit", [SINK, 1n]),
    untouched: (d) => d.market.balanceOf(SINK),
  },
  {
    fn: "withdrawUnstaked",
    payload: (d) => call(d.market, "withdrawUnstaked", [SINK]),
    untouched: (d) => d.token.balanceOf(SINK),
  },
  {
    fn: "postJob",
    payload: async (d) => call(d.market, "postJob", [jobRequest(await networkHelpers.time.latest())]),
    untouched: (d) => d.market.balanceOf(d.tokenAddress),
  },
  {
    fn: "withdrawFees",
    payload: (d) => call(d.market, "withdrawFees"),
    untouched: async (d) => [await d.market.accruedFees(), await d.token.balanceOf(d.treasury.address)],
  },
];

describe("Re-entrancy through the token's transfer hook", function () {
  it("the fixture starts with fees accrued and the token holding ledger funds", async function () {
    const d = await networkHelpers.loadFixture(reentrantMarket);
    expect((await d.market.accruedFees()) + (await d.market.auditReserve())).to.equal(FEE);
    expect(await d.market.balanceOf(d.tokenAddress)).to.equal(LOOT);
    await expectSolvent(d.market, d.token);
  });

  describe("guarded entry points re-entered during a withdraw", function () {
    for (const entry of GUARDED) {
      describe(`re-entering ${entry.fn}`, function () {
        it("fails with ReentrancyGuardReentrantCall", async function () {
          const d = await networkHelpers.loadFixture(reentrantMarket);
          await withdrawArmedWith(d, await entry.payload(d));
          await expectGuardTripped(d);
        });

        it("changes nothing the re-entrant call would have changed", async function () {
          const d = await networkHelpers.loadFixture(reentrantMarket);
          const before = await entry.untouched(d);
          await withdrawArmedWith(d, await entry.payload(d));
          expect(await entry.untouched(d)).to.deep.equal(before);
        });

        it("pays out only the outer withdrawal, once", async function () {
          const d = await networkHelpers.loadFixture(reentrantMarket);
          const payload = await entry.payload(d);
          await expect(withdrawArmedWith(d, payload)).to.changeTokenBalances(
            ethers,
            d.token,
            [d.market, d.keeper, SINK, d.treasury],
            [-DEPOSIT, DEPOSIT, 0n, 0n],
          );
          expect(await d.market.balanceOf(d.keeper.address)).to.equal(0n);
        });

        it("keeps totalOwed equal to token.balanceOf(market)", async function () {
          const d = await networkHelpers.loadFixture(reentrantMarket);
          await withdrawArmedWith(d, await entry.payload(d));
          await expectSolvent(d.market, d.token);
        });
      });
    }
  });

  describe("a re-entrant withdraw during every other token-moving call", function () {
    /** Outer calls, each with what has to be true first. The armed call is withdraw(SINK, LOOT). */
    const OUTER: { fn: string; setup?: (d: R) => Promise<unknown>; run: (d: R) => Promise<unknown> }[] = [
      { fn: "deposit", run: (d) => d.market.connect(d.keeper).deposit(d.keeper.address, 1n) },
      { fn: "stake", run: (d) => d.market.connect(d.provider2).stake(1n) },
      {
        fn: "postJob (pulling the shortfall)",
        run: async (d) => d.market.connect(d.stranger).postJob(jobRequest(await networkHelpers.time.latest())),
      },
      { fn: "withdrawFees (by the treasury, the only caller it accepts)", run: (d) => d.market.connect(d.treasury).withdrawFees() },
      {
        fn: "withdrawUnstaked",
        setup: async (d) => {
          await d.market.connect(d.provider2).requestUnstake(1n);
          await networkHelpers.time.increase(LOCAL_PARAMETERS.unbondingPeriod);
        },
        run: (d) => d.market.connect(d.provider2).withdrawUnstaked(d.provider2.address),
      },
      {
        fn: "sweepSurplus",
        setup: (d) => d.token.connect(d.stranger).transfer(d.marketAddress, 1n),
        run: (d) => d.market.connect(d.keeper).sweepSurplus(),
      },
    ];

    for (const outer of OUTER) {
      it(`is refused during ${outer.fn}, and the outer call still completes`, async function () {
        const d = await networkHelpers.loadFixture(reentrantMarket);
        if (outer.setup) await outer.setup(d);
        await d.token.arm(d.marketAddress, call(d.market, "withdraw", [SINK, LOOT]));
        await outer.run(d);
        await expectGuardTripped(d);
        expect(await d.market.balanceOf(d.tokenAddress)).to.equal(LOOT);
        expect(await d.token.balanceOf(SINK)).to.equal(0n);
        await expectSolvent(d.market, d.token);
      });
    }
  });

  describe("unguarded ledger moves re-entered during postJob's pull", function () {
    it("a balance the token callback credits to the poster mid-pull is kept, not overwritten", async function () {
      const d = await networkHelpers.loadFixture(reentrantMarket);
      await d.token.arm(d.marketAddress, call(d.market, "transferBalance", [d.stranger.address, LOOT]));
      // The stranger has no ledger balance, so postJob pulls the whole reward by allowance.
      await d.market.connect(d.stranger).postJob(jobRequest(await networkHelpers.time.latest()));
      expect(await d.token.attackSucceeded()).to.equal(true);
      expect(await d.market.balanceOf(d.stranger.address)).to.equal(LOOT);
      expect(await d.market.balanceOf(d.tokenAddress)).to.equal(0n);
      await expectSolvent(d.market, d.token);
    });
  });

  describe("settlement re-entered during a withdraw", function () {
    /** Shared: a settlement that ran inside the withdraw ran exactly once. */
    function settlesExactlyOnce(opts: {
      fn: string;
      payload: (d: R) => string;
      settleAgain: (d: R) => Promise<ContractTransactionResponse>;
      jobId: (d: R) => bigint;
      expectedState: bigint;
      requiredState: bigint;
      effects: (d: R, before: Snapshot) => Promise<void>;
    }) {
      describe(`re-entering ${opts.fn}`, function () {
        it("runs the settlement inside the withdraw (it moves no tokens, so it needs no guard)", async function () {
          const d = await networkHelpers.loadFixture(reentrantMarket);
          await withdrawArmedWith(d, opts.payload(d));
          expect(await d.token.attacks()).to.equal(1n);
          expect(await d.token.attackSucceeded()).to.equal(true);
          expect(await d.market.jobState(opts.jobId(d))).to.equal(opts.expectedState);
        });

        it("applies its effects exactly once", async function () {
          const d = await networkHelpers.loadFixture(reentrantMarket);
          const before = await snapshot(d);
          await withdrawArmedWith(d, opts.payload(d));
          await opts.effects(d, before);
        });

        it("refuses a second settlement with MarketUnexpectedJobState", async function () {
          const d = await networkHelpers.loadFixture(reentrantMarket);
          await withdrawArmedWith(d, opts.payload(d));
          await expect(opts.settleAgain(d))
            .to.be.revertedWithCustomError(d.market, "MarketUnexpectedJobState")
            .withArgs(opts.jobId(d), opts.expectedState, bit(opts.requiredState));
        });

        it("pays out the outer withdrawal once and keeps totalOwed equal to token.balanceOf(market)", async function () {
          const d = await networkHelpers.loadFixture(reentrantMarket);
          await expect(withdrawArmedWith(d, opts.payload(d))).to.changeTokenBalances(
            ethers,
            d.token,
            [d.market, d.keeper],
            [-DEPOSIT, DEPOSIT],
          );
          await expectSolvent(d.market, d.token);
        });
      });
    }

    settlesExactlyOnce({
      fn: "finalizeJob",
      payload: (d) => call(d.market, "finalizeJob", [d.jobs.finalizable, d.finalizableTerms]),
      settleAgain: (d) => d.market.connect(d.stranger).finalizeJob(d.jobs.finalizable, d.finalizableTerms),
      jobId: (d) => d.jobs.finalizable,
      expectedState: State.Finalized,
      requiredState: State.Submitted,
      effects: async (d, before) => {
        const after = await snapshot(d);
        expect(after.staked - before.staked).to.equal(PAYOUT);
        expect(before.locked - after.locked).to.equal(COLLATERAL);
        expect(after.fees - before.fees).to.equal(FEE);
        expect(after.completed - before.completed).to.equal(1n);
      },
    });

    settlesExactlyOnce({
      fn: "expireJob",
      payload: (d) => call(d.market, "expireJob", [d.jobs.expirable]),
      settleAgain: (d) => d.market.connect(d.stranger).expireJob(d.jobs.expirable),
      jobId: (d) => d.jobs.expirable,
      expectedState: State.Expired,
      requiredState: State.Open,
      effects: async (d, before) => {
        const after = await snapshot(d);
        expect(after.requesterBalance - before.requesterBalance).to.equal(REWARD);
        expect([after.staked, after.locked]).to.deep.equal([before.staked, before.locked]);
      },
    });

    settlesExactlyOnce({
      fn: "timeOutJob",
      payload: (d) => call(d.market, "timeOutJob", [d.jobs.overdue]),
      settleAgain: (d) => d.market.connect(d.stranger).timeOutJob(d.jobs.overdue),
      jobId: (d) => d.jobs.overdue,
      expectedState: State.TimedOut,
      requiredState: State.Claimed,
      effects: async (d, before) => {
        const after = await snapshot(d);
        expect(after.requesterBalance - before.requesterBalance).to.equal(REWARD + COLLATERAL);
        expect(before.staked - after.staked).to.equal(COLLATERAL);
        expect(before.locked - after.locked).to.equal(COLLATERAL);
        expect(after.timedOut - before.timedOut).to.equal(1n);
      },
    });
  });
});

describe("Re-entrancy into the verifier pool through the token's transfer hook", function () {
  /**
   * `reentrantMarket` with the dispute module and its verifier pool installed; provider2 bonded
   * STAKE, asked to withdraw it and waited out the delay; the stranger may bond (allowance).
   */
  async function reentrantPool() {
    const d = await reentrantMarket();
    const { disputes, verifierPool: pool } = await deployLocalDisputes({ ethers, ignition }, d.marketAddress);
    await d.market.connect(d.owner).setDisputeModule(await disputes.getAddress());
    const poolAddress = await pool.getAddress();
    for (const s of [d.provider2, d.stranger]) await d.token.connect(s).approve(poolAddress, ethers.MaxUint256);
    await pool.connect(d.provider2).bond(STAKE);
    await pool.connect(d.provider2).requestWithdrawal(STAKE);
    await networkHelpers.time.increase(await pool.withdrawalDelay());
    return { ...d, pool, poolAddress };
  }
  type P = Awaited<ReturnType<typeof reentrantPool>>;

  async function expectPoolGuardTripped(d: P) {
    expect(await d.token.attacks()).to.equal(1n);
    expect(await d.token.attackSucceeded()).to.equal(false);
    expect(await d.token.attackRevertData()).to.equal(d.pool.interface.encodeErrorResult("ReentrancyGuardReentrantCall"));
  }

  async function expectPoolSolvent(d: P) {
    await expectSolvent(d.market, d.token);
    expect(await d.market.balanceOf(d.poolAddress)).to.equal(await d.pool.totalHeld());
  }

  describe("bond re-entered during its own pull", function () {
    async function reenteredBond() {
      const d = await reentrantPool();
      await d.token.arm(d.poolAddress, d.pool.interface.encodeFunctionData("bond", [STAKE]));
      await d.pool.connect(d.stranger).bond(STAKE);
      return d;
    }

    it("fails with ReentrancyGuardReentrantCall", async function () {
      const d = await networkHelpers.loadFixture(reenteredBond);
      await expectPoolGuardTripped(d);
    });

    it("bonds the outer amount once, and the pool's ledger balance still equals totalHeld", async function () {
      const d = await networkHelpers.loadFixture(reenteredBond);
      expect((await d.pool.memberOf(d.stranger.address)).bonded).to.equal(STAKE);
      expect(await d.pool.totalHeld()).to.equal(2n * STAKE);
      await expectPoolSolvent(d);
    });
  });

  describe("withdraw re-entered during its own payout", function () {
    async function reenteredWithdraw() {
      const d = await reentrantPool();
      await d.token.arm(d.poolAddress, d.pool.interface.encodeFunctionData("withdraw", [SINK]));
      const tx = await d.pool.connect(d.provider2).withdraw(d.provider2.address);
      return { ...d, tx };
    }

    it("fails with ReentrancyGuardReentrantCall", async function () {
      const d = await networkHelpers.loadFixture(reenteredWithdraw);
      await expectPoolGuardTripped(d);
    });

    it("pays the outer withdrawal once and nothing to the sink", async function () {
      const d = await networkHelpers.loadFixture(reenteredWithdraw);
      await expect(d.tx).to.emit(d.pool, "Withdrawn").withArgs(d.provider2.address, d.provider2.address, STAKE);
      expect(await d.token.balanceOf(SINK)).to.equal(0n);
      expect(await d.pool.totalHeld()).to.equal(0n);
      await expectPoolSolvent(d);
    });
  });
});

interface Snapshot {
  staked: bigint;
  locked: bigint;
  completed: bigint;
  timedOut: bigint;
  fees: bigint;
  requesterBalance: bigint;
}

async function snapshot(d: R): Promise<Snapshot> {
  const s = await d.market.stakeOf(d.provider.address);
  const r = await d.market.reputationOf(d.provider.address);
  return {
    staked: s.staked,
    locked: s.locked,
    completed: s.completed,
    timedOut: r.timedOut,
    // The fee is split between the treasury's accrued fees and the audit reserve.
    fees: (await d.market.accruedFees()) + (await d.market.auditReserve()),
    requesterBalance: await d.market.balanceOf(d.requester.address),
  };
}

describe("Fee-on-transfer tokens are refused", function () {
  /** A market settling in FeeOnTransferToken (1% burned per transfer); actors funded and approved. */
  async function feeOnTransferMarket() {
    const a = await actors();
    const token = await ethers.deployContract("FeeOnTransferToken");
    const market = await deployMarket(await token.getAddress());
    for (const s of [a.requester, a.provider]) {
      await token.mint(s.address, MINTED);
      await token.connect(s).approve(await market.getAddress(), ethers.MaxUint256);
    }
    return { ...a, token, market };
  }

  const received = (amount: bigint) => amount - amount / 100n;

  const CASES: [string, bigint, (d: Awaited<ReturnType<typeof feeOnTransferMarket>>) => Promise<unknown>][] = [
    ["deposit", STAKE, (d) => d.market.connect(d.requester).deposit(d.requester.address, STAKE)],
    ["stake", STAKE, (d) => d.market.connect(d.provider).stake(STAKE)],
    [
      "stakeWithPermit (the token has no permit; the transfer check still refuses)",
      STAKE,
      (d) => d.market.connect(d.provider).stakeWithPermit(STAKE, 0n, 27, ethers.ZeroHash, ethers.ZeroHash),
    ],
    ["postJob", REWARD, async (d) => d.market.connect(d.requester).postJob(jobRequest(await networkHelpers.time.latest()))],
    [
      "postJobs (one pull for the batch)",
      2n * REWARD,
      async (d) => {
        const now = await networkHelpers.time.latest();
        return d.market.connect(d.requester).postJobs([jobRequest(now), jobRequest(now)]);
      },
    ],
  ];

  for (const [fn, amount, run] of CASES) {
    it(`${fn} reverts with VaultFeeOnTransferToken(expected, received)`, async function () {
      const d = await networkHelpers.loadFixture(feeOnTransferMarket);
      await expect(run(d)).to.be.revertedWithCustomError(d.market, "VaultFeeOnTransferToken").withArgs(amount, received(amount));
    });
  }
});
