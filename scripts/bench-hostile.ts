/**
 * Issue 12's hostile-job suite, measured rather than asserted: hostile modules through the real
 * prepare + execute path (`scripts/lib/hostile-executor.ts`) and SSRF forms plus big-blob serving
 * through the real fetch and content-server paths (`scripts/lib/hostile-fetch.ts`). Writes
 * `reports/security.json` → `hostile` (merging into what is there) and prints it.
 * Run with `npm run bench:hostile`.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";

import { measureExecutorHostility } from "./lib/hostile-executor.ts";
import { measureFetchHostility } from "./lib/hostile-fetch.ts";

const executor = await measureExecutorHostility();
const fetching = await measureFetchHostility();
const hostile = {
  worstInstrumentMs: executor.worstInstrumentMs,
  worstInstrumentRssMb: executor.worstInstrumentRssMb,
  unsubmittableJobs: executor.unsubmittableJobs,
  ssrfReached: fetching.ssrfReached,
  eventLoopMaxBlockMs: fetching.eventLoopMaxBlockMs,
  targets: { instrumentMs: 2_000, instrumentRssMb: 512, unsubmittableJobs: 0, ssrfReached: false, eventLoopMaxBlockMs: 100 },
  executorCases: executor.cases,
  ssrfCases: fetching.cases,
};
await mkdir("reports", { recursive: true });
const existing = await readFile("reports/security.json", "utf8").then(JSON.parse, () => ({}));
await writeFile("reports/security.json", `${JSON.stringify({ ...existing, hostile }, null, 2)}\n`);
console.log(JSON.stringify({ ...hostile, executorCases: undefined, ssrfCases: undefined }, null, 2));
// The executor's child process and workers are closed by the measurement; nothing else holds the loop.
process.exit(0);
