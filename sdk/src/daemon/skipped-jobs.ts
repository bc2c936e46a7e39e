/**
 * The open jobs this daemon's provider role is not taking, and why, so an operator sees their
 * position (`GET /skipped` on the daemon's HTTP server, `hashwork provider status --daemon URL`)
 * and the role logs each job once instead of on every look.
 */

/** Why a job is skipped: below our price, above our fuel limit, content not fetched or refused, our reputation too low, or another policy. */
export type SkipReason = "price" | "fuel" | "content" | "reputation" | "collateral" | "stake" | "policy";

export type SkippedJob = {
  jobId: bigint;
  requester: string;
  reason: SkipReason;
  /** The decision or error, one line. */
  detail: string;
  /** When it was first skipped for this reason (ms since the epoch). */
  since: number;
};

export type SkippedJobs = {
  /** Records why `jobId` is skipped; true when that is news (first time, or another reason): log it then. */
  record(job: { jobId: bigint; requester: string }, reason: SkipReason, detail: string): boolean;
  /** Forgets a job (claimed, prepared, or no longer open). */
  clear(jobId: bigint): void;
  /** Keeps only the jobs `isOpen` says are still open. */
  retain(isOpen: (jobId: bigint) => boolean): void;
  /** Newest first. */
  list(): SkippedJob[];
};

/** At most this many jobs are remembered (the oldest go first). */
const MAX_ENTRIES = 1000;

export function createSkippedJobs(now: () => number = Date.now): SkippedJobs {
  const jobs = new Map<bigint, SkippedJob>();
  return {
    record({ jobId, requester }, reason, detail) {
      const previous = jobs.get(jobId);
      if (previous?.reason === reason) {
        previous.detail = detail;
        return false;
      }
      jobs.delete(jobId);
      jobs.set(jobId, { jobId, requester, reason, detail, since: now() });
      if (jobs.size > MAX_ENTRIES) jobs.delete(jobs.keys().next().value!);
      return true;
    },
    clear(jobId) {
      jobs.delete(jobId);
    },
    retain(isOpen) {
      for (const id of jobs.keys()) if (!isOpen(id)) jobs.delete(id);
    },
    list() {
      return [...jobs.values()].reverse();
    },
  };
}

/** The skip reason of a claim-policy refusal (`decideClaim`'s `refusal` and `reason`). */
export function skipReasonOf(decision: { refusal: string; reason: string }): SkipReason {
  if (decision.refusal === "reputation" || decision.refusal === "collateral") return decision.refusal;
  if (decision.reason.startsWith("fuel limit")) return "fuel";
  if (decision.reason.startsWith("reward")) return "price";
  if (decision.reason.startsWith("free stake")) return "stake";
  return "policy";
}
