import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import { configVariable, defineConfig } from "hardhat/config";
import type { HardhatPlugin } from "hardhat/types/plugins";

import { hashworkTasks } from "./tasks/index.ts";

// Hardhat cannot download compilers on this machine: every profile points at the
// solc-js build shipped by the `solc` npm package (an absolute path is required).
const require = createRequire(import.meta.url);
const solcPath = require.resolve("solc/soljson.js");
const solcVersion: string = require("solc/package.json").version;

// One set of settings for tests, benchmarks and deployments, so gas figures are the
// figures users pay. viaIR + high optimizer runs: the hot paths (post, claim, submit,
// finalize) are called millions of times; deployment happens once.
const compilerSettings = {
  evmVersion: "cancun",
  viaIR: true,
  optimizer: { enabled: true, runs: 10_000 },
};
const compiler = { version: solcVersion, path: solcPath, settings: compilerSettings };
// The dispute module runs rarely (only when a result is challenged or audited) and is
// close to the 24 KiB code-size limit, so it is optimized for size instead.
const sizeOptimizedCompiler = {
  ...compiler,
  settings: { ...compilerSettings, optimizer: { enabled: true, runs: 200 } },
};
// The market is one contract (no cross-contract calls on the hot path) and must stay under
// 24,576 bytes: at 10,000 runs it does not fit any more, nor at 1,000 once governance added the
// guardian and per-dispute module; 300 runs fits and costs the happy path a few hundred gas
// (reports/gas.json).
// The dispute module embeds the verifier pool's creation code (it deploys its pool) and sits
// just under the 24,576-byte limit; 20 runs keeps it there (reports/gas.json, "compiler").
const disputesCompiler = {
  ...compiler,
  settings: { ...compilerSettings, optimizer: { enabled: true, runs: 20 } },
};
const marketCompiler = {
  ...compiler,
  settings: { ...compilerSettings, optimizer: { enabled: true, runs: 300 } },
};
// Overrides apply to the root of each compilation job, and a Solidity test file is the root of
// its own job (the contracts it imports compile inside it): size-optimize every test file too, so
// the contracts they deploy stay under the size limit as the real deployment does (and helpers
// compile alike as roots and as imports, which invariant testing needs to match their code).
const solidityTests = readdirSync(new URL("./test/solidity", import.meta.url), { recursive: true, encoding: "utf8" }).filter((f) =>
  f.endsWith(".sol"),
);
const profile = {
  compilers: [compiler],
  overrides: {
    "contracts/HashworkDisputes.sol": disputesCompiler,
    "contracts/HashworkMarket.sol": marketCompiler,
    // Governance runs a few times a month; OpenZeppelin's Governor with five extensions is large.
    "contracts/governance/HashworkGovernor.sol": sizeOptimizedCompiler,
    ...Object.fromEntries(solidityTests.map((f) => [`test/solidity/${f}`, sizeOptimizedCompiler])),
  },
};

// Hardhat runs cores - 1 solc jobs at once (one on two cores), though each solc-js job is a child
// process and the main process idles meanwhile: run one per core. A fresh build's wall time on two
// cores nearly halves (docs/compile-time.md); the artifacts are the same.
const solcJobPerCore: HardhatPlugin = {
  id: "hashwork-solc-job-per-core",
  hookHandlers: {
    solidity: async () => ({
      default: async () => ({
        build: (context, roots, options, next) => next(context, roots, { ...options, concurrency: availableParallelism() }),
      }),
    }),
  },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, hardhatViem, solcJobPerCore],
  tasks: hashworkTasks,
  solidity: {
    profiles: {
      default: profile,
      // Hardhat's production profile compiles every root in a job of its own (`isolated`) and
      // records tool versions in the build ids unless told otherwise: `hardhat ignition deploy`
      // (`npm run deploy`) would then recompile all 27 contract roots one by one (more solc time
      // than the whole default build) into artifacts whose metadata differs, and the next default
      // build would compile them all again. The same jobs as the default profile instead: the
      // deployed bytecode is the bytecode tested and measured (docs/compile-time.md).
      production: { ...profile, isolated: false, toolVersionsInBuildInfo: false },
    },
  },
  test: {
    solidity: {
      fuzz: { runs: 512 },
      invariant: { runs: 256, depth: 32, failOnRevert: false },
    },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      url: "http://127.0.0.1:8545",
    },
    remote: {
      type: "http",
      chainType: "l1",
      url: configVariable("HASHWORK_RPC_URL"),
      accounts: [configVariable("HASHWORK_PRIVATE_KEY")],
    },
  },
});
