import { expect } from "chai";
import type { Address } from "viem";

import { createJobOrder } from "./job-order.ts";

const PROVIDERS: Address[] = [
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
  "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
];

describe("daemon job order (rendezvous hashing over the providers seen)", function () {
  const jobs = Array.from({ length: 1000 }, (_, i) => ({ jobId: (BigInt(i) << 160n) | 0xabcn }));
  const orderOf = (me: Address, peers: Address[]) => {
    const order = createJobOrder(me);
    order.setPeers(peers);
    return { order, sorted: [...jobs].sort(order.compare).map((j) => j.jobId) };
  };

  it("splits a backlog into disjoint first-choice shares when the providers see each other", function () {
    const runs = PROVIDERS.map((me) => orderOf(me, PROVIDERS));
    const firsts = runs.map(({ order, sorted }) => sorted.filter((id) => order.tier(id) === 0));
    // Every job is exactly one provider's first choice, about a quarter each.
    const all = firsts.flat();
    expect(new Set(all).size).to.equal(jobs.length);
    expect(all.length).to.equal(jobs.length);
    for (const share of firsts) expect(share.length).to.be.within(200, 300);
    // Each provider starts with its own share: the first 64 jobs the four take never overlap.
    const heads = runs.map(({ sorted }) => sorted.slice(0, 64));
    expect(new Set(heads.flat()).size).to.equal(4 * 64);
    // Tiers rise monotonically through the order, and every job is in every order (nobody's jobs starve).
    for (const { order, sorted } of runs) {
      const tiers = sorted.map((id) => order.tier(id));
      expect(tiers).to.deep.equal([...tiers].sort((a, b) => a - b));
      expect(new Set(sorted).size).to.equal(jobs.length);
    }
  });

  it("knowing no peers, each provider still has its own fixed shuffle (not posting order)", function () {
    const [a, b] = [orderOf(PROVIDERS[0]!, []).sorted, orderOf(PROVIDERS[1]!, []).sorted];
    expect(a).to.deep.equal(orderOf(PROVIDERS[0]!, []).sorted);
    expect(a.slice(0, 64)).to.not.deep.equal(b.slice(0, 64));
    expect(a.slice(0, 64)).to.not.deep.equal(jobs.slice(0, 64).map((j) => j.jobId));
    // Overlap of two independent 64-of-1000 draws: a few jobs, not most.
    const overlap = a.slice(0, 64).filter((id) => b.slice(0, 64).includes(id)).length;
    expect(overlap).to.be.below(16);
  });

  it("ignores itself and case among peers, and recomputes when the peers change", function () {
    const me = PROVIDERS[0]!;
    const order = createJobOrder(me);
    order.setPeers([me.toLowerCase(), PROVIDERS[1]!.toUpperCase().replace("0X", "0x")]);
    const withOne = jobs.map((j) => order.tier(j.jobId));
    expect(Math.max(...withOne)).to.equal(1);
    order.setPeers(PROVIDERS);
    expect(Math.max(...jobs.map((j) => order.tier(j.jobId)))).to.equal(3);
    order.retain((id) => id === jobs[0]!.jobId);
    expect(order.size).to.equal(1);
  });

  it("keeps its memo through peer changes: tiers updated in place equal a fresh computation", function () {
    const me = PROVIDERS[0]!;
    const order = createJobOrder(me);
    order.setPeers([PROVIDERS[1]!]);
    for (const j of jobs) order.tier(j.jobId); // every job memoized
    // Peers appear one by one, one leaves, one comes back under another case: after each change
    // the memoized tiers are those of an order that never saw the earlier sets.
    const steps: Address[][] = [
      [PROVIDERS[1]!, PROVIDERS[2]!],
      [PROVIDERS[1]!, PROVIDERS[2]!, PROVIDERS[3]!],
      [PROVIDERS[2]!, PROVIDERS[3]!],
      [PROVIDERS[2]!, PROVIDERS[3]!, PROVIDERS[1]!.toLowerCase() as Address, me],
      [],
    ];
    for (const peers of steps) {
      order.setPeers(peers);
      expect(order.size).to.equal(jobs.length);
      const fresh = createJobOrder(me);
      fresh.setPeers(peers);
      expect(jobs.map((j) => order.tier(j.jobId))).to.deep.equal(jobs.map((j) => fresh.tier(j.jobId)));
    }
  });
});
