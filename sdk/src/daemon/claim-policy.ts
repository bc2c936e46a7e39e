import { zeroAddress, type Address } from "viem";

import { collateralOf } from "../utils/job-request.ts";
import type { DaemonConfig } from "./config.ts";
import type { TrackedJob } from "./job-index.ts";

export type ClaimDecision = { claim: true; collateral: bigint } | { claim: false; reason: string };

/**
 * Whether the provider `me` should claim an open job under `policy`: requester allowed and not
 * denied, designated provider (if any) is `me`, fuel limit within `maxFuel`, reward per unit of
 * fuel at least `minPricePerFuel`, and (when `freeStake` is known) enough free stake to lock the
 * collateral and keep `minFreeStake`. Concurrency is the caller's concern.
 *
 * @example
 * const d = decideClaim(job, config.claimPolicy, { me, freeStake })
 * if (!d.claim) logger.debug("skip", { job_id: job.jobId, reason: d.reason })
 */
export function decideClaim(
  job: TrackedJob,
  policy: DaemonConfig["claimPolicy"],
  { me, freeStake }: { me: Address; freeStake?: bigint | undefined },
): ClaimDecision {
  const { request } = job;
  const requester = job.requester.toLowerCase();
  if (policy.denyRequesters.some((a) => a.toLowerCase() === requester)) return { claim: false, reason: "requester denied" };
  if (policy.allowRequesters.length > 0 && !policy.allowRequesters.some((a) => a.toLowerCase() === requester)) {
    return { claim: false, reason: "requester not allowed" };
  }
  if (request.designatedProvider !== zeroAddress && request.designatedProvider.toLowerCase() !== me.toLowerCase()) {
    return { claim: false, reason: "designated to another provider" };
  }
  if (request.fuelLimit > policy.maxFuel) return { claim: false, reason: `fuel limit ${request.fuelLimit} above maxFuel ${policy.maxFuel}` };
  if (request.reward < policy.minPricePerFuel * request.fuelLimit) {
    return { claim: false, reason: `reward ${request.reward} below ${policy.minPricePerFuel} per fuel` };
  }
  const collateral = collateralOf(request.reward, request.collateralPct);
  if (freeStake !== undefined && freeStake < collateral + policy.minFreeStake) {
    return { claim: false, reason: `free stake ${freeStake} below collateral ${collateral} + minFreeStake ${policy.minFreeStake}` };
  }
  return { claim: true, collateral };
}
