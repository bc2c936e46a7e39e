/**
 * Fixtures for the SDK's tests: the token, the market and its dispute module (with the verifier
 * pool it creates) deployed on the in-process Hardhat network through the Ignition module
 * `ignition/modules/HashworkLocal.ts`, funded actors, staked providers, verifiers bonded in the pool, and jobs
 * in each state up to a drawn dispute committee. The
 * contracts are driven with plain viem calls here, so a broken SDK action cannot break the
 * fixtures of the other actions' tests. Use with `networkHelpers.loadFixture(...)`.
 */
import type {} from "@nomicfoundation/hardhat-ignition-ethers";
import type {} from "@nomicfoundation/hardhat-network-helpers";
import type {} from "@nomicfoundation/hardhat-viem";
import type { NetworkConnection } from "hardhat/types/network";
import { encodeAbiParameters, getAddress, keccak256, parseEventLogs, stringToBytes, toBytes, toHex, type Address, type Hex } from "viem";

import HashworkLocal from "../ignition/modules/HashworkLocal.ts";
import HashworkLocalMarketOnToken from "../ignition/modules/HashworkLocalMarketOnToken.ts";
import { DISPUTE_PARAMETERS, LOCAL_PARAMETERS, TOKEN_UNIT } from "../ignition/parameters/defaults.ts";
import { hashworkDisputesAbi } from "../sdk/src/abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "../sdk/src/abi/hashwork-market.ts";
import { hashworkTokenAbi } from "../sdk/src/abi/hashwork-token.ts";
import { verifierPoolAbi } from "../sdk/src/abi/verifier-pool.ts";
import { defineDeployment, type HashworkDeployment } from "../sdk/src/deployments.ts";
import { ExecutionStatus, computeResultHash } from "../sdk/src/executor/result-hash.ts";
import type { HashworkBaseClient, HashworkPublicClient, HashworkWalletClient } from "../sdk/src/utils/client.ts";
import type { JobSpec } from "../sdk/src/utils/job-request.ts";

export { DISPUTE_PARAMETERS, LOCAL_PARAMETERS, TOKEN_UNIT };

export const REWARD = 10n * TOKEN_UNIT;
export const STAKE = 1_000n * TOKEN_UNIT;
export const MINTED = 1_000_000n * TOKEN_UNIT;
export const COLLATERAL_PCT = 150;
export const EXECUTION_TIME = 600;
export const CHALLENGE_WINDOW = 600;
export const PROVIDER_ENDPOINT = "http://127.0.0.1:8700";
/** The output the fixture's provider "computed", and the result it committed for it. */
export const OUTPUT = stringToBytes("mandelbrot tile 0,0");
export const FUEL_USED = 1_234_567n;
export const RESULT_HASH = computeResultHash(keccak256(OUTPUT), FUEL_USED, ExecutionStatus.Ok);
export const OUTPUT_URI = "http://127.0.0.1:8700/o/";
/** Reward of the small jobs the audit fixtures submit in batches (collateral 100%). */
export const AUDIT_JOB_REWARD = TOKEN_UNIT;
/** Reward of the job whose 1% fee fills the audit reserve (half of it, 5 tokens: more than `auditBudget()`, 4 by default). */
export const AUDIT_FEE_JOB_REWARD = 1_000n * TOKEN_UNIT;
/** The result a challenger claims is right instead of RESULT_HASH. */
export const CHALLENGER_HASH = computeResultHash(keccak256(stringToBytes("the real tile 0,0")), FUEL_USED, ExecutionStatus.Ok);
/** The salt `challengedJob` commits its challenge with. */
export const CHALLENGE_SALT = keccak256(toHex("challenge salt"));
/** The bond each verifier of `verifiersBonded` holds in the verifier pool. */
export const VERIFIER_BOND = STAKE;

/** `keccak256(abi.encode(jobId, challengerHash, challenger, salt))`, as `commitChallenge` takes it. */
export function challengeCommitmentWithViem(jobId: bigint, challengerHash: Hex, challenger: Address, salt: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "bytes32" }, { type: "address" }, { type: "bytes32" }],
      [jobId, challengerHash, challenger, salt],
    ),
  );
}

/**
 * A realistic job: content hashes, 10 tokens, 150% collateral, ten-minute windows (inside the
 * local market's bounds: reward >= 0.01 token, collateral 100–300%). No URIs: nothing serves
 * these hashes here, and `postJob`'s pre-flight fetches every URI a job names.
 */
export function testJob(overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    programHash: keccak256(toBytes("mandelbrot.wasm")),
    inputHash: keccak256(toBytes("tile-0-0.json")),
    programURI: "",
    inputURI: "",
    fuelLimit: 50_000_000n,
    reward: REWARD,
    collateralPct: COLLATERAL_PCT,
    executionTime: EXECUTION_TIME,
    challengeWindow: CHALLENGE_WINDOW,
    ...overrides,
  };
}

/** The verifiers `verifiersBonded` bonds in the verifier pool (the only accounts a committee can seat). */
export const VERIFIERS = ["verifier1", "verifier2", "verifier3", "verifier4", "verifier5", "verifier6"] as const;
type Verifier = (typeof VERIFIERS)[number];
type Actor = "owner" | "treasury" | "requester" | "provider" | "provider2" | "keeper" | "stranger" | "challenger" | Verifier;
const ACTORS: readonly Actor[] = [
  "owner",
  "treasury",
  "requester",
  "provider",
  "provider2",
  "keeper",
  "stranger",
  "challenger",
  ...VERIFIERS,
];

export function createSdkFixtures(connection: NetworkConnection) {
  const { viem, networkHelpers, ignition } = connection;

  /**
   * Token, market and dispute module (installed in the market; the owner is the arbiter) and
   * its verifier pool; every actor but the owner and the treasury holds MINTED tokens (no
   * allowances: the SDK must approve).
   */
  async function deployed() {
    const publicClient = (await viem.getPublicClient()) as HashworkPublicClient;
    const wallets = await viem.getWalletClients();
    const names = ACTORS;
    const wallet = Object.fromEntries(names.map((n, i) => [n, wallets[i]])) as Record<Actor, (typeof wallets)[number]>;
    const address = Object.fromEntries(names.map((n) => [n, getAddress(wallet[n].account.address)])) as Record<Actor, Address>;
    const fromBlock = (await publicClient.getBlockNumber()) + 1n;
    // The Ignition module every local chain deploys (account #0 owns, #1 is the treasury).
    const system = await ignition.deploy(HashworkLocal, { parameters: { $global: { treasury: address.treasury } } });
    const at = async (contract: { getAddress(): Promise<string> }) => ({ address: getAddress(await contract.getAddress()) });
    const [token, market, disputes] = [await at(system.token), await at(system.market), await at(system.disputes)];
    const pool = (await at(system.verifierPool)).address;
    const deployment: HashworkDeployment = defineDeployment({
      chainId: await publicClient.getChainId(),
      market: market.address,
      token: token.address,
      disputes: disputes.address,
      verifierPool: pool,
      fromBlock,
    });
    for (const n of names.filter((n) => n !== "owner" && n !== "treasury")) {
      await send(publicClient, wallet.owner, token.address, hashworkTokenAbi, "mint", [address[n], MINTED]);
    }
    const client = (n: Actor): HashworkBaseClient => ({
      publicClient,
      walletClient: wallet[n] as HashworkWalletClient,
      deployment,
    });
    const clients = Object.fromEntries(names.map((n) => [n, client(n)])) as Record<Actor, HashworkBaseClient>;
    /** A client without a wallet (read-only). */
    const reader: HashworkBaseClient = { publicClient, deployment };
    const now = async () => (await publicClient.getBlock()).timestamp;
    /** Sends a market call from `who` with plain viem and waits for it. */
    const marketWrite = (who: Actor, functionName: string, args: readonly unknown[]) =>
      send(publicClient, wallet[who], market.address, hashworkMarketAbi, functionName, args);
    const tokenWrite = (who: Actor, functionName: string, args: readonly unknown[]) =>
      send(publicClient, wallet[who], token.address, hashworkTokenAbi, functionName, args);
    const disputesWrite = (who: Actor, functionName: string, args: readonly unknown[]) =>
      send(publicClient, wallet[who], disputes.address, hashworkDisputesAbi, functionName, args);
    const poolWrite = (who: Actor, functionName: string, args: readonly unknown[]) =>
      send(publicClient, wallet[who], pool, verifierPoolAbi, functionName, args);
    const read = <T>(functionName: string, args: readonly unknown[] = []) =>
      publicClient.readContract({ address: market.address, abi: hashworkMarketAbi, functionName, args } as never) as Promise<T>;
    const disputesRead = <T>(functionName: string, args: readonly unknown[] = []) =>
      publicClient.readContract({ address: disputes.address, abi: hashworkDisputesAbi, functionName, args } as never) as Promise<T>;
    const poolRead = <T>(functionName: string, args: readonly unknown[] = []) =>
      publicClient.readContract({ address: pool, abi: verifierPoolAbi, functionName, args } as never) as Promise<T>;
    /** A second market settling in the same token with no dispute module (Ignition's `HashworkLocalMarketOnToken`). */
    const deployBareMarket = async (): Promise<Address> => {
      const parameters = { $global: { treasury: address.treasury }, HashworkLocalMarketOnToken: { token: token.address } };
      const { market: bare } = await ignition.deploy(HashworkLocalMarketOnToken, { parameters });
      return getAddress(await bare.getAddress());
    };
    const tokenBalance = (who: Address) =>
      publicClient.readContract({ address: token.address, abi: hashworkTokenAbi, functionName: "balanceOf", args: [who] });
    return {
      publicClient,
      wallet,
      address,
      deployment,
      clients,
      reader,
      now,
      marketWrite,
      tokenWrite,
      disputesWrite,
      poolWrite,
      read,
      disputesRead,
      poolRead,
      tokenBalance,
      deployBareMarket,
      networkHelpers,
    };
  }

  /** `deployed` plus provider and provider2 registered and staked with STAKE. */
  async function staked() {
    const d = await deployed();
    for (const p of ["provider", "provider2"] as const) {
      await d.marketWrite(p, "registerProvider", [PROVIDER_ENDPOINT, 1n, 1_000_000_000n]);
      await d.tokenWrite(p, "approve", [d.deployment.market, STAKE]);
      await d.marketWrite(p, "stake", [STAKE]);
    }
    return d;
  }

  /** `staked` plus one open job posted by the requester (paid by allowance). */
  async function openJob() {
    const d = await staked();
    const claimDeadline = Number((await d.now()) + 3600n);
    const jobId = await postWithViem(d, { claimDeadline });
    return { ...d, jobId, spec: testJob(), claimDeadline };
  }

  /** `openJob` claimed by provider. */
  async function claimedJob() {
    const d = await openJob();
    await d.marketWrite("provider", "claimJob", [d.jobId]);
    return d;
  }

  /** `claimedJob` with RESULT_HASH submitted by provider; `terms` settle it. */
  async function submittedJob() {
    return submit(await claimedJob());
  }

  /**
   * `staked` plus VERIFIERS bonded in the verifier pool with VERIFIER_BOND each: the six
   * accounts a committee can seat (the provider, the challenger and the requester never sit).
   */
  async function verifiersBonded() {
    const d = await staked();
    for (const v of VERIFIERS) {
      await d.tokenWrite(v, "approve", [d.deployment.verifierPool!, VERIFIER_BOND]);
      await d.poolWrite(v, "bond", [VERIFIER_BOND]);
    }
    return d;
  }

  /** `verifiersBonded` plus a job posted, claimed and submitted with RESULT_HASH (challengeable). */
  async function disputableJob() {
    const d = await verifiersBonded();
    const jobId = await postWithViem(d);
    await d.marketWrite("provider", "claimJob", [jobId]);
    return submit({ ...d, jobId, spec: testJob() });
  }

  /**
   * `disputableJob` challenged by the challenger naming CHALLENGER_HASH: committed with
   * CHALLENGE_SALT, bond approved exactly, revealed (each its own block); `openedBlock` is the
   * block the dispute opened in (its pool snapshot is the block before the submission).
   */
  async function challengedJob() {
    const d = await disputableJob();
    const receipt = await challengeWithViem(d, "challenger", d.jobId, d.terms);
    return { ...d, openedBlock: receipt.blockNumber };
  }

  /**
   * `disputableJob` challenged after every verifier asked to withdraw its whole bond before the
   * result was submitted: the pool had no weight at the dispute's snapshot (the block before the
   * submission), so no round can seat anyone.
   */
  async function challengedWithEmptyPool() {
    const bonded = await verifiersBonded();
    for (const v of VERIFIERS) await bonded.poolWrite(v, "requestWithdrawal", [VERIFIER_BOND]);
    const jobId = await postWithViem(bonded);
    await bonded.marketWrite("provider", "claimJob", [jobId]);
    const d = await submit({ ...bonded, jobId, spec: testJob() });
    const receipt = await challengeWithViem(d, "challenger", d.jobId, d.terms);
    return { ...d, openedBlock: receipt.blockNumber };
  }

  /**
   * Mines the seed block of `d`'s dispute and has the keeper draw, until the draw has the shape
   * `wanted` asks for (the seed block's hash depends on its timestamp: each try mines it one
   * second later, from a snapshot). Returns the `CommitteeDrawn` receipt.
   */
  async function drawUntil(d: Deployed & { jobId: bigint; terms: unknown }, wanted: (votes: readonly number[]) => boolean) {
    const before = await networkHelpers.takeSnapshot();
    const base = Number(await d.now()) + 1;
    for (let attempt = 0; attempt < 64; attempt++) {
      if (attempt > 0) await before.restore();
      await networkHelpers.time.setNextBlockTimestamp(base + attempt);
      await networkHelpers.mine(1);
      const receipt = await d.disputesWrite("keeper", "drawCommittee", [d.jobId, d.terms]);
      const [drawn] = parseEventLogs({ abi: hashworkDisputesAbi, logs: receipt.logs, eventName: "CommitteeDrawn" });
      if (drawn && wanted(drawn.args.votes)) return receipt;
    }
    throw new Error("no draw of the wanted shape in 64 tries");
  }

  /**
   * `challengedJob` with the seed block mined and the first committee drawn by the keeper:
   * three distinct verifiers with one vote each (the draw is with replacement; see
   * `drawnJobWithRepeat` for a verifier holding several seats).
   */
  async function drawnJob() {
    return seated(await challengedJob(), (votes) => votes.length === DISPUTE_PARAMETERS.committeeSize);
  }

  /** `challengedJob` drawn so that one verifier holds two of the three seats (two entries, votes [2, 1] or [1, 2]). */
  async function drawnJobWithRepeat() {
    return seated(await challengedJob(), (votes) => votes.length === DISPUTE_PARAMETERS.committeeSize - 1);
  }

  async function seated<D extends Deployed & { jobId: bigint; terms: unknown }>(d: D, wanted: (votes: readonly number[]) => boolean) {
    const receipt = await drawUntil(d, wanted);
    const [drawn] = parseEventLogs({ abi: hashworkDisputesAbi, logs: receipt.logs, eventName: "CommitteeDrawn" });
    /** The seated verifiers, one entry each (the draw is with replacement: see `votes`). */
    const committee = [...drawn!.args.verifiers];
    /** Seats (votes) each entry holds; they add up to the committee size. */
    const votes = [...drawn!.args.votes];
    /** The actor holding each entry, in seat order. */
    const seats = committee.map((v) => {
      const actor = ACTORS.find((n) => d.address[n] === getAddress(v));
      if (!actor) throw new Error(`no actor for verifier ${v}`);
      return actor;
    });
    return { ...d, committee, votes, seats };
  }

  /**
   * `verifiersBonded` plus an audit reserve above `auditBudget()` (one large job finalized) and
   * batches of small submitted jobs until the audit lottery selects at least one. Each batch is
   * followed by one mined block, so the submission blocks' hashes are readable at "latest".
   */
  async function auditableJobs() {
    const d = await verifiersBonded();
    // Collateral 100% (the least the market allows): all of the provider's STAKE, unlocked again at the finalization.
    const [bigId] = await postManyWithViem(d, 1, { reward: AUDIT_FEE_JOB_REWARD, collateralPct: 100, challengeWindow: 1 });
    await d.marketWrite("provider", "claimJob", [bigId!]);
    const bigTerms = termsFromReceipt(await d.marketWrite("provider", "submitResult", [bigId!, RESULT_HASH, OUTPUT_URI]));
    await networkHelpers.time.increase(2);
    await d.marketWrite("keeper", "finalizeJob", [bigId!, bigTerms.get(bigId!)!]);
    const terms = new Map<bigint, ReturnType<typeof termsFromReceipt> extends Map<bigint, infer T> ? T : never>();
    const selected: bigint[] = [];
    const unselected: bigint[] = [];
    for (let batch = 0; selected.length === 0; batch++) {
      if (batch === 10) throw new Error("the audit lottery selected none of 500 jobs");
      const submitted = await submitBatchWithViem(d, 50);
      await networkHelpers.mine(1);
      for (const [id, t] of submitted) {
        terms.set(id, t);
        const isSelected = await d.disputesRead<boolean>("isSelectedForAudit", [id, t.submittedBlock]);
        (isSelected ? selected : unselected).push(id);
      }
    }
    return { ...d, terms, selected, unselected };
  }

  return {
    deployed,
    staked,
    openJob,
    claimedJob,
    submittedJob,
    verifiersBonded,
    disputableJob,
    challengedJob,
    challengedWithEmptyPool,
    drawnJob,
    drawnJobWithRepeat,
    auditableJobs,
  };
}

/** Submits RESULT_HASH for `d.jobId` as the provider and returns `d` with the settlement terms. */
async function submit<D extends Deployed & { jobId: bigint }>(d: D) {
  const receipt = await d.marketWrite("provider", "submitResult", [d.jobId, RESULT_HASH, OUTPUT_URI]);
  const [submitted] = parseEventLogs({ abi: hashworkMarketAbi, logs: receipt.logs, eventName: "ResultSubmitted" });
  const a = submitted!.args;
  const terms = {
    reward: a.reward,
    collateralPct: a.collateralPct,
    provider: a.provider,
    resultHash: a.resultHash,
    submittedBlock: a.submittedBlock,
  };
  return { ...d, terms, challengeEnd: a.challengeEnd };
}

type Deployed = Awaited<ReturnType<ReturnType<typeof createSdkFixtures>["deployed"]>>;
type Drawn = Awaited<ReturnType<ReturnType<typeof createSdkFixtures>["drawnJob"]>>;

/**
 * Has entry i of the drawn committee commit then reveal `votes[i]` with plain viem for all the
 * seats it holds (`undefined`: that entry stays silent). With silent entries the reveals wait
 * for the commit deadline.
 */
export async function voteWithViem(
  d: Pick<Drawn, "jobId" | "seats" | "address" | "disputesWrite" | "disputesRead" | "networkHelpers">,
  votes: readonly (Hex | undefined)[],
) {
  const salts = d.seats.map((_, i) => keccak256(toHex(`salt ${i}`)));
  for (const [i, seat] of d.seats.entries()) {
    const vote = votes[i];
    if (vote === undefined) continue;
    const commitment = keccak256(
      encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }, { type: "address" }], [vote, salts[i]!, d.address[seat]]),
    );
    await d.disputesWrite(seat, "commitVote", [d.jobId, i, commitment]);
  }
  if (votes.some((v) => v === undefined) || votes.length < d.seats.length) {
    const { commitDeadline } = await d.disputesRead<{ commitDeadline: number }>("getDispute", [d.jobId]);
    await d.networkHelpers.time.increaseTo(commitDeadline + 1);
  }
  for (const [i, seat] of d.seats.entries()) {
    const vote = votes[i];
    if (vote !== undefined) await d.disputesWrite(seat, "revealVote", [d.jobId, i, vote, salts[i]!]);
  }
}

/**
 * Challenges `jobId` as `who` with plain viem, the two steps the module wants: commit
 * `challengeCommitmentWithViem(jobId, challengerHash, who, salt)`, approve exactly the bond, then
 * reveal with `challenge` (each its own block). Returns the reveal's receipt (`DisputeOpened`).
 */
export async function challengeWithViem(
  d: Deployed,
  who: Parameters<Deployed["disputesWrite"]>[0],
  jobId: bigint,
  terms: unknown,
  challengerHash: Hex = CHALLENGER_HASH,
  salt: Hex = CHALLENGE_SALT,
) {
  await d.disputesWrite(who, "commitChallenge", [challengeCommitmentWithViem(jobId, challengerHash, d.address[who], salt)]);
  await d.tokenWrite(who, "approve", [d.deployment.disputes!, DISPUTE_PARAMETERS.challengeBond]);
  return d.disputesWrite(who, "challenge", [jobId, terms, challengerHash, salt]);
}

/**
 * Posts a `testJob` (with overrides) as the requester with plain viem — approve, then
 * `postJob` — and returns its id. `claimDeadline` defaults to an hour from the latest block.
 */
export async function postWithViem(d: Deployed, overrides: Partial<JobSpec> = {}): Promise<bigint> {
  const [jobId] = await postManyWithViem(d, 1, overrides);
  return jobId!;
}

/** Posts `count` identical `testJob`s (with overrides) in one `postJobs` batch with plain viem; returns their ids. */
export async function postManyWithViem(d: Deployed, count: number, overrides: Partial<JobSpec> = {}): Promise<bigint[]> {
  const spec = testJob(overrides);
  const claimDeadline = Number(spec.claimDeadline ?? (await d.now()) + 3600n);
  await d.tokenWrite("requester", "approve", [d.deployment.market, spec.reward * BigInt(count)]);
  const request = {
    programHash: spec.programHash,
    inputHash: spec.inputHash,
    fuelLimit: spec.fuelLimit,
    reward: spec.reward,
    collateralPct: spec.collateralPct ?? COLLATERAL_PCT,
    claimDeadline,
    executionTime: spec.executionTime,
    challengeWindow: spec.challengeWindow,
    minReputation: spec.minReputation ?? 0,
    designatedProvider: spec.designatedProvider ?? "0x0000000000000000000000000000000000000000",
    programURI: spec.programURI ?? "",
    inputURI: spec.inputURI ?? "",
  };
  const receipt =
    count === 1
      ? await d.marketWrite("requester", "postJob", [request])
      : await d.marketWrite("requester", "postJobs", [Array(count).fill(request)]);
  return parseEventLogs({ abi: hashworkMarketAbi, logs: receipt.logs, eventName: "JobPosted" }).map((l) => l.args.jobId);
}

/** Settlement terms by job id, from the `ResultSubmitted` events of a receipt. */
export function termsFromReceipt(receipt: { logs: Parameters<typeof parseEventLogs>[0]["logs"] }) {
  const terms = new Map<bigint, { reward: bigint; collateralPct: number; provider: Address; resultHash: Hex; submittedBlock: bigint }>();
  for (const l of parseEventLogs({ abi: hashworkMarketAbi, logs: receipt.logs, eventName: "ResultSubmitted" })) {
    const a = l.args;
    terms.set(a.jobId, {
      reward: a.reward,
      collateralPct: a.collateralPct,
      provider: a.provider,
      resultHash: a.resultHash,
      submittedBlock: a.submittedBlock,
    });
  }
  return terms;
}

/** Posts, claims (as the provider) and submits RESULT_HASH for `count` small jobs in three batch transactions. */
export async function submitBatchWithViem(d: Deployed, count: number) {
  const ids = await postManyWithViem(d, count, { reward: AUDIT_JOB_REWARD, collateralPct: 100 });
  await d.marketWrite("provider", "claimJobs", [ids]);
  const receipt = await d.marketWrite("provider", "submitResults", [ids, ids.map(() => RESULT_HASH), ids.map(() => OUTPUT_URI)]);
  return termsFromReceipt(receipt);
}

async function send(
  publicClient: HashworkPublicClient,
  walletClient: { writeContract: (args: never) => Promise<Hex> },
  address: Address,
  abi: typeof hashworkMarketAbi | typeof hashworkTokenAbi | typeof hashworkDisputesAbi | typeof verifierPoolAbi,
  functionName: string,
  args: readonly unknown[],
) {
  const hash = await walletClient.writeContract({ address, abi, functionName, args } as never);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
  return receipt;
}
