import type { LocalStore } from "../store/local.ts";
import type { DaemonContext } from "./context.ts";
import type { TrackedJob } from "./job-index.ts";

/** The content hashes a job's result names (its output URIs end in the keccak256 of the bytes). */
export function outputHashesOf(job: TrackedJob): string[] {
  if (!job.result) return [];
  return [...job.result.outputURI.matchAll(/0x[0-9a-fA-F]{64}/g)].map(([hash]) => hash.toLowerCase());
}

export type OutputPruner = {
  /** The index saw `job` finalized: its outputs become due `graceMs` later (the first sighting counts). */
  finalized(job: TrackedJob): void;
  /** Deletes the due outputs no open job names (`keep`); returns how many blobs and bytes went. */
  prune(keep: ReadonlySet<string>): Promise<{ removed: number; bytes: number }>;
  /** Outputs waiting for their grace period to end. */
  readonly waiting: number;
};

/**
 * Outputs are only needed until their job is final (a challenger or the requester fetches them
 * during the challenge window) plus a grace period for late downloads; programs and inputs are
 * shared by many jobs and stay for `storeRetentionHours`. Finalization times are held in memory:
 * after a restart the index's start-up reconcile reports every finalized job again, so their
 * outputs go one grace period after the restart.
 */
export function createOutputPruner(context: DaemonContext, { store, graceMs }: { store: LocalStore; graceMs: number }): OutputPruner {
  const log = context.logger.child({ component: "output-pruner" });
  const pruned = context.metrics.counter("hashwork_outputs_pruned_total", "Outputs deleted after finalization plus the grace period");
  const finalizedAt = new Map<string, number>();
  return {
    finalized(job) {
      for (const hash of outputHashesOf(job)) if (!finalizedAt.has(hash)) finalizedAt.set(hash, Date.now());
    },
    async prune(keep) {
      const now = Date.now();
      const due = new Set([...finalizedAt].filter(([hash, at]) => at + graceMs <= now && !keep.has(hash)).map(([hash]) => hash));
      if (due.size === 0) return { removed: 0, bytes: 0 };
      const result = await store.prune({ olderThan: now + 1, keep, only: due });
      for (const hash of due) finalizedAt.delete(hash);
      pruned.inc({}, result.removed);
      if (result.removed > 0) log.info("outputs pruned", { ...result, grace_seconds: graceMs / 1000 });
      return result;
    },
    get waiting() {
      return finalizedAt.size;
    },
  };
}
