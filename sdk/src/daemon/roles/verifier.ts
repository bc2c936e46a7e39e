import type { Address, Hex } from "viem";

import { getDispute, type DisputeDetails } from "../../actions/auditor/get-dispute.ts";
import { computeVoteCommitment, randomSalt } from "../../actions/shared/disputes.ts";
import { commitVote } from "../../actions/verifier/commit-vote.ts";
import { revealVote } from "../../actions/verifier/reveal-vote.ts";
import type { Executor } from "../../executor/executor.ts";
import type { LocalStore } from "../../store/local.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import type { DaemonContext } from "../context.ts";
import type { JobIndex, TrackedJob } from "../job-index.ts";
import type { Journal } from "../journal.ts";
import type { TxQueue } from "../tx-queue.ts";
import { reexecute } from "./reexecute.ts";
import type { Role, Tick } from "./role.ts";

export type CreateVerifierRoleParameters = {
  client: HashworkBaseClient;
  me: Address;
  index: JobIndex;
  queue: TxQueue;
  journal: Journal;
  executor: Executor;
  store: LocalStore;
};

/**
 * The verifier role: for every disputed job in the index it reads the dispute (at the index's
 * block); when this account holds a seat of the current round it re-executes the job, commits
 * `keccak256(abi.encode(resultHash, salt, me))` and, once reveals are open (every seat
 * committed, or the commit deadline passed), reveals. The salt is written to the journal
 * (`votes`) before the commitment is signed, and the commit and reveal are journaled intents
 * (`commit:<round>`, `reveal:<round>`), so a restart neither loses the salt nor votes twice.
 *
 * @example
 * const verifier = createVerifierRole(context, { client, me, index, queue, journal, executor, store })
 */
export function createVerifierRole(context: DaemonContext, p: CreateVerifierRoleParameters): Role {
  const { config, metrics } = context;
  const { client, me, index, queue, journal } = p;
  const log = context.logger.child({ role: "verifier" });
  const votes = metrics.counter("hashwork_verifier_votes_total", "Committee transactions, by step and status");
  const inFlight = new Map<bigint, Promise<void>>();
  const retryAt = new Map<bigint, number>();
  /** Result hashes of this daemon's own runs, by job (a job's result does not change between rounds). */
  const computed = new Map<bigint, Hex>();
  let stopping = false;

  const done = (jobId: bigint, action: string) => {
    const s = queue.status({ jobId, action });
    return s === "confirmed" || s === "reverted";
  };

  async function myResultHash(job: TrackedJob): Promise<Hex> {
    const known = computed.get(job.jobId);
    if (known) return known;
    const { resultHash, wallTimeMs } = await reexecute(context, p, job);
    computed.set(job.jobId, resultHash);
    log.info("re-executed disputed job", { job_id: job.jobId, result_hash: resultHash, wall_ms: Math.round(wallTimeMs) });
    return resultHash;
  }

  async function serve(job: TrackedJob, at: bigint, now: bigint): Promise<void> {
    const jobId = job.jobId;
    const l = log.child({ job_id: jobId });
    const d: DisputeDetails = await getDispute(client, { jobId, blockNumber: at });
    if (d.phase !== "Voting") return;
    const seat = d.committee.find((s) => s.verifier.toLowerCase() === me.toLowerCase());
    if (!seat) return;
    const round = d.round;
    const commitKey = `commit:${round}`;
    const revealKey = `reveal:${round}`;

    if (seat.status === "Drawn" && !done(jobId, commitKey)) {
      if (now > d.commitDeadline) {
        l.warn("commit deadline passed before this seat committed", { round });
        return;
      }
      // The salt goes to the journal before anything is signed; an existing one is reused.
      let vote = journal.getVote(jobId, round);
      if (!vote) {
        const resultHash = await myResultHash(job);
        const salt = randomSalt();
        vote = journal.saveVote({
          jobId,
          round,
          seatIndex: seat.seatIndex,
          resultHash,
          salt,
          commitment: computeVoteCommitment({ resultHash, salt, verifier: me }),
        });
      }
      const v = vote;
      const outcome = await queue.run({ jobId, action: commitKey }, (c) =>
        commitVote(c, { jobId, resultHash: v.resultHash, salt: v.salt, seatIndex: v.seatIndex }),
      );
      votes.inc({ step: "commit", status: outcome.status });
      if (outcome.status === "confirmed") l.info("vote committed", { round, seat: v.seatIndex, tx_hash: outcome.receipt?.transactionHash, resumed: outcome.resumed });
      else l.warn("vote not committed", { round, status: outcome.status, error: outcome.status === "failed" ? outcome.error : undefined });
      return;
    }

    const committed = seat.status === "Committed" || (seat.status === "Drawn" && done(jobId, commitKey));
    if (!committed || done(jobId, revealKey)) return;
    const open = d.committed === d.size || now > d.commitDeadline;
    if (!open) return;
    if (now > d.revealDeadline) {
      l.warn("reveal deadline passed before this seat revealed", { round });
      return;
    }
    const vote = journal.getVote(jobId, round);
    if (!vote) {
      l.error("committed but the journal holds no salt for this round: cannot reveal", { round });
      return;
    }
    const outcome = await queue.run({ jobId, action: revealKey }, (c) =>
      revealVote(c, { jobId, resultHash: vote.resultHash, salt: vote.salt, seatIndex: vote.seatIndex }),
    );
    votes.inc({ step: "reveal", status: outcome.status });
    if (outcome.status === "confirmed") l.info("vote revealed", { round, result_hash: vote.resultHash, tx_hash: outcome.receipt?.transactionHash, resumed: outcome.resumed });
    else l.warn("vote not revealed", { round, status: outcome.status, error: outcome.status === "failed" ? outcome.error : undefined });
  }

  return {
    name: "verifier",
    // Forget what was read or decided before: a job reposted under the same id after a reorg may carry other content.
    reorg() {
      retryAt.clear();
      computed.clear();
    },
    tick({ at, now }: Tick) {
      if (stopping) return;
      for (const job of index.jobs()) {
        if (job.state !== "Disputed") continue;
        if (inFlight.has(job.jobId) || (retryAt.get(job.jobId) ?? 0) > Date.now()) continue;
        const task = serve(job, at.number, now)
          .catch((error: unknown) => log.error("committee duty failed", { job_id: job.jobId, error }))
          .finally(() => {
            inFlight.delete(job.jobId);
            retryAt.set(job.jobId, Date.now() + config.pollIntervalMs);
          });
        inFlight.set(job.jobId, task);
      }
    },
    async stop() {
      stopping = true;
      await Promise.allSettled(inFlight.values());
    },
  };
}
