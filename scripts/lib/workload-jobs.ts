/**
 * `npm run demo -- --full`: the real workloads (testkit/workloads.ts) as jobs on the demo's
 * market — SQLite aggregating a generated sales table, the C ray tracer rendering a scene in four
 * tiles, the Rust digit classifier over a batch — posted in one transaction after the main jobs,
 * run by the same daemons, fetched and verified against their commitments, written to
 * `out/workloads/`. Built from source first (cached by source hash; the first SQLite build takes
 * ~40 s with Debian clang, minutes with @yowasp/clang), which is why it is not in the default demo.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { ExecutionStatus, fetchJobOutput, type HashworkBaseClient, type JobSpec, postJobs, readJobState } from "../../sdk/src/index.ts";
import { assembleTiles } from "../../sdk/src/programs/index.ts";
import { LOCAL_FETCH_HOSTS, waitFor } from "../../testkit/local-cluster.ts";
import {
  digitSamples,
  digitsBundle,
  loadWorkload,
  raytraceBundle,
  raytraceTiles,
  SALES_QUERY,
  salesCsv,
  sqliteBundle,
  type DigitsOutput,
  type WorkloadName,
} from "../../testkit/workloads.ts";
import type { ContentTarget, SampleJobTerms } from "./sample-jobs.ts";

const SALES_ROWS = 20_000;
const IMAGE = { width: 320, height: 240, tile: 160 };
const DIGITS = 1000;
/**
 * Fuel with headroom over the measured use (SQLite ~0.61 G for 20 000 rows, a 160×120 tile
 * ~0.13 G, 1 000 digits ~0.08 G), within the daemons' default `claimPolicy.maxFuel` (1 G).
 */
const FUEL: Record<WorkloadName, bigint> = { sqlite: 1_000_000_000n, raytrace: 500_000_000n, digits: 300_000_000n };

type WorkloadJob = { name: WorkloadName; label: string; spec: JobSpec };

export type RunWorkloadJobsParameters = {
  client: HashworkBaseClient;
  target: ContentTarget;
  terms: SampleJobTerms;
  /**
   * The one provider the SQLite job is designated to. Preparing its ~500 KB of code takes a
   * provider seconds of CPU under a wall-clock cap (10 s); every provider preparing it at once on
   * a 2-core machine would approach that cap, and a provider that reaches it refuses the program.
   */
  sqliteProvider?: `0x${string}`;
  outDir: string;
  say: (line: string) => void;
  timeoutMs?: number;
};

/** Builds, posts, waits for and fetches the workload jobs; returns the files written (relative to the repository). */
export async function runWorkloadJobs({
  client,
  target,
  terms,
  sqliteProvider,
  outDir,
  say,
  timeoutMs = 300_000,
}: RunWorkloadJobsParameters) {
  const programs = new Map<WorkloadName, Uint8Array>();
  for (const name of ["sqlite", "raytrace", "digits"] as const) {
    const built = await loadWorkload(name);
    programs.set(name, built.wasm);
    say(
      `workload ${name}: ${built.wasm.length} bytes (${built.toolchain}), ${built.compiled ? `built in ${(built.buildMs / 1000).toFixed(1)} s` : "cached build"}`,
    );
  }
  const csv = salesCsv(SALES_ROWS);
  const batch = digitSamples(DIGITS, 2026);
  const inputs: [WorkloadName, string, Uint8Array][] = [
    ["sqlite", `${SALES_ROWS} sales rows`, sqliteBundle(csv)],
    ...raytraceTiles(IMAGE.width, IMAGE.height, IMAGE.tile).map(
      (t) => ["raytrace", `tile (${t.x},${t.y})`, raytraceBundle(t)] as [WorkloadName, string, Uint8Array],
    ),
    ["digits", `${DIGITS} images`, digitsBundle(batch)],
  ];
  const jobs: WorkloadJob[] = [];
  for (const [name, label, input] of inputs) {
    const [p, i] = await Promise.all([target.store.put(programs.get(name)!), target.store.put(input)]);
    const uri = (hash: `0x${string}`, stored: string | undefined) => (target.uriFor ? target.uriFor(hash) : (stored ?? ""));
    jobs.push({
      name,
      label,
      spec: {
        programHash: p.hash,
        inputHash: i.hash,
        programURI: uri(p.hash, p.uri),
        inputURI: uri(i.hash, i.uri),
        fuelLimit: FUEL[name],
        ...terms,
        ...(name === "sqlite" && sqliteProvider ? { designatedProvider: sqliteProvider } : {}),
      },
    });
  }
  const { jobIds } = await postJobs(client, { jobs: jobs.map((j) => j.spec) });
  say(`posted ${jobs.length} workload jobs: ${jobs.map((j) => `${j.name} ${j.label}`).join("; ")}`);
  // One line whenever the jobs' states change: the chain's event feed has stopped by now.
  let last = "";
  const describe = (states: string[]) => states.map((st, k) => `${jobs[k]!.name} ${jobs[k]!.label}: ${st}`).join("; ");
  await waitFor(
    "every workload job Finalized",
    async () => {
      const states = await Promise.all(jobIds.map((id) => readJobState(client, id)));
      const line = describe(states);
      if (line !== last) {
        last = line;
        say(`workload jobs: ${line}`);
      }
      const bad = states.find((st) => ["Cancelled", "Expired", "TimedOut", "Voided", "Overturned"].includes(st));
      if (bad) throw new Error(`a workload job ended ${bad}`);
      return states.every((st) => st === "Finalized") ? true : undefined;
    },
    timeoutMs,
    500,
  );

  const outputs: Uint8Array[] = [];
  for (const [k, id] of jobIds.entries()) {
    const { output, outcome } = await fetchJobOutput(client, { jobId: id, fetch: { allowHosts: LOCAL_FETCH_HOSTS } });
    if (outcome.status !== ExecutionStatus.Ok)
      throw new Error(`workload ${jobs[k]!.name} ${jobs[k]!.label} ran to status ${outcome.status}, not Ok`);
    outputs.push(output);
  }
  const dir = join(outDir, "workloads");
  await mkdir(dir, { recursive: true });
  const of = (name: WorkloadName) => outputs.filter((_, k) => jobs[k]!.name === name);
  await writeFile(join(dir, "sales.csv"), csv);
  await writeFile(join(dir, "sales-by-region.csv"), of("sqlite")[0]!);
  await writeFile(join(dir, "sales-query.sql"), `${SALES_QUERY}\n`);
  await writeFile(join(dir, "raytrace.png"), assembleTiles(of("raytrace")).png);
  const digits = JSON.parse(new TextDecoder().decode(of("digits")[0]!)) as DigitsOutput;
  await writeFile(join(dir, "digits.json"), `${JSON.stringify(digits)}\n`);
  const byRegion = new TextDecoder().decode(of("sqlite")[0]!).trim().split("\n");
  say(`SQLite over ${SALES_ROWS} rows, by revenue: ${byRegion.slice(1, 3).join(" | ")} …`);
  say(`digit classifier: ${digits.correct}/${digits.count} right (${((100 * digits.correct) / digits.count).toFixed(1)}%)`);
  say(`ray tracer: ${IMAGE.width}×${IMAGE.height} in ${of("raytrace").length} tiles → out/workloads/raytrace.png`);
  return { jobIds, files: "out/workloads/ (sales.csv, sales-by-region.csv, raytrace.png, digits.json)" };
}
