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
 * Weights are memoized per job; the memo is dropped when the peer set changes.
 *
 * @example
 * const order = createJobOrder(me)
 * order.setPeers(["0xabc…", "0xdef…"])
 * open.sort(order.compare)
 */
export function createJobOrder(me: Address) {
  const self = me.toLowerCase();
  let peers: string[] = [];
  let peerKey = "";
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

  return {
    /** The other providers seen working (any order, any case; ourselves ignored). */
    setPeers(addresses: Iterable<string>) {
      const next = [...new Set([...addresses].map((a) => a.toLowerCase()))].filter((a) => a !== self).sort();
      const nextKey = next.join(",");
      if (nextKey === peerKey) return;
      peers = next;
      peerKey = nextKey;
      memo.clear();
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
