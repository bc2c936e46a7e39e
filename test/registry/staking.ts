import { expect } from "chai";
import { network } from "hardhat";

import { LOCAL_PARAMETERS, MINTED, REWARD, STAKE, TOKEN_UNIT, createFixtures } from "../helpers/fixtures.js";
import { expectSolvent, signPermit } from "../vault/support.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });

const ENDPOINT = "http://127.0.0.1:8700";
const MAX_FUEL = 1_000_000_000n;
const UNBONDING = BigInt(LOCAL_PARAMETERS.unbondingPeriod);
const FEE_BPS = BigInt(LOCAL_PARAMETERS.feeBps);
/** jobRequest's defaults: 10 tokens at 150% collateral. */
const COLLATERAL = (REWARD * 150n + 99n) / 100n;
const FEE = (REWARD * FEE_BPS) / 10_000n;
const PAYOUT = REWARD - FEE;
/** What a provider that never completed a job scores, for any job. */
const NEWCOMER_SCORE = 0n;
const UINT96_MAX = 2n ** 96n - 1n;

/** `staked` plus part of provider's stake in unbonding. */
async function unbonding() {
  const d = await fixtures.staked();
  await d.market.connect(d.provider).requestUnstake(100n * TOKEN_UNIT);
  const { unlockAt } = await d.market.unbondingOf(d.provider.address);
  return { ...d, unbonded: 100n * TOKEN_UNIT, unlockAt };
}

/** `submittedJob` finalized after its challenge window. */
async function finalizedJob() {
  const d = await fixtures.submittedJob();
  const { deadline } = await d.market.getJob(d.jobId);
  await networkHelpers.time.increaseTo(deadline + 1n);
  await d.market.connect(d.keeper).finalizeJob(d.jobId, d.terms);
  return d;
}

/** `deployed` plus a funded account that has not approved the market. */
async function withFreshHolder() {
  const d = await fixtures.deployed();
  const alice = (await ethers.getSigners())[8];
  await d.token.connect(d.owner).mint(alice.address, MINTED);
  return { ...d, alice };
}

describe("ProviderRegistry: identities and stake", function () {
  describe("registerProvider", function () {
    it("hands out ids 1, 2, ... in registration order", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      expect(await d.market.providerIdOf(d.provider.address)).to.equal(1n);
      expect(await d.market.providerIdOf(d.provider2.address)).to.equal(2n);
      await d.market.connect(d.stranger).registerProvider(ENDPOINT, 1n, MAX_FUEL);
      expect(await d.market.providerIdOf(d.stranger.address)).to.equal(3n);
    });

    it("maps ids back to addresses with providerById and counts them in providerCount", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      expect(await d.market.providerById(1)).to.equal(d.provider.address);
      expect(await d.market.providerById(2)).to.equal(d.provider2.address);
      expect(await d.market.providerById(3)).to.equal(ethers.ZeroAddress);
      expect(await d.market.providerCount()).to.equal(2n);
    });

    it("reports id 0 and a count of 0 before anyone registers", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      expect(await d.market.providerIdOf(d.provider.address)).to.equal(0n);
      expect(await d.market.providerCount()).to.equal(0n);
    });

    it("emits ProviderRegistered(provider, id) on the first registration", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.provider).registerProvider(ENDPOINT, 1n, MAX_FUEL))
        .to.emit(d.market, "ProviderRegistered")
        .withArgs(d.provider.address, 1n);
    });

    it("does not register again (same id, no ProviderRegistered) on a second call", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await expect(d.market.connect(d.provider).registerProvider("https://p.example", 2n, 5n)).not.to.emit(d.market, "ProviderRegistered");
      expect(await d.market.providerIdOf(d.provider.address)).to.equal(1n);
      expect(await d.market.providerCount()).to.equal(2n);
    });

    it("emits ProviderProfileUpdated(provider, endpoint, price, maxFuel) on the first call", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.provider).registerProvider(ENDPOINT, 7n, MAX_FUEL))
        .to.emit(d.market, "ProviderProfileUpdated")
        .withArgs(d.provider.address, ENDPOINT, 7n, MAX_FUEL);
    });

    it("emits ProviderProfileUpdated again on every later call", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await expect(d.market.connect(d.provider).registerProvider("https://p.example", 2n, 5n))
        .to.emit(d.market, "ProviderProfileUpdated")
        .withArgs(d.provider.address, "https://p.example", 2n, 5n);
    });

    it("accepts an endpoint of exactly 256 bytes", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.provider).registerProvider("x".repeat(256), 1n, 1n))
        .to.emit(d.market, "ProviderRegistered")
        .withArgs(d.provider.address, 1n);
    });

    it("refuses an endpoint of 257 bytes with RegistryInvalidProfile", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.provider).registerProvider("x".repeat(257), 1n, MAX_FUEL)).to.be.revertedWithCustomError(
        d.market,
        "RegistryInvalidProfile",
      );
    });

    it("counts the endpoint in bytes, not characters (129 two-byte characters are refused)", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.provider).registerProvider("é".repeat(129), 1n, MAX_FUEL)).to.be.revertedWithCustomError(
        d.market,
        "RegistryInvalidProfile",
      );
    });

    it("refuses a maxFuel of 0 with RegistryInvalidProfile", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.provider).registerProvider(ENDPOINT, 1n, 0n)).to.be.revertedWithCustomError(
        d.market,
        "RegistryInvalidProfile",
      );
    });
  });

  describe("stake", function () {
    it("registers a newcomer (ProviderRegistered with the next id)", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await expect(d.market.connect(d.stranger).stake(STAKE)).to.emit(d.market, "ProviderRegistered").withArgs(d.stranger.address, 3n);
      expect(await d.market.providerById(3)).to.equal(d.stranger.address);
    });

    it("does not re-register a registered provider", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await expect(d.market.connect(d.provider).stake(1n)).not.to.emit(d.market, "ProviderRegistered");
      expect(await d.market.providerCount()).to.equal(2n);
    });

    it("pulls the tokens from the provider into the market", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.provider).stake(STAKE)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.provider, d.market],
        [-STAKE, STAKE],
      );
    });

    it("adds to staked, leaves nothing locked, and does not touch the ledger balance", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await d.market.connect(d.provider).stake(5n);
      const s = await d.market.stakeOf(d.provider.address);
      expect(s.staked).to.equal(STAKE + 5n);
      expect(s.locked).to.equal(0n);
      expect(await d.market.balanceOf(d.provider.address)).to.equal(0n);
    });

    it("emits Staked(provider, amount, totalStaked)", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await expect(d.market.connect(d.provider).stake(5n))
        .to.emit(d.market, "Staked")
        .withArgs(d.provider.address, 5n, STAKE + 5n);
    });

    it("grows totalOwed by the amount and keeps the market solvent", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      const before = await d.market.totalOwed();
      await d.market.connect(d.provider).stake(5n);
      expect(await d.market.totalOwed()).to.equal(before + 5n);
      await expectSolvent(d.market, d.token);
    });

    it("refuses a zero amount with VaultZeroAmount", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.provider).stake(0n)).to.be.revertedWithCustomError(d.market, "VaultZeroAmount");
    });

    it("refuses a single stake above 2^96-1 with VaultAmountTooLarge", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.provider).stake(UINT96_MAX + 1n))
        .to.be.revertedWithCustomError(d.market, "VaultAmountTooLarge")
        .withArgs(UINT96_MAX + 1n, UINT96_MAX);
    });

    it("refuses a stake that would take the total past 2^96-1 with RegistryStakeTooLarge(total)", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await d.token.connect(d.owner).mint(d.provider.address, UINT96_MAX);
      const room = UINT96_MAX - STAKE;
      await d.market.connect(d.provider).stake(room);
      expect((await d.market.stakeOf(d.provider.address)).staked).to.equal(UINT96_MAX);
      await expect(d.market.connect(d.provider).stake(1n))
        .to.be.revertedWithCustomError(d.market, "RegistryStakeTooLarge")
        .withArgs(UINT96_MAX + 1n);
    });
  });

  describe("stakeWithPermit", function () {
    async function permitFor(d: Awaited<ReturnType<typeof withFreshHolder>>, value: bigint) {
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      return { deadline, sig: await signPermit(ethers, d.token, d.alice, d.marketAddress, value, deadline) };
    }

    it("stakes from an account with no prior allowance", async function () {
      const d = await networkHelpers.loadFixture(withFreshHolder);
      const { deadline, sig } = await permitFor(d, STAKE);
      await expect(d.market.connect(d.alice).stakeWithPermit(STAKE, deadline, sig.v, sig.r, sig.s))
        .to.emit(d.market, "Staked")
        .withArgs(d.alice.address, STAKE, STAKE);
      expect((await d.market.stakeOf(d.alice.address)).staked).to.equal(STAKE);
      expect(await d.token.allowance(d.alice.address, d.marketAddress)).to.equal(0n);
    });

    it("registers the staker", async function () {
      const d = await networkHelpers.loadFixture(withFreshHolder);
      const { deadline, sig } = await permitFor(d, STAKE);
      await d.market.connect(d.alice).stakeWithPermit(STAKE, deadline, sig.v, sig.r, sig.s);
      expect(await d.market.providerIdOf(d.alice.address)).to.equal(1n);
    });

    it("still succeeds when the permit was front-run", async function () {
      const d = await networkHelpers.loadFixture(withFreshHolder);
      const { deadline, sig } = await permitFor(d, STAKE);
      await d.token.connect(d.stranger).permit(d.alice.address, d.marketAddress, STAKE, deadline, sig.v, sig.r, sig.s);
      await d.market.connect(d.alice).stakeWithPermit(STAKE, deadline, sig.v, sig.r, sig.s);
      expect((await d.market.stakeOf(d.alice.address)).staked).to.equal(STAKE);
    });

    it("fails at the transfer when the permit is invalid and there is no allowance", async function () {
      const d = await networkHelpers.loadFixture(withFreshHolder);
      const { deadline, sig } = await permitFor(d, STAKE - 1n);
      await expect(d.market.connect(d.alice).stakeWithPermit(STAKE, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(d.token, "ERC20InsufficientAllowance")
        .withArgs(d.marketAddress, 0n, STAKE);
    });
  });

  describe("requestUnstake", function () {
    it("moves free stake out of staked and into unbonding", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await d.market.connect(d.provider).requestUnstake(40n);
      expect((await d.market.stakeOf(d.provider.address)).staked).to.equal(STAKE - 40n);
      expect((await d.market.unbondingOf(d.provider.address)).amount).to.equal(40n);
      expect(await d.market.freeStakeOf(d.provider.address)).to.equal(STAKE - 40n);
    });

    it("emits UnstakeRequested(provider, amount, now + unbondingPeriod)", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      const at = BigInt(await networkHelpers.time.latest()) + 100n;
      await networkHelpers.time.setNextBlockTimestamp(at);
      await expect(d.market.connect(d.provider).requestUnstake(40n))
        .to.emit(d.market, "UnstakeRequested")
        .withArgs(d.provider.address, 40n, at + UNBONDING);
      expect((await d.market.unbondingOf(d.provider.address)).unlockAt).to.equal(at + UNBONDING);
    });

    it("adds a second request to the first and restarts the clock for all of it", async function () {
      const d = await networkHelpers.loadFixture(unbonding);
      const at = d.unlockAt - UNBONDING + 86_400n;
      await networkHelpers.time.setNextBlockTimestamp(at);
      await expect(d.market.connect(d.provider).requestUnstake(1n))
        .to.emit(d.market, "UnstakeRequested")
        .withArgs(d.provider.address, 1n, at + UNBONDING);
      const u = await d.market.unbondingOf(d.provider.address);
      expect(u.amount).to.equal(d.unbonded + 1n);
      expect(u.unlockAt).to.equal(at + UNBONDING);
    });

    it("moves no tokens and leaves totalOwed unchanged (unbonding stake is still owed)", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      const before = await d.market.totalOwed();
      await expect(d.market.connect(d.provider).requestUnstake(40n)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.market, d.provider],
        [0n, 0n],
      );
      expect(await d.market.totalOwed()).to.equal(before);
    });

    it("refuses a zero amount with VaultZeroAmount", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await expect(d.market.connect(d.provider).requestUnstake(0n)).to.be.revertedWithCustomError(d.market, "VaultZeroAmount");
    });

    it("refuses more than the stake with RegistryInsufficientFreeStake", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await expect(d.market.connect(d.provider).requestUnstake(STAKE + 1n))
        .to.be.revertedWithCustomError(d.market, "RegistryInsufficientFreeStake")
        .withArgs(d.provider.address, STAKE, STAKE + 1n);
    });

    it("refuses stake locked as collateral with RegistryInsufficientFreeStake(provider, free, amount)", async function () {
      const d = await networkHelpers.loadFixture(fixtures.claimedJob);
      await expect(d.market.connect(d.provider).requestUnstake(STAKE))
        .to.be.revertedWithCustomError(d.market, "RegistryInsufficientFreeStake")
        .withArgs(d.provider.address, STAKE - COLLATERAL, STAKE);
    });

    it("allows exactly the free stake while collateral is locked", async function () {
      const d = await networkHelpers.loadFixture(fixtures.claimedJob);
      await d.market.connect(d.provider).requestUnstake(STAKE - COLLATERAL);
      const s = await d.market.stakeOf(d.provider.address);
      expect(s.staked).to.equal(COLLATERAL);
      expect(s.locked).to.equal(COLLATERAL);
      expect(await d.market.freeStakeOf(d.provider.address)).to.equal(0n);
    });

    it("refuses an account that never staked with RegistryInsufficientFreeStake", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await expect(d.market.connect(d.stranger).requestUnstake(1n))
        .to.be.revertedWithCustomError(d.market, "RegistryInsufficientFreeStake")
        .withArgs(d.stranger.address, 0n, 1n);
    });
  });

  describe("withdrawUnstaked", function () {
    it("refuses with RegistryNothingToWithdraw when nothing is unbonding", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await expect(d.market.connect(d.provider).withdrawUnstaked(d.provider.address))
        .to.be.revertedWithCustomError(d.market, "RegistryNothingToWithdraw")
        .withArgs(d.provider.address);
    });

    it("refuses with RegistryUnbondingNotElapsed(provider, unlockAt) one second early", async function () {
      const d = await networkHelpers.loadFixture(unbonding);
      await networkHelpers.time.setNextBlockTimestamp(d.unlockAt - 1n);
      await expect(d.market.connect(d.provider).withdrawUnstaked(d.provider.address))
        .to.be.revertedWithCustomError(d.market, "RegistryUnbondingNotElapsed")
        .withArgs(d.provider.address, d.unlockAt);
    });

    it("pays out at exactly unlockAt", async function () {
      const d = await networkHelpers.loadFixture(unbonding);
      await networkHelpers.time.setNextBlockTimestamp(d.unlockAt);
      await expect(d.market.connect(d.provider).withdrawUnstaked(d.provider.address)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.market, d.provider],
        [-d.unbonded, d.unbonded],
      );
    });

    it("can send the unbonded stake to another address", async function () {
      const d = await networkHelpers.loadFixture(unbonding);
      await networkHelpers.time.increaseTo(d.unlockAt);
      await expect(d.market.connect(d.provider).withdrawUnstaked(d.stranger.address)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.market, d.stranger, d.provider],
        [-d.unbonded, d.unbonded, 0n],
      );
    });

    it("emits UnstakeWithdrawn(provider, to, amount)", async function () {
      const d = await networkHelpers.loadFixture(unbonding);
      await networkHelpers.time.increaseTo(d.unlockAt);
      await expect(d.market.connect(d.provider).withdrawUnstaked(d.stranger.address))
        .to.emit(d.market, "UnstakeWithdrawn")
        .withArgs(d.provider.address, d.stranger.address, d.unbonded);
    });

    it("zeroes the unbonding amount, so a second withdrawal finds nothing", async function () {
      const d = await networkHelpers.loadFixture(unbonding);
      await networkHelpers.time.increaseTo(d.unlockAt);
      await d.market.connect(d.provider).withdrawUnstaked(d.provider.address);
      expect((await d.market.unbondingOf(d.provider.address)).amount).to.equal(0n);
      await expect(d.market.connect(d.provider).withdrawUnstaked(d.provider.address))
        .to.be.revertedWithCustomError(d.market, "RegistryNothingToWithdraw")
        .withArgs(d.provider.address);
    });

    it("makes a later request wait a full new unbonding period", async function () {
      const d = await networkHelpers.loadFixture(unbonding);
      await networkHelpers.time.increaseTo(d.unlockAt + 10n * UNBONDING);
      await d.market.connect(d.provider).withdrawUnstaked(d.provider.address);
      await d.market.connect(d.provider).requestUnstake(7n);
      const unlockAt = BigInt(await networkHelpers.time.latest()) + UNBONDING;
      expect((await d.market.unbondingOf(d.provider.address)).unlockAt).to.equal(unlockAt);
      await networkHelpers.time.setNextBlockTimestamp(unlockAt - 1n);
      await expect(d.market.connect(d.provider).withdrawUnstaked(d.provider.address))
        .to.be.revertedWithCustomError(d.market, "RegistryUnbondingNotElapsed")
        .withArgs(d.provider.address, unlockAt);
    });

    it("shrinks totalOwed by the amount, keeps the market solvent, and leaves the rest staked", async function () {
      const d = await networkHelpers.loadFixture(unbonding);
      await networkHelpers.time.increaseTo(d.unlockAt);
      const before = await d.market.totalOwed();
      await d.market.connect(d.provider).withdrawUnstaked(d.provider.address);
      expect(await d.market.totalOwed()).to.equal(before - d.unbonded);
      expect((await d.market.stakeOf(d.provider.address)).staked).to.equal(STAKE - d.unbonded);
      await expectSolvent(d.market, d.token);
    });
  });

  describe("views", function () {
    it("freeStakeOf is staked minus locked while a job is claimed", async function () {
      const d = await networkHelpers.loadFixture(fixtures.claimedJob);
      const s = await d.market.stakeOf(d.provider.address);
      expect(s.staked).to.equal(STAKE);
      expect(s.locked).to.equal(COLLATERAL);
      expect(await d.market.freeStakeOf(d.provider.address)).to.equal(STAKE - COLLATERAL);
    });

    it("stakeOf adds the payout (reward minus fee) to staked once a job is finalized", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      const s = await d.market.stakeOf(d.provider.address);
      expect(s.staked).to.equal(STAKE + PAYOUT);
      expect(s.locked).to.equal(0n);
      expect(s.completed).to.equal(1n);
    });
  });

  describe("reputation", function () {
    it("reads all counters and feesPaid as zero for a registered newcomer", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      const r = await d.market.reputationOf(d.provider.address);
      expect([r.completed, r.timedOut, r.disputesLost, r.disputesWon, r.feesPaid]).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
    });

    it("scores an account that never registered 0, like a newcomer", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      expect(await d.market.scoreFor(d.stranger.address, REWARD)).to.equal(NEWCOMER_SCORE);
    });

    it("counts a finalized job in completed and its fee in feesPaid, and nothing else", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      const r = await d.market.reputationOf(d.provider.address);
      expect([r.completed, r.timedOut, r.disputesLost, r.disputesWon, r.feesPaid]).to.deep.equal([1n, 0n, 0n, 0n, FEE]);
    });

    it("reports feesPaid as stakeOf's feeUnits times reputationUnit()", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      const { feeUnits } = await d.market.stakeOf(d.provider.address);
      expect(feeUnits).to.equal(FEE / (await d.market.reputationUnit()));
      expect((await d.market.reputationOf(d.provider.address)).feesPaid).to.equal(feeUnits * (await d.market.reputationUnit()));
    });

    it("leaves the other provider's reputation untouched", async function () {
      const d = await networkHelpers.loadFixture(finalizedJob);
      expect((await d.market.reputationOf(d.provider2.address)).feesPaid).to.equal(0n);
      expect(await d.market.scoreFor(d.provider2.address, REWARD)).to.equal(NEWCOMER_SCORE);
    });
  });
});
