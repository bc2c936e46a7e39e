/**
 * Hardhat's `build` of the contracts (what `hardhat run` does first) with progress, for scripts
 * run by plain Node (the demo). An up-to-date build is one line; a fresh clone compiles every
 * contract with solc-js (viaIR), about a minute on two cores, so it first lists the solc jobs
 * that will run (which files, which settings; `hardhat.config.ts` runs one per core), and ticks
 * every 10 s until the build is done. `docs/compile-time.md` says where the time goes.
 */
import { availableParallelism } from "node:os";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { CompilationJob } from "hardhat/types/solidity";

const TICK_MS = 10_000;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `contracts/HashworkMarket.sol` … of a job's roots, shortened: "HashworkMarket.sol + 6 more". */
function describeJob(job: CompilationJob): string {
  const roots = [...job.dependencyGraph.getRoots().keys()].map((name) => name.replace(/^project\//, "").replace(/^contracts\//, ""));
  const shown = roots.length <= 2 ? roots.join(", ") : `${roots.slice(0, 2).join(", ")} + ${roots.length - 2} more`;
  const settings = job.solcConfig.settings as { viaIR?: boolean; optimizer?: { runs?: number } };
  return `${shown} (${settings.viaIR ? "viaIR, " : ""}${settings.optimizer?.runs ?? "no"} optimizer runs)`;
}

export type ContractBuildPlan = {
  /** Contract root files the jobs compile (0 when the build is up to date). */
  files: number;
  /** One line per solc job: its roots and settings. */
  jobs: string[];
  solcVersion?: string;
  /** Hardhat could not create a job (an incompatible pragma, say): the build task reports why. */
  failed?: boolean;
};

/**
 * The solc jobs `hardhat build --no-tests` would run now (`force`: as on a fresh clone), without
 * compiling anything: Hardhat's own job planning (`getCompilationJobs`) over the contract roots.
 */
export async function planContractBuild(hre: HardhatRuntimeEnvironment, { force = false } = {}): Promise<ContractBuildPlan> {
  const roots: string[] = [];
  for (const root of await hre.solidity.getRootFilePaths({ scope: "contracts" })) {
    if (root.startsWith("npm:") || (await hre.solidity.getScope(root)) === "contracts") roots.push(root);
  }
  const planned = await hre.solidity.getCompilationJobs(roots, { buildProfile: "default", quiet: true, force });
  // A job that cannot be created is the build task's to report, with its error.
  if (!planned.success) return { files: 0, jobs: [], failed: true };
  const jobs = [...new Set(planned.compilationJobsPerFile.values())];
  return {
    files: new Set(jobs.flatMap((job) => [...job.dependencyGraph.getRoots().keys()])).size,
    jobs: jobs.map(describeJob),
    solcVersion: jobs[0]?.solcConfig.version,
  };
}

/**
 * Builds the contracts (tests' Solidity excluded) as `hardhat build --no-tests` does, reporting
 * through `say`. Throws what the build task throws (compiler errors included).
 */
export async function buildContracts(hre: HardhatRuntimeEnvironment, say: (line: string) => void): Promise<void> {
  const started = performance.now();
  const plan = await planContractBuild(hre);
  const build = () => hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  if (plan.failed) await build();
  if (plan.jobs.length === 0) {
    // Nothing to compile: the build task would only plan the same jobs again.
    say(`contracts up to date (hardhat build, ${seconds(performance.now() - started)})`);
    return;
  }
  say(
    `compiling ${plan.files} contract files in ${plan.jobs.length} solc jobs, ${availableParallelism()} at a time (one per core), with solc-js ${plan.solcVersion} (a fresh clone's first run only; about a minute):`,
  );
  for (const job of plan.jobs) say(`  ${job}`);
  const ticker = setInterval(() => say(`  … compiling (${seconds(performance.now() - started)})`), TICK_MS);
  try {
    await build();
  } finally {
    clearInterval(ticker);
  }
  say(`compiled ${plan.files} contract files in ${seconds(performance.now() - started)}`);
}
