// The demo's figures and its printed report: gas per job from the receipts of the transactions
// that emitted each job's events, and the report's tables (scripts/demo.ts gathers the rows).
import type { Hash } from "viem";

import type { checkSolvency, getVerifier } from "../../sdk/src/index.ts";
import type { System } from "../../testkit/local-cluster.ts";
import type { FeedEvent } from "./event-feed.ts";
import { formatDelta, formatInt, formatToken, table } from "./format.ts";

export type AccountFigures = { wallet: bigint; ledger: bigint; staked: bigint; locked: bigint };
/**
 * A provider's stake and reputation record as the market keeps them (`stakeOf`, `reputationOf`):
 * reputation is the protocol fees paid on completed jobs (`feesPaid`, token wei), and a job's
 * gate is a score relative to its reward (`scoreFor`), so no single score is shown.
 */
export type ProviderFigures = {
  staked: bigint;
  locked: bigint;
  reputation: { completed: number; timedOut: number; disputesLost: number; disputesWon: number; feesPaid: bigint };
};
export type PoolFigures = Awaited<ReturnType<typeof getVerifier>>;

const JOB_STEPS: Record<string, string> = {
  JobPosted: "post",
  JobClaimed: "claim",
  ResultSubmitted: "submit",
  JobFinalized: "finalize",
  DisputeOpened: "challenge",
  CommitteeDrawn: "draw",
  VoteCommitted: "commit",
  VoteRevealed: "reveal",
  DisputeResolved: "resolve",
};

/**
 * Gas per job from the receipts of the transactions that emitted its events (shared transactions
 * split evenly), plus `extra` transactions whose job no event names (a challenge's commitment
 * hides its job: the challenger's journal knows it).
 */
export async function gasPerJob(
  system: System,
  events: readonly FeedEvent[],
  extra: readonly { hash: Hash; jobId: bigint; step: string }[] = [],
) {
  const jobsOfTx = new Map<Hash, Set<bigint>>();
  const stepOfTx = new Map<Hash, string>();
  for (const x of extra) {
    jobsOfTx.set(x.hash, new Set([x.jobId]));
    stepOfTx.set(x.hash, x.step);
  }
  for (const e of events) {
    const step = JOB_STEPS[e.eventName];
    if (!step || typeof e.args.jobId !== "bigint") continue;
    let set = jobsOfTx.get(e.transactionHash);
    if (!set) {
      set = new Set();
      jobsOfTx.set(e.transactionHash, set);
    }
    set.add(e.args.jobId);
    // A transaction has one step (a dispute's resolve also emits payouts, no second step event).
    if (!stepOfTx.has(e.transactionHash)) stepOfTx.set(e.transactionHash, step);
  }
  const perJob = new Map<bigint, { total: bigint; steps: Record<string, bigint> }>();
  for (const [hash, ids] of jobsOfTx) {
    const receipt = await system.publicClient.getTransactionReceipt({ hash });
    const share = receipt.gasUsed / BigInt(ids.size);
    const step = stepOfTx.get(hash)!;
    for (const id of ids) {
      let g = perJob.get(id);
      if (!g) {
        g = { total: 0n, steps: {} };
        perJob.set(id, g);
      }
      g.total += share;
      g.steps[step] = (g.steps[step] ?? 0n) + share;
    }
  }
  return { perJob };
}

// ---------------------------------------------------------------- printing

/** The disputed job's extra steps, in order (commit-challenge and challenge are the challenge's two transactions). */
const DISPUTE_STEPS = ["commit-challenge", "challenge", "draw", "commit", "reveal", "resolve"];

export function printReport(
  report: {
    solvency: Awaited<ReturnType<typeof checkSolvency>>;
    gas: { happyPathMeanPerJob: bigint; steps: Record<string, bigint> };
    outputs: { monteCarlo: { runs: number; pi: number; samples: number } };
  },
  x: {
    happyIds: bigint[];
    disputedGas: { total: bigint; steps: Record<string, bigint> };
    balanceRows: { actor: string; role: string; before: AccountFigures; after: AccountFigures }[];
    poolRows: { verifier: string; before: PoolFigures; after: PoolFigures }[];
    reputationRows: { provider: string; before: ProviderFigures; after: ProviderFigures }[];
    jobRows: { kind: string; posted: number; finalized: number; overturned: number }[];
    claimsBy: Map<string, number>;
    disputeRows: {
      job: string;
      provider: string;
      challenger: string;
      committee: { verifier: string; votes: number }[];
      votes: { verifier: string; for: string }[];
      providerRight: boolean | undefined;
      slashed: { who: string; amount: bigint } | undefined;
      payouts: { to: string; role: string; amount: bigint }[];
    }[];
    checks: { check: string; ok: boolean }[];
    wall: number;
  },
) {
  const section = (title: string) => console.log(`\n== ${title}`);
  console.log(`\n${"=".repeat(78)}\nHashwork demo report`);
  section("Jobs");
  console.log(
    table(
      ["program", "posted", "finalized", "overturned"],
      x.jobRows.map((r) => [r.kind, r.posted, r.finalized, r.overturned]),
    ),
  );
  console.log(`claims: ${[...x.claimsBy].map(([p, n]) => `${p} ${n}`).join(", ")}`);

  section("Disputes");
  for (const d of x.disputeRows) {
    console.log(
      `${d.job}: provider ${d.provider}, challenged by ${d.challenger}; committee (from the verifier pool, with replacement) ${d.committee.map((c) => `${c.verifier}${c.votes > 1 ? ` ×${c.votes} votes` : ""}`).join(", ")}`,
    );
    console.log(`  votes: ${d.votes.map((v) => `${v.verifier} → ${v.for}`).join(", ")}`);
    console.log(
      `  outcome: provider ${d.providerRight ? "right" : "wrong"}${d.slashed ? `; ${d.slashed.who} slashed ${formatToken(d.slashed.amount)} HWK` : ""}`,
    );
    console.log(
      table(
        ["payout to", "role", "HWK"],
        d.payouts.map((p) => [p.to, p.role, formatToken(p.amount)]),
      ).replace(/^/gm, "  "),
    );
  }

  section("Balances (HWK) at the end, and Δ since before the jobs: wallet, market ledger, stake");
  console.log(
    table(
      ["actor", "wallet", "Δ", "ledger", "Δ", "stake", "Δ"],
      x.balanceRows.map((r) => [
        r.actor,
        formatToken(r.after.wallet),
        formatDelta(r.after.wallet - r.before.wallet),
        formatToken(r.after.ledger),
        formatDelta(r.after.ledger - r.before.ledger),
        formatToken(r.after.staked),
        formatDelta(r.after.staked - r.before.staked),
      ]),
    ),
  );

  section("Verifier pool bonds (HWK): bonded (draw weight) and locked, before → after; share of the pool's weight");
  console.log(
    table(
      ["verifier", "bonded", "Δ", "locked", "pool share"],
      x.poolRows.map((r) => [
        r.verifier,
        `${formatToken(r.before.bonded)} → ${formatToken(r.after.bonded)}`,
        formatDelta(r.after.bonded - r.before.bonded),
        `${formatToken(r.before.locked)} → ${formatToken(r.after.locked)}`,
        r.after.totalWeight > 0n ? `${(Number((r.after.weight * 10_000n) / r.after.totalWeight) / 100).toFixed(2)}%` : "-",
      ]),
    ),
  );

  section("Reputation: protocol fees paid on completed jobs (HWK), completed, disputes lost / won; before → after");
  console.log(
    table(
      ["provider", "fees paid", "completed", "lost", "won"],
      x.reputationRows.map((r) => [
        r.provider,
        `${formatToken(r.before.reputation.feesPaid)} → ${formatToken(r.after.reputation.feesPaid)}`,
        `${r.before.reputation.completed} → ${r.after.reputation.completed}`,
        `${r.before.reputation.disputesLost} → ${r.after.reputation.disputesLost}`,
        `${r.before.reputation.disputesWon} → ${r.after.reputation.disputesWon}`,
      ]),
    ),
  );

  section(
    "Gas per job (share of the batch post + claim + submit + finalize; the disputed job adds the challenge commitment and reveal, draw, votes, resolve)",
  );
  const s = report.gas.steps;
  console.log(
    table(
      ["path", "post", "claim", "submit", "finalize", "dispute", "total"],
      [
        [
          `settled jobs (mean of ${x.happyIds.length})`,
          formatInt(s.post!),
          formatInt(s.claim!),
          formatInt(s.submit!),
          formatInt(s.finalize!),
          "",
          formatInt(report.gas.happyPathMeanPerJob),
        ],
        [
          "disputed job",
          formatInt(x.disputedGas.steps.post ?? 0n),
          formatInt(x.disputedGas.steps.claim ?? 0n),
          formatInt(x.disputedGas.steps.submit ?? 0n),
          "",
          formatInt(DISPUTE_STEPS.reduce((t, k) => t + (x.disputedGas.steps[k] ?? 0n), 0n)),
          formatInt(x.disputedGas.total),
        ],
      ],
    ),
  );
  console.log(`dispute steps: ${DISPUTE_STEPS.map((k) => `${k} ${formatInt(x.disputedGas.steps[k] ?? 0n)}`).join(", ")}`);

  section("Solvency");
  const v = report.solvency;
  console.log(
    table(
      [
        "market token balance",
        "total owed",
        "accrued fees",
        "audit reserve",
        "surplus",
        "dispute module held",
        "verifier pool held",
        "solvent",
      ],
      [
        [
          formatToken(v.balance),
          formatToken(v.totalOwed),
          formatToken(v.accruedFees),
          formatToken(v.auditReserve),
          formatToken(v.surplus),
          v.disputes ? formatToken(v.disputes.totalHeld) : "-",
          v.verifierPool ? formatToken(v.verifierPool.totalHeld) : "-",
          v.solvent ? "yes" : "NO",
        ],
      ],
    ),
  );

  section("Outputs");
  console.log(`out/mandelbrot.png        the tiles assembled into one 512×384 image`);
  console.log(
    `out/montecarlo.json       ${report.outputs.monteCarlo.runs} runs, π ≈ ${report.outputs.monteCarlo.pi.toFixed(5)} over ${formatInt(report.outputs.monteCarlo.samples)} samples`,
  );
  console.log(`out/csvstats/             the data sets and their column statistics`);
  console.log(`out/logs/                 each daemon's JSON log`);
  console.log(`out/report.json           this report`);

  section("Checks");
  for (const c of x.checks) console.log(`${c.ok ? "ok  " : "FAIL"}  ${c.check}`);
  console.log(`\n${x.checks.every((c) => c.ok) ? "demo OK" : "demo FAILED"} in ${x.wall.toFixed(1)} s`);
}
