import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { deployLocalSystem } from "../../scripts/lib/deploy-local.js";
import { LOCAL_PARAMETERS, MINTED, createFixtures } from "../helpers/fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createFixtures({ ethers, networkHelpers, ignition });

/** `submittedJob` plus an account that will serve as the dispute module (not set yet). */
async function seam() {
  const d = await fixtures.submittedJob();
  const module = (await ethers.getSigners())[7];
  return { ...d, module };
}

/** `seam` with the module set by the owner. */
async function seamWithModule() {
  const d = await seam();
  await d.market.connect(d.owner).setDisputeModule(d.module.address);
  return d;
}

type D = Awaited<ReturnType<typeof seam>>;
type Actor = D["owner"];
type Call = (d: D, as: Actor) => Promise<ContractTransactionResponse>;

/** Every owner-only function, with arguments that the owner itself may use. */
const OWNER_ONLY: [string, Call][] = [
  ["setFeeBps", (d, as) => d.market.connect(as).setFeeBps(250)],
  ["setAuditReserveBps", (d, as) => d.market.connect(as).setAuditReserveBps(2_500)],
  ["setJobValueBounds", (d, as) => d.market.connect(as).setJobValueBounds(LOCAL_PARAMETERS.minReward * 2n, 150, 200)],
  ["setMinStake", (d, as) => d.market.connect(as).setMinStake(1n)],
  ["setUnbondingPeriod", (d, as) => d.market.connect(as).setUnbondingPeriod(3600)],
  ["setMaxClaimDelay", (d, as) => d.market.connect(as).setMaxClaimDelay(3600)],
  ["setExecutionTimeBounds", (d, as) => d.market.connect(as).setExecutionTimeBounds(1, 3600)],
  ["setChallengeWindowBounds", (d, as) => d.market.connect(as).setChallengeWindowBounds(1, 3600)],
  ["setMaxDisputeDuration", (d, as) => d.market.connect(as).setMaxDisputeDuration(3600)],
  ["setTreasury", (d, as) => d.market.connect(as).setTreasury(as.address)],
  ["setDisputeModule", (d, as) => d.market.connect(as).setDisputeModule(as.address)],
  ["setGuardian", (d, as) => d.market.connect(as).setGuardian(as.address)],
  ["unpause", (d, as) => d.market.connect(as).unpause()],
  ["transferOwnership", (d, as) => d.market.connect(as).transferOwnership(as.address)],
  ["renounceOwnership", (d, as) => d.market.connect(as).renounceOwnership()],
];

/** Every dispute-module-only function. `prepare` (run by the module) makes the call valid for it. */
const MODULE_ONLY: { fn: string; call: Call; prepare?: (d: D) => Promise<unknown> }[] = [
  { fn: "openDispute", call: (d, as) => d.market.connect(as).openDispute(d.jobId, d.terms) },
  {
    fn: "settleDispute",
    call: (d, as) => d.market.connect(as).settleDispute(d.jobId, d.terms, true),
    prepare: (d) => d.market.connect(d.module).openDispute(d.jobId, d.terms),
  },
  { fn: "fundAudit", call: (d, as) => d.market.connect(as).fundAudit(0n) },
];

const NON_OWNERS: [string, (d: D) => Actor][] = [
  ["the treasury", (d) => d.treasury],
  ["a provider", (d) => d.provider],
  ["a stranger", (d) => d.stranger],
];

const NOT_THE_MODULE: [string, (d: D) => Actor][] = [
  ["the owner", (d) => d.owner],
  ["the requester", (d) => d.requester],
  ["the provider", (d) => d.provider],
  ["a stranger", (d) => d.stranger],
];

/** `seamWithModule` with the job finalized after its window, so the treasury has fees to withdraw. */
async function feesAccrued() {
  const d = await seamWithModule();
  await networkHelpers.time.increaseTo((await d.market.getJob(d.jobId)).deadline + 1n);
  await d.market.connect(d.keeper).finalizeJob(d.jobId, d.terms);
  return d;
}

const NOT_THE_TREASURY: [string, (d: D) => Actor][] = [
  ["the owner", (d) => d.owner],
  ["the provider", (d) => d.provider],
  ["a stranger", (d) => d.stranger],
  ["the dispute module", (d) => d.module],
];

const BOND = LOCAL_PARAMETERS.minStake;

/**
 * The whole system (market, dispute module, its verifier pool) with `verifier` bonded BOND in
 * the pool; `module` is the dispute module's contract address, which alone may call the pool's
 * lock, unlock and slash.
 */
async function pool() {
  const d = await deployLocalSystem({ ethers, ignition });
  const signers = await ethers.getSigners();
  const [verifier, stranger] = [signers[5], signers[6]];
  const verifierPool = await ethers.getContractAt("VerifierPool", await d.disputes.verifierPool());
  await d.token.connect(d.owner).mint(verifier.address, MINTED);
  await d.token.connect(verifier).approve(await verifierPool.getAddress(), BOND);
  await verifierPool.connect(verifier).bond(BOND);
  return { ...d, verifierPool, verifier, stranger, module: await d.disputes.getAddress(), marketAddress: await d.market.getAddress() };
}

type P = Awaited<ReturnType<typeof pool>>;
type PoolCall = (p: P, as: Actor) => Promise<ContractTransactionResponse>;

/** A signer for a contract's address (impersonated and funded for gas). */
async function contractSigner(address: string): Promise<Actor> {
  await networkHelpers.setBalance(address, 10n ** 18n);
  return ethers.getImpersonatedSigner(address);
}

/** The pool's dispute-module-only functions. `prepare` (run by the module) makes the call valid for it. */
const POOL_MODULE_ONLY: { fn: string; call: PoolCall; prepare?: (p: P, module: Actor) => Promise<unknown> }[] = [
  { fn: "lock", call: (p, as) => p.verifierPool.connect(as).lock(p.verifier.address, 1n) },
  {
    fn: "unlock",
    call: (p, as) => p.verifierPool.connect(as).unlock(p.verifier.address, 1n),
    prepare: (p, module) => p.verifierPool.connect(module).lock(p.verifier.address, 1n),
  },
  {
    fn: "slash",
    call: (p, as) => p.verifierPool.connect(as).slash(p.verifier.address, 1n, p.stranger.address),
    prepare: (p, module) => p.verifierPool.connect(module).lock(p.verifier.address, 1n),
  },
  {
    fn: "drawAndLock",
    call: async (p, as) =>
      p.verifierPool
        .connect(as)
        .drawAndLock(
          (await ethers.provider.getBlockNumber()) - 1,
          ethers.id("seed"),
          1,
          [ethers.ZeroAddress, ethers.ZeroAddress, ethers.ZeroAddress],
          1n,
        ),
  },
  {
    fn: "release",
    call: (p, as) => p.verifierPool.connect(as).release([{ verifier: p.verifier.address, unlock: 1n, slash: 0n }], p.stranger.address),
    prepare: (p, module) => p.verifierPool.connect(module).lock(p.verifier.address, 1n),
  },
];

const NOT_THE_POOLS_MODULE: [string, (p: P) => Promise<Actor>][] = [
  ["the owner (also the arbiter)", async (p) => p.owner],
  ["the treasury", async (p) => p.treasury],
  ["the verifier itself", async (p) => p.verifier],
  ["a stranger", async (p) => p.stranger],
  ["the market", (p) => contractSigner(p.marketAddress)],
];

describe("Access control", function () {
  describe("owner-only functions", function () {
    for (const [fn, call] of OWNER_ONLY) {
      describe(fn, function () {
        for (const [who, actor] of NON_OWNERS) {
          it(`reverts with OwnableUnauthorizedAccount for ${who}`, async function () {
            const d = await networkHelpers.loadFixture(seam);
            const caller = actor(d);
            await expect(call(d, caller)).to.be.revertedWithCustomError(d.market, "OwnableUnauthorizedAccount").withArgs(caller.address);
          });
        }

        // renounceOwnership is disabled for everyone (see the test below).
        if (fn !== "renounceOwnership") {
          it("succeeds for the owner", async function () {
            const d = await networkHelpers.loadFixture(seam);
            await expect(call(d, d.owner)).not.to.revert(ethers);
          });
        }
      });
    }

    describe("pause (the owner or the guardian)", function () {
      for (const [who, actor] of NON_OWNERS) {
        it(`reverts with GovNotGuardian for ${who}`, async function () {
          const d = await networkHelpers.loadFixture(seam);
          const caller = actor(d);
          await expect(d.market.connect(caller).pause()).to.be.revertedWithCustomError(d.market, "GovNotGuardian").withArgs(caller.address);
        });
      }

      it("succeeds for the owner", async function () {
        const d = await networkHelpers.loadFixture(seam);
        await expect(d.market.connect(d.owner).pause()).to.emit(d.market, "MarketPausedChanged").withArgs(true, d.owner.address);
      });

      it("succeeds for the guardian, who still cannot unpause", async function () {
        const d = await networkHelpers.loadFixture(seam);
        await d.market.connect(d.owner).setGuardian(d.stranger.address);
        await expect(d.market.connect(d.stranger).pause()).to.emit(d.market, "MarketPausedChanged").withArgs(true, d.stranger.address);
        await expect(d.market.connect(d.stranger).unpause())
          .to.be.revertedWithCustomError(d.market, "OwnableUnauthorizedAccount")
          .withArgs(d.stranger.address);
      });
    });

    it("covers every setter in the market's ABI", async function () {
      const d = await networkHelpers.loadFixture(seam);
      const setters: string[] = [];
      d.market.interface.forEachFunction((f) => {
        if (/^set[A-Z]/.test(f.name) && !f.constant) setters.push(f.name);
      });
      const listed = new Set(OWNER_ONLY.map(([fn]) => fn));
      expect(setters.filter((fn) => !listed.has(fn))).to.deep.equal([]);
      expect(setters).to.include("setJobValueBounds");
    });

    it("renounceOwnership is disabled even for the owner, so a pause can always be lifted", async function () {
      const d = await networkHelpers.loadFixture(seam);
      await expect(d.market.connect(d.owner).renounceOwnership()).to.be.revertedWithCustomError(d.market, "GovRenounceDisabled");
      expect(await d.market.owner()).to.equal(d.owner.address);
    });
  });

  /** The dispute-module guard, checked for every caller who is not the module. */
  function refusesEveryoneButTheModule(fixture: () => Promise<D>) {
    for (const { fn, call } of MODULE_ONLY) {
      describe(fn, function () {
        for (const [who, actor] of NOT_THE_MODULE) {
          it(`reverts with GovNotDisputeModule for ${who}`, async function () {
            const d = await networkHelpers.loadFixture(fixture);
            const caller = actor(d);
            await expect(call(d, caller)).to.be.revertedWithCustomError(d.market, "GovNotDisputeModule").withArgs(caller.address);
          });
        }
      });
    }
  }

  describe("dispute-module-only functions", function () {
    describe("before a dispute module is set", function () {
      it("the module address is zero", async function () {
        const d = await networkHelpers.loadFixture(seam);
        expect(await d.market.disputeModule()).to.equal(ethers.ZeroAddress);
      });

      refusesEveryoneButTheModule(seam);
    });

    describe("after a dispute module is set", function () {
      refusesEveryoneButTheModule(seamWithModule);

      for (const { fn, call, prepare } of MODULE_ONLY) {
        it(`lets the module itself call ${fn}`, async function () {
          const d = await networkHelpers.loadFixture(seamWithModule);
          if (prepare) await prepare(d);
          await expect(call(d, d.module)).not.to.revert(ethers);
        });
      }

      it("refuses the previous module once it is replaced", async function () {
        const d = await networkHelpers.loadFixture(seamWithModule);
        await d.market.connect(d.owner).setDisputeModule(d.keeper.address);
        await expect(d.market.connect(d.module).openDispute(d.jobId, d.terms))
          .to.be.revertedWithCustomError(d.market, "GovNotDisputeModule")
          .withArgs(d.module.address);
      });
    });
  });

  describe("treasury-only functions", function () {
    describe("withdrawFees", function () {
      for (const [who, actor] of NOT_THE_TREASURY) {
        it(`reverts with GovNotTreasury for ${who}`, async function () {
          const d = await networkHelpers.loadFixture(feesAccrued);
          const caller = actor(d);
          await expect(d.market.connect(caller).withdrawFees())
            .to.be.revertedWithCustomError(d.market, "GovNotTreasury")
            .withArgs(caller.address);
        });
      }

      it("succeeds for the treasury", async function () {
        const d = await networkHelpers.loadFixture(feesAccrued);
        await expect(d.market.connect(d.treasury).withdrawFees()).not.to.revert(ethers);
      });
    });
  });

  describe("VerifierPool: dispute-module-only functions", function () {
    it("the pool's dispute module is the HashworkDisputes that created it", async function () {
      const p = await networkHelpers.loadFixture(pool);
      expect(await p.verifierPool.disputeModule()).to.equal(p.module);
    });

    for (const { fn, call, prepare } of POOL_MODULE_ONLY) {
      describe(fn, function () {
        for (const [who, actor] of NOT_THE_POOLS_MODULE) {
          it(`reverts with PoolNotDisputeModule for ${who}`, async function () {
            const p = await networkHelpers.loadFixture(pool);
            if (prepare) await prepare(p, await contractSigner(p.module));
            const caller = await actor(p);
            await expect(call(p, caller)).to.be.revertedWithCustomError(p.verifierPool, "PoolNotDisputeModule").withArgs(caller.address);
          });
        }

        it("succeeds for the dispute module", async function () {
          const p = await networkHelpers.loadFixture(pool);
          const module = await contractSigner(p.module);
          if (prepare) await prepare(p, module);
          await expect(call(p, module)).not.to.revert(ethers);
        });
      });
    }
  });

  describe("HashworkToken.mint", function () {
    it("reverts with OwnableUnauthorizedAccount for a non-owner", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.token.connect(d.stranger).mint(d.stranger.address, 1n))
        .to.be.revertedWithCustomError(d.token, "OwnableUnauthorizedAccount")
        .withArgs(d.stranger.address);
    });

    it("mints for the token owner", async function () {
      const d = await networkHelpers.loadFixture(fixtures.deployed);
      await expect(d.token.connect(d.owner).mint(d.stranger.address, 1n)).to.changeTokenBalance(ethers, d.token, d.stranger, 1n);
    });
  });
});
