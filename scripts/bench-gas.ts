/**
 * Gas benchmark: deploys on the in-process Hardhat network with the deployment's compiler
 * settings, runs each path as users send it, prints a table and writes reports/gas.json.
 * Run with `npm run bench:gas`.
 */
import { mkdir, writeFile } from "node:fs/promises";

import { network } from "hardhat";

import { AbiCoder, keccak256 } from "ethers";

import { DISPUTE_PARAMETERS, TOKEN_UNIT } from "../ignition/parameters/defaults.js";
import { deployLocalSystem } from "./lib/deploy-local.js";
import { jobRequest, postedJobIds, submittedTerms } from "./lib/jobs.js";

const { ethers, networkHelpers, ignition } = await network.create();
const { token, market, owner, disputes, verifierPool } = await deployLocalSystem({ ethers, ignition });
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
  await market.connect(payingRequester).postJob(jobRequest(await now(), { reward: TOKEN_UNIT / 100n }));
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
const submitReceipt = await (await market.connect(provider).submitResult(jobId, ethers.id("result"), "http://127.0.0.1:8700/o/")).wait();
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
const batchFinalize = await gasOf(
  market.finalizeJobs(
    ids,
    ids.map((id) => terms.get(id)!),
  ),
);
const batchUnstake = await gasOf(market.connect(provider).requestUnstake(10n * REWARD));
await networkHelpers.time.increase(7 * 24 * 3600 + 1);
const batchWithdraw = await gasOf(market.connect(provider).withdrawUnstaked(provider.address));
const batchTotal = batchPost + batchClaim + batchSubmit + batchFinalize + batchUnstake + batchWithdraw;

// The same batch funded from a prior deposit instead (for comparison).
const depositForBatch = await gasOf(market.connect(requester).deposit(requester.address, 10n * REWARD));
const laterStart = await now();
const batchFromBalance = await gasOf(market.connect(requester).postJobs(Array.from({ length: 10 }, () => jobRequest(laterStart))));

// --- Fast path with deferred pay (issue 15): claim and submit in one transaction
// (claimAndSubmit / claimAndSubmitJobs); the job's pay goes into the provider's pay bucket and
// is released per bucket, not per job (no finalize transaction). Every other step (post,
// amortized deposit and withdrawal) is counted exactly as above.
const URI = "http://127.0.0.1:8700/o/";
const fastSingle = async () => {
  const r = await (await market.connect(requester).postJob(jobRequest(await now()))).wait();
  const [id] = postedJobIds(market, r);
  const s = await (await market.connect(provider).claimAndSubmit(id, ethers.id("result"), URI)).wait();
  return { post: Number(r!.gasUsed), claimAndSubmit: Number(s!.gasUsed) };
};
const SEAL = Number(await market.PAY_SEAL());
// Warm-up: both buckets used and released once, as in a running market (their slots are
// non-zero: a reused bucket costs rewrites, not fresh slots).
await market.connect(requester).deposit(requester.address, 20n * REWARD);
await fastSingle();
await networkHelpers.time.increase(SEAL + 1);
await fastSingle();
await networkHelpers.time.increase(SEAL + WINDOW + 1);
await market.releasePay(provider.address);
// One job per transaction into a bucket of 10: the first call opens the bucket (and releases
// nothing), the next nine fill it.
const fastDeposit10 = await gasOf(market.connect(requester).deposit(requester.address, 10n * REWARD));
const bucketOf10: { post: number; claimAndSubmit: number }[] = [];
for (let i = 0; i < 10; i++) bucketOf10.push(await fastSingle());
const fastPost = bucketOf10[1].post;
const fastOpen = bucketOf10[0].claimAndSubmit;
const fastFill = Math.round(bucketOf10.slice(1).reduce((a, b) => a + b.claimAndSubmit, 0) / 9);
// Past the bucket's maturity (and seal), the provider's next fast-path call releases the 10
// jobs' pay and reopens the bucket: its extra gas over an opening call is the release.
await networkHelpers.time.increase(Math.max(SEAL, WINDOW) + 1);
const releasing = await fastSingle();
const fastReleaseInCall = releasing.claimAndSubmit - fastOpen;
// Steady state: the mean claimAndSubmit over a bucket's 10 jobs, the first of which released the
// previous bucket (so opening and releasing are both amortized over the 10 jobs).
const fastClaimAndSubmitMean = Math.round((releasing.claimAndSubmit + 9 * fastFill) / 10);
// The worst case: a bucket holding one job, released on its own by a releasePay transaction.
await networkHelpers.time.increase(Math.max(SEAL, WINDOW) + 1);
const releasePayOne = await gasOf(market.releasePay(provider.address));
const fastUnstake = await gasOf(market.connect(provider).requestUnstake(10n * REWARD));
await networkHelpers.time.increase(7 * 24 * 3600 + 1);
const fastWithdraw = await gasOf(market.connect(provider).withdrawUnstaked(provider.address));
const fastAmortized = Math.round((fastDeposit10 + fastUnstake + fastWithdraw) / 10);
const fastTotal = fastPost + fastClaimAndSubmitMean + fastAmortized;
const fastWorstCase = fastPost + fastOpen + releasePayOne + fastAmortized;

// Batches of 10, one batch per bucket: each claimAndSubmitJobs also releases the previous
// batch's matured bucket (measured on the second such call, the first releasing a batch).
const fastBatch = async () => {
  const start = await now();
  const r = await (await market.connect(payingRequester).postJobs(Array.from({ length: 10 }, () => jobRequest(start)))).wait();
  const batchIds = postedJobIds(market, r);
  const s = await (
    await market.connect(provider).claimAndSubmitJobs(
      batchIds,
      batchIds.map((id) => ethers.id(`result-${id}`)),
      batchIds.map(() => URI),
    )
  ).wait();
  await networkHelpers.time.increase(Math.max(SEAL, WINDOW) + 1);
  return { post: Number(r!.gasUsed), claimAndSubmitJobs: Number(s!.gasUsed) };
};
await fastBatch();
const fastBatchMeasured = await fastBatch();
const fastBatchPost = fastBatchMeasured.post;
const claimAndSubmitJobs = fastBatchMeasured.claimAndSubmitJobs;
const fastBatchReleasePay = await gasOf(market.releasePay(provider.address));
const fastBatchUnstake = await gasOf(market.connect(provider).requestUnstake(10n * REWARD));
await networkHelpers.time.increase(7 * 24 * 3600 + 1);
const fastBatchWithdraw = await gasOf(market.connect(provider).withdrawUnstaked(provider.address));
const fastBatchTotal = fastBatchPost + claimAndSubmitJobs + fastBatchUnstake + fastBatchWithdraw;

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

// --- Verifier pool. Verifiers bond in the dispute module's pool (apart from any provider
// stake); committees are drawn from it, stake-weighted with replacement. Ten verifiers, each with
// a ledger balance already (as verifiers that have been paid before have), so the figures do
// not depend on which of them the draw happens to seat.
const signers = await ethers.getSigners();
const verifiers = signers.slice(5, 15);
const challenger = signers[15]!;
const disputesAddress = await disputes.getAddress();
const poolAddress = await verifierPool.getAddress();
for (const s of [...verifiers, challenger]) {
  await token.connect(owner).mint(s.address, 100_000n * TOKEN_UNIT);
  await token.connect(s).approve(marketAddress, ethers.MaxUint256);
  await token.connect(s).approve(disputesAddress, ethers.MaxUint256);
  await token.connect(s).approve(poolAddress, ethers.MaxUint256);
}
const VERIFIER_BOND = 1_000n * TOKEN_UNIT;
const firstBonds: number[] = [];
for (const v of verifiers) {
  firstBonds.push(await gasOf(verifierPool.connect(v).bond(VERIFIER_BOND)));
  await market.connect(v).deposit(v.address, 1n);
}
const laterBond = await gasOf(verifierPool.connect(verifiers[0]!).bond(100n * TOKEN_UNIT));
const requestWithdrawal = await gasOf(verifierPool.connect(verifiers[0]!).requestWithdrawal(100n * TOKEN_UNIT));
await networkHelpers.time.increase(Number(await verifierPool.withdrawalDelay()) + 1);
const poolWithdraw = await gasOf(verifierPool.connect(verifiers[0]!).withdraw(verifiers[0]!.address));

// --- Audit seed pins: a keeper pins the hash of a block results were submitted in (the first
// pin of a block writes it; pinning it again is a no-op).
await networkHelpers.mine(1);
const pinnable = (await ethers.provider.getBlockNumber()) - 1;
const pinAuditSeed = await gasOf(disputes.pinAuditSeed(pinnable));
const pinAuditSeedAgain = await gasOf(disputes.pinAuditSeed(pinnable));

// --- Dispute path (K = 3): post, claim, submit, commitChallenge, challenge (the reveal, a
// later block), draw, one commit and one reveal per seat entry (a verifier drawn twice holds
// one entry with two votes), resolve. The challenger is right (the provider is slashed). One
// dispute runs first to warm the accounts the way a running market has them (verifiers and
// challenger with ledger balances), then the measured one.
const abi = AbiCoder.defaultAbiCoder();
const salt = (who: string, n: number) => keccak256(abi.encode(["string", "uint256"], [who, n]));
let disputeNo = 0;

type Seat = { signer: (typeof verifiers)[number]; votes: number };
function drawnSeats(receipt: Awaited<ReturnType<Awaited<ReturnType<typeof disputes.drawCommittee>>["wait"]>>): Seat[] {
  const log = receipt!.logs.find((l) => l.address === disputesAddress && disputes.interface.parseLog(l)?.name === "CommitteeDrawn")!;
  const args = disputes.interface.parseLog(log)!.args;
  return (args.verifiers as string[]).map((a, i) => ({
    signer: verifiers.find((s) => s.address === a)!,
    votes: Number((args.votes as bigint[])[i]),
  }));
}

/** Opens a dispute on a fresh wrong result: post, claim, submit, commitChallenge, challenge. */
async function openDispute() {
  const depositGas = await gasOf(market.connect(requester).deposit(requester.address, 10n * REWARD));
  const postR = await (await market.connect(requester).postJob(jobRequest(await now()))).wait();
  const [id] = postedJobIds(market, postR);
  const claimGas = await gasOf(market.connect(provider).claimJob(id!));
  const submitR = await (await market.connect(provider).submitResult(id!, ethers.id("wrong"), "http://127.0.0.1:8700/o/")).wait();
  const t = submittedTerms(market, submitR).get(id!)!;
  const right = ethers.id("right");
  const challengeSalt = salt("challenge", disputeNo++);
  const commitment = keccak256(abi.encode(["uint256", "bytes32", "address", "bytes32"], [id, right, challenger.address, challengeSalt]));
  const commitChallengeGas = await gasOf(disputes.connect(challenger).commitChallenge(commitment));
  // Automine: the challenge lands in the block after the commitment's, as it must.
  const challengeGas = await gasOf(disputes.connect(challenger).challenge(id!, t, right, challengeSalt));
  await networkHelpers.mine(1);
  return {
    id: id!,
    t,
    right,
    parts: {
      amortizedDeposit: Math.round(depositGas / 10),
      post: Number(postR!.gasUsed),
      claim: claimGas,
      submit: Number(submitR!.gasUsed),
      commitChallenge: commitChallengeGas,
      challenge: challengeGas,
    },
  };
}

/** Every seat entry commits, then reveals, `right` (or `wrong` for the entries `votesWrong` picks). */
async function vote(id: bigint, seats: Seat[], right: string, votesWrong: (i: number) => boolean = () => false) {
  const commits: number[] = [];
  const reveals: number[] = [];
  const hashOf = (i: number) => (votesWrong(i) ? ethers.id("other") : right);
  for (const [i, { signer }] of seats.entries()) {
    const c = keccak256(abi.encode(["bytes32", "bytes32", "address"], [hashOf(i), salt(signer.address, disputeNo), signer.address]));
    commits.push(await gasOf(disputes.connect(signer).commitVote(id, i, c)));
  }
  for (const [i, { signer }] of seats.entries()) {
    reveals.push(await gasOf(disputes.connect(signer).revealVote(id, i, hashOf(i), salt(signer.address, disputeNo))));
  }
  return { commits, reveals };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function disputePath() {
  const { id, t, right, parts: opened } = await openDispute();
  const drawR = await (await disputes.drawCommittee(id, t)).wait();
  const seats = drawnSeats(drawR);
  const { commits, reveals } = await vote(id, seats, right);
  const resolveGas = await gasOf(disputes.resolve(id, t));
  const parts = {
    ...opened,
    draw: Number(drawR!.gasUsed),
    seatEntries: seats.length,
    votes: seats.map((s) => s.votes),
    commits,
    reveals,
    resolve: resolveGas,
  };
  const total = sum(Object.values(opened)) + parts.draw + sum(commits) + sum(reveals) + resolveGas;
  return { total, parts };
}
const coldDispute = await disputePath();
// The draw's seed is a block hash, so how many distinct verifiers a K = 3 draw seats varies from
// run to run. Disputes are run until one seated three entries (the costliest common case, the
// figure reported and held against the target) and one seated two. A dispute counts only once an
// earlier one has seated as many entries: seat storage is recycled, and in a running market the
// slots of a round's first seats have been written before (a first-ever third seat costs two
// fresh slots, ~34k gas, once per seat block, not per dispute).
const byEntries = new Map<number, Awaited<ReturnType<typeof disputePath>>>();
let seatsWritten = coldDispute.parts.seatEntries;
for (let i = 0; i < 16 && !(byEntries.has(3) && byEntries.has(2)); i++) {
  const d = await disputePath();
  const entries = d.parts.seatEntries;
  if (!byEntries.has(entries) && entries <= seatsWritten) byEntries.set(entries, d);
  seatsWritten = Math.max(seatsWritten, entries);
}
const dispute = byEntries.get(3) ?? byEntries.get(2) ?? byEntries.values().next().value!;
const twoEntries = byEntries.get(2);

// --- A minority verifier slashed: one seat entry holding one vote votes for a third hash; at
// resolve its lock is halved and its pool weight updated (sum-tree write) in the same call.
// Committees with another number of seat entries are resolved and redrawn on a new dispute.
type Slashed = { resolve: number; seatEntries: number; draw: number; movedToPending: boolean };
/** A minority slash in a committee of `entries` seat entries (redrawn on new disputes until one is seen). */
async function minoritySlash(entries: number): Promise<Slashed | undefined> {
  for (let attempt = 0; attempt < 12; attempt++) {
    const { id, t, right } = await openDispute();
    const drawR = await (await disputes.drawCommittee(id, t)).wait();
    const seats = drawnSeats(drawR);
    const wrong = seats.findIndex((s) => s.votes === 1);
    if (seats.length !== entries || wrong < 0) {
      await vote(id, seats, right);
      await disputes.resolve(id, t);
      continue;
    }
    await vote(id, seats, right, (i) => i === wrong);
    const resolveR = await (await disputes.resolve(id, t)).wait();
    // The pool emits WithdrawalRequested when a slash leaves less than the minimum bond: the rest goes pending.
    const movedToPending = resolveR!.logs.some(
      (l) => l.address === poolAddress && verifierPool.interface.parseLog(l)?.name === "WithdrawalRequested",
    );
    return { resolve: Number(resolveR!.gasUsed), seatEntries: seats.length, draw: Number(drawR!.gasUsed), movedToPending };
  }
  return undefined;
}
// Three seat entries, as the measured dispute: the difference is one slash instead of an unlock.
const slashed = await minoritySlash(3);

// --- K = 5: the first round's committee never votes; past the reveal deadline resolve fails
// the round (each seat entry's lock is slashed, pool weights updated), and the second round
// draws five seats from the pool as it stood when the dispute opened.
const k5 = await (async () => {
  const { id, t, right } = await openDispute();
  const draw3R = await (await disputes.drawCommittee(id, t)).wait();
  const round0 = drawnSeats(draw3R);
  const cfg = await disputes.config();
  await networkHelpers.time.increase(Number(cfg.commitPeriod) + Number(cfg.revealPeriod) + 1);
  const failR = await (await disputes.resolve(id, t)).wait();
  await networkHelpers.mine(1);
  const draw5R = await (await disputes.drawCommittee(id, t)).wait();
  const seats = drawnSeats(draw5R);
  const { commits, reveals } = await vote(id, seats, right);
  const resolveGas = await gasOf(disputes.resolve(id, t));
  return {
    draw3: Number(draw3R!.gasUsed),
    round0SeatEntries: round0.length,
    resolveFailedRound: Number(failR!.gasUsed),
    draw5: Number(draw5R!.gasUsed),
    seatEntries: seats.length,
    votes: seats.map((s) => s.votes),
    commits,
    reveals,
    resolve: resolveGas,
  };
})();

// --- A slash that leaves a bond below the pool's minimum: every verifier withdraws down to
// exactly the minimum bond (the rest pending), so the minority verifier's slash leaves it short;
// the pool moves what is left to its pending withdrawal (unlockAt pushed to now + delay) and its
// weight to 0, in the same resolve.
const minimumBond = await verifierPool.minimumBond();
for (const v of verifiers) {
  const { bonded } = await verifierPool.memberOf(v.address);
  if (bonded > minimumBond) await verifierPool.connect(v).requestWithdrawal(bonded - minimumBond);
}
await networkHelpers.mine(1);
const slashedBelowMinimum = await minoritySlash(slashed?.seatEntries ?? 3);

// The eager fast path (before deferred pay), as measured at commit 104da48, for comparison.
const PREVIOUS_EAGER_FAST_PATH = {
  measuredAt: "104da48",
  total: 173_173,
  batch10PerJob: 85_682,
  post: 67_765,
  claimAndSubmit: 48_305,
  finalize: 41_821,
  amortizedDepositAndWithdrawal: 15_282,
  parts: { deposit10: 59_653, requestUnstake: 36_552, withdrawUnstaked: 56_612 },
  batch10: {
    total: 856_824,
    parts: {
      postJobsPullingPayment: 426_086,
      claimAndSubmitJobs: 197_964,
      finalizeJobs: 139_610,
      requestUnstake: 36_552,
      withdrawUnstaked: 56_612,
    },
  },
};

const targets = {
  happyPathTotal: 205_000,
  batch10PerJob: 90_000,
  disputeTotal: 1_000_000,
  fastPathTotal: 150_000,
  fastPathBatch10PerJob: 75_000,
};
const report = {
  generatedAt: new Date().toISOString(),
  network: "hardhat (in-process EDR)",
  compiler:
    "solc 0.8.37, viaIR, evm cancun; optimizer runs 300 for HashworkMarket (contract size limit), 20 for the dispute module (contract size limit), 200 for the governor, 10,000 for the rest",
  notes: [
    "Every figure is receipt.gasUsed of a transaction as a user sends it (21,000 base included), after EIP-3529 refunds.",
    "happyPath.post pays from the requester's ledger balance; the deposit that funded it is amortized over 10 jobs.",
    "The provider's earnings go into its stake; withdrawing them (requestUnstake + withdrawUnstaked) is amortized over 10 jobs.",
    "postPullingPayment is the alternative single-transaction post that pulls the reward by allowance.",
    "dispute: the requester posts from its ledger balance as on the happy path (its deposit amortized over 10 jobs); the challenger commits to its challenge (commitChallenge) and reveals it in a later block (challenge, which pulls the bond by allowance to the dispute module); measured after one warm-up dispute (firstDisputeTotal is that first, colder one).",
    "dispute: committees are drawn stake-weighted WITH replacement from the verifier pool (10 verifiers bonded 1,000 HWK each); a verifier drawn twice holds one seat entry with two votes and commits and reveals once, so the number of commits and reveals (seatEntries) varies with the draw (3 entries, the costliest common case, 72% of K = 3 draws here; 2 entries save one commit, one reveal and one lock). Disputes are repeated until one of each is seen; `dispute` is the three-entry one, `dispute.twoEntries` the other.",
    "dispute: seats live in recycled seat blocks (a dispute takes one when it opens and gives it back when it ends), so a seat or vote slot an earlier dispute wrote costs a 5,000-gas rewrite; a seat index no earlier dispute used pays a fresh slot once (e.g. the third commit of the first three-entry dispute after two-entry ones: 58k instead of 41k). The measured disputes come after one that seated as many entries, as in a running market. The challenger's hash is kept in the seat block too (rewritten, not created, per challenge).",
    "verifierPool: bondFirst is a new member's first bond (tree leaf written, ledger deposit), bondLater adds to an existing bond; requestWithdrawal takes weight out at once; withdraw pays out after withdrawalDelay().",
    "minoritySlashed.resolve: a K = 3 resolve in which one verifier voted with the minority: half its lock is slashed and its pool weight updated in the sum tree in the same call.",
    "slashedBelowMinimum.resolve: the same, with every verifier bonded exactly the pool's minimum (the rest withdrawn first): the slash leaves the minority verifier short, so the rest of its bond moves to its pending withdrawal (WithdrawalRequested) and its weight to 0; overMinoritySlashed is the difference to minoritySlashed.resolve.",
    "committeeOf5: the first round's committee never votes; resolve past the reveal deadline fails the round (each seat entry slashed, weights updated), then the second round draws K = 5.",
    "batch10: postJobs pulls the 10 rewards by allowance in one transfer (approve once, not counted); claims, submits and finalizes are batched; the provider withdraws its earnings once.",
    "fastPath (deferred pay): claim and submit in one transaction (claimAndSubmit, claimAndSubmitJobs); the job's pay goes into one of the provider's two pay buckets and is released per bucket (no finalize transaction). total = post + claimAndSubmit + amortized deposit and withdrawal, where claimAndSubmit is the mean over a bucket of 10 one-job transactions: the first also released the previous bucket (10 jobs) and reopened it, the other nine filled it. So the release (releaseInCall) and the bucket's opening are amortized over its 10 jobs; the deposit and the withdrawal of earnings over 10 jobs as on the happy path. Both buckets were used and released once before (warm slots, as in a running market).",
    "fastPath.worstCaseSingleJobBucket: a bucket holding one job, released on its own by a releasePay transaction (21,000 base included): post + opening claimAndSubmit + releasePay + amortized deposit and withdrawal.",
    "fastPath.batch10: one claimAndSubmitJobs per bucket; the measured call also released the previous batch's bucket (10 jobs) and reopened it, so the release is inside claimAndSubmitJobs; releasePay10 is the alternative standalone release of a 10-job bucket (not counted).",
    "fastPathEager: the fast path before deferred pay (each job finalized by finalizeJob / finalizeJobs), as measured at commit 104da48 (reports/gas.json then); kept for comparison, not re-measured.",
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
  fastPath: {
    total: fastTotal,
    batch10PerJob: Math.round(fastBatchTotal / 10),
    post: fastPost,
    claimAndSubmit: fastClaimAndSubmitMean,
    amortizedDepositAndWithdrawal: fastAmortized,
    worstCaseSingleJobBucket: fastWorstCase,
    parts: {
      claimAndSubmitOpeningBucket: fastOpen,
      claimAndSubmitFillingBucket: fastFill,
      claimAndSubmitReleasingAndReopening: releasing.claimAndSubmit,
      releaseInCall: fastReleaseInCall,
      releasePayOneJobBucket: releasePayOne,
      deposit10: fastDeposit10,
      requestUnstake: fastUnstake,
      withdrawUnstaked: fastWithdraw,
    },
    batch10: {
      total: fastBatchTotal,
      parts: {
        postJobsPullingPayment: fastBatchPost,
        claimAndSubmitJobsReleasingPrevious: claimAndSubmitJobs,
        requestUnstake: fastBatchUnstake,
        withdrawUnstaked: fastBatchWithdraw,
      },
      releasePay10: fastBatchReleasePay,
    },
  },
  fastPathEager: PREVIOUS_EAGER_FAST_PATH,
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
    twoEntries: twoEntries ? { total: twoEntries.total, draw: twoEntries.parts.draw, resolve: twoEntries.parts.resolve } : null,
  },
  verifierPool: {
    bondFirst: { firstMember: firstBonds[0], tenthMember: firstBonds.at(-1), all: firstBonds },
    bondLater: laterBond,
    requestWithdrawal,
    withdraw: poolWithdraw,
  },
  pinAuditSeed: { first: pinAuditSeed, alreadyPinned: pinAuditSeedAgain },
  minoritySlashed: slashed
    ? {
        ...slashed,
        // Same number of seat entries as the measured dispute: the difference is one verifier's
        // slash (pool lock taken, sum-tree weight updated, VerifierSlashed) instead of its unlock.
        slashOverUnlock: byEntries.has(slashed.seatEntries) ? slashed.resolve - byEntries.get(slashed.seatEntries)!.parts.resolve : null,
      }
    : null,
  slashedBelowMinimum: slashedBelowMinimum
    ? {
        ...slashedBelowMinimum,
        minimumBond: minimumBond.toString(),
        overMinoritySlashed:
          slashed?.seatEntries === slashedBelowMinimum.seatEntries ? slashedBelowMinimum.resolve - slashed.resolve : null,
      }
    : null,
  committeeOf5: k5,
  targets,
};

await mkdir("reports", { recursive: true });
await writeFile("reports/gas.json", `${JSON.stringify(report, null, 2)}\n`);

const rows: [string, number | undefined][] = [
  ["post (from balance)", post],
  ["claim", claim],
  ["submit", submit],
  ["finalize", finalize],
  ["deposit + withdrawal / 10", amortized],
  ["happy path total", happyTotal],
  ["post pulling payment", postPulling],
  ["batch of 10: per job", Math.round(batchTotal / 10)],
  ["claimAndSubmit (mean, bucket of 10)", fastClaimAndSubmitMean],
  ["  release inside the next call", fastReleaseInCall],
  ["  releasePay (1-job bucket)", releasePayOne],
  ["fast path total", fastTotal],
  ["fast path, 1-job bucket (worst)", fastWorstCase],
  ["fast path batch of 10: per job", Math.round(fastBatchTotal / 10)],
  ["cancel + withdraw refund", cancel + cancelWithdraw],
  ["claim + time-out", toClaim + timeOut],
  ["dispute, K = 3 (full path)", dispute.total],
  ["  commitChallenge", dispute.parts.commitChallenge],
  ["  challenge (reveal)", dispute.parts.challenge],
  [`  draw K = 3 (${dispute.parts.seatEntries} entries)`, dispute.parts.draw],
  ["  commit (each)", dispute.parts.commits[0]],
  ["  reveal (each)", dispute.parts.reveals[0]],
  ["  resolve", dispute.parts.resolve],
  ["dispute, K = 3, two seat entries", twoEntries?.total],
  ["pool bond, first", firstBonds.at(-1)],
  ["pool bond, later", laterBond],
  ["pool requestWithdrawal", requestWithdrawal],
  ["pool withdraw", poolWithdraw],
  ["resolve, minority slashed", slashed?.resolve],
  [
    "  slash + tree update (Δ)",
    slashed && byEntries.has(slashed.seatEntries) ? slashed.resolve - byEntries.get(slashed.seatEntries)!.parts.resolve : undefined,
  ],
  ["resolve, slash below minimum bond", slashedBelowMinimum?.resolve],
  ["resolve, failed round", k5.resolveFailedRound],
  [`draw K = 5 (${k5.seatEntries} entries)`, k5.draw5],
  ["pinAuditSeed", pinAuditSeed],
  ["pinAuditSeed (pinned)", pinAuditSeedAgain],
];
console.log("\nHashwork gas per path (gasUsed, after refunds)\n");
for (const [name, gas] of rows) console.log(`  ${name.padEnd(32)} ${(gas === undefined ? "-" : gas.toLocaleString("en-US")).padStart(10)}`);
const over = [
  happyTotal > targets.happyPathTotal && "happy path",
  Math.round(batchTotal / 10) > targets.batch10PerJob && "batch of 10",
  dispute.total > targets.disputeTotal && "dispute",
  fastTotal > targets.fastPathTotal && "fast path",
  Math.round(fastBatchTotal / 10) > targets.fastPathBatch10PerJob && "fast path batch of 10",
].filter(Boolean);
console.log(
  `\n  targets: happy path <= 205,000; batch of 10 <= 90,000 per job; dispute K = 3 <= 1,000,000; fast path <= 150,000; fast path batch of 10 <= 75,000 per job${over.length ? ` — OVER: ${over.join(", ")}` : " — all met"}`,
);
console.log("  written to reports/gas.json");
