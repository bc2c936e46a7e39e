import type { BlockRef } from "../chain-input.ts";

/**
 * A switchable daemon role (provider, verifier, watcher, keeper). The daemon calls
 * `tick` after every sync of the job index — and on a timer, so deadlines pass on an idle
 * chain too — with the block the index is consistent with. `tick` starts work and returns; it
 * must not block on it.
 */
export type Role = {
  readonly name: string;
  tick(tick: Tick): void;
  /**
   * Called after a reorg was applied (index rewound, removed transactions' intents reopened):
   * forget decisions based on state the reorg may have removed. Optional.
   */
  reorg?(): void;
  /** Stops taking new work and waits for work in flight to finish or reach a journaled point. */
  stop(): Promise<void>;
};

/**
 * What a role acts on: `at`, the block the job index is consistent with (`confirmations` deep),
 * and `now`, the chain's clock — the later of the head block's timestamp and the wall clock
 * (the next block's timestamp is at least both on the chains we support). Deadlines are
 * compared with `now`; the simulation before each transaction has the last word.
 */
export type Tick = { at: BlockRef; now: bigint };

export function chainNow(headTimestamp: bigint | undefined): bigint {
  const wall = BigInt(Math.floor(Date.now() / 1000));
  return headTimestamp !== undefined && headTimestamp > wall ? headTimestamp : wall;
}

/**
 * The job id of intents that are about no job: the verifier's pool bond (`pool-approve:…`,
 * `pool-bond:…`) and audit-seed pins (`pin:<block>`). Real job ids carry the requester's address
 * in their high bits, so none is 0.
 */
export const NO_JOB = 0n;
