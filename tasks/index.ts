/**
 * The Hashwork developer tasks, registered in hardhat.config.ts. Each action lives in its own
 * file and is imported only when the task runs. Every task uses the network's one connection
 * (`network.getOrCreate()`), so tasks run in the same process share the chain.
 */
import { task } from "hardhat/config";

const deploymentIdOption = {
  name: "deploymentId" as const,
  description:
    "Ignition deployment id under ignition/deployments/ (default: the one made in this process, then chain-<chainId>, then the SDK's registry)",
  defaultValue: "",
};

export const hashworkDeployTask = task(
  "hashwork:deploy",
  "Deploy token, market and dispute module through the Ignition module (ignition/parameters/<network>.json by default)",
)
  .addOption({
    name: "parameters",
    description: "Ignition parameters file (default: ignition/parameters/<network>.json if it exists)",
    defaultValue: "",
  })
  .addOption({ name: "deploymentId", description: "Ignition deployment id (default: chain-<chainId>)", defaultValue: "" })
  .setAction(() => import("./deploy.ts"))
  .build();

export const hashworkFundTask = task("hashwork:fund", "Transfer the market's token from account #0 to local accounts")
  .addOption({ name: "amount", description: "Tokens per account (decimal)", defaultValue: "10000" })
  .addOption({ name: "accounts", description: "How many accounts after #0 to fund", defaultValue: "9" })
  .addOption({ name: "to", description: "Comma-separated addresses to fund instead of local accounts", defaultValue: "" })
  .addOption(deploymentIdOption)
  .setAction(() => import("./fund.ts"))
  .build();

export const hashworkPostSampleTask = task(
  "hashwork:post-sample",
  "Post one job built from a sample program (montecarlo, mandelbrot, csvstats)",
)
  .addOption({ name: "program", description: "montecarlo, mandelbrot or csvstats", defaultValue: "montecarlo" })
  .addOption({ name: "reward", description: "Reward in tokens (decimal)", defaultValue: "1" })
  .addOption({ name: "requester", description: "Index of the local account that posts and pays", defaultValue: "1" })
  .addOption({ name: "seed", description: "montecarlo: the PRNG seed", defaultValue: "42" })
  .addOption({ name: "challengeWindow", description: "Seconds a result can be challenged", defaultValue: "60" })
  .addOption({ name: "executionTime", description: "Seconds the provider has after claiming", defaultValue: "600" })
  .addOption({
    name: "store",
    description: "Directory the program and input are stored in (default: <cache>/hashwork/content)",
    defaultValue: "",
  })
  .addOption({ name: "contentUrl", description: "Base URL of a content server serving --store (default: file: URIs)", defaultValue: "" })
  .addOption(deploymentIdOption)
  .setAction(() => import("./post-sample.ts"))
  .build();

export const hashworkAuditTask = task(
  "hashwork:audit",
  "Solvency check and totals: jobs by state, providers' stakes and reputations, disputes",
)
  .addOption(deploymentIdOption)
  .setAction(() => import("./audit.ts"))
  .build();

export const hashworkTasks = [hashworkDeployTask, hashworkFundTask, hashworkPostSampleTask, hashworkAuditTask];
