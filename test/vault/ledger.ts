import { expect } from "chai";
import { network } from "hardhat";

import { LOCAL_PARAMETERS, MINTED, REWARD, TOKEN_UNIT, createFixtures, jobRequest } from "../helpers/fixtures.js";
import { marketConfig } from "../../ignition/parameters/defaults.js";
import { deployLocalSystem } from "../../scripts/lib/deploy-local.js";
import { expectSolvent, signPermit } from "./support.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });

const AMOUNT = 25n * TOKEN_UNIT;
const UINT96_MAX = 2n ** 96n - 1n;

/** `deployed` plus a funded account that has not approved the market (for permits). */
async function withFreshHolder() {
  const d = await fixtures.deployed();
  const signers = await ethers.getSigners();
  const alice = signers[8];
  await d.token.connect(d.owner).mint(alice.address, MINTED);
  return { ...d, alice };
}

/** `deployed` plus AMOUNT deposited into the requester's ledger balance. */
async function withBalance() {
  const d = await fixtures.deployed();
  await d.market.connect(d.requester).deposit(d.requester.address, AMOUNT);
  return d;
}

type Deployment = Awaited<ReturnType<typeof withFreshHolder>>;

const BOND = LOCAL_PARAMETERS.minStake;

/** The whole system with `verifier` bonded BOND in the verifier pool (whose bonds sit in the ledger). */
async function withBondedVerifier() {
  const d = await deployLocalSystem({ ethers, ignition });
  const [verifier, stranger] = (await ethers.getSigners()).slice(5, 7);
  const verifierPool = await ethers.getContractAt("VerifierPool", await d.disputes.verifierPool());
  const poolAddress = await verifierPool.getAddress();
  await d.token.connect(d.owner).mint(verifier.address, MINTED);
  await d.token.connect(verifier).approve(poolAddress, ethers.MaxUint256);
  await verifierPool.connect(verifier).bond(BOND);
  return { ...d, verifierPool, poolAddress, verifier, stranger };
}

/** A signer for the dispute module's contract address: the only caller the pool lets lock and slash. */
async function disputeModuleSigner(d: Awaited<ReturnType<typeof withBondedVerifier>>) {
  const address = await d.disputes.getAddress();
  await networkHelpers.setBalance(address, 10n ** 18n);
  return ethers.getImpersonatedSigner(address);
}

async function permitDeadline() {
  return BigInt(await networkHelpers.time.latest()) + 3600n;
}

describe("TokenVault: the ledger", function () {
  describe("deposit", function () {
    it("credits the named account, which need not be the payer", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await d.market.connect(d.requester).deposit(d.stranger.address, AMOUNT);
      expect(await d.market.balanceOf(d.stranger.address)).to.equal(AMOUNT);
      expect(await d.market.balanceOf(d.requester.address)).to.equal(0n);
    });

    it("pulls the amount from the caller's wallet into the market", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.requester).deposit(d.stranger.address, AMOUNT)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.requester, d.stranger, d.market],
        [-AMOUNT, 0n, AMOUNT],
      );
    });

    it("grows totalOwed by the amount", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      const before = await d.market.totalOwed();
      await d.market.connect(d.keeper).deposit(d.keeper.address, AMOUNT);
      expect(await d.market.totalOwed()).to.equal(before + AMOUNT);
    });

    it("adds to an existing balance", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await d.market.connect(d.keeper).deposit(d.requester.address, 3n);
      expect(await d.market.balanceOf(d.requester.address)).to.equal(AMOUNT + 3n);
    });

    it("emits Deposited(account, payer, amount)", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.requester).deposit(d.stranger.address, AMOUNT))
        .to.emit(d.market, "Deposited")
        .withArgs(d.stranger.address, d.requester.address, AMOUNT);
    });

    it("refuses a zero amount with VaultZeroAmount", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.requester).deposit(d.requester.address, 0n)).to.be.revertedWithCustomError(
        d.market,
        "VaultZeroAmount",
      );
    });

    it("refuses more than 2^96-1 with VaultAmountTooLarge", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.requester).deposit(d.requester.address, UINT96_MAX + 1n))
        .to.be.revertedWithCustomError(d.market, "VaultAmountTooLarge")
        .withArgs(UINT96_MAX + 1n, UINT96_MAX);
    });

    it("accepts exactly 2^96-1", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await d.token.connect(d.owner).mint(d.keeper.address, UINT96_MAX);
      await d.market.connect(d.keeper).deposit(d.keeper.address, UINT96_MAX);
      expect(await d.market.balanceOf(d.keeper.address)).to.equal(UINT96_MAX);
    });

    it("fails at the transfer when the caller has no allowance", async function () {
      const d = await networkHelpers.loadFixture(withFreshHolder);
      await expect(d.market.connect(d.alice).deposit(d.alice.address, AMOUNT))
        .to.be.revertedWithCustomError(d.token, "ERC20InsufficientAllowance")
        .withArgs(d.marketAddress, 0n, AMOUNT);
    });
  });

  describe("depositWithPermit", function () {
    async function signedFor(d: Deployment, value = AMOUNT) {
      const deadline = await permitDeadline();
      const sig = await signPermit(ethers, d.token, d.alice, d.marketAddress, value, deadline);
      return { deadline, sig };
    }

    it("deposits for an account with no prior allowance", async function () {
      const d = await networkHelpers.loadFixture(withFreshHolder);
      const { deadline, sig } = await signedFor(d);
      await expect(
        d.market.connect(d.alice).depositWithPermit(d.alice.address, AMOUNT, deadline, sig.v, sig.r, sig.s),
      ).to.changeTokenBalances(ethers, d.token, [d.alice, d.market], [-AMOUNT, AMOUNT]);
      expect(await d.market.balanceOf(d.alice.address)).to.equal(AMOUNT);
    });

    it("consumes the permit: its nonce is used and no allowance is left over", async function () {
      const d = await networkHelpers.loadFixture(withFreshHolder);
      const { deadline, sig } = await signedFor(d);
      await d.market.connect(d.alice).depositWithPermit(d.alice.address, AMOUNT, deadline, sig.v, sig.r, sig.s);
      expect(await d.token.nonces(d.alice.address)).to.equal(1n);
      expect(await d.token.allowance(d.alice.address, d.marketAddress)).to.equal(0n);
    });

    it("emits Deposited(account, payer, amount), crediting any account", async function () {
      const d = await networkHelpers.loadFixture(withFreshHolder);
      const { deadline, sig } = await signedFor(d);
      await expect(d.market.connect(d.alice).depositWithPermit(d.stranger.address, AMOUNT, deadline, sig.v, sig.r, sig.s))
        .to.emit(d.market, "Deposited")
        .withArgs(d.stranger.address, d.alice.address, AMOUNT);
      expect(await d.market.balanceOf(d.stranger.address)).to.equal(AMOUNT);
    });

    it("still succeeds when someone front-ran the permit (the allowance is already there)", async function () {
      const d = await networkHelpers.loadFixture(withFreshHolder);
      const { deadline, sig } = await signedFor(d);
      // A watcher copies the signature from the mempool and submits it first.
      await d.token.connect(d.stranger).permit(d.alice.address, d.marketAddress, AMOUNT, deadline, sig.v, sig.r, sig.s);
      await d.market.connect(d.alice).depositWithPermit(d.alice.address, AMOUNT, deadline, sig.v, sig.r, sig.s);
      expect(await d.market.balanceOf(d.alice.address)).to.equal(AMOUNT);
    });

    it("still succeeds with an already-used permit when an approval covers the amount", async function () {
      const d = await networkHelpers.loadFixture(withFreshHolder);
      const { deadline, sig } = await signedFor(d);
      await d.market.connect(d.alice).depositWithPermit(d.alice.address, AMOUNT, deadline, sig.v, sig.r, sig.s);
      await d.token.connect(d.alice).approve(d.marketAddress, AMOUNT);
      await d.market.connect(d.alice).depositWithPermit(d.alice.address, AMOUNT, deadline, sig.v, sig.r, sig.s);
      expect(await d.market.balanceOf(d.alice.address)).to.equal(2n * AMOUNT);
    });

    it("fails at the transfer when the permit is invalid and there is no allowance", async function () {
      const d = await networkHelpers.loadFixture(withFreshHolder);
      const { deadline, sig } = await signedFor(d, AMOUNT - 1n); // signed for another value
      await expect(d.market.connect(d.alice).depositWithPermit(d.alice.address, AMOUNT, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(d.token, "ERC20InsufficientAllowance")
        .withArgs(d.marketAddress, 0n, AMOUNT);
    });

    it("refuses a zero amount with VaultZeroAmount", async function () {
      const d = await networkHelpers.loadFixture(withFreshHolder);
      const { deadline, sig } = await signedFor(d, 0n);
      await expect(
        d.market.connect(d.alice).depositWithPermit(d.alice.address, 0n, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(d.market, "VaultZeroAmount");
    });
  });

  describe("withdraw", function () {
    it("sends tokens from the caller's balance to any address", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await expect(d.market.connect(d.requester).withdraw(d.stranger.address, 10n)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.market, d.stranger, d.requester],
        [-10n, 10n, 0n],
      );
      expect(await d.market.balanceOf(d.requester.address)).to.equal(AMOUNT - 10n);
    });

    it("can empty the balance exactly", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await d.market.connect(d.requester).withdraw(d.requester.address, AMOUNT);
      expect(await d.market.balanceOf(d.requester.address)).to.equal(0n);
    });

    it("emits Withdrawn(account, to, amount)", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await expect(d.market.connect(d.requester).withdraw(d.stranger.address, AMOUNT))
        .to.emit(d.market, "Withdrawn")
        .withArgs(d.requester.address, d.stranger.address, AMOUNT);
    });

    it("shrinks totalOwed by the amount", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      const before = await d.market.totalOwed();
      await d.market.connect(d.requester).withdraw(d.requester.address, 7n);
      expect(await d.market.totalOwed()).to.equal(before - 7n);
    });

    it("refuses a zero amount with VaultZeroAmount", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await expect(d.market.connect(d.requester).withdraw(d.requester.address, 0n)).to.be.revertedWithCustomError(
        d.market,
        "VaultZeroAmount",
      );
    });

    it("refuses more than the balance with VaultInsufficientBalance(account, balance, needed)", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await expect(d.market.connect(d.requester).withdraw(d.requester.address, AMOUNT + 1n))
        .to.be.revertedWithCustomError(d.market, "VaultInsufficientBalance")
        .withArgs(d.requester.address, AMOUNT, AMOUNT + 1n);
    });

    it("refuses an account with no balance, even though the market holds tokens", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await expect(d.market.connect(d.stranger).withdraw(d.stranger.address, 1n))
        .to.be.revertedWithCustomError(d.market, "VaultInsufficientBalance")
        .withArgs(d.stranger.address, 0n, 1n);
    });
  });

  describe("transferBalance", function () {
    it("moves ledger balance between accounts", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await d.market.connect(d.requester).transferBalance(d.stranger.address, 4n);
      expect(await d.market.balanceOf(d.requester.address)).to.equal(AMOUNT - 4n);
      expect(await d.market.balanceOf(d.stranger.address)).to.equal(4n);
    });

    it("moves no tokens and leaves totalOwed unchanged", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      const before = await d.market.totalOwed();
      await expect(d.market.connect(d.requester).transferBalance(d.stranger.address, 4n)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.market, d.requester, d.stranger],
        [0n, 0n, 0n],
      );
      expect(await d.market.totalOwed()).to.equal(before);
    });

    it("emits BalanceTransferred(from, to, amount)", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await expect(d.market.connect(d.requester).transferBalance(d.stranger.address, 4n))
        .to.emit(d.market, "BalanceTransferred")
        .withArgs(d.requester.address, d.stranger.address, 4n);
    });

    it("lets the recipient withdraw what it received", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await d.market.connect(d.requester).transferBalance(d.stranger.address, 4n);
      await expect(d.market.connect(d.stranger).withdraw(d.stranger.address, 4n)).to.changeTokenBalance(ethers, d.token, d.stranger, 4n);
    });

    it("refuses a zero amount with VaultZeroAmount", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await expect(d.market.connect(d.requester).transferBalance(d.stranger.address, 0n)).to.be.revertedWithCustomError(
        d.market,
        "VaultZeroAmount",
      );
    });

    it("refuses more than the balance with VaultInsufficientBalance", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await expect(d.market.connect(d.requester).transferBalance(d.stranger.address, AMOUNT + 1n))
        .to.be.revertedWithCustomError(d.market, "VaultInsufficientBalance")
        .withArgs(d.requester.address, AMOUNT, AMOUNT + 1n);
    });
  });

  describe("when the zero address would receive tokens", function () {
    it("refuses a deposit to it with VaultZeroAddress", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.market.connect(d.requester).deposit(ethers.ZeroAddress, AMOUNT)).to.be.revertedWithCustomError(
        d.market,
        "VaultZeroAddress",
      );
    });

    it("refuses a withdrawal to it with VaultZeroAddress", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await expect(d.market.connect(d.requester).withdraw(ethers.ZeroAddress, AMOUNT)).to.be.revertedWithCustomError(
        d.market,
        "VaultZeroAddress",
      );
    });

    it("refuses a ledger transfer to it with VaultZeroAddress", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await expect(d.market.connect(d.requester).transferBalance(ethers.ZeroAddress, AMOUNT)).to.be.revertedWithCustomError(
        d.market,
        "VaultZeroAddress",
      );
    });

    it("refuses an unstake withdrawal to it with VaultZeroAddress", async function () {
      const d = await networkHelpers.loadFixture(fixtures.staked);
      await d.market.connect(d.provider).requestUnstake(AMOUNT);
      await networkHelpers.time.increase(LOCAL_PARAMETERS.unbondingPeriod + 1);
      await expect(d.market.connect(d.provider).withdrawUnstaked(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        d.market,
        "VaultZeroAddress",
      );
    });
  });

  describe("construction", function () {
    it("exposes the settlement token", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      expect(await d.market.token()).to.equal(await d.token.getAddress());
    });

    it("refuses a token address without code with VaultInvalidToken", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      const eoa = d.stranger.address;
      const p = LOCAL_PARAMETERS;
      await expect(
        ethers.deployContract("HashworkMarket", [
          eoa,
          d.owner.address,
          d.treasury.address,
          marketConfig(p),
          p.feeBps,
          p.maxDisputeDuration,
        ]),
      )
        .to.be.revertedWithCustomError(d.market, "VaultInvalidToken")
        .withArgs(eoa);
    });
  });

  describe("verifier bonds (held under the VerifierPool's account)", function () {
    it("a bond credits the pool's ledger balance with exactly what the pool owes its verifiers", async function () {
      const d = await networkHelpers.loadFixture(withBondedVerifier);
      expect(await d.market.balanceOf(d.poolAddress)).to.equal(BOND);
      expect(await d.verifierPool.totalHeld()).to.equal(BOND);
    });

    it("a bond moves the tokens from the verifier into the market, none staying in the pool", async function () {
      const d = await networkHelpers.loadFixture(withBondedVerifier);
      await expect(d.verifierPool.connect(d.verifier).bond(AMOUNT)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.verifier, d.verifierPool, d.market],
        [-AMOUNT, 0n, AMOUNT],
      );
    });

    it("a bond grows totalOwed by the amount and keeps the market solvent", async function () {
      const d = await networkHelpers.loadFixture(withBondedVerifier);
      const before = await d.market.totalOwed();
      await d.verifierPool.connect(d.verifier).bond(AMOUNT);
      expect(await d.market.totalOwed()).to.equal(before + AMOUNT);
      await expectSolvent(d.market, d.token);
    });

    it("a slash moves ledger balance from the pool to the beneficiary, leaving totalOwed unchanged", async function () {
      const d = await networkHelpers.loadFixture(withBondedVerifier);
      const module = await disputeModuleSigner(d);
      await d.verifierPool.connect(module).lock(d.verifier.address, 4n);
      const owed = await d.market.totalOwed();
      await d.verifierPool.connect(module).slash(d.verifier.address, 4n, d.stranger.address);
      expect(await d.market.balanceOf(d.stranger.address)).to.equal(4n);
      expect(await d.market.balanceOf(d.poolAddress)).to.equal(await d.verifierPool.totalHeld());
      expect(await d.market.totalOwed()).to.equal(owed);
    });

    it("a withdrawal after the delay pays the verifier out of the market and shrinks totalOwed", async function () {
      const d = await networkHelpers.loadFixture(withBondedVerifier);
      await d.verifierPool.connect(d.verifier).requestWithdrawal(BOND);
      await networkHelpers.time.increase(await d.verifierPool.withdrawalDelay());
      const owed = await d.market.totalOwed();
      await expect(d.verifierPool.connect(d.verifier).withdraw(d.verifier.address)).to.changeTokenBalances(
        ethers,
        d.token,
        [d.verifier, d.market],
        [BOND, -BOND],
      );
      expect(await d.market.totalOwed()).to.equal(owed - BOND);
      expect(await d.market.balanceOf(d.poolAddress)).to.equal(0n);
      await expectSolvent(d.market, d.token);
    });

    it("a stray deposit to the pool's account is swept to the treasury's ledger balance, not to a verifier", async function () {
      const d = await networkHelpers.loadFixture(withBondedVerifier);
      await d.token.connect(d.owner).mint(d.stranger.address, AMOUNT);
      await d.token.connect(d.stranger).approve(await d.market.getAddress(), AMOUNT);
      await d.market.connect(d.stranger).deposit(d.poolAddress, AMOUNT);
      await expect(d.verifierPool.connect(d.stranger).sweepSurplus())
        .to.emit(d.verifierPool, "SurplusSwept")
        .withArgs(d.treasury.address, AMOUNT);
      expect(await d.market.balanceOf(d.treasury.address)).to.equal(AMOUNT);
      expect(await d.market.balanceOf(d.poolAddress)).to.equal(await d.verifierPool.totalHeld());
    });
  });

  describe("solvency: totalOwed equals token.balanceOf(market)", function () {
    type D = Awaited<ReturnType<typeof withBalance>>;
    const operations: [string, (d: D) => Promise<unknown>][] = [
      ["a deposit", (d) => d.market.connect(d.keeper).deposit(d.stranger.address, AMOUNT)],
      ["a deposit of one wei", (d) => d.market.connect(d.keeper).deposit(d.keeper.address, 1n)],
      ["a partial withdrawal", (d) => d.market.connect(d.requester).withdraw(d.stranger.address, 3n)],
      ["a full withdrawal", (d) => d.market.connect(d.requester).withdraw(d.requester.address, AMOUNT)],
      ["a balance transfer", (d) => d.market.connect(d.requester).transferBalance(d.keeper.address, AMOUNT)],
      ["a stake", (d) => d.market.connect(d.provider).stake(REWARD)],
      [
        "a job paid partly from the ledger and partly by allowance",
        async (d) => {
          const now = await networkHelpers.time.latest();
          return d.market.connect(d.requester).postJob(jobRequest(now, { reward: AMOUNT + REWARD }));
        },
      ],
      [
        "a transfer, then a withdrawal by the recipient",
        async (d) => {
          await d.market.connect(d.requester).transferBalance(d.keeper.address, 5n);
          return d.market.connect(d.keeper).withdraw(d.keeper.address, 5n);
        },
      ],
    ];

    it("holds right after deployment and a first deposit", async function () {
      const d = await networkHelpers.loadFixture(withBalance);
      await expectSolvent(d.market, d.token);
      expect(await d.market.totalOwed()).to.equal(AMOUNT);
    });

    for (const [name, operation] of operations) {
      it(`holds after ${name}`, async function () {
        const d = await networkHelpers.loadFixture(withBalance);
        await operation(d);
        await expectSolvent(d.market, d.token);
      });
    }
  });
});
