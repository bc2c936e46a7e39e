import { keccak256, toUtf8Bytes, type ContractTransactionReceipt, type Log } from "ethers";

import type { HashworkMarket } from "../../types/ethers-contracts/index.js";
import type { IJobMarket } from "../../types/ethers-contracts/HashworkMarket.js";
import { TOKEN_UNIT } from "../../ignition/parameters/defaults.js";

export type JobRequest = IJobMarket.JobRequestStruct;
export type SubmittedJob = IJobMarket.SubmittedJobStruct;

/** A realistic job request: content hashes, short fetch URIs, 10 tokens, 150% collateral. */
export function jobRequest(now: number, overrides: Partial<JobRequest> = {}): JobRequest {
  return {
    programHash: keccak256(toUtf8Bytes("mandelbrot.wasm")),
    inputHash: keccak256(toUtf8Bytes("tile-0-0.json")),
    fuelLimit: 50_000_000n,
    reward: 10n * TOKEN_UNIT,
    collateralPct: 150,
    claimDeadline: now + 3600,
    executionTime: 600,
    challengeWindow: 600,
    minReputation: 0,
    designatedProvider: "0x0000000000000000000000000000000000000000",
    programURI: "http://127.0.0.1:8600/c/",
    inputURI: "http://127.0.0.1:8600/c/",
    ...overrides,
  };
}

/** Job ids from every JobPosted event in a receipt, in order. */
export function postedJobIds(market: HashworkMarket, receipt: ContractTransactionReceipt | null): bigint[] {
  return parseEvents(market, receipt, "JobPosted").map((e) => e.args.jobId as bigint);
}

/** Settlement terms (what `finalizeJob` needs) from every ResultSubmitted event in a receipt. */
export function submittedTerms(market: HashworkMarket, receipt: ContractTransactionReceipt | null): Map<bigint, SubmittedJob> {
  const terms = new Map<bigint, SubmittedJob>();
  for (const e of parseEvents(market, receipt, "ResultSubmitted")) {
    terms.set(e.args.jobId as bigint, {
      reward: e.args.reward,
      collateralPct: e.args.collateralPct,
      provider: e.args.provider,
      resultHash: e.args.resultHash,
      submittedBlock: e.args.submittedBlock,
    });
  }
  return terms;
}

function parseEvents(market: HashworkMarket, receipt: ContractTransactionReceipt | null, name: string) {
  if (receipt === null) throw new Error("transaction has no receipt");
  return receipt.logs
    .map((log: Log) => {
      try {
        return market.interface.parseLog(log);
      } catch {
        return null;
      }
    })
    .filter((e) => e !== null && e.name === name) as NonNullable<ReturnType<HashworkMarket["interface"]["parseLog"]>>[];
}
