import type { TransactionReceipt } from "viem";

import { expireJob } from "../../actions/keeper/expire-job.ts";
import { timeOutJob } from "../../actions/keeper/time-out-job.ts";
import { finalizeJob } from "../../actions/requester/finalize-job.ts";
import type { DaemonContext } from "../context.ts";
import type { JobIndex, TrackedJob } from "../job-index.ts";
import type { TxQueue } from "../tx-queue.ts";
import type { Role, Tick } from "./role.ts";

export type CreateKeeperRoleParameters = {
  index: JobIndex;
  queue: TxQueue;
  /** Upkeep actions sent at once (each is one transaction). Default 8. */
  maxInFlight?: number;
};

type Duty = { action: "expire" | "timeout" | "finalize"; job: TrackedJob };

/**
 * The keeper role: permissionless upkeep of every job in the index — expires open jobs past
 * their claim deadline, times out claimed jobs past their execution deadline (the requester is
 * refunded, the provider's collateral slashed) and finalizes submitted jobs whose challenge
 * window is over. Finalization shares the provider role's journal key, so a daemon running
 * both never finalizes a job twice. Dispute upkeep (draws, resolutions, voids) comes next.
 *
 * @example
 * const keeper = createKeeperRole(context, { index, queue })
 */
export function createKeeperRole(context: DaemonContext, { index, queue, maxInFlight = 8 }: CreateKeeperRoleParameters): Role {
  const log = context.logger.child({ role: "keeper" });
  const done = context.metrics.counter("hashwork_keeper_actions_total", "Upkeep transactions, by action and status");
  const inFlight = new Map<string, Promise<void>>();
  const retryAt = new Map<string, number>();
  let stopping = false;

  function duties(now: bigint): Duty[] {
    const out: Duty[] = [];
    for (const job of index.jobs()) {
      if (job.state === "Open" && job.deadline < now) out.push({ action: "expire", job });
      else if (job.state === "Claimed" && job.deadline < now) out.push({ action: "timeout", job });
      else if (job.state === "Submitted" && job.result && job.result.challengeEnd < now) out.push({ action: "finalize", job });
    }
    return out;
  }

  async function perform({ action, job }: Duty): Promise<void> {
    const jobId = job.jobId;
    const outcome = await queue.run<{ receipt: TransactionReceipt }>({ jobId, action }, (c) => {
      if (action === "expire") return expireJob(c, { jobId });
      if (action === "timeout") return timeOutJob(c, { jobId });
      return finalizeJob(c, { jobId, terms: job.result!.terms });
    });
    done.inc({ action, status: outcome.status });
    const l = log.child({ job_id: jobId, action });
    if (outcome.status === "confirmed" && !outcome.resumed) l.info("upkeep done", { tx_hash: outcome.receipt?.transactionHash });
    else if (outcome.status === "failed") l.debug("upkeep not done", { error: outcome.error });
  }

  return {
    name: "keeper",
    tick({ now }: Tick) {
      if (stopping) return;
      for (const duty of duties(now)) {
        if (inFlight.size >= maxInFlight) break;
        const key = `${duty.job.jobId}:${duty.action}`;
        if (inFlight.has(key) || (retryAt.get(key) ?? 0) > Date.now()) continue;
        const status = queue.status({ jobId: duty.job.jobId, action: duty.action });
        if (status === "confirmed" || status === "reverted") continue;
        const task = perform(duty)
          .catch((error: unknown) => log.error("upkeep failed", { job_id: duty.job.jobId, action: duty.action, error }))
          .finally(() => {
            inFlight.delete(key);
            retryAt.set(key, Date.now() + context.config.pollIntervalMs);
          });
        inFlight.set(key, task);
      }
    },
    async stop() {
      stopping = true;
      await Promise.allSettled(inFlight.values());
    },
  };
}
