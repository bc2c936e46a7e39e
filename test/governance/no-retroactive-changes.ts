/**
 * Issue 13: owner powers that used to reach into open jobs and disputes.
 *
 * Attacks (old): `setDisputeModule(ownerAccount)` then lockStake + slashStake took a verifier's
 * whole stake; replacing the module mid-vote left the challenger's bond and every lock stuck (the
 * old module's calls into the market reverted GovNotDisputeModule); a verifier fee raised
 * mid-dispute took the provider's compensation from 18.5 to 0; `setMaxDisputeDuration` below two
 * rounds voided disputes mid-vote; a huge verifier lock sent every dispute to the arbiter.
 * Now: the module that opened a dispute settles it (and only it); a dispute keeps the configuration
 * it opened under; the dispute deadline must fit every round; a lock is at most the minimum bond.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { deployLocalDisputes, disputeConfig } from "../../scripts/lib/deploy-local.js";
import {
  BOND,
  DISPUTE_PARAMETERS,
  JobState,
  Phase,
  VERIFIER_FEE,
  challengeCommitment,
  createDisputeFixtures,
  expectSystemSolvent,
  vote,
  type Drawn,
} from "../disputes/fixtures.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { loadFixture } = networkHelpers;

/** A drawn dispute, then the owner replaces the module with a fresh one (`next`). */
async function moduleSwapped() {
  const d = await fixtures.drawn();
  const { disputes: next } = await deployLocalDisputes({ ethers, ignition }, await d.market.getAddress());
  await d.market.connect(d.owner).setDisputeModule(await next.getAddress());
  return { ...d, next };
}

/** Every seat votes for the provider's hash, then anyone resolves through the old module. */
async function resolvedByTheOldModule(d: Drawn) {
  await vote(
    d.disputes,
    d.jobId,
    d.seat,
    d.seat.map(() => d.providerHash),
  );
  return d.disputes.resolve(d.jobId, d.terms);
}

describe("Governance cannot reach into open jobs and disputes", function () {
  describe("replacing the dispute module while a vote is open", function () {
    it("records which module opened the dispute", async function () {
      const d = await loadFixture(moduleSwapped);
      expect(await d.market.disputeModuleOf(d.jobId)).to.equal(d.disputesAddress);
    });

    it("lets the old module resolve its dispute: the job settles, nothing stays held or locked", async function () {
      const d = await loadFixture(moduleSwapped);
      await resolvedByTheOldModule(d);
      expect(await d.market.jobState(d.jobId)).to.equal(JobState.Finalized);
      expect((await d.disputes.getDispute(d.jobId)).phase).to.equal(Phase.Resolved);
      expect(await d.disputes.totalHeld()).to.equal(0n);
      for (const v of d.seat) expect((await d.pool.memberOf(v.address)).locked).to.equal(0n);
      await expectSystemSolvent(d);
    });

    it("pays the challenger's bond out as the rules say (to the provider and the verifiers), none stuck", async function () {
      const d = await loadFixture(moduleSwapped);
      const providerBefore = await d.market.balanceOf(d.provider.address);
      await resolvedByTheOldModule(d);
      // The wrong challenger's bond pays three verifier fees and compensates the provider.
      expect(await d.market.balanceOf(d.disputesAddress)).to.equal(0n);
      expect((await d.market.balanceOf(d.provider.address)) - providerBefore).to.be.greaterThanOrEqual(BOND - 3n * VERIFIER_FEE);
    });

    it("refuses the new module's settleDispute for the old module's dispute (GovNotDisputeModule)", async function () {
      const d = await loadFixture(moduleSwapped);
      const nextAsSigner = await ethers.getImpersonatedSigner(await d.next.getAddress());
      await networkHelpers.setBalance(nextAsSigner.address, 10n ** 18n);
      await expect(d.market.connect(nextAsSigner).settleDispute(d.jobId, d.terms, false))
        .to.be.revertedWithCustomError(d.market, "GovNotDisputeModule")
        .withArgs(nextAsSigner.address);
    });

    it("refuses an owner account set as the module: it cannot settle the open dispute against the provider", async function () {
      const d = await loadFixture(fixtures.drawn);
      await d.market.connect(d.owner).setDisputeModule(d.owner.address);
      await expect(d.market.connect(d.owner).settleDispute(d.jobId, d.terms, false))
        .to.be.revertedWithCustomError(d.market, "GovNotDisputeModule")
        .withArgs(d.owner.address);
    });

    it("sends later disputes to the new module: the old one can no longer open any (GovNotDisputeModule)", async function () {
      const d = await loadFixture(moduleSwapped);
      const second = await fixtures.submitJob(d);
      await d.disputes
        .connect(d.challenger)
        .commitChallenge(challengeCommitment(second.jobId, second.challengerHash, d.challenger.address, ethers.ZeroHash));
      await expect(d.disputes.connect(d.challenger).challenge(second.jobId, second.terms, second.challengerHash, ethers.ZeroHash))
        .to.be.revertedWithCustomError(d.market, "GovNotDisputeModule")
        .withArgs(d.disputesAddress);
    });
  });

  describe("a replacement module keeps the verifier bonds", function () {
    /** `moduleSwapped` with the pool shared with the new module, and a fresh job submitted. */
    async function shared() {
      const d = await moduleSwapped();
      await d.disputes.connect(d.owner).sharePool(await d.next.getAddress());
      return { ...d, ...(await fixtures.submitJob(d)) };
    }

    it("adopts the verifier pool of the module it replaces", async function () {
      const d = await loadFixture(moduleSwapped);
      expect(await d.next.verifierPool()).to.equal(d.poolAddress);
    });

    it("may not lock bonds until the old module shares the pool (PoolNotDisputeModule)", async function () {
      const d = await loadFixture(moduleSwapped);
      expect(await d.pool.isDisputeModule(await d.next.getAddress())).to.equal(false);
    });

    it("draws its committees from the bonds already there once shared", async function () {
      const d = await loadFixture(shared);
      const nextAddress = await d.next.getAddress();
      expect(await d.pool.isDisputeModule(nextAddress)).to.equal(true);
      await d.token.connect(d.challenger).approve(nextAddress, ethers.MaxUint256);
      await d.next
        .connect(d.challenger)
        .commitChallenge(challengeCommitment(d.jobId, d.challengerHash, d.challenger.address, ethers.ZeroHash));
      await d.next.connect(d.challenger).challenge(d.jobId, d.terms, d.challengerHash, ethers.ZeroHash);
      await networkHelpers.mine(1);
      const receipt = (await (await d.next.drawCommittee(d.jobId, d.terms)).wait())!;
      const drawn = receipt.logs.map((l) => d.next.interface.parseLog(l)).find((p) => p?.name === "CommitteeDrawn");
      expect(drawn, "a committee was drawn").to.not.equal(undefined);
      const bonded = d.verifiers.map((v) => v.address);
      for (const v of drawn!.args.verifiers as string[]) expect(bonded).to.include(v);
    });

    it("refuses sharePool to anyone but the module's owner", async function () {
      const d = await loadFixture(moduleSwapped);
      await expect(d.disputes.connect(d.challenger).sharePool(d.challenger.address))
        .to.be.revertedWithCustomError(d.disputes, "OwnableUnauthorizedAccount")
        .withArgs(d.challenger.address);
    });
  });

  describe("a configuration change during a dispute", function () {
    /** A drawn dispute, then the owner raises the verifier fee fivefold and the lock. */
    async function feeRaised() {
      const d = await fixtures.drawn();
      const raised = { ...DISPUTE_PARAMETERS, verifierFee: VERIFIER_FEE * 5n, challengeBond: BOND * 2n };
      await d.disputes.connect(d.owner).setConfig(disputeConfig(raised));
      return { ...d, raised };
    }

    it("adds a configuration version and leaves the dispute on the one it opened under", async function () {
      const d = await loadFixture(feeRaised);
      expect((await d.disputes.config()).verifierFee).to.not.equal((await d.disputes.disputeConfig(d.jobId)).verifierFee);
      expect((await d.disputes.getDispute(d.jobId)).configVersion).to.equal(0n);
      expect((await d.disputes.disputeConfig(d.jobId)).verifierFee).to.equal(VERIFIER_FEE);
    });

    it("pays the verifiers the fee of the dispute's terms, not the raised one", async function () {
      const d = await loadFixture(feeRaised);
      const before = await Promise.all(d.seat.map((v) => d.market.balanceOf(v.address)));
      await resolvedByTheOldModule(d);
      for (const [i, v] of d.seat.entries()) {
        expect((await d.market.balanceOf(v.address)) - before[i]).to.equal(VERIFIER_FEE);
      }
    });

    it("applies the new configuration to the next dispute (its bond)", async function () {
      const d = await loadFixture(feeRaised);
      const second = await fixtures.submitJob(d);
      await d.disputes
        .connect(d.challenger)
        .commitChallenge(challengeCommitment(second.jobId, second.challengerHash, d.challenger.address, ethers.ZeroHash));
      await d.disputes.connect(d.challenger).challenge(second.jobId, second.terms, second.challengerHash, ethers.ZeroHash);
      const dispute = await d.disputes.getDispute(second.jobId);
      expect([dispute.bond, dispute.configVersion]).to.deep.equal([d.raised.challengeBond, 1n]);
    });
  });

  describe("bounds that keep every dispute resolvable", function () {
    it("refuses a dispute deadline shorter than the module's rounds (GovValueOutOfBounds)", async function () {
      const d = await loadFixture(fixtures.deployed);
      const rounds = await d.disputes.minDisputeDuration();
      // Each round's periods plus 5 minutes to draw and resolve, then 30 minutes for the arbiter.
      expect(rounds).to.equal(
        BigInt(DISPUTE_PARAMETERS.maxRounds) * BigInt(DISPUTE_PARAMETERS.commitPeriod + DISPUTE_PARAMETERS.revealPeriod + 300) + 1800n,
      );
      await expect(d.market.connect(d.owner).setMaxDisputeDuration(rounds - 1n))
        .to.be.revertedWithCustomError(d.market, "GovValueOutOfBounds")
        .withArgs(ethers.encodeBytes32String("maxDisputeDuration"), rounds - 1n, rounds, await d.market.MAX_DISPUTE_DURATION());
    });

    it("accepts a dispute deadline that fits every round and the arbiter exactly", async function () {
      const d = await loadFixture(fixtures.deployed);
      const rounds = await d.disputes.minDisputeDuration();
      await d.market.connect(d.owner).setMaxDisputeDuration(rounds);
      expect(await d.market.maxDisputeDuration()).to.equal(rounds);
    });

    it("refuses a new module whose disputes do not fit a deadline lowered since it was deployed (landing-4 #1)", async function () {
      const d = await loadFixture(fixtures.deployed);
      const day = 24 * 3600;
      // Fits the 14-day deadline when deployed: 2 × (3.4 days + 3.4 days + 5 min) + 30 min.
      const slow = { ...DISPUTE_PARAMETERS, commitPeriod: Math.floor(3.4 * day), revealPeriod: Math.floor(3.4 * day) };
      const next = await ethers.deployContract("HashworkDisputes", [
        await d.market.getAddress(),
        d.owner.address,
        d.owner.address,
        disputeConfig(slow),
      ]);
      // The current module's rounds fit one day, so the market accepts it.
      await d.market.connect(d.owner).setMaxDisputeDuration(day);
      const rounds = await next.minDisputeDuration();
      await expect(d.market.connect(d.owner).setDisputeModule(await next.getAddress()))
        .to.be.revertedWithCustomError(d.market, "GovValueOutOfBounds")
        .withArgs(ethers.encodeBytes32String("maxDisputeDuration"), day, rounds, await d.market.MAX_DISPUTE_DURATION());
    });

    it("refuses a verifier lock above the minimum bond (DisputeInvalidParameter)", async function () {
      const d = await loadFixture(fixtures.deployed);
      const minStake = (await d.market.config()).minStake;
      await expect(d.disputes.connect(d.owner).setConfig(disputeConfig({ ...DISPUTE_PARAMETERS, verifierLock: minStake + 1n })))
        .to.be.revertedWithCustomError(d.disputes, "DisputeInvalidParameter")
        .withArgs(ethers.encodeBytes32String("verifierLock"), minStake + 1n, 1n, minStake);
    });
  });

  describe("a fee change", function () {
    /** A job submitted at the 1% fee, then the owner raises the fee to 10%. */
    async function feeRaisedAfterSubmission() {
      const d = await fixtures.deployed();
      const job = await fixtures.submitJob(d);
      const tx = await d.market.connect(d.owner).setFeeBps(1_000);
      const [, effectiveAt] = await d.market.feeChange();
      return { ...d, ...job, tx, effectiveAt };
    }

    async function finalize(d: Awaited<ReturnType<typeof feeRaisedAfterSubmission>>, jobId: bigint, terms: typeof d.terms) {
      const due = (await d.market.getJob(jobId)).deadline + 1n;
      if (due > BigInt(await networkHelpers.time.latest())) await networkHelpers.time.increaseTo(due);
      const receipt = (await (await d.market.finalizeJob(jobId, terms)).wait())!;
      for (const log of receipt.logs) {
        const parsed = d.market.interface.parseLog(log);
        if (parsed?.name === "JobFinalized") return parsed.args.protocolFee as bigint;
      }
      throw new Error("no JobFinalized");
    }

    it("schedules the new fee at least the longest job lifetime away (FeeChangeScheduled)", async function () {
      const d = await loadFixture(feeRaisedAfterSubmission);
      const c = await d.market.config();
      const lifetime = c.maxClaimDelay + c.maxExecutionTime + c.maxChallengeWindow + (await d.market.maxDisputeDuration());
      const at = BigInt((await d.tx.getBlock())!.timestamp);
      await expect(d.tx).to.emit(d.market, "FeeChangeScheduled").withArgs(100, 1_000, d.effectiveAt);
      expect(d.effectiveAt >= at + lifetime).to.equal(true);
      expect(await d.market.feeBps()).to.equal(1_000n);
    });

    it("leaves a job posted before it at the old fee (1% of 10 tokens, not 10%)", async function () {
      const d = await loadFixture(feeRaisedAfterSubmission);
      expect(await finalize(d, d.jobId, d.terms)).to.equal(BigInt(d.terms.reward) / 100n);
    });

    it("leaves it at the old fee even when the job is finalized long after the change took effect", async function () {
      const d = await loadFixture(feeRaisedAfterSubmission);
      await networkHelpers.time.increaseTo(d.effectiveAt + 86_400n);
      expect(await finalize(d, d.jobId, d.terms)).to.equal(BigInt(d.terms.reward) / 100n);
    });

    it("charges the new fee to a job posted once it is in effect", async function () {
      const d = await loadFixture(feeRaisedAfterSubmission);
      await networkHelpers.time.increaseTo(d.effectiveAt);
      const later = await fixtures.submitJob(d);
      expect(await finalize(d, later.jobId, later.terms)).to.equal(BigInt(later.terms.reward) / 10n);
    });

    it("refuses a longer dispute deadline while it is taking effect (it would carry old jobs past its date)", async function () {
      const d = await loadFixture(feeRaisedAfterSubmission);
      const longer = (await d.market.maxDisputeDuration()) + 1n;
      await expect(d.market.connect(d.owner).setMaxDisputeDuration(longer))
        .to.be.revertedWithCustomError(d.market, "GovFeeChangePending")
        .withArgs(d.effectiveAt);
    });

    it("waits the longest lifetime the bounds ever allowed, even after they were lowered", async function () {
      const d = await loadFixture(fixtures.deployed);
      const before = await d.market.longestJobLifetime();
      await d.market.connect(d.owner).setMaxClaimDelay(3_600);
      expect(await d.market.longestJobLifetime()).to.equal(before);
      const tx = await d.market.connect(d.owner).setFeeBps(1_000);
      const at = BigInt((await tx.getBlock())!.timestamp);
      const [, effectiveAt] = await d.market.feeChange();
      expect(effectiveAt >= at + before).to.equal(true);
    });

    it("refuses a second change while the first is taking effect (GovFeeChangePending)", async function () {
      const d = await loadFixture(feeRaisedAfterSubmission);
      await expect(d.market.connect(d.owner).setFeeBps(50))
        .to.be.revertedWithCustomError(d.market, "GovFeeChangePending")
        .withArgs(d.effectiveAt);
    });
  });
});
