import { expect } from "chai";
import { network } from "hardhat";

import { LOCAL_PARAMETERS, LOCK, MIN_BOND, SLASH, STAKE, createDisputeFixtures, expectSystemSolvent, vote } from "./fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture, time } = networkHelpers;

/** The longer of unbonding and the longest job lifetime (claim delay + execution + window + dispute). */
const DELAY = BigInt(
  Math.max(
    LOCAL_PARAMETERS.unbondingPeriod,
    LOCAL_PARAMETERS.maxClaimDelay +
      LOCAL_PARAMETERS.maxExecutionTime +
      LOCAL_PARAMETERS.maxChallengeWindow +
      LOCAL_PARAMETERS.maxDisputeDuration,
  ),
);

/** `deployed` plus a newcomer with tokens and an allowance for the pool, not bonded yet. */
async function withNewcomer() {
  const d = await fixtures.deployed();
  const newcomer = (await ethers.getSigners())[13];
  await d.token.connect(d.owner).mint(newcomer.address, 10n * STAKE);
  await d.token.connect(newcomer).approve(d.poolAddress, ethers.MaxUint256);
  return { ...d, newcomer };
}

/** `deployed` with verifiers[0] asking to withdraw 400 of its STAKE. */
async function withdrawing() {
  const d = await fixtures.deployed();
  const [v] = d.verifiers;
  const tx = await d.pool.connect(v).requestWithdrawal(400n * 10n ** 18n);
  return { ...d, v, tx, amount: 400n * 10n ** 18n };
}

/** `drawn`, then the first seat's verifier asks to withdraw its whole bond. */
async function seatedAndLeaving() {
  const d = await fixtures.drawn();
  const [v] = d.seat;
  await d.pool.connect(v).requestWithdrawal(STAKE);
  return { ...d, v };
}

describe("VerifierPool", function () {
  describe("its parameters", function () {
    it("asks every bond for at least the market's minimum stake", async function () {
      const d = await loadFixture(fixtures.deployed);
      expect(await d.pool.minimumBond()).to.equal(MIN_BOND);
    });

    it("delays withdrawals by the longer of the unbonding period and the longest job lifetime", async function () {
      const d = await loadFixture(fixtures.deployed);
      expect(await d.pool.withdrawalDelay()).to.equal(DELAY);
    });
  });

  describe("bond", function () {
    it("adds the amount to the caller's weight and emits Bonded(verifier, amount, bonded)", async function () {
      const d = await loadFixture(withNewcomer);
      await expect(d.pool.connect(d.newcomer).bond(MIN_BOND)).to.emit(d.pool, "Bonded").withArgs(d.newcomer.address, MIN_BOND, MIN_BOND);
      expect((await d.pool.memberOf(d.newcomer.address)).bonded).to.equal(MIN_BOND);
      expect(await d.pool.totalWeight()).to.equal(10n * STAKE + MIN_BOND);
    });

    it("parks the tokens in the market's ledger under the pool's account", async function () {
      const d = await loadFixture(withNewcomer);
      await expect(d.pool.connect(d.newcomer).bond(MIN_BOND)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.newcomer, d.market],
        [-MIN_BOND, MIN_BOND],
      );
      expect(await d.market.balanceOf(d.poolAddress)).to.equal(await d.pool.totalHeld());
      await expectSystemSolvent(d);
    });

    it("counts from the end of its own block: the block before still weighs nothing", async function () {
      const d = await loadFixture(withNewcomer);
      const block = (await (await d.pool.connect(d.newcomer).bond(MIN_BOND)).wait())!.blockNumber;
      expect(await d.pool.weightAt(d.newcomer.address, block - 1)).to.equal(0n);
      expect(await d.pool.weightAt(d.newcomer.address, block)).to.equal(MIN_BOND);
    });

    it("refuses a bond below the minimum with PoolBelowMinimumBond(verifier, bonded, minimum)", async function () {
      const d = await loadFixture(withNewcomer);
      await expect(d.pool.connect(d.newcomer).bond(MIN_BOND - 1n))
        .to.be.revertedWithCustomError(d.pool, "PoolBelowMinimumBond")
        .withArgs(d.newcomer.address, MIN_BOND - 1n, MIN_BOND);
    });

    it("accepts a top-up of any size once the bond is at the minimum", async function () {
      const d = await loadFixture(withNewcomer);
      await d.pool.connect(d.newcomer).bond(MIN_BOND);
      await expect(d.pool.connect(d.newcomer).bond(1n))
        .to.emit(d.pool, "Bonded")
        .withArgs(d.newcomer.address, 1n, MIN_BOND + 1n);
    });

    it("refuses zero with PoolZeroAmount", async function () {
      const d = await loadFixture(withNewcomer);
      await expect(d.pool.connect(d.newcomer).bond(0n)).to.be.revertedWithCustomError(d.pool, "PoolZeroAmount");
    });

    it("refuses an account without tokens (the token's ERC20InsufficientBalance)", async function () {
      const d = await loadFixture(fixtures.deployed);
      const empty = (await ethers.getSigners())[14];
      await d.token.connect(empty).approve(d.poolAddress, ethers.MaxUint256);
      await expect(d.pool.connect(empty).bond(MIN_BOND))
        .to.be.revertedWithCustomError(d.token, "ERC20InsufficientBalance")
        .withArgs(empty.address, 0n, MIN_BOND);
    });
  });

  describe("requestWithdrawal", function () {
    it("takes the amount out of the weight at once", async function () {
      const d = await loadFixture(withdrawing);
      const block = (await d.tx.wait())!.blockNumber;
      expect(await d.pool.weightAt(d.v.address, block)).to.equal(STAKE - d.amount);
      expect(await d.pool.weightAt(d.v.address, block - 1)).to.equal(STAKE);
    });

    it("emits WithdrawalRequested(verifier, amount, bonded, unlockAt) with unlockAt after the delay", async function () {
      const d = await loadFixture(withdrawing);
      const block = await ethers.provider.getBlock((await d.tx.wait())!.blockNumber);
      await expect(d.tx)
        .to.emit(d.pool, "WithdrawalRequested")
        .withArgs(d.v.address, d.amount, STAKE - d.amount, BigInt(block!.timestamp) + DELAY);
    });

    it("keeps the amount owed (pending) until it is withdrawn", async function () {
      const d = await loadFixture(withdrawing);
      expect((await d.pool.memberOf(d.v.address)).pending).to.equal(d.amount);
      expect(await d.pool.totalHeld()).to.equal(10n * STAKE);
      await expectSystemSolvent(d);
    });

    it("refuses to leave less than the minimum bond with PoolBelowMinimumBond", async function () {
      const d = await loadFixture(fixtures.deployed);
      const [v] = d.verifiers;
      await expect(d.pool.connect(v).requestWithdrawal(STAKE - MIN_BOND + 1n))
        .to.be.revertedWithCustomError(d.pool, "PoolBelowMinimumBond")
        .withArgs(v.address, MIN_BOND - 1n, MIN_BOND);
    });

    it("allows leaving the pool entirely", async function () {
      const d = await loadFixture(fixtures.deployed);
      const [v] = d.verifiers;
      await d.pool.connect(v).requestWithdrawal(STAKE);
      expect((await d.pool.memberOf(v.address)).bonded).to.equal(0n);
    });

    it("refuses more than is bonded with PoolInsufficientBond(verifier, bonded, requested)", async function () {
      const d = await loadFixture(fixtures.deployed);
      const [v] = d.verifiers;
      await expect(d.pool.connect(v).requestWithdrawal(STAKE + 1n))
        .to.be.revertedWithCustomError(d.pool, "PoolInsufficientBond")
        .withArgs(v.address, STAKE, STAKE + 1n);
    });

    it("refuses zero with PoolZeroAmount", async function () {
      const d = await loadFixture(fixtures.deployed);
      await expect(d.pool.connect(d.verifiers[0]).requestWithdrawal(0n)).to.be.revertedWithCustomError(d.pool, "PoolZeroAmount");
    });
  });

  describe("withdraw", function () {
    it("is refused before the delay with PoolNothingToWithdraw(verifier, unlockAt)", async function () {
      const d = await loadFixture(withdrawing);
      const { unlockAt } = await d.pool.memberOf(d.v.address);
      await expect(d.pool.connect(d.v).withdraw(d.v.address))
        .to.be.revertedWithCustomError(d.pool, "PoolNothingToWithdraw")
        .withArgs(d.v.address, unlockAt);
    });

    it("pays the pending amount to `to` after the delay and emits Withdrawn", async function () {
      const d = await loadFixture(withdrawing);
      await time.increaseTo((await d.pool.memberOf(d.v.address)).unlockAt);
      const tx = d.pool.connect(d.v).withdraw(d.keeper.address);
      await expect(tx).to.emit(d.pool, "Withdrawn").withArgs(d.v.address, d.keeper.address, d.amount);
      await expect(tx).to.changeTokenBalances(ethers, d.token, [d.keeper, d.market], [d.amount, -d.amount]);
    });

    it("leaves the pool's ledger balance equal to what it still holds", async function () {
      const d = await loadFixture(withdrawing);
      await time.increaseTo((await d.pool.memberOf(d.v.address)).unlockAt);
      await d.pool.connect(d.v).withdraw(d.v.address);
      expect(await d.pool.totalHeld()).to.equal(10n * STAKE - d.amount);
      await expectSystemSolvent(d);
    });

    it("is refused with nothing pending with PoolNothingToWithdraw", async function () {
      const d = await loadFixture(fixtures.deployed);
      const [v] = d.verifiers;
      await expect(d.pool.connect(v).withdraw(v.address))
        .to.be.revertedWithCustomError(d.pool, "PoolNothingToWithdraw")
        .withArgs(v.address, 0n);
    });

    it("refuses the zero address with PoolZeroAddress", async function () {
      const d = await loadFixture(withdrawing);
      await expect(d.pool.connect(d.v).withdraw(ethers.ZeroAddress)).to.be.revertedWithCustomError(d.pool, "PoolZeroAddress");
    });
  });

  describe("a seated verifier that asks to leave", function () {
    it("still holds its seat's lock out of what is pending", async function () {
      const d = await loadFixture(seatedAndLeaving);
      const m = await d.pool.memberOf(d.v.address);
      expect([m.bonded, m.pending, m.locked]).to.deep.equal([0n, STAKE, LOCK]);
    });

    it("withdraws only the unlocked rest after the delay", async function () {
      const d = await loadFixture(seatedAndLeaving);
      await time.increaseTo((await d.pool.memberOf(d.v.address)).unlockAt);
      await expect(d.pool.connect(d.v).withdraw(d.v.address))
        .to.emit(d.pool, "Withdrawn")
        .withArgs(d.v.address, d.v.address, STAKE - LOCK);
      expect((await d.pool.memberOf(d.v.address)).pending).to.equal(LOCK);
    });

    it("is slashed out of what is pending when it does not reveal", async function () {
      const d = await loadFixture(seatedAndLeaving);
      await vote(d.disputes, d.jobId, d.seat, [undefined, d.providerHash, d.providerHash], time);
      await time.increaseTo((await d.disputes.getDispute(d.jobId)).revealDeadline + 1n);
      await d.disputes.resolve(d.jobId, d.terms);
      const m = await d.pool.memberOf(d.v.address);
      expect([m.bonded, m.pending, m.locked]).to.deep.equal([0n, STAKE - SLASH, 0n]);
      await expectSystemSolvent(d);
    });
  });

  describe("lock, unlock and slash", function () {
    for (const [fn, call] of [
      ["lock", (p: Awaited<ReturnType<typeof fixtures.deployed>>["pool"], v: string) => p.lock(v, 1n)],
      ["unlock", (p: Awaited<ReturnType<typeof fixtures.deployed>>["pool"], v: string) => p.unlock(v, 1n)],
      ["slash", (p: Awaited<ReturnType<typeof fixtures.deployed>>["pool"], v: string) => p.slash(v, 1n, v)],
      [
        "drawAndLock",
        (p: Awaited<ReturnType<typeof fixtures.deployed>>["pool"], v: string) => p.drawAndLock(1, ethers.id("seed"), 1, [v, v, v], 1n),
      ],
      [
        "release",
        (p: Awaited<ReturnType<typeof fixtures.deployed>>["pool"], v: string) => p.release([{ verifier: v, unlock: 1n, slash: 0n }], v),
      ],
    ] as const) {
      it(`${fn} is refused for anyone but the dispute module with PoolNotDisputeModule(caller)`, async function () {
        const d = await loadFixture(fixtures.deployed);
        await expect(call(d.pool.connect(d.keeper), d.verifiers[0].address))
          .to.be.revertedWithCustomError(d.pool, "PoolNotDisputeModule")
          .withArgs(d.keeper.address);
      });
    }
  });

  describe("draw (view)", function () {
    it("returns no seats when every bonded member is excluded", async function () {
      const d = await loadFixture(fixtures.deployed);
      for (const v of d.verifiers) await d.pool.connect(v).requestWithdrawal(STAKE);
      const block = await ethers.provider.getBlockNumber();
      const [verifiers, votes] = await d.pool.draw(block, ethers.id("seed"), 3, [
        d.provider.address,
        d.challenger.address,
        d.requester.address,
      ]);
      expect(verifiers).to.deep.equal([]);
      expect(votes).to.deep.equal([]);
    });

    it("removes a party named twice only once (a requester challenging its own job)", async function () {
      const d = await loadFixture(fixtures.deployed);
      const block = await ethers.provider.getBlockNumber();
      const excluded = [d.requester.address, d.requester.address, d.provider.address] as const;
      for (let i = 0; i < 50; i++) {
        const [verifiers, votes] = await d.pool.draw(block, ethers.id(`seed ${i}`), 5, [...excluded]);
        expect(votes.reduce((a, b) => a + b, 0n)).to.equal(5n);
        expect(verifiers).to.not.include(d.requester.address);
        expect(verifiers).to.not.include(d.provider.address);
      }
    });
  });
});
