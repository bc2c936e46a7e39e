import type { TransactionReceipt } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { pinAuditSeed } from "../../actions/keeper/pin-audit-seed.ts";
import { getDisputesAddress } from "../../actions/shared/disputes.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { TrackedJob } from "../job-index.ts";
import type { TxOutcome, TxQueue } from "../tx-queue.ts";
import { NO_JOB } from "./role.ts";

/** `blockhash(n)` is readable up to block `n + 256`; after that only a pinned seed counts. */
export const SEED_WINDOW = 256n;

/** The journal key of a block's pin (not about one job: job id 0). Shared by the keeper and provider roles. */
export const pinKey = (block: bigint) => ({ jobId: NO_JOB, action: `pin:${block}` });

/**
 * Submission blocks whose audit seed should be pinned now: blocks of `jobs` still `Submitted`
 * with their challenge window open at `now` (an audit can still start, so the lottery must stay
 * decidable), at least `afterBlocks` old at `at` (jobs settled sooner never need a pin) and
 * young enough that a pin sent now lands while the hash is readable (`confirmations` blocks
 * lie between `at` and the head, and the transaction goes into a later block). Ascending.
 *
 * @example
 * const blocks = seedPinsDue(index.jobs(), { at: 1_200n, now, afterBlocks: 200, confirmations: 2 })
 */
export function seedPinsDue(
  jobs: Iterable<TrackedJob>,
  { at, now, afterBlocks, confirmations }: { at: bigint; now: bigint; afterBlocks: number; confirmations: number },
): bigint[] {
  const due = new Set<bigint>();
  for (const job of jobs) {
    const r = job.result;
    if (job.state !== "Submitted" || !r || r.challengeEnd < now) continue;
    const block = BigInt(r.terms.submittedBlock);
    if (at >= block + BigInt(afterBlocks) && at + BigInt(confirmations) + 1n < block + SEED_WINDOW) due.add(block);
  }
  return [...due].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Pins audit seeds (one `pinAuditSeed` per block, journal key `pin:<block>`, so a daemon
 * running both the keeper and the provider role pins a block once), at most `maxInFlight` at a
 * time. A block another account already pinned (an `AuditSeedPinned` event for it) is left
 * alone. `dispatch(blocks)` starts what is not done or running yet and returns at once.
 */
export function createSeedPinner({
  client,
  queue,
  logger,
  metrics,
  retryMs,
  maxInFlight = 4,
}: {
  client: HashworkBaseClient;
  queue: TxQueue;
  logger: Logger;
  metrics: Metrics;
  retryMs: number;
  maxInFlight?: number;
}) {
  const pins = metrics.counter("hashwork_audit_seed_pins_total", "pinAuditSeed transactions, by status");
  const inFlight = new Map<bigint, Promise<void>>();
  const retryAt = new Map<bigint, number>();
  /** Blocks someone else pinned (read from the chain; forgotten after a reorg). */
  const pinnedElsewhere = new Set<bigint>();

  async function pinnedBySomeone(block: bigint): Promise<boolean> {
    const logs = await client.publicClient.getContractEvents({
      address: await getDisputesAddress(client),
      abi: hashworkDisputesAbi,
      eventName: "AuditSeedPinned",
      args: { blockNumber: block },
      fromBlock: block + 1n,
    });
    return logs.length > 0;
  }

  async function pin(block: bigint): Promise<void> {
    if (queue.status(pinKey(block)) === undefined && (await pinnedBySomeone(block))) {
      pinnedElsewhere.add(block);
      logger.debug("audit seed already pinned by another account", { block });
      return;
    }
    const outcome: TxOutcome<{ receipt: TransactionReceipt; pinned: boolean }> = await queue.run(pinKey(block), (c) =>
      pinAuditSeed(c, { blockNumber: block }),
    );
    pins.inc({ status: outcome.status });
    if (outcome.status === "confirmed") {
      logger.info("audit seed pinned", {
        block: block,
        tx_hash: outcome.receipt?.transactionHash,
        already_pinned: outcome.value ? !outcome.value.pinned : undefined,
        resumed: outcome.resumed,
      });
    } else if (outcome.status === "failed") logger.debug("audit seed not pinned", { block, error: outcome.error });
  }

  return {
    dispatch(blocks: bigint[]) {
      for (const block of blocks) {
        if (inFlight.size >= maxInFlight) return;
        if (inFlight.has(block) || pinnedElsewhere.has(block) || (retryAt.get(block) ?? 0) > Date.now()) continue;
        const status = queue.status(pinKey(block));
        if (status === "confirmed" || status === "reverted") continue;
        const task = pin(block)
          .catch((error: unknown) => logger.warn("pinning an audit seed failed", { block, error }))
          .finally(() => {
            inFlight.delete(block);
            retryAt.set(block, Date.now() + retryMs);
          });
        inFlight.set(block, task);
      }
    },
    /** Forget retry times (after a reorg). */
    reset() {
      retryAt.clear();
      pinnedElsewhere.clear();
    },
    async stop() {
      await Promise.allSettled(inFlight.values());
    },
  };
}

export type SeedPinner = ReturnType<typeof createSeedPinner>;
