/**
 * Helpers for the landing review's tests (no tests here). Builds on the dispute fixtures
 * (test/disputes/fixtures.ts): token, market, dispute module, pool, seven honest verifiers.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { ContractTransactionReceipt } from "ethers";

import { disputeConfig } from "../../scripts/lib/deploy-local.js";
import { jobRequest, postedJobIds, submittedTerms, type JobRequest } from "../../scripts/lib/jobs.js";
import { DISPUTE_PARAMETERS, TOKEN_UNIT, type createDisputeFixtures } from "../../test/disputes/fixtures.js";
import type { HashworkDisputes } from "../../types/ethers-contracts/index.js";

export type Deployed = Awaited<ReturnType<ReturnType<typeof createDisputeFixtures>["deployed"]>>;

export const fmt = (wei: bigint) => `${Number(wei) / 1e18}`;

/** Funds `signers` with `tokens` and approves the market, the given modules and pools. */
export async function fund(d: Deployed, signers: HardhatEthersSigner[], tokens: bigint, spenders: string[]) {
  for (const s of signers) {
    await d.token.connect(d.owner).mint(s.address, tokens);
    for (const sp of [d.marketAddress, ...spenders]) await d.token.connect(s).approve(sp, 2n ** 255n);
  }
}

/** A fresh dispute module on the same market (not installed), the owner as its owner and arbiter. */
export async function newModule(ethers: HardhatEthers, d: Deployed, config = disputeConfig(DISPUTE_PARAMETERS)) {
  const next = (await ethers.deployContract("HashworkDisputes", [
    d.marketAddress,
    d.owner.address,
    d.owner.address,
    config,
  ])) as unknown as HashworkDisputes;
  const nextAddress = await next.getAddress();
  const pool = await ethers.getContractAt("VerifierPool", await next.verifierPool());
  return { next, nextAddress, pool, poolAddress: await pool.getAddress() };
}

/** Posts (requester), claims and submits (provider) one job with `resultHash`. */
export async function postClaimSubmit(helpers: NetworkHelpers, d: Deployed, resultHash: string, overrides: Partial<JobRequest> = {}) {
  const request = jobRequest(Number(await helpers.time.latest()), { reward: 10n * TOKEN_UNIT, challengeWindow: 3600, ...overrides });
  const [jobId] = postedJobIds(d.market, await (await d.market.connect(d.requester).postJob(request)).wait());
  await d.market.connect(d.provider).claimJob(jobId);
  const receipt = await (await d.market.connect(d.provider).submitResult(jobId, resultHash, "")).wait();
  return { jobId, terms: submittedTerms(d.market, receipt).get(jobId)!, receipt };
}

/** The fee of the JobFinalized event in a receipt. */
export function finalizedFee(d: Deployed, receipt: ContractTransactionReceipt | null): bigint {
  for (const log of receipt?.logs ?? []) {
    try {
      const p = d.market.interface.parseLog(log);
      if (p?.name === "JobFinalized") return p.args.protocolFee as bigint;
    } catch {
      /* another contract's log */
    }
  }
  throw new Error("no JobFinalized in the receipt");
}

export { TOKEN_UNIT, jobRequest, postedJobIds, submittedTerms };
