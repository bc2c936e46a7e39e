import { createHash } from "node:crypto";

import type { Address } from "viem";

/**
 * The order in which a provider goes through open jobs, chosen so that providers working the same
 * backlog mostly pick different jobs (a lost race wastes a claim transaction, or on the fast path
 * a whole run). Rendezvous hashing: every (provider, job) pair has a pseudo-random weight; a
 * job's first choice is the provider with the lowest weight among the providers seen working
 * (`peers`), its second choice the next, and so on. Each provider takes the jobs it is first
 * choice for, then those it is second choice for, … — so while the backlog lasts, providers
 * that see the same peers work disjoint shares of it, and no job waits on a provider that went
 * away (every provider reaches every job, only later). Ties within a tier are broken by the
 * weight itself (a fixed per-provider shuffle).
 *
 * Weights are memoized per job, with the job's tier. When the peers change the memo is updated,
 * not dropped: a peer that appears or goes away moves a memoized job's tier by one if it weighs
 * less than us there, so a change costs one hash per tracked job instead of one per job and peer
 * (peers come and go all the time: one seen claiming appears, one not seen for a while leaves).
 *
 * @example
 * const order = createJobOrder(me)
 * order.setPeers(["0xabc…", "0xdef…"])
 * open.sort(order.compare)
 */
export function createJobOrder(me: Address) {
  const self = me.toLowerCase();
  let peers = new Set<string>();
  /** Per job: [tier (how many peers come before us), our weight]. */
  const memo = new Map<bigint, [number, string]>();

  const weight = (provider: string, jobId: bigint) => createHash("sha256").update(provider).update(jobId.toString(16)).digest("hex");

  function key(jobId: bigint): [number, string] {
    let k = memo.get(jobId);
    if (k === undefined) {
      const mine = weight(self, jobId);
      let tier = 0;
      for (const p of peers) if (weight(p, jobId) < mine) tier++;
      k = [tier, mine];
      memo.set(jobId, k);
    }
    return k;
  }

  /** Moves the tier of every memoized job `peer` comes before us in by `by`. */
  function shift(peer: string, by: 1 | -1) {
    for (const [jobId, k] of memo) if (weight(peer, jobId) < k[1]) k[0] += by;
  }

  return {
    /** The other providers seen working (any order, any case; ourselves ignored). */
    setPeers(addresses: Iterable<string>) {
      const next = new Set<string>();
      for (const a of addresses) if (a.toLowerCase() !== self) next.add(a.toLowerCase());
      for (const p of peers) if (!next.has(p)) shift(p, -1);
      for (const p of next) if (!peers.has(p)) shift(p, 1);
      peers = next;
    },
    /** How many peers this job prefers to us (0: we are its first choice). */
    tier: (jobId: bigint) => key(jobId)[0],
    /** Sort comparator: our first-choice jobs first, then second-choice, …; a fixed shuffle within a tier. */
    compare(a: { jobId: bigint }, b: { jobId: bigint }) {
      const [ta, wa] = key(a.jobId);
      const [tb, wb] = key(b.jobId);
      return ta - tb || (wa < wb ? -1 : wa > wb ? 1 : 0);
    },
    /** Forgets jobs no longer tracked (bounded memory). */
    retain(keep: (jobId: bigint) => boolean) {
      for (const id of memo.keys()) if (!keep(id)) memo.delete(id);
    },
    get size() {
      return memo.size;
    },
  };
}
