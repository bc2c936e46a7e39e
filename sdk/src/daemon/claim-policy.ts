import { zeroAddress, type Address } from "viem";

import { collateralOf } from "../utils/job-request.ts";
import type { DaemonConfig } from "./config.ts";
import type { TrackedJob } from "./job-index.ts";

/**
 * Why a job is not claimed: `reputation` (our score on the job is below its `minReputation`: it
 * rises as our jobs are finalized, so worth a look again later), `score-needed` (the job is
 * gated and no score was given: read `scoreFor(me, reward)` and decide again), `collateral`
 * (the job asks more collateral than `maxCollateralPct`), `stake` (our free stake is short of its
 * collateral now: it grows back as our jobs are paid, so worth a look again soon), `policy`
 * (everything else).
 */
export type ClaimRefusal = "policy" | "collateral" | "stake" | "reputation" | "score-needed";

export type ClaimDecision = { claim: true; collateral: bigint } | { claim: false; reason: string; refusal: ClaimRefusal };

/**
 * Whether the provider `me` should claim an open job under `policy`: requester allowed and not
 * denied, designated provider (if any) is `me`, fuel limit within `maxFuel`, reward per unit of
 * fuel at least `minPricePerFuel`, collateral at most `maxCollateralPct` of the reward, our
 * `score` on this job (the market's `scoreFor(me, reward)`: a newcomer scores 0) at least its
 * `minReputation`, and (when `freeStake` is known) enough free stake to lock the collateral and
 * keep `minFreeStake`. A gated job (`minReputation > 0`) without a `score` is refused as
 * `score-needed`: the caller reads the score only for jobs that passed every other check.
 * Concurrency is the caller's concern.
 *
 * @example
 * let d = decideClaim(job, config.claimPolicy, { me, freeStake })
 * if (!d.claim && d.refusal === "score-needed") d = decideClaim(job, config.claimPolicy, { me, freeStake, score: await scoreFor(job.request.reward) })
 * if (!d.claim) logger.debug("skip", { job_id: job.jobId, reason: d.reason })
 */
export function decideClaim(
  job: TrackedJob,
  policy: DaemonConfig["claimPolicy"],
  { me, freeStake, score }: { me: Address; freeStake?: bigint | undefined; score?: number | undefined },
): ClaimDecision {
  const { request } = job;
  const no = (reason: string, refusal: ClaimRefusal = "policy"): ClaimDecision => ({ claim: false, reason, refusal });
  const requester = job.requester.toLowerCase();
  if (policy.denyRequesters.some((a) => a.toLowerCase() === requester)) return no("requester denied");
  if (policy.allowRequesters.length > 0 && !policy.allowRequesters.some((a) => a.toLowerCase() === requester)) {
    return no("requester not allowed");
  }
  if (request.designatedProvider !== zeroAddress && request.designatedProvider.toLowerCase() !== me.toLowerCase()) {
    return no("designated to another provider");
  }
  if (request.fuelLimit > policy.maxFuel) return no(`fuel limit ${request.fuelLimit} above maxFuel ${policy.maxFuel}`);
  if (request.reward < policy.minPricePerFuel * request.fuelLimit) {
    return no(`reward ${request.reward} below ${policy.minPricePerFuel} per fuel`);
  }
  if (request.collateralPct > policy.maxCollateralPct) {
    return no(`collateral ${request.collateralPct}% of the reward above maxCollateralPct ${policy.maxCollateralPct}%`, "collateral");
  }
  if (request.minReputation > 0) {
    if (score === undefined) return no(`gated at reputation ${request.minReputation}: score not read`, "score-needed");
    if (score < request.minReputation) {
      return no(`our reputation on this job, ${score}, below its minReputation ${request.minReputation}`, "reputation");
    }
  }
  const collateral = collateralOf(request.reward, request.collateralPct);
  if (freeStake !== undefined && freeStake < collateral + policy.minFreeStake) {
    return no(`free stake ${freeStake} below collateral ${collateral} + minFreeStake ${policy.minFreeStake}`, "stake");
  }
  return { claim: true, collateral };
}
