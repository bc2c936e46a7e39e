import { encodeAbiParameters, hexToBigInt, keccak256, type Address, type Hex } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import { challengeJob } from "../../actions/requester/challenge-job.ts";
import { commitChallenge } from "../../actions/requester/commit-challenge.ts";
import { computeChallengeCommitment, getDisputesAddress, randomSalt } from "../../actions/shared/disputes.ts";
import type { Executor } from "../../executor/executor.ts";
import type { LocalStore } from "../../store/local.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { getTokenAddress } from "../../utils/token.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import type { DaemonContext } from "../context.ts";
import { classifyError } from "../errors.ts";
import type { JobIndex, TrackedJob } from "../job-index.ts";
import type { Journal, JournaledChallenge } from "../journal.ts";
import type { TxQueue } from "../tx-queue.ts";
import { reexecute } from "./reexecute.ts";
import type { Role, Tick } from "./role.ts";

export type CreateWatcherRoleParameters = {
  client: HashworkBaseClient;
  me: Address;
  index: JobIndex;
  queue: TxQueue;
  /** Keeps each challenge's salt (saved before its commitment is signed). */
  journal: Journal;
  executor: Executor;
  store: LocalStore;
  /** Runs at once. Default 2. */
  maxInFlight?: number;
};

/** Seconds of challenge window a check must still have to be worth starting (a re-execution, then two blocks: commit, reveal). */
const MIN_WINDOW_LEFT = 2n;

/**
 * Whether the watcher `me` checks `jobId`: a deterministic draw (`keccak256(me, jobId)`), so a
 * restart makes the same choice and different watchers check different jobs.
 */
export function sampled(me: Address, jobId: bigint, sampleRate: number): boolean {
  if (sampleRate >= 1) return true;
  if (sampleRate <= 0) return false;
  const draw = hexToBigInt(keccak256(encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [me, jobId]))) % 1_000_000n;
  return draw < BigInt(Math.round(sampleRate * 1_000_000));
}

/**
 * The watcher role: re-executes a sample (`watcher.sampleRate`) of other providers' submitted
 * results while their challenge window is open and, when its result hash differs from the
 * provider's, challenges the job naming its own hash. A challenge is two transactions, so
 * nobody can copy it from the mempool: first a commitment to (job, hash, watcher, salt)
 * (`commitChallenge`, intent `challenge-commit`), then — once a later block is mined and while
 * the window is open — the reveal, which posts the bond and opens the dispute (`challengeJob`
 * with the salt, intent `challenge`). The salt and hash are written to the journal
 * (`challenges`) before the commitment is signed and reused after a restart, which then needs
 * no re-execution. The bond's approval is its own intent (`challenge-approve`). No step is ever
 * sent twice.
 *
 * @example
 * const watcher = createWatcherRole(context, { client, me, index, queue, journal, executor, store })
 */
export function createWatcherRole(context: DaemonContext, p: CreateWatcherRoleParameters): Role {
  const { config, metrics } = context;
  const { client, me, index, queue, journal } = p;
  const maxInFlight = p.maxInFlight ?? 2;
  const log = context.logger.child({ role: "watcher" });
  const m = {
    checked: metrics.counter("hashwork_watcher_checks_total", "Results re-executed by the watcher, by verdict"),
    challenges: metrics.counter("hashwork_watcher_challenges_total", "Challenge transactions, by step (commit, reveal) and status"),
  };
  /** Blocks the challenge commitments were mined in, by job (read from the chain after a restart). */
  const commitBlocks = new Map<bigint, bigint>();
  const inFlight = new Map<bigint, Promise<void>>();
  /** Jobs already judged (by result hash): match, or the hash to challenge with. */
  const verdicts = new Map<bigint, { providerHash: Hex; mine: Hex }>();
  const retryAt = new Map<bigint, number>();
  let stopping = false;

  const done = (jobId: bigint, action: string) => {
    const s = queue.status({ jobId, action });
    return s === "confirmed" || s === "reverted";
  };

  async function approveBond(jobId: bigint): Promise<boolean> {
    if (done(jobId, "challenge-approve")) return true;
    const [disputes, token] = await Promise.all([getDisputesAddress(client), getTokenAddress(client)]);
    const { challengeBond } = await client.publicClient.readContract({
      address: disputes,
      abi: hashworkDisputesAbi,
      functionName: "config",
    });
    const allowance = await client.publicClient.readContract({
      address: token,
      abi: hashworkTokenAbi,
      functionName: "allowance",
      args: [me, disputes],
    });
    if (allowance >= challengeBond) return true;
    const outcome = await queue.run({ jobId, action: "challenge-approve" }, (c) =>
      sendContractTransaction(c, {
        action: "challengeJob",
        address: token,
        abi: hashworkTokenAbi,
        functionName: "approve",
        args: [disputes, challengeBond],
        options: {},
      }),
    );
    return outcome.status === "confirmed";
  }

  /** The journaled challenge of a job, or a new one (salt saved before anything is signed). */
  function challengeSecret(jobId: bigint, challengerHash: Hex): JournaledChallenge {
    const saved = journal.getChallenge(jobId);
    if (saved) return saved;
    const salt = randomSalt();
    return journal.saveChallenge({
      jobId,
      challengerHash,
      salt,
      commitment: computeChallengeCommitment({ jobId, challengerHash, challenger: me, salt }),
    });
  }

  async function check(job: TrackedJob, at: bigint, now: bigint): Promise<void> {
    const result = job.result!;
    const jobId = job.jobId;
    const l = log.child({ job_id: jobId });
    // A challenge already under way (also after a restart) needs no new run: its hash is journaled.
    const saved = journal.getChallenge(jobId);
    let verdict = verdicts.get(jobId);
    if (saved && queue.status({ jobId, action: "challenge-commit" }) !== undefined) {
      verdict = { providerHash: result.resultHash, mine: saved.challengerHash };
      verdicts.set(jobId, verdict);
    } else if (!verdict || verdict.providerHash !== result.resultHash) {
      const { resultHash, wallTimeMs } = await reexecute(context, p, job);
      verdict = { providerHash: result.resultHash, mine: resultHash };
      verdicts.set(jobId, verdict);
      const match = resultHash === result.resultHash;
      m.checked.inc({ verdict: match ? "match" : "mismatch" });
      if (match) {
        l.debug("result confirmed by re-execution", { result_hash: resultHash, wall_ms: Math.round(wallTimeMs) });
        return;
      }
      l.warn("result mismatch: challenging", { provider: result.provider, provider_hash: result.resultHash, my_hash: resultHash });
    }
    if (verdict.mine === verdict.providerHash || done(jobId, "challenge")) return;
    if (!(await approveBond(jobId))) {
      l.warn("bond approval not done; will retry");
      return;
    }
    const secret = challengeSecret(jobId, verdict.mine);
    if (secret.challengerHash !== verdict.mine) {
      // Only after a reorg replaced the job with other content under the same id: the journaled commitment names another hash.
      l.error("the journaled challenge names another hash than this run; not challenging", {
        journaled: secret.challengerHash,
        mine: verdict.mine,
      });
      return;
    }

    // Step 1: the commitment.
    const commitStatus = queue.status({ jobId, action: "challenge-commit" });
    if (commitStatus === "reverted") {
      l.error("challenge commitment reverted; cannot challenge this job");
      return;
    }
    if (commitStatus !== "confirmed") {
      const committed = await queue.run({ jobId, action: "challenge-commit" }, (c) =>
        commitChallenge(c, { jobId, challengerHash: secret.challengerHash, salt: secret.salt }),
      );
      m.challenges.inc({ step: "commit", status: committed.status });
      if (committed.status !== "confirmed") {
        l.warn("challenge commitment not made", {
          status: committed.status,
          error: committed.status === "failed" ? committed.error : undefined,
        });
        return;
      }
      l.info("challenge committed", {
        commitment: secret.commitment,
        tx_hash: committed.receipt?.transactionHash,
        resumed: committed.resumed,
      });
      if (committed.receipt) commitBlocks.set(jobId, committed.receipt.blockNumber);
    }

    // Step 2: the reveal, in a block after the commitment's, while the window is open.
    let commitBlock = commitBlocks.get(jobId);
    if (commitBlock === undefined) {
      commitBlock = await client.publicClient.readContract({
        address: await getDisputesAddress(client),
        abi: hashworkDisputesAbi,
        functionName: "challengeCommitBlock",
        args: [secret.commitment],
      });
      if (commitBlock === 0n) {
        l.warn("the confirmed challenge commitment is not on chain (yet); will look again");
        return;
      }
      commitBlocks.set(jobId, commitBlock);
    }
    if (at <= commitBlock) return; // the next tick, once a later block is in
    if (result.challengeEnd < now) {
      l.warn("challenge window closed before the reveal", { commitment: secret.commitment });
      return;
    }
    const outcome = await queue.run({ jobId, action: "challenge" }, (c) =>
      challengeJob(c, { jobId, challengerHash: secret.challengerHash, salt: secret.salt, terms: result.terms }),
    );
    m.challenges.inc({ step: "reveal", status: outcome.status });
    if (outcome.status === "confirmed")
      l.info("challenged", { challenger_hash: secret.challengerHash, tx_hash: outcome.receipt?.transactionHash, resumed: outcome.resumed });
    else l.warn("challenge not made", { status: outcome.status, error: outcome.status === "failed" ? outcome.error : undefined });
  }

  return {
    name: "watcher",
    // Forget what was read or decided before: a reorg can replace a result, or repost a job with other content under the same id.
    reorg() {
      retryAt.clear();
      verdicts.clear();
      commitBlocks.clear();
    },
    tick({ at, now }: Tick) {
      if (stopping) return;
      for (const job of index.jobs()) {
        if (inFlight.size >= maxInFlight) break;
        const r = job.result;
        if (job.state !== "Submitted" || !r || r.provider.toLowerCase() === me.toLowerCase()) continue;
        if (inFlight.has(job.jobId) || (retryAt.get(job.jobId) ?? 0) > Date.now()) continue;
        // A committed challenge is revealed while the window is open at all; a new check needs time left for both steps.
        const committing = queue.status({ jobId: job.jobId, action: "challenge-commit" }) !== undefined;
        if (r.challengeEnd < now + (committing ? 0n : MIN_WINDOW_LEFT)) continue;
        const v = verdicts.get(job.jobId);
        if (v && v.providerHash === r.resultHash && (v.mine === v.providerHash || done(job.jobId, "challenge"))) continue;
        if (!committing && !sampled(me, job.jobId, config.watcher.sampleRate)) continue;
        const task = check(job, at.number, now)
          .catch((error: unknown) => {
            const c = classifyError(error);
            // Content that will never verify is not worth another run; transient trouble is.
            retryAt.set(job.jobId, Date.now() + (c.retryable ? 5 : 600) * config.pollIntervalMs);
            log.warn("check failed", { job_id: job.jobId, error });
          })
          .finally(() => inFlight.delete(job.jobId));
        inFlight.set(job.jobId, task);
      }
    },
    async stop() {
      stopping = true;
      await Promise.allSettled(inFlight.values());
    },
  };
}
