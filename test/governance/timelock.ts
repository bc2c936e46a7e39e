// Governance of the Ignition deployment (demo parameters: 6-hour bound, 1 s voting delay, 60 s
// vote): token holders change the market only through the governor and the timelock, after the
// delay; the guardian can only cancel; the deployer keeps nothing; the delay never drops below the
// bound computed from the market.
import { expect } from "chai";
import { id, type AddressLike, type BytesLike, type ContractTransactionReceipt } from "ethers";
import hre, { network } from "hardhat";

import { TIMELOCK_ROLES } from "../../ignition/modules/governance.ts";
import { deployGoverned } from "../../scripts/lib/governance.ts";
import { measureGovernance } from "../../scripts/lib/governance-attacks.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time } = networkHelpers;

const For = 1;

/** The governed system from Ignition (demo parameters), signer 8 as guardian, the deployer's votes delegated to itself. */
async function governed() {
  const [deployer, stranger, , , , , , , guardian] = await ethers.getSigners();
  const { deployment } = await deployGoverned({ hre, provider: connection.provider, overrides: { guardian: guardian!.address } });
  const market = await ethers.getContractAt("HashworkMarket", deployment.market);
  const disputes = await ethers.getContractAt("HashworkDisputes", deployment.disputes!);
  const token = await ethers.getContractAt("HashworkToken", deployment.token!);
  const timelock = await ethers.getContractAt("HashworkTimelock", deployment.timelock);
  const governor = await ethers.getContractAt("HashworkGovernor", deployment.governor);
  await token.connect(deployer).delegate(deployer.address);
  return { deployer: deployer!, stranger: stranger!, guardian: guardian!, market, disputes, token, timelock, governor };
}
type G = Awaited<ReturnType<typeof governed>>;

type Proposal = { targets: AddressLike[]; values: bigint[]; calldatas: BytesLike[]; description: string };

function proposal(target: AddressLike, calldata: BytesLike, description: string): Proposal {
  return { targets: [target], values: [0n], calldatas: [calldata], description };
}

/** Proposes `p` and votes it through; returns its id once Succeeded. */
async function passed(g: G, p: Proposal): Promise<bigint> {
  await g.governor.connect(g.deployer).propose(p.targets, p.values, p.calldatas, p.description);
  const proposalId = await g.governor.hashProposal(p.targets, p.values, p.calldatas, id(p.description));
  await time.increase((await g.governor.votingDelay()) + 1n);
  await g.governor.connect(g.deployer).castVote(proposalId, For);
  await time.increase((await g.governor.votingPeriod()) + 1n);
  return proposalId;
}

/** `passed`, then queued in the timelock; returns the proposal id and the timelock operation id. */
async function queued(g: G, p: Proposal) {
  const proposalId = await passed(g, p);
  const tx = await g.governor.queue(p.targets, p.values, p.calldatas, id(p.description));
  const receipt = (await tx.wait()) as ContractTransactionReceipt;
  const scheduled = receipt.logs.map((l) => g.timelock.interface.parseLog(l)).find((e) => e?.name === "CallScheduled");
  return { proposalId, operationId: scheduled!.args.id as string };
}

async function feeChangeQueued() {
  const g = await governed();
  const p = proposal(g.market, g.market.interface.encodeFunctionData("setFeeBps", [250]), "Raise the protocol fee to 2.5%");
  return { ...g, p, ...(await queued(g, p)) };
}

async function execute(g: G, p: Proposal) {
  return g.governor.execute(p.targets, p.values, p.calldatas, id(p.description));
}

describe("Governance through the timelock (the Ignition deployment)", function () {
  this.timeout(120_000);

  describe("a parameter change", function () {
    it("goes through propose → vote → queue → execute and changes the market's fee", async () => {
      const g = await networkHelpers.loadFixture(feeChangeQueued);
      await time.increase(await g.timelock.getMinDelay());
      await execute(g, g.p);
      expect(await g.market.feeBps()).to.equal(250n);
    });

    it("is pending in the timelock until its eta, the fee unchanged", async () => {
      const g = await networkHelpers.loadFixture(feeChangeQueued);
      const eta = await g.governor.proposalEta(g.proposalId);
      expect(eta).to.equal(BigInt(await time.latest()) + (await g.timelock.getMinDelay()));
      expect(await g.timelock.getTimestamp(g.operationId)).to.equal(eta);
      expect(await g.timelock.isOperationPending(g.operationId)).to.equal(true);
      expect(await g.market.feeBps()).to.equal(100n);
    });

    it("cannot be executed before its eta", async () => {
      const g = await networkHelpers.loadFixture(feeChangeQueued);
      await time.increase((await g.timelock.getMinDelay()) - 10n);
      await expect(execute(g, g.p)).to.be.revertedWithCustomError(g.timelock, "TimelockUnexpectedOperationState");
    });
  });

  describe("access control after deployment", function () {
    const marketOwnerCalls: [string, (g: G) => Promise<unknown>][] = [
      ["setFeeBps", (g) => g.market.setFeeBps(250)],
      ["setAuditReserveBps", (g) => g.market.setAuditReserveBps(2_500)],
      ["setJobValueBounds", (g) => g.market.setJobValueBounds(1n, 150, 200)],
      ["setMinStake", (g) => g.market.setMinStake(1n)],
      ["setUnbondingPeriod", (g) => g.market.setUnbondingPeriod(3600)],
      ["setMaxClaimDelay", (g) => g.market.setMaxClaimDelay(3600)],
      ["setExecutionTimeBounds", (g) => g.market.setExecutionTimeBounds(1, 3600)],
      ["setChallengeWindowBounds", (g) => g.market.setChallengeWindowBounds(1, 3600)],
      ["setMaxDisputeDuration", (g) => g.market.setMaxDisputeDuration(3600)],
      ["setTreasury", (g) => g.market.setTreasury(g.stranger.address)],
      ["setDisputeModule", (g) => g.market.setDisputeModule(g.stranger.address)],
      ["setGuardian", (g) => g.market.setGuardian(g.stranger.address)],
      ["unpause", (g) => g.market.unpause()],
      ["transferOwnership", (g) => g.market.transferOwnership(g.stranger.address)],
    ];
    const disputesOwnerCalls: [string, (g: G) => Promise<unknown>][] = [
      ["setConfig", async (g) => g.disputes.setConfig([...(await g.disputes.config())] as never)],
      ["setArbiter", (g) => g.disputes.setArbiter(g.stranger.address)],
      ["transferOwnership", (g) => g.disputes.transferOwnership(g.stranger.address)],
    ];

    /** Each owner call, sent by the deployer, the guardian and the governor (impersonated): all refused. */
    async function refusedToAllButTheTimelock(g: G, contract: G["market"] | G["disputes"], call: (g: G) => Promise<unknown>) {
      const governor = await ethers.getImpersonatedSigner(await g.governor.getAddress());
      await networkHelpers.setBalance(governor.address, 10n ** 18n);
      for (const as of [g.deployer, g.guardian, governor]) {
        const bound = { ...g, market: g.market.connect(as), disputes: g.disputes.connect(as) } as G;
        await expect(call(bound) as Promise<never>, as.address)
          .to.be.revertedWithCustomError(contract, "OwnableUnauthorizedAccount")
          .withArgs(as.address);
      }
    }

    for (const [fn, call] of marketOwnerCalls) {
      it(`only the timelock may call market.${fn}`, async () => {
        const g = await networkHelpers.loadFixture(governed);
        await refusedToAllButTheTimelock(g, g.market, call);
      });
    }
    for (const [fn, call] of disputesOwnerCalls) {
      it(`only the timelock may call disputes.${fn}`, async () => {
        const g = await networkHelpers.loadFixture(governed);
        await refusedToAllButTheTimelock(g, g.disputes, call);
      });
    }

    it("only the timelock may mint the token", async () => {
      const g = await networkHelpers.loadFixture(governed);
      await expect(g.token.connect(g.deployer).mint(g.deployer.address, 1n)).to.be.revertedWithCustomError(
        g.token,
        "OwnableUnauthorizedAccount",
      );
    });

    it("the governor cannot execute a passed proposal without queueing it in the timelock", async () => {
      const g = await networkHelpers.loadFixture(governed);
      const p = proposal(g.market, g.market.interface.encodeFunctionData("setFeeBps", [250]), "skip the queue");
      await passed(g, p);
      await expect(execute(g, p)).to.be.revertedWithCustomError(g.governor, "GovernorUnexpectedProposalState");
    });

    it("the governor cannot schedule with less than the timelock's delay", async () => {
      const g = await networkHelpers.loadFixture(governed);
      const governor = await ethers.getImpersonatedSigner(await g.governor.getAddress());
      await networkHelpers.setBalance(governor.address, 10n ** 18n);
      const data = g.market.interface.encodeFunctionData("setFeeBps", [250]);
      const delay = await g.timelock.getMinDelay();
      await expect(g.timelock.connect(governor).schedule(g.market, 0, data, ethers.ZeroHash, ethers.ZeroHash, delay - 1n))
        .to.be.revertedWithCustomError(g.timelock, "TimelockInsufficientDelay")
        .withArgs(delay - 1n, delay);
    });

    it("the guardian can cancel a queued change, which then never executes", async () => {
      const g = await networkHelpers.loadFixture(feeChangeQueued);
      await g.timelock.connect(g.guardian).cancel(g.operationId);
      await time.increase(await g.timelock.getMinDelay());
      expect(await g.governor.state(g.proposalId)).to.equal(2n); // Canceled
      await expect(execute(g, g.p)).to.be.revertedWithCustomError(g.governor, "GovernorUnexpectedProposalState");
      expect(await g.market.feeBps()).to.equal(100n);
    });

    it("the guardian is the market's: it may pause new posts and claims, but not unpause", async () => {
      const g = await networkHelpers.loadFixture(governed);
      expect(await g.market.guardian()).to.equal(g.guardian.address);
      await expect(g.market.connect(g.guardian).pause()).to.emit(g.market, "MarketPausedChanged").withArgs(true, g.guardian.address);
      await expect(g.market.connect(g.guardian).unpause()).to.be.revertedWithCustomError(g.market, "OwnableUnauthorizedAccount");
    });

    it("the deployer and the governor cannot pause the market (GovNotGuardian)", async () => {
      const g = await networkHelpers.loadFixture(governed);
      const governor = await ethers.getImpersonatedSigner(await g.governor.getAddress());
      await networkHelpers.setBalance(governor.address, 10n ** 18n);
      for (const as of [g.deployer, governor]) {
        await expect(g.market.connect(as).pause()).to.be.revertedWithCustomError(g.market, "GovNotGuardian").withArgs(as.address);
      }
    });

    it("the guardian cannot propose to the timelock", async () => {
      const g = await networkHelpers.loadFixture(governed);
      const data = g.market.interface.encodeFunctionData("setFeeBps", [0]);
      await expect(
        g.timelock.connect(g.guardian).schedule(g.market, 0, data, ethers.ZeroHash, ethers.ZeroHash, await g.timelock.getMinDelay()),
      )
        .to.be.revertedWithCustomError(g.timelock, "AccessControlUnauthorizedAccount")
        .withArgs(g.guardian.address, TIMELOCK_ROLES.proposer);
    });

    it("the guardian cannot execute a queued change before its eta", async () => {
      const g = await networkHelpers.loadFixture(feeChangeQueued);
      const salt = await saltOf(g, g.p);
      await expect(
        g.timelock.connect(g.guardian).executeBatch(g.p.targets, g.p.values, g.p.calldatas, ethers.ZeroHash, salt),
      ).to.be.revertedWithCustomError(g.timelock, "TimelockUnexpectedOperationState");
    });

    it("the deployer holds no timelock role", async () => {
      const g = await networkHelpers.loadFixture(governed);
      for (const role of Object.values(TIMELOCK_ROLES)) expect(await g.timelock.hasRole(role, g.deployer.address), role).to.equal(false);
    });
  });

  describe("the delay bound", function () {
    it("the constructor refuses a delay below the bound", async () => {
      const g = await networkHelpers.loadFixture(governed);
      const bound = await g.timelock.minDelayBound();
      const factory = await ethers.getContractFactory("HashworkTimelock");
      await expect(factory.deploy(g.market, bound - 1n, [], [ethers.ZeroAddress], ethers.ZeroAddress))
        .to.be.revertedWithCustomError(factory, "HashworkTimelockDelayBelowBound")
        .withArgs(bound - 1n, bound);
    });

    it("updateDelay refuses a delay below the bound, even from a passed proposal", async () => {
      const g = await networkHelpers.loadFixture(governed);
      const bound = await g.timelock.minDelayBound();
      const p = proposal(g.timelock, g.timelock.interface.encodeFunctionData("updateDelay", [bound - 1n]), "shorten the delay");
      await queued(g, p);
      await time.increase(await g.timelock.getMinDelay());
      await expect(execute(g, p))
        .to.be.revertedWithCustomError(g.timelock, "HashworkTimelockDelayBelowBound")
        .withArgs(bound - 1n, bound);
    });

    it("updateDelay is refused to anyone but the timelock itself", async () => {
      const g = await networkHelpers.loadFixture(governed);
      const bound = await g.timelock.minDelayBound();
      await expect(g.timelock.connect(g.deployer).updateDelay(bound)).to.be.revertedWithCustomError(
        g.timelock,
        "TimelockUnauthorizedCaller",
      );
    });

    it("grows with the market's bounds: a longer dispute duration lengthens every later delay", async () => {
      const g = await networkHelpers.loadFixture(governed);
      const before = await g.timelock.getMinDelay();
      const longer = (await g.market.maxDisputeDuration()) + 86_400n;
      const p = proposal(g.market, g.market.interface.encodeFunctionData("setMaxDisputeDuration", [longer]), "longer disputes");
      await queued(g, p);
      await time.increase(before);
      await execute(g, p);
      expect(await g.timelock.getMinDelay()).to.equal(before + 86_400n);
      expect(await g.timelock.minDelayBound()).to.equal(await g.timelock.getMinDelay());
    });

    it("measureGovernance reads the remote deployment's delay and bound from chain state", async () => {
      const m = await measureGovernance(hre, { network: "remote" });
      // 43 days: the 42-day bound (7-day unbonding, claim delay, execution and challenge window; 14-day disputes) plus a day.
      expect(m).to.deep.equal({ timelockDelayS: 3_715_200, minDelayBoundS: 3_628_800 });
    });
  });
});

/** The timelock salt GovernorTimelockControl uses for a proposal: bytes20(governor) ^ descriptionHash. */
async function saltOf(g: G, p: Proposal): Promise<string> {
  const governor = BigInt(await g.governor.getAddress()) << 96n;
  return ethers.toBeHex(governor ^ BigInt(id(p.description)), 32);
}
