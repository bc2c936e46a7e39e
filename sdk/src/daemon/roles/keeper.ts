import type { TransactionReceipt } from "viem";

import { getDispute } from "../../actions/auditor/get-dispute.ts";
import { drawCommittee } from "../../actions/keeper/draw-committee.ts";
import { expireJob } from "../../actions/keeper/expire-job.ts";
import { isSelectedForAudit } from "../../actions/keeper/is-selected-for-audit.ts";
import { resolveDispute } from "../../actions/keeper/resolve-dispute.ts";
import { startAudit } from "../../actions/keeper/start-audit.ts";
import { voidDispute } from "../../actions/keeper/void-dispute.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { timeOutJob } from "../../actions/keeper/time-out-job.ts";
import { finalizeJob } from "../../actions/requester/finalize-job.ts";
import type { DaemonContext } from "../context.ts";
import type { JobIndex, TrackedJob } from "../job-index.ts";
import type { TxQueue } from "../tx-queue.ts";
import type { Role, Tick } from "./role.ts";
import { SEED_WINDOW, createSeedPinner, seedPinsDue, type SeedPinner } from "./seed-pins.ts";

export type CreateKeeperRoleParameters = {
  /** Reads disputes and the audit lottery (dispute upkeep). */
  client: HashworkBaseClient;
  index: JobIndex;
  queue: TxQueue;
  /** Upkeep actions sent at once (each is one transaction). Default 8. */
  maxInFlight?: number;
  /** Audit-seed pins; shared with the provider role when the daemon runs both (one pin per block). */
  pinner?: SeedPinner;
};

type Duty = {
  /** The upkeep step; also the journal key (dispute steps carry their round, draws their seed block). */
  action: string;
  kind: "expire" | "timeout" | "finalize" | "draw" | "resolve" | "void" | "audit";
  job: TrackedJob;
};

/**
 * The keeper role: permissionless upkeep of every job in the index — expires open jobs past
 * their claim deadline, times out claimed jobs past their execution deadline (the requester is
 * refunded, the provider's collateral slashed) and finalizes submitted jobs whose challenge
 * window is over. Finalization shares the provider role's journal key, so a daemon running
 * both never finalizes a job twice.
 *
 * Dispute upkeep, from the dispute module's state at the index's block: draws a committee once
 * the seed block is mined (`draw:<round>:<seedBlock>`), resolves once voting is over — every
 * vote revealed, everyone who committed revealed after the commit deadline, or the reveal
 * deadline passed (`resolve:<round>`) — voids disputes past the market's dispute deadline
 * (`void`), and, when `keeper.audits` is on, starts the audits the lottery selects
 * (`isSelectedForAudit` while the challenge window is open; the market's audit reserve pays
 * whatever it holds, so an audit is never skipped for lack of funds). With `keeper.pinSeeds`
 * it pins the audit seed of every submission block whose jobs are still in their window
 * `keeper.pinAfterBlocks` blocks later (`pin:<block>`, one `pinAuditSeed` per block, before
 * the hash ages out at 256 blocks): an unpinned seed that ages out selects its jobs for audit.
 *
 * @example
 * const keeper = createKeeperRole(context, { client, index, queue })
 */
export function createKeeperRole(
  context: DaemonContext,
  { client, index, queue, maxInFlight = 8, pinner: sharedPinner }: CreateKeeperRoleParameters,
): Role {
  const log = context.logger.child({ role: "keeper" });
  const pinner =
    sharedPinner ?? createSeedPinner({ client, queue, logger: log, metrics: context.metrics, retryMs: 5 * context.config.pollIntervalMs });
  const finalizeGrace = BigInt(context.config.keeper.finalizeGraceS);
  const done = context.metrics.counter("hashwork_keeper_actions_total", "Upkeep transactions, by action and status");
  const inFlight = new Map<string, Promise<void>>();
  const retryAt = new Map<string, number>();
  let stopping = false;

  function duties(now: bigint): Duty[] {
    const out: Duty[] = [];
    for (const job of index.jobs()) {
      if (job.state === "Open" && job.deadline < now) out.push({ action: "expire", kind: "expire", job });
      else if (job.state === "Claimed" && job.deadline < now) out.push({ action: "timeout", kind: "timeout", job });
      // The job's own provider finalizes it (in a batch) as soon as the window is over; the keeper
      // steps in only after a grace period, so the two do not race for the same settlement.
      // Fast-path jobs paid through a pay bucket are never finalized one by one.
      else if (job.state === "Submitted" && !job.payDeferred && job.result && job.result.challengeEnd + finalizeGrace < now) {
        out.push({ action: "finalize", kind: "finalize", job });
      }
    }
    return out;
  }

  /**
   * Jobs whose audit lottery was read, selected or not. It does not change for a submission
   * while its block's hash is readable; once the hash has aged out (`aged`) it reads the pin, and
   * an unpinned seed selects the job — so it is read once more then.
   */
  const lottery = new Map<bigint, { submittedBlock: bigint; aged: boolean; selected: boolean }>();

  /** Dispute duties: reads each disputed job's dispute, and the audit lottery of fresh submissions. */
  async function disputeDuties(at: bigint, now: bigint): Promise<Duty[]> {
    const out: Duty[] = [];
    const jobs = index.jobs();
    await Promise.all(
      jobs
        .filter((job) => job.state === "Disputed")
        .map(async (job) => {
          const d = await getDispute(client, { jobId: job.jobId, blockNumber: at });
          if (d.voidableAfter !== undefined && d.voidableAfter < now) {
            out.push({ action: "void", kind: "void", job });
          } else if (d.phase === "AwaitingDraw" && at >= d.seedBlock) {
            out.push({ action: `draw:${d.round}:${d.seedBlock}`, kind: "draw", job });
          } else if (d.phase === "Voting") {
            const over = d.revealed === d.size || (now > d.commitDeadline && d.revealed === d.committed) || now > d.revealDeadline;
            if (over) out.push({ action: `resolve:${d.round}`, kind: "resolve", job });
          }
        }),
    );
    if (context.config.keeper.audits) {
      await Promise.all(
        jobs
          .filter((job) => job.state === "Submitted" && job.result && job.result.challengeEnd > now)
          .map(async (job) => {
            const submittedBlock = BigInt(job.result!.terms.submittedBlock);
            // The seed is the submission block's hash: readable once a later block exists, for
            // 256 blocks; after that its pin (none: the job is selected).
            if (at <= submittedBlock) return;
            const aged = at >= submittedBlock + SEED_WINDOW;
            let seen = lottery.get(job.jobId);
            if (!seen || seen.submittedBlock !== submittedBlock || (aged && !seen.aged)) {
              const { selected } = await isSelectedForAudit(client, { jobId: job.jobId, submittedBlock, blockNumber: at });
              seen = { submittedBlock, aged, selected };
              lottery.set(job.jobId, seen);
            }
            if (seen.selected) out.push({ action: "audit", kind: "audit", job });
          }),
      );
    }
    return out;
  }

  async function perform({ action, kind, job }: Duty): Promise<void> {
    const jobId = job.jobId;
    const terms = job.result?.terms;
    const outcome = await queue.run<{ receipt: TransactionReceipt }>({ jobId, action }, (c) => {
      if (kind === "expire") return expireJob(c, { jobId });
      if (kind === "timeout") return timeOutJob(c, { jobId });
      if (kind === "draw") return drawCommittee(c, { jobId, terms });
      if (kind === "resolve") return resolveDispute(c, { jobId, terms });
      if (kind === "void") return voidDispute(c, { jobId, terms });
      if (kind === "audit") return startAudit(c, { jobId, terms });
      return finalizeJob(c, { jobId, terms: job.result!.terms });
    });
    done.inc({ action: kind, status: outcome.status });
    const l = log.child({ job_id: jobId, action });
    if (outcome.status === "confirmed" && !outcome.resumed) l.info("upkeep done", { tx_hash: outcome.receipt?.transactionHash });
    else if (outcome.status === "failed") l.debug("upkeep not done", { error: outcome.error });
  }

  function dispatch(list: Duty[]) {
    for (const duty of list) {
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
  }

  let scanning: Promise<void> | undefined;

  return {
    name: "keeper",
    // Forget what was read or decided before: a reorg can replace a submission (another lottery draw) and the states retries were based on.
    reorg() {
      retryAt.clear();
      lottery.clear();
      pinner.reset();
    },
    tick({ at, now }: Tick) {
      if (stopping) return;
      dispatch(duties(now));
      if (context.config.keeper.pinSeeds) {
        const { pinAfterBlocks: afterBlocks } = context.config.keeper;
        pinner.dispatch(seedPinsDue(index.jobs(), { at: at.number, now, afterBlocks, confirmations: context.config.confirmations }));
      }
      if (scanning) return;
      if (!index.jobs().some((j) => j.state === "Disputed" || (context.config.keeper.audits && j.state === "Submitted"))) return;
      scanning = disputeDuties(at.number, now)
        .then((list) => {
          if (!stopping) dispatch(list);
        })
        .catch((error: unknown) => log.warn("dispute scan failed", { error }))
        .finally(() => (scanning = undefined));
    },
    async stop() {
      stopping = true;
      await scanning;
      await Promise.allSettled(inFlight.values());
      await pinner.stop();
    },
  };
}
