/**
 * Gas benchmark: deploys on the in-process Hardhat network with the deployment's compiler
 * settings, runs each path as users send it, prints a table and writes reports/gas.json.
 * Run with `npm run bench:gas`.
 */
import { mkdir, writeFile } from "node:fs/promises";

import { network } from "hardhat";

import { AbiCoder, keccak256 } from "ethers";

import { DISPUTE_PARAMETERS, TOKEN_UNIT } from "./lib/defaults.js";
import { deployLocalSystem } from "./lib/deploy-local.js";
import { jobRequest, postedJobIds, submittedTerms } from "./lib/jobs.js";

const { ethers, networkHelpers } = await network.create();
const { token, market, owner, disputes } = await deployLocalSystem(ethers);
const [, , requester, provider, payingRequester] = await ethers.getSigners();
const marketAddress = await market.getAddress();

async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
  const receipt = await (await tx).wait();
  return Number(receipt!.gasUsed);
}
const now = async () => Number(await networkHelpers.time.latest());

// Setup that a requester and a provider do once, not per job.
await token.connect(owner).mint(requester.address, 1_000_000n * TOKEN_UNIT);
await token.connect(owner).mint(provider.address, 1_000_000n * TOKEN_UNIT);
await token.connect(owner).mint(payingRequester.address, 1_000_000n * TOKEN_UNIT);
await token.connect(requester).approve(marketAddress, ethers.MaxUint256);
await token.connect(payingRequester).approve(marketAddress, ethers.MaxUint256);
await token.connect(provider).approve(marketAddress, ethers.MaxUint256);
await market.connect(provider).registerProvider("http://127.0.0.1:8700", 1n, 1_000_000_000n);
await market.connect(provider).stake(10_000n * TOKEN_UNIT);
// Warm the accounts the way a running market has them: the fee accumulator is non-zero, the
// requesters have posted before, and the provider has unstaked before.
const warm = jobRequest(await now(), { reward: 1n * TOKEN_UNIT, challengeWindow: 1 });
await market.connect(requester).deposit(requester.address, 1n * TOKEN_UNIT);
{
  const [id] = postedJobIds(market, await (await market.connect(requester).postJob(warm)).wait());
  await market.connect(provider).claimJob(id);
  const terms = submittedTerms(market, await (await market.connect(provider).submitResult(id, ethers.id("r"), "")).wait());
  await networkHelpers.time.increase(2);
  await market.finalizeJob(id, terms.get(id)!);
  await market.connect(provider).requestUnstake(1n);
  await networkHelpers.time.increase(7 * 24 * 3600 + 1);
  await market.connect(provider).withdrawUnstaked(provider.address);
  await market.connect(payingRequester).postJob(jobRequest(await now(), { reward: 1n }));
}

const REWARD = 10n * TOKEN_UNIT;
const WINDOW = 600;

// --- Happy path: deposit for 10 jobs, then post, claim, submit, finalize one job; the
// provider's earnings are withdrawn (request + withdraw) once per 10 jobs.
const deposit10 = await gasOf(market.connect(requester).deposit(requester.address, 10n * REWARD));
const postReceipt = await (await market.connect(requester).postJob(jobRequest(await now()))).wait();
const post = Number(postReceipt!.gasUsed);
const [jobId] = postedJobIds(market, postReceipt);
const claim = await gasOf(market.connect(provider).claimJob(jobId));
const submitReceipt = await (
  await market.connect(provider).submitResult(jobId, ethers.id("result"), "http://127.0.0.1:8700/o/")
).wait();
const submit = Number(submitReceipt!.gasUsed);
await networkHelpers.time.increase(WINDOW + 1);
const finalize = await gasOf(market.finalizeJob(jobId, submittedTerms(market, submitReceipt).get(jobId)!));
const requestUnstake = await gasOf(market.connect(provider).requestUnstake(10n * REWARD));
await networkHelpers.time.increase(7 * 24 * 3600 + 1);
const withdrawUnstaked = await gasOf(market.connect(provider).withdrawUnstaked(provider.address));
const amortized = Math.round((deposit10 + requestUnstake + withdrawUnstaked) / 10);
const happyTotal = post + claim + submit + finalize + amortized;

// --- Direct payment: post pulling the whole reward by allowance (empty ledger balance).
const postPulling = await gasOf(market.connect(payingRequester).postJob(jobRequest(await now())));

// --- Batches of 10: postJobs pulls the total by allowance in one transfer, then one
// claimJobs, one submitResults, one finalizeJobs; earnings withdrawn once for the 10 jobs.
const batchStart = await now();
const batchPostReceipt = await (
  await market.connect(payingRequester).postJobs(Array.from({ length: 10 }, () => jobRequest(batchStart)))
).wait();
const batchPost = Number(batchPostReceipt!.gasUsed);
const ids = postedJobIds(market, batchPostReceipt);
const batchClaim = await gasOf(market.connect(provider).claimJobs(ids));
const batchSubmitReceipt = await (
  await market.connect(provider).submitResults(
    ids,
    ids.map((id) => ethers.id(`result-${id}`)),
    ids.map(() => "http://127.0.0.1:8700/o/"),
  )
).wait();
const batchSubmit = Number(batchSubmitReceipt!.gasUsed);
const terms = submittedTerms(market, batchSubmitReceipt);
await networkHelpers.time.increase(WINDOW + 1);
const batchFinalize = await gasOf(market.finalizeJobs(ids, ids.map((id) => terms.get(id)!)));
const batchUnstake = await gasOf(market.connect(provider).requestUnstake(10n * REWARD));
await networkHelpers.time.increase(7 * 24 * 3600 + 1);
const batchWithdraw = await gasOf(market.connect(provider).withdrawUnstaked(provider.address));
const batchTotal = batchPost + batchClaim + batchSubmit + batchFinalize + batchUnstake + batchWithdraw;

// The same batch funded from a prior deposit instead (for comparison).
const depositForBatch = await gasOf(market.connect(requester).deposit(requester.address, 10n * REWARD));
const laterStart = await now();
const batchFromBalance = await gasOf(
  market.connect(requester).postJobs(Array.from({ length: 10 }, () => jobRequest(laterStart))),
);

// --- Cancel path: deposit-funded post, then cancel, then withdraw the refund.
const cancelPostReceipt = await (await market.connect(requester).postJob(jobRequest(await now()))).wait();
const [cancelId] = postedJobIds(market, cancelPostReceipt);
const cancel = await gasOf(market.connect(requester).cancelJob(cancelId));
const cancelWithdraw = await gasOf(market.connect(requester).withdraw(requester.address, REWARD));

// --- Timeout path: post, claim, provider disappears, a keeper times it out.
await market.connect(requester).deposit(requester.address, REWARD);
const toPostReceipt = await (await market.connect(requester).postJob(jobRequest(await now()))).wait();
const [toId] = postedJobIds(market, toPostReceipt);
const toClaim = await gasOf(market.connect(provider).claimJob(toId));
await networkHelpers.time.increase(601);
const timeOut = await gasOf(market.timeOutJob(toId));

// --- Dispute path (K = 3): post, claim, submit, challenge, draw, 3 commits, 3 reveals,
// resolve. Verifiers are staked providers; the challenger is right (the provider is slashed).
// One dispute runs first to warm the accounts the way a running market has them (verifiers
// and challenger with ledger balances), then the measured one.
const signers = await ethers.getSigners();
// Ten verifiers, each with a ledger balance already (as verifiers that have been paid before
// have), so the figures do not depend on which of them the draw happens to seat.
const verifierPool = signers.slice(5, 15);
const challenger = signers[15];
const disputesAddress = await disputes.getAddress();
for (const s of [...verifierPool, challenger]) {
  await token.connect(owner).mint(s.address, 100_000n * TOKEN_UNIT);
  await token.connect(s).approve(marketAddress, ethers.MaxUint256);
  await token.connect(s).approve(disputesAddress, ethers.MaxUint256);
}
for (const v of verifierPool) {
  await market.connect(v).stake(1_000n * TOKEN_UNIT);
  await market.connect(v).deposit(v.address, 1n);
}
const salt = (who: string) => keccak256(AbiCoder.defaultAbiCoder().encode(["string"], [who]));

async function disputePath() {
  // The requester posts from its ledger balance, as on the happy path; its deposit (amortized
  // over 10 jobs) is counted below.
  const depositGas = await gasOf(market.connect(requester).deposit(requester.address, 10n * REWARD));
  const postR = await (await market.connect(requester).postJob(jobRequest(await now()))).wait();
  const [id] = postedJobIds(market, postR);
  const claimGas = await gasOf(market.connect(provider).claimJob(id));
  const submitR = await (await market.connect(provider).submitResult(id, ethers.id("wrong"), "http://127.0.0.1:8700/o/")).wait();
  const t = submittedTerms(market, submitR).get(id)!;
  const right = ethers.id("right");
  const challengeGas = await gasOf(disputes.connect(challenger).challenge(id, t, right));
  await networkHelpers.mine(1);
  const drawR = await (await disputes.drawCommittee(id, t)).wait();
  const seated = disputes.interface.parseLog(drawR!.logs.find((l) => l.address === disputesAddress && disputes.interface.parseLog(l)?.name === "CommitteeDrawn")!)!.args.verifiers as string[];
  const seats = seated.map((a) => verifierPool.find((s) => s.address === a)!);
  const commits: number[] = [];
  for (const [i, v] of seats.entries()) {
    const c = keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32", "address"], [right, salt(v.address), v.address]));
    commits.push(await gasOf(disputes.connect(v).commitVote(id, i, c)));
  }
  const reveals: number[] = [];
  for (const [i, v] of seats.entries()) {
    reveals.push(await gasOf(disputes.connect(v).revealVote(id, i, right, salt(v.address))));
  }
  const resolveGas = await gasOf(disputes.resolve(id, t));
  const parts = {
    amortizedDeposit: Math.round(depositGas / 10),
    post: Number(postR!.gasUsed),
    claim: claimGas,
    submit: Number(submitR!.gasUsed),
    challenge: challengeGas,
    draw: Number(drawR!.gasUsed),
    commits,
    reveals,
    resolve: resolveGas,
  };
  const total =
    parts.amortizedDeposit + parts.post + parts.claim + parts.submit + parts.challenge + parts.draw +
    commits.reduce((a, b) => a + b, 0) + reveals.reduce((a, b) => a + b, 0) + parts.resolve;
  return { total, parts };
}
const coldDispute = await disputePath();
const dispute = await disputePath();

const report = {
  generatedAt: new Date().toISOString(),
  network: "hardhat (in-process EDR)",
  compiler: "solc 0.8.37, viaIR, optimizer runs 10000, evm cancun",
  notes: [
    "Every figure is receipt.gasUsed of a transaction as a user sends it (21,000 base included), after EIP-3529 refunds.",
    "happyPath.post pays from the requester's ledger balance; the deposit that funded it is amortized over 10 jobs.",
    "The provider's earnings go into its stake; withdrawing them (requestUnstake + withdrawUnstaked) is amortized over 10 jobs.",
    "postPullingPayment is the alternative single-transaction post that pulls the reward by allowance.",
    "dispute: the requester posts from its ledger balance as on the happy path (its deposit amortized over 10 jobs); the challenger's bond is pulled by allowance to the dispute module; measured after one warm-up dispute (firstDisputeTotal is that first, colder one).",
    "batch10: postJobs pulls the 10 rewards by allowance in one transfer (approve once, not counted); claims, submits and finalizes are batched; the provider withdraws its earnings once.",
  ],
  happyPath: {
    post,
    claim,
    submit,
    finalize,
    amortizedDepositAndWithdrawal: amortized,
    total: happyTotal,
    parts: { deposit10, requestUnstake, withdrawUnstaked },
  },
  postPullingPayment: { post: postPulling },
  batch10: {
    perJob: Math.round(batchTotal / 10),
    total: batchTotal,
    parts: {
      postJobsPullingPayment: batchPost,
      claimJobs: batchClaim,
      submitResults: batchSubmit,
      finalizeJobs: batchFinalize,
      requestUnstake: batchUnstake,
      withdrawUnstaked: batchWithdraw,
    },
    alternative: { depositThenPostJobsFromBalance: depositForBatch + batchFromBalance },
  },
  cancel: { total: cancel + cancelWithdraw, parts: { cancel, withdrawRefund: cancelWithdraw } },
  timeout: { total: toClaim + timeOut, parts: { claim: toClaim, timeOut } },
  dispute: {
    committee: DISPUTE_PARAMETERS.committeeSize,
    outcome: "challenger right: provider slashed, requester refunded and compensated, verifiers paid",
    total: dispute.total,
    ...dispute.parts,
    firstDisputeTotal: coldDispute.total,
  },
  targets: { happyPathTotal: 160_000, batch10PerJob: 90_000, disputeTotal: 1_000_000 },
};

await mkdir("reports", { recursive: true });
await writeFile("reports/gas.json", JSON.stringify(report, null, 2) + "\n");

const rows: [string, number][] = [
  ["post (from balance)", post],
  ["claim", claim],
  ["submit", submit],
  ["finalize", finalize],
  ["deposit + withdrawal / 10", amortized],
  ["happy path total", happyTotal],
  ["post pulling payment", postPulling],
  ["batch of 10: per job", Math.round(batchTotal / 10)],
  ["cancel + withdraw refund", cancel + cancelWithdraw],
  ["claim + time-out", toClaim + timeOut],
  ["dispute, K = 3 (full path)", dispute.total],
  ["  challenge", dispute.parts.challenge],
  ["  draw", dispute.parts.draw],
  ["  commit (each)", dispute.parts.commits[0]],
  ["  reveal (each)", dispute.parts.reveals[0]],
  ["  resolve", dispute.parts.resolve],
];
console.log("\nHashwork gas per path (gasUsed, after refunds)\n");
for (const [name, gas] of rows) console.log(`  ${name.padEnd(28)} ${gas.toLocaleString("en-US").padStart(10)}`);
console.log(`\n  targets: happy path <= 160,000; batch of 10 <= 90,000 per job; dispute <= 1,000,000`);
console.log("  written to reports/gas.json");
