/**
 * Helpers for the adversarial review's tests (no tests here). Everything builds on the dispute
 * fixtures (test/disputes/fixtures.ts): the full system, seven honest verifiers bonded with
 * 1,000 tokens each, the provider/requester/challenger bonded too (and excluded from draws).
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { Wallet, keccak256, toUtf8Bytes, type ContractTransactionReceipt } from "ethers";

import { jobRequest, postedJobIds, submittedTerms, type JobRequest, type SubmittedJob } from "../../scripts/lib/jobs.js";
import { TOKEN_UNIT, type createDisputeFixtures } from "../../test/disputes/fixtures.js";

export type Deployed = Awaited<ReturnType<ReturnType<typeof createDisputeFixtures>["deployed"]>>;

export const GWEI = 10n ** 9n;
/** Gas fields for transactions sent while automine is off (no estimate against a pending block). */
export const tip = (gwei: bigint, gasLimit = 3_000_000n) => ({
  gasLimit,
  maxFeePerGas: 1_000n * GWEI,
  maxPriorityFeePerGas: gwei * GWEI,
});

/** Sends what `send` sends with automine off, then mines it all in one block. */
export async function inOneBlock<T>(ethers: HardhatEthers, send: () => Promise<T>): Promise<T> {
  await ethers.provider.send("evm_setAutomine", [false]);
  try {
    const sent = await send();
    await ethers.provider.send("evm_mine", []);
    return sent;
  } finally {
    await ethers.provider.send("evm_setAutomine", [true]);
  }
}

/** Deterministic funded throw-away accounts (1,000 ETH for gas, `tokens` minted, pool + market approved). */
export async function sybils(ethers: HardhatEthers, helpers: NetworkHelpers, d: Deployed, label: string, n: number, tokens: bigint) {
  const list = Array.from({ length: n }, (_, i) => new Wallet(keccak256(toUtf8Bytes(`${label} ${i}`)), ethers.provider));
  for (const w of list) {
    await helpers.setBalance(w.address, 1_000n * 10n ** 18n);
    if (tokens > 0n) await d.token.connect(d.owner).mint(w.address, tokens);
    await d.token.connect(w).approve(d.poolAddress, ethers.MaxUint256);
    await d.token.connect(w).approve(d.marketAddress, ethers.MaxUint256);
    await d.token.connect(w).approve(d.disputesAddress, ethers.MaxUint256);
  }
  return list;
}

/** Posts (requester), claims and submits (provider, `resultHash`) one job; returns its id and terms. */
export async function postClaimSubmit(
  _ethers: HardhatEthers, // unused; kept so the review scripts' calls stay as written
  helpers: NetworkHelpers,
  d: Deployed,
  requester: HardhatEthersSigner | Wallet,
  provider: HardhatEthersSigner | Wallet,
  resultHash: string,
  overrides: Partial<JobRequest> = {},
) {
  const request = jobRequest(Number(await helpers.time.latest()), { challengeWindow: 3600, ...overrides });
  const [jobId] = postedJobIds(d.market, await (await d.market.connect(requester).postJob(request)).wait());
  await d.market.connect(provider).claimJob(jobId);
  const receipt = await (await d.market.connect(provider).submitResult(jobId, resultHash, "")).wait();
  const terms = submittedTerms(d.market, receipt).get(jobId)!;
  return { jobId, terms, receipt };
}

/** Gas used by a receipt. */
export function gasOf(receipt: ContractTransactionReceipt | null): bigint {
  if (!receipt) throw new Error("no receipt");
  return receipt.gasUsed;
}

export { TOKEN_UNIT, postedJobIds, submittedTerms, jobRequest, type SubmittedJob };
