import { encodeAbiParameters, hexToBigInt, keccak256, type Address, type Hex } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import { challengeJob } from "../../actions/requester/challenge-job.ts";
import { getDisputesAddress } from "../../actions/shared/disputes.ts";
import type { Executor } from "../../executor/executor.ts";
import type { LocalStore } from "../../store/local.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { getTokenAddress } from "../../utils/token.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import type { DaemonContext } from "../context.ts";
import { classifyError } from "../errors.ts";
import type { JobIndex, TrackedJob } from "../job-index.ts";
import type { TxQueue } from "../tx-queue.ts";
import { reexecute } from "./reexecute.ts";
import type { Role, Tick } from "./role.ts";

export type CreateWatcherRoleParameters = {
  client: HashworkBaseClient;
  me: Address;
  index: JobIndex;
  queue: TxQueue;
  executor: Executor;
  store: LocalStore;
  /** Runs at once. Default 2. */
  maxInFlight?: number;
};

/** Seconds of challenge window a check must still have to be worth starting. */
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
 * provider's, challenges the job naming its own hash (`challengeJob`, posting the bond). The
 * bond's approval and the challenge are separate journaled intents (`challenge-approve`,
 * `challenge`), so neither is ever sent twice.
 *
 * @example
 * const watcher = createWatcherRole(context, { client, me, index, queue, executor, store })
 */
export function createWatcherRole(context: DaemonContext, p: CreateWatcherRoleParameters): Role {
  const { config, metrics } = context;
  const { client, me, index, queue } = p;
  const maxInFlight = p.maxInFlight ?? 2;
  const log = context.logger.child({ role: "watcher" });
  const m = {
    checked: metrics.counter("hashwork_watcher_checks_total", "Results re-executed by the watcher, by verdict"),
    challenges: metrics.counter("hashwork_watcher_challenges_total", "Challenges sent, by status"),
  };
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
    const { challengeBond } = await client.publicClient.readContract({ address: disputes, abi: hashworkDisputesAbi, functionName: "config" });
    const allowance = await client.publicClient.readContract({ address: token, abi: hashworkTokenAbi, functionName: "allowance", args: [me, disputes] });
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

  async function check(job: TrackedJob): Promise<void> {
    const result = job.result!;
    const jobId = job.jobId;
    const l = log.child({ job_id: jobId });
    let verdict = verdicts.get(jobId);
    if (!verdict || verdict.providerHash !== result.resultHash) {
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
    const mine = verdict.mine;
    const outcome = await queue.run({ jobId, action: "challenge" }, (c) => challengeJob(c, { jobId, challengerHash: mine, terms: result.terms }));
    m.challenges.inc({ status: outcome.status });
    if (outcome.status === "confirmed") l.info("challenged", { challenger_hash: mine, tx_hash: outcome.receipt?.transactionHash, resumed: outcome.resumed });
    else l.warn("challenge not made", { status: outcome.status, error: outcome.status === "failed" ? outcome.error : undefined });
  }

  return {
    name: "watcher",
    // Forget what was read or decided before: a reorg can replace a result, or repost a job with other content under the same id.
    reorg() {
      retryAt.clear();
      verdicts.clear();
    },
    tick({ now }: Tick) {
      if (stopping) return;
      for (const job of index.jobs()) {
        if (inFlight.size >= maxInFlight) break;
        const r = job.result;
        if (job.state !== "Submitted" || !r || r.provider.toLowerCase() === me.toLowerCase()) continue;
        if (r.challengeEnd < now + MIN_WINDOW_LEFT || inFlight.has(job.jobId) || (retryAt.get(job.jobId) ?? 0) > Date.now()) continue;
        const v = verdicts.get(job.jobId);
        if (v && v.providerHash === r.resultHash && (v.mine === v.providerHash || done(job.jobId, "challenge"))) continue;
        if (!sampled(me, job.jobId, config.watcher.sampleRate)) continue;
        const task = check(job)
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
