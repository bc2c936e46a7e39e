import type { Address, Hex } from "viem";

import { getDispute, type DisputeDetails } from "../../actions/auditor/get-dispute.ts";
import { getVerifier } from "../../actions/auditor/get-verifier.ts";
import { computeVoteCommitment, getVerifierPoolAddress, randomSalt } from "../../actions/shared/disputes.ts";
import { bondVerifier } from "../../actions/verifier/bond-verifier.ts";
import { commitVote } from "../../actions/verifier/commit-vote.ts";
import { revealVote } from "../../actions/verifier/reveal-vote.ts";
import type { Executor } from "../../executor/executor.ts";
import type { LocalStore } from "../../store/local.ts";
import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { getTokenAddress } from "../../utils/token.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import type { DaemonContext } from "../context.ts";
import type { JobIndex, TrackedJob } from "../job-index.ts";
import type { Journal } from "../journal.ts";
import type { TxQueue } from "../tx-queue.ts";
import { reexecute } from "./reexecute.ts";
import { NO_JOB, type Role, type Tick } from "./role.ts";

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
 * block); when this account holds a seat entry of the current round — one entry however many
 * seats (votes) the draw gave it, since draws are with replacement — it re-executes the job,
 * commits `keccak256(abi.encode(resultHash, salt, me))` once for the entry and, once reveals are
 * open (every vote committed, or the commit deadline passed), reveals. The salt is written to
 * the journal (`votes`) before the commitment is signed, and the commit and reveal are journaled
 * intents (`commit:<round>`, `reveal:<round>`), so a restart neither loses the salt nor votes
 * twice.
 *
 * Committees are drawn from the verifier pool: the account needs a pool bond (at least the
 * market's minimum stake). With `verifier.bond` set, the role tops its bond up to that amount
 * at start (approve and bond, intents `pool-approve:<target>:<bonded>` and
 * `pool-bond:<target>:<bonded>`); otherwise the operator bonds with the CLI.
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

  /**
   * Tops the pool bond up to `verifier.bond` (once per start; after the transaction queue has
   * resolved what a previous run left out). The intents are keyed by the target and the bond
   * read before, so a restart after a crash finds them, and a later top-up (after a slash) is a
   * new intent. Resolves to whether another attempt is worth making.
   */
  async function ensureBond(): Promise<boolean> {
    const target = config.verifier.bond;
    const before = await getVerifier(client, { verifier: me });
    if (target === 0n || before.bonded >= target) {
      if (before.bonded === 0n)
        log.warn(
          "no bond in the verifier pool: this account is never drawn for a committee; set verifier.bond, or bond with `hashwork verifier bond --amount TOKENS`",
        );
      else
        log.info("verifier pool bond", {
          bonded: before.bonded,
          weight: before.weight,
          total_weight: before.totalWeight,
          locked: before.locked,
        });
      return false;
    }
    const missing = target - before.bonded;
    const key = `${target}:${before.bonded}`;
    const [pool, token] = await Promise.all([getVerifierPoolAddress(client), getTokenAddress(client)]);
    const allowance = await client.publicClient.readContract({
      address: token,
      abi: hashworkTokenAbi,
      functionName: "allowance",
      args: [me, pool],
    });
    if (allowance < missing && !done(NO_JOB, `pool-approve:${key}`)) {
      const approved = await queue.run({ jobId: NO_JOB, action: `pool-approve:${key}` }, (c) =>
        sendContractTransaction(c, {
          action: "bondVerifier",
          address: token,
          abi: hashworkTokenAbi,
          functionName: "approve",
          args: [pool, missing],
          options: {},
        }),
      );
      if (approved.status !== "confirmed") {
        log.warn("approval for the pool bond not made", {
          status: approved.status,
          error: approved.status === "failed" ? approved.error : undefined,
        });
        return approved.status !== "reverted";
      }
    }
    const bonded = await queue.run({ jobId: NO_JOB, action: `pool-bond:${key}` }, (c) => bondVerifier(c, { amount: missing }));
    if (bonded.status === "confirmed") {
      log.info("bonded in the verifier pool", {
        amount: missing,
        bonded: bonded.value?.bonded ?? target,
        tx_hash: bonded.receipt?.transactionHash,
        resumed: bonded.resumed,
      });
      return false;
    }
    log.error("pool bond not made", {
      amount: missing,
      status: bonded.status,
      error: bonded.status === "failed" ? bonded.error : undefined,
    });
    return bonded.status === "failed";
  }
  let bonding: Promise<void> | undefined;
  let bondRetryAt = 0;
  let bondSettled = false;

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
      if (outcome.status === "confirmed")
        l.info("vote committed", {
          round,
          seat: v.seatIndex,
          votes: seat.votes,
          tx_hash: outcome.receipt?.transactionHash,
          resumed: outcome.resumed,
        });
      else l.warn("vote not committed", { round, status: outcome.status, error: outcome.status === "failed" ? outcome.error : undefined });
      return;
    }

    const committed = seat.status === "Committed" || (seat.status === "Drawn" && done(jobId, commitKey));
    if (!committed || done(jobId, revealKey)) return;
    // Counted in votes: a verifier drawn twice adds two when it commits.
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
    if (outcome.status === "confirmed")
      l.info("vote revealed", {
        round,
        votes: seat.votes,
        result_hash: vote.resultHash,
        tx_hash: outcome.receipt?.transactionHash,
        resumed: outcome.resumed,
      });
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
      if (!bondSettled && !bonding && bondRetryAt <= Date.now()) {
        bonding = ensureBond()
          .then((again) => {
            if (again) bondRetryAt = Date.now() + 30_000;
            else bondSettled = true;
          })
          .catch((error: unknown) => {
            bondRetryAt = Date.now() + 30_000;
            log.warn("reading or topping up the pool bond failed; will retry", { error });
          })
          .finally(() => (bonding = undefined));
      }
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
      await bonding;
      await Promise.allSettled(inFlight.values());
    },
  };
}
