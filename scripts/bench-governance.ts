/**
 * Issue 13's governance attacks, measured on real deployments rather than asserted:
 * - the timelock's delay and its floor on the Ignition deployment with `remote` parameters;
 * - ownerCanSeizeStake: after that deployment, can the deployer (the old owner) or the guardian
 *   point the market at a module of its own, or settle an open dispute, without the timelock?
 * - moduleSwapStrandsFunds: a dispute is drawn, the owner replaces the module mid-vote; does the
 *   old module still resolve it and release the bond and every lock?
 * - retroactiveFee: a job submitted at 1%, the fee raised to 10%, the job finalized: which fee?
 * Writes `reports/security.json` → `governance` (merging) and prints it. `npm run bench:governance`.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";

import hre, { network } from "hardhat";

import { AbiCoder, keccak256, type ContractTransactionReceipt } from "ethers";

import { TOKEN_UNIT } from "../ignition/parameters/defaults.js";
import { deployLocalDisputes, deployLocalSystem } from "./lib/deploy-local.js";
import { measureGovernance } from "./lib/governance-attacks.js";
import { deployGoverned } from "./lib/governance.js";
import { jobRequest, postedJobIds, submittedTerms } from "./lib/jobs.js";

const coder = AbiCoder.defaultAbiCoder();

/** Whether `attempt` went through (it should not). */
async function succeeded(attempt: () => Promise<unknown>): Promise<boolean> {
  try {
    await attempt();
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ the timelock and its floor
const { timelockDelayS, minDelayBoundS } = await measureGovernance(hre, { network: "remote" });

// ------------------------------------------------------------------ the old owner after deployment
const governedConnection = await network.create();
const ownerCanSeizeStake = await (async () => {
  const { ethers } = governedConnection;
  const [deployer, , , , , , , , guardian] = await ethers.getSigners();
  const { deployment } = await deployGoverned({
    hre,
    provider: governedConnection.provider,
    network: "remote",
    overrides: { guardian: guardian!.address },
  });
  const market = await ethers.getContractAt("HashworkMarket", deployment.market);
  const disputes = await ethers.getContractAt("HashworkDisputes", deployment.disputes!);
  const timelock = await ethers.getContractAt("HashworkTimelock", deployment.timelock);
  const attempts: boolean[] = [];
  for (const who of [deployer!, guardian!]) {
    attempts.push(await succeeded(() => market.connect(who).setDisputeModule(who.address)));
    attempts.push(await succeeded(() => disputes.connect(who).setArbiter(who.address)));
    const data = market.interface.encodeFunctionData("setDisputeModule", [who.address]);
    attempts.push(
      await succeeded(() => timelock.connect(who).schedule(deployment.market, 0, data, keccak256("0x"), keccak256("0x"), timelockDelayS)),
    );
  }
  return attempts.some(Boolean);
})();
await governedConnection.close();

// ------------------------------------------------------------------ a module swap mid-vote, and a fee raise
const { ethers, networkHelpers, ignition } = await network.create();
const signers = await ethers.getSigners();
const [requester, provider, challenger, ...verifiers] = signers.slice(2, 12);

async function system() {
  const d = await deployLocalSystem({ ethers, ignition });
  const pool = await ethers.getContractAt("VerifierPool", await d.disputes.verifierPool());
  for (const s of [requester!, provider!, challenger!, ...verifiers]) {
    await d.token.connect(d.owner).mint(s.address, 100_000n * TOKEN_UNIT);
    for (const spender of [d.market, d.disputes, pool]) await d.token.connect(s).approve(await spender.getAddress(), ethers.MaxUint256);
  }
  await d.market.connect(provider!).stake(1_000n * TOKEN_UNIT);
  for (const v of verifiers) await pool.connect(v).bond(1_000n * TOKEN_UNIT);
  return { ...d, pool };
}

async function submitOne(d: Awaited<ReturnType<typeof system>>) {
  const posted = await (
    await d.market
      .connect(requester!)
      .postJob(jobRequest(Number(await networkHelpers.time.latest()), { reward: 10n * TOKEN_UNIT, challengeWindow: 3600 }))
  ).wait();
  const [jobId] = postedJobIds(d.market, posted);
  await d.market.connect(provider!).claimJob(jobId!);
  const submitted = await (await d.market.connect(provider!).submitResult(jobId!, keccak256("0x01"), "")).wait();
  return { jobId: jobId!, terms: submittedTerms(d.market, submitted).get(jobId!)! };
}

function committeeOf(d: Awaited<ReturnType<typeof system>>, receipt: ContractTransactionReceipt | null): string[] {
  for (const log of receipt?.logs ?? []) {
    const parsed = d.disputes.interface.parseLog(log);
    if (parsed?.name === "CommitteeDrawn") return [...parsed.args.verifiers];
  }
  return [];
}

const moduleSwapStrandsFunds = await (async () => {
  const d = await system();
  const { jobId, terms } = await submitOne(d);
  const wrong = keccak256("0x02");
  const salt = keccak256("0x03");
  await d.disputes
    .connect(challenger!)
    .commitChallenge(keccak256(coder.encode(["uint256", "bytes32", "address", "bytes32"], [jobId, wrong, challenger!.address, salt])));
  await d.disputes.connect(challenger!).challenge(jobId, terms, wrong, salt);
  await networkHelpers.mine(1);
  const seated = committeeOf(d, await (await d.disputes.drawCommittee(jobId, terms)).wait());
  // The owner replaces the module while the committee votes.
  const { disputes: next } = await deployLocalDisputes({ ethers, ignition }, await d.market.getAddress());
  await d.market.connect(d.owner).setDisputeModule(await next.getAddress());
  const voters = seated.map((a) => verifiers.find((v) => v.address === a)!);
  const salts = voters.map((_, i) => keccak256(coder.encode(["uint256"], [i])));
  const commitment = (i: number) =>
    keccak256(coder.encode(["bytes32", "bytes32", "address"], [terms.resultHash, salts[i], voters[i]!.address]));
  for (const [i, v] of voters.entries()) await d.disputes.connect(v).commitVote(jobId, i, commitment(i));
  for (const [i, v] of voters.entries()) await d.disputes.connect(v).revealVote(jobId, i, terms.resultHash, salts[i]!);
  const resolved = await succeeded(() => d.disputes.resolve(jobId, terms));
  let locked = 0n;
  for (const v of voters) locked += (await d.pool.memberOf(v.address)).locked;
  const stranded = !resolved || (await d.disputes.totalHeld()) !== 0n || locked !== 0n;
  return stranded;
})();

const retroactiveFee = await (async () => {
  const d = await system();
  const { jobId, terms } = await submitOne(d);
  await d.market.connect(d.owner).setFeeBps(1_000);
  await networkHelpers.time.increase(3_601);
  const receipt = await (await d.market.finalizeJob(jobId, terms)).wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = d.market.interface.parseLog(log);
    if (parsed?.name === "JobFinalized") return parsed.args.protocolFee !== (10n * TOKEN_UNIT) / 100n;
  }
  throw new Error("the job was not finalized");
})();

// ------------------------------------------------------------------ report
const governance = { timelockDelayS, minDelayBoundS, ownerCanSeizeStake, moduleSwapStrandsFunds, retroactiveFee };
await mkdir("reports", { recursive: true });
const existing = await readFile("reports/security.json", "utf8").then(JSON.parse, () => ({}));
await writeFile("reports/security.json", `${JSON.stringify({ ...existing, governance }, null, 2)}\n`);
console.log(JSON.stringify(governance, null, 2));
