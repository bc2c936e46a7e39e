/**
 * The verification attacks of issue 11, run against a fresh deployment on the in-process Hardhat
 * network, measured rather than asserted: committee capture after the seed, draw blocking by
 * empty registrations, stake splitting, challenge copying, audit dodging, reputation farming and
 * zero-collateral jobs. Writes `reports/security.json` (merging into what is there) and prints
 * a summary. Run with `npm run bench:attacks`.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";

import { network } from "hardhat";

import { AbiCoder, keccak256, Wallet, type Signer } from "ethers";

import type { VerifierPool } from "../types/ethers-contracts/index.js";
import { TOKEN_UNIT } from "../ignition/parameters/defaults.js";
import { deployLocalSystem } from "./lib/deploy-local.js";
import { jobRequest, postedJobIds, submittedTerms } from "./lib/jobs.js";

const TRIALS = 1_000;
// Capture is rare (8.6% at 18%): more trials keep its sampling error near 0.004.
const CAPTURE_TRIALS = 4_000;
const SEATS = 3;
const ATTACKER_SHARE = 0.18;
const POST_SEED_REGISTRATIONS = 400;
const EMPTY_REGISTRATIONS = 1_000;

const { ethers, networkHelpers, ignition } = await network.create();
const { token, market, owner, treasury, disputes } = await deployLocalSystem({ ethers, ignition });
const pool = (await ethers.getContractAt("VerifierPool", await disputes.verifierPool())) as unknown as VerifierPool;
const poolAddress = await pool.getAddress();
const marketAddress = await market.getAddress();
const disputesAddress = await disputes.getAddress();
const coder = AbiCoder.defaultAbiCoder();
const ZERO = "0x0000000000000000000000000000000000000000";
const now = async () => Number(await networkHelpers.time.latest());

/** A fresh funded account (gas and tokens), so thousands of identities cost only a loop. */
async function account(tokens: bigint): Promise<Signer> {
  const w = Wallet.createRandom().connect(ethers.provider);
  await networkHelpers.setBalance(w.address, 10n ** 20n);
  if (tokens > 0n) await token.connect(owner).mint(w.address, tokens);
  return w;
}

async function bond(signer: Signer, amount: bigint): Promise<void> {
  await token.connect(signer).approve(poolAddress, amount);
  await pool.connect(signer).bond(amount);
}

/** Seats each address holds in the draw for `seed` at `snapshot`, from the pool's own draw. */
async function seatsOf(snapshot: number, seed: string, excluded: [string, string, string]) {
  const [verifiers, votes] = await pool.draw(snapshot, seed, SEATS, excluded);
  const seats = new Map<string, number>();
  for (const [i, v] of verifiers.entries()) seats.set(v.toLowerCase(), Number(votes[i]));
  return seats;
}

const seedOf = (i: number) => keccak256(coder.encode(["string", "uint256"], ["trial", i]));
const noone: [string, string, string] = [ZERO, ZERO, ZERO];

// ------------------------------------------------------------------ honest pool
// Nine honest verifiers hold 82% of the bonded weight, the attacker 18% in one account.
const unit = 1_000n * TOKEN_UNIT;
const honest: Signer[] = [];
for (let i = 0; i < 9; i++) {
  const s = await account(unit);
  await bond(s, (82n * unit) / 90n);
  honest.push(s);
}
const attacker = await account(100n * unit);
const attackerAccounts = new Set<string>([(await attacker.getAddress()).toLowerCase()]);
await bond(attacker, (18n * unit) / 10n);
await networkHelpers.mine(1);

// ------------------------------------------------------------------ 1. capture after the seed
// The dispute's snapshot is this block; its seed is a later block's hash. The attacker sees the
// seed, then registers and bonds POST_SEED_REGISTRATIONS accounts and simulates again: the
// draw reads the pool as of the snapshot, so nothing it registers can move a seat.
const snapshot = await ethers.provider.getBlockNumber();
const before: Map<string, number>[] = [];
for (let i = 0; i < CAPTURE_TRIALS; i++) before.push(await seatsOf(snapshot, seedOf(i), noone));
for (let i = 0; i < POST_SEED_REGISTRATIONS; i++) {
  const s = await account(100n * TOKEN_UNIT);
  await bond(s, 100n * TOKEN_UNIT);
  attackerAccounts.add((await s.getAddress()).toLowerCase());
}
await networkHelpers.mine(1);
let captured = 0;
let changedByRegistrations = 0;
for (let i = 0; i < CAPTURE_TRIALS; i++) {
  const after = await seatsOf(snapshot, seedOf(i), noone);
  if (JSON.stringify([...after]) !== JSON.stringify([...before[i]])) changedByRegistrations++;
  let votes = 0;
  for (const [v, n] of after) if (attackerAccounts.has(v)) votes += n;
  if (votes * 2 > SEATS) captured++;
}
const p = ATTACKER_SHARE;
const binomialRate = 3 * p * p * (1 - p) + p ** 3;
const committeeCapture = {
  attackerStakeShare: ATTACKER_SHARE,
  seats: SEATS,
  postSeedRegistrations: POST_SEED_REGISTRATIONS,
  trials: CAPTURE_TRIALS,
  captureRate: captured / CAPTURE_TRIALS,
  binomialRate: Number(binomialRate.toFixed(4)),
  drawsChangedByPostSeedRegistrations: changedByRegistrations,
};

// ------------------------------------------------------------------ 2. blocking by empty registrations
// A thousand accounts register as providers (free) and try to join the pool without tokens.
let refusedEmptyBonds = 0;
for (let i = 0; i < EMPTY_REGISTRATIONS; i++) {
  const s = await account(0n);
  await market.connect(s).registerProvider("", 0n, 1n);
  try {
    await pool.connect(s).bond(1n);
  } catch {
    refusedEmptyBonds++;
  }
}
await networkHelpers.mine(1);
const blockedSnapshot = await ethers.provider.getBlockNumber();
let drawsFilled = 0;
for (let i = 0; i < TRIALS; i++) {
  const seats = await seatsOf(blockedSnapshot, seedOf(i), noone);
  const total = [...seats.values()].reduce((a, b) => a + b, 0);
  if (total === SEATS) drawsFilled++;
}
const drawBlocking = { emptyRegistrations: EMPTY_REGISTRATIONS, refusedEmptyBonds, drawsFilled, draws: TRIALS };

// ------------------------------------------------------------------ 3. splitting
// The same stake in one account or in ten: the expected share of seats is the stake share.
async function splitShare(accounts: number): Promise<number> {
  const ids = new Set<string>();
  const signers: Signer[] = [];
  for (let i = 0; i < accounts; i++) {
    const s = await account(10n * unit);
    await bond(s, (10n * unit) / BigInt(accounts));
    ids.add((await s.getAddress()).toLowerCase());
    signers.push(s);
  }
  await networkHelpers.mine(1);
  const at = await ethers.provider.getBlockNumber();
  let seats = 0;
  for (let i = 0; i < TRIALS; i++) {
    for (const [v, n] of await seatsOf(at, seedOf(10_000 + i), noone)) if (ids.has(v)) seats += n;
  }
  // Leave the pool as it was for the other measurement.
  for (const s of signers) await pool.connect(s).requestWithdrawal((10n * unit) / BigInt(accounts));
  return seats / (TRIALS * SEATS);
}
const splitting = {
  stakeTokens: 10_000,
  oneAccountCaptureRate: await splitShare(1),
  tenAccountsCaptureRate: await splitShare(10),
};

// ------------------------------------------------------------------ a submitted job to attack
const [, , requester, provider] = await ethers.getSigners();
await token.connect(owner).mint(requester.address, 1_000n * TOKEN_UNIT);
await token.connect(owner).mint(provider.address, 10_000n * TOKEN_UNIT);
await token.connect(requester).approve(marketAddress, ethers.MaxUint256);
await token.connect(provider).approve(marketAddress, ethers.MaxUint256);
await market.connect(provider).registerProvider("http://127.0.0.1:8700", 1n, 1_000_000_000n);
await market.connect(provider).stake(5_000n * TOKEN_UNIT);

async function submittedJob(overrides = {}) {
  const posted = await (await market.connect(requester).postJob(jobRequest(await now(), overrides))).wait();
  const [jobId] = postedJobIds(market, posted);
  await market.connect(provider).claimJob(jobId);
  const receipt = await (await market.connect(provider).submitResult(jobId, ethers.id("wrong"), "")).wait();
  return { jobId, terms: submittedTerms(market, receipt).get(jobId)! };
}

// ------------------------------------------------------------------ 4. challenge copying
// The watcher commits, then reveals; the copier sees the reveal in the mempool and sends the
// same call with a higher tip from its own account (and, separately, commits and reveals its
// own copy in that same block). Both revert; the watcher's challenge is the one that opens.
const challengeCopy = await (async () => {
  const { jobId, terms } = await submittedJob();
  const watcher = await account(100n * TOKEN_UNIT);
  const copier = await account(100n * TOKEN_UNIT);
  for (const s of [watcher, copier]) await token.connect(s).approve(disputesAddress, ethers.MaxUint256);
  const right = ethers.id("right");
  const salt = ethers.id("watcher's salt");
  const commitment = keccak256(
    coder.encode(["uint256", "bytes32", "address", "bytes32"], [jobId, right, await watcher.getAddress(), salt]),
  );
  await disputes.connect(watcher).commitChallenge(commitment);
  const copierCommitment = keccak256(
    coder.encode(["uint256", "bytes32", "address", "bytes32"], [jobId, right, await copier.getAddress(), salt]),
  );
  await networkHelpers.mine(1);
  await ethers.provider.send("evm_setAutomine", [false]);
  const fee = (await ethers.provider.getFeeData()).maxFeePerGas ?? 10n ** 9n;
  const copyCommit = await disputes
    .connect(copier)
    .commitChallenge(copierCommitment, { gasLimit: 200_000, maxFeePerGas: fee * 3n, maxPriorityFeePerGas: fee * 2n });
  const copyReveal = await disputes
    .connect(copier)
    .challenge(jobId, terms, right, salt, { gasLimit: 500_000, maxFeePerGas: fee * 3n, maxPriorityFeePerGas: fee * 2n });
  const reveal = await disputes
    .connect(watcher)
    .challenge(jobId, terms, right, salt, { gasLimit: 500_000, maxFeePerGas: fee, maxPriorityFeePerGas: fee / 2n });
  await networkHelpers.mine(1);
  await ethers.provider.send("evm_setAutomine", [true]);
  const status = async (tx: { hash: string }) => (await ethers.provider.getTransactionReceipt(tx.hash))?.status ?? 0;
  const dispute = await disputes.getDispute(jobId);
  return {
    copierCommitMined: (await status(copyCommit)) === 1,
    copierRevealSucceeded: (await status(copyReveal)) === 1,
    watcherRevealSucceeded: (await status(reveal)) === 1,
    copierWins: dispute.challenger.toLowerCase() === (await copier.getAddress()).toLowerCase(),
  };
})();

// ------------------------------------------------------------------ 5. audit dodging
// A provider whose job the lottery selected tries to empty the fees first; the fees are the
// treasury's alone and audits draw on a reserve nobody can withdraw. Then the other dodge:
// let the seed age past 256 blocks unpinned, which counts as selected.
const auditDodge = await (async () => {
  let withdrawRefused = false;
  try {
    await market.connect(provider).withdrawFees();
  } catch {
    withdrawRefused = true;
  }
  const c = await disputes.config();
  await disputes.connect(owner).setConfig({
    challengeBond: c.challengeBond,
    verifierLock: c.verifierLock,
    verifierFee: c.verifierFee,
    verifierSlashBps: c.verifierSlashBps,
    challengerRewardBps: c.challengerRewardBps,
    auditRateBps: 2_000,
    committeeSize: c.committeeSize,
    maxRounds: c.maxRounds,
    commitPeriod: c.commitPeriod,
    revealPeriod: c.revealPeriod,
  });
  let selected: Awaited<ReturnType<typeof submittedJob>> | undefined;
  for (let i = 0; i < 60 && !selected; i++) {
    const job = await submittedJob({ inputHash: ethers.id(`audit-${i}`) });
    await networkHelpers.mine(1);
    if (await disputes.isSelectedForAudit(job.jobId, job.terms.submittedBlock)) selected = job;
  }
  if (!selected) throw new Error("the lottery selected none of 60 jobs at 20%");
  await disputes.startAudit(selected.jobId, selected.terms);
  const lottery = (await disputes.getDispute(selected.jobId)).phase === 1n;
  const unpinned = await submittedJob({ inputHash: ethers.id("never pinned") });
  await networkHelpers.mine(300);
  await disputes.startAudit(unpinned.jobId, unpinned.terms);
  const expired = (await disputes.getDispute(unpinned.jobId)).phase === 1n;
  return {
    withdrawFeesRefused: withdrawRefused,
    selectedJobAudited: lottery,
    unpinnedSeedAudited: expired,
    dodged: !(withdrawRefused && lottery && expired),
  };
})();

// ------------------------------------------------------------------ 6. reputation farming
// A job gated at score 9,000 pays GATED_REWARD. The farmer posts jobs to itself (the cheapest
// way to pay fees: its payouts come back to its own stake) until its score for the gated job
// reaches the target; what it loses is exactly the fees. Big self-jobs are the most efficient.
const GATED_REWARD = 10n * TOKEN_UNIT;
const reputationFarm = await (async () => {
  const farmer = await account(100_000n * TOKEN_UNIT);
  const farmerAddress = await farmer.getAddress();
  await token.connect(farmer).approve(marketAddress, ethers.MaxUint256);
  await market.connect(farmer).registerProvider("", 0n, 1n);
  await market.connect(farmer).stake(2_000n * TOKEN_UNIT);
  const target = 9_000;
  const held = async () => (await token.balanceOf(farmerAddress)) + (await market.stakeOf(farmerAddress)).staked;
  const start = await held();
  let jobs = 0;
  while (Number(await market.scoreFor(farmerAddress, GATED_REWARD)) < target && jobs < 100) {
    const request = jobRequest(await now(), {
      reward: 1_000n * TOKEN_UNIT,
      collateralPct: 100,
      challengeWindow: 1,
      inputHash: ethers.id(`farm-${jobs}`),
    });
    const [id] = postedJobIds(market, await (await market.connect(farmer).postJob(request)).wait());
    await market.connect(farmer).claimJob(id);
    const r = await (await market.connect(farmer).submitResult(id, ethers.id("x"), "")).wait();
    await networkHelpers.time.increase(2);
    await market.finalizeJob(id, submittedTerms(market, r).get(id)!);
    jobs++;
  }
  const cost = start - (await held());
  return {
    targetScore: target,
    selfPostedJobs: jobs,
    costTokens: Number(cost) / 1e18,
    gatedJobValueTokens: Number(GATED_REWARD) / 1e18,
  };
})();

// ------------------------------------------------------------------ 7. zero collateral
const zeroCollateralJob = await (async () => {
  try {
    await market.connect(requester).postJob(jobRequest(await now(), { collateralPct: 0 }));
    return { accepted: true };
  } catch {
    return { accepted: false };
  }
})();

// ------------------------------------------------------------------ report
const verification = { committeeCapture, drawBlocking, splitting, challengeCopy, auditDodge, reputationFarm, zeroCollateralJob };
await mkdir("reports", { recursive: true });
const existing = await readFile("reports/security.json", "utf8").then(JSON.parse, () => ({}));
const report = { ...existing, generatedAt: new Date().toISOString(), network: "hardhat (in-process EDR)", ...verification };
await writeFile("reports/security.json", `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(verification, null, 2));
void treasury;
