// Entry point of the instrumentation child process: a worker thread with a large stack (binaryen
// and the instrumenter recurse per level of nesting) that runs `instrumentProgram`, relayed over
// the process's IPC channel. A separate process, not just a thread, so the parent can measure its
// memory (binaryen's wasm heap is outside V8's limits) and kill it at any point.
import { Worker } from "node:worker_threads";

import { siblingModuleUrl } from "../module-url.ts";

const stackSizeMb = Number(process.argv[2] ?? 64);
const worker = new Worker(siblingModuleUrl("instrument-worker", import.meta.url), { resourceLimits: { stackSizeMb } });
process.on("message", (request) => worker.postMessage(request));
worker.on("message", (response) => process.send!(response));
worker.on("error", (error) => {
  process.stderr.write(`instrumentation worker failed: ${error.message}\n`);
  process.exit(70);
});
worker.on("exit", () => process.exit(70));
process.on("disconnect", () => process.exit(0));
