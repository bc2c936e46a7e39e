// ignition/parameters/*.json: each file parses the way `ignition deploy --parameters` reads it,
// names only parameters the modules take, stays within the contracts' bounds, and really deploys
// (on a fresh in-process chain, through the Ignition module) with exactly those values.
import { readdirSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import hre from "hardhat";

import { hashworkDisputesAbi, hashworkMarketAbi, verifierPoolAbi } from "../../sdk/src/abi/index.ts";
import {
  DISPUTE_PARAMETERS,
  GOVERNANCE_DEFAULTS,
  LOCAL_PARAMETERS,
  type DisputeParameters,
  type MarketParameters,
} from "../../ignition/parameters/defaults.ts";
import { economics } from "../../scripts/lib/economics.ts";
import {
  HASHWORK_MODULE_ID,
  IGNITION_PARAMETERS_DIR,
  deployHashwork,
  parameterValue,
  readIgnitionParameters,
} from "../../scripts/lib/ignition.ts";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";

const DAY = 24 * 3600;
/** Parameters the modules read besides the market and dispute settings. */
const OTHER_PARAMETERS = [
  "owner",
  "treasury",
  "arbiter",
  "initialSupply",
  "token",
  "governanceToken",
  "guardian",
  ...Object.keys(GOVERNANCE_DEFAULTS),
];
const KNOWN = new Set([...Object.keys(LOCAL_PARAMETERS), ...Object.keys(DISPUTE_PARAMETERS), ...OTHER_PARAMETERS]);

function within(name: string, value: bigint | number, lo: bigint | number, hi: bigint | number) {
  expect(BigInt(value) >= BigInt(lo) && BigInt(value) <= BigInt(hi), `${name} = ${value} must be within [${lo}, ${hi}]`).to.equal(true);
}

const files = readdirSync(IGNITION_PARAMETERS_DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();

describe("Ignition parameters files (ignition/parameters/)", function () {
  this.timeout(60_000);

  it("include localhost, the demo's and an example for a real network", () => {
    expect(files).to.include.members(["localhost.json", "demo.json", "remote.json"]);
  });

  for (const file of files) {
    describe(file, function () {
      let market: MarketParameters;
      let disputes: DisputeParameters;
      let raw: Awaited<ReturnType<typeof readIgnitionParameters>>;

      before(async () => {
        raw = await readIgnitionParameters(join(IGNITION_PARAMETERS_DIR, file));
        const value = <T>(name: string, fallback: T) => parameterValue(raw, HASHWORK_MODULE_ID, name, fallback);
        market = Object.fromEntries(Object.entries(LOCAL_PARAMETERS).map(([k, v]) => [k, value(k, v)])) as unknown as MarketParameters;
        disputes = Object.fromEntries(Object.entries(DISPUTE_PARAMETERS).map(([k, v]) => [k, value(k, v)])) as unknown as DisputeParameters;
      });

      it("names only parameters the modules take, with token amounts as bigints", () => {
        for (const [scope, values] of Object.entries(raw)) {
          expect(["$global", "Hashwork", "HashworkMarket"], `scope ${scope}`).to.include(scope);
          for (const name of Object.keys(values)) expect(KNOWN.has(name), `unknown parameter ${scope}.${name}`).to.equal(true);
        }
        for (const name of ["minStake", "minReward", "challengeBond", "verifierLock", "verifierFee"] as const) {
          const v = name in market ? market[name as keyof MarketParameters] : disputes[name as keyof DisputeParameters];
          expect(typeof v, name).to.equal("bigint");
        }
      });

      it("stays within the market's and the dispute module's bounds", () => {
        within("feeBps", market.feeBps, 0, 1_000);
        within("minStake", market.minStake, 1, 2n ** 96n - 1n);
        within("unbondingPeriod", market.unbondingPeriod, 3600, 90 * DAY);
        within("maxClaimDelay", market.maxClaimDelay, 60, 90 * DAY);
        within("minExecutionTime", market.minExecutionTime, 1, 30 * DAY);
        within("maxExecutionTime", market.maxExecutionTime, market.minExecutionTime, 30 * DAY);
        within("minChallengeWindow", market.minChallengeWindow, 1, 30 * DAY);
        within("maxChallengeWindow", market.maxChallengeWindow, market.minChallengeWindow, 30 * DAY);
        within("maxDisputeDuration", market.maxDisputeDuration, 3600, 180 * DAY);
        within("minReward", market.minReward, 1, 2n ** 96n - 1n);
        // MIN_COLLATERAL_PCT = 1 (zero collateral is never allowed) and MAX_COLLATERAL_PCT = 1000.
        within("minCollateralPct", market.minCollateralPct, 1, 1_000);
        within("maxCollateralPct", market.maxCollateralPct, market.minCollateralPct, 1_000);
        within("committeeSize", disputes.committeeSize, 1, 15);
        expect(disputes.committeeSize % 2, "committeeSize is odd").to.equal(1);
        within("maxRounds", disputes.maxRounds, 1, 4);
        within("commitPeriod", disputes.commitPeriod, 60, 7 * DAY);
        within("revealPeriod", disputes.revealPeriod, 60, 7 * DAY);
        within("verifierSlashBps", disputes.verifierSlashBps, 1, 10_000);
        within("challengerRewardBps", disputes.challengerRewardBps, 0, 10_000);
        within("auditRateBps", disputes.auditRateBps, 0, 2_000);
        // A seat records its lock in 80 bits, and one verifier may hold every seat of a round (at most 32).
        within("verifierLock", disputes.verifierLock, 1, (2n ** 80n - 1n) / 32n);
        within("verifierFee", disputes.verifierFee, 1, 2n ** 96n - 1n);
        // A wrong challenger's bond pays every verifier of the largest round (K, K+2, …).
        const largestRound = BigInt(disputes.committeeSize + 2 * (disputes.maxRounds - 1));
        within("challengeBond", disputes.challengeBond, disputes.verifierFee * largestRound, 2n ** 96n - 1n);
        // Each round also needs time to draw and resolve (ROUND_ALLOWANCE, 5 min), and the arbiter after them (30 min).
        within(
          "rounds × (commit + reveal + 5 min) + 30 min",
          disputes.maxRounds * (disputes.commitPeriod + disputes.revealPeriod + 300) + 1800,
          0,
          market.maxDisputeDuration,
        );
      });

      it("deploys through the Ignition module with exactly these values", async () => {
        const connection = await hre.network.create();
        const dir = await mkdtemp(join(tmpdir(), "hashwork-params-"));
        try {
          const deployment = await deployHashwork({
            hre,
            provider: connection.provider,
            parameters: raw,
            deploymentDir: join(dir, "test"),
          });
          const client = await connection.viem.getPublicClient();
          const c = await client.readContract({ address: deployment.disputes!, abi: hashworkDisputesAbi, functionName: "config" });
          expect({ ...c }).to.deep.equal({ ...disputes });
          const read = <F extends "feeBps" | "maxDisputeDuration">(functionName: F) =>
            client.readContract({ address: deployment.market, abi: hashworkMarketAbi, functionName });
          expect(Number(await read("feeBps"))).to.equal(market.feeBps);
          expect(Number(await read("maxDisputeDuration"))).to.equal(market.maxDisputeDuration);
          // Every MarketConfig field (the job value bounds among them): viem reads uint96 as bigint, narrower as number.
          const { paused, ...config } = await client.readContract({
            address: deployment.market,
            abi: hashworkMarketAbi,
            functionName: "config",
          });
          const { feeBps: _feeBps, maxDisputeDuration: _maxDisputeDuration, ...configured } = market;
          expect(paused).to.equal(false);
          expect(config).to.deep.equal(configured);
        } finally {
          await connection.close();
          await rm(dir, { recursive: true, force: true });
        }
      });
    });
  }

  it("the example for a real network satisfies every inequality of docs/economics.md", async () => {
    const raw = await readIgnitionParameters(join(IGNITION_PARAMETERS_DIR, "remote.json"));
    const value = <T>(name: string, fallback: T) => parameterValue(raw, HASHWORK_MODULE_ID, name, fallback);
    const market = Object.fromEntries(Object.entries(LOCAL_PARAMETERS).map(([k, v]) => [k, value(k, v)])) as unknown as MarketParameters;
    const disputes = Object.fromEntries(
      Object.entries(DISPUTE_PARAMETERS).map(([k, v]) => [k, value(k, v)]),
    ) as unknown as DisputeParameters;
    for (const inequality of economics(market, disputes))
      expect(inequality.holds, `${inequality.name}: ${inequality.claim}`).to.equal(true);
  });
});

describe("The Ignition module (ignition/modules/Hashwork.ts)", function () {
  this.timeout(60_000);

  it("records the verifier pool the dispute module created, bound to that module and the market", async () => {
    const connection = await hre.network.create();
    const dir = await mkdtemp(join(tmpdir(), "hashwork-pool-"));
    try {
      const deploymentDir = join(dir, "test");
      const deployment = await deployHashwork({ hre, provider: connection.provider, deploymentDir });
      const addresses = JSON.parse(await readFile(join(deploymentDir, "deployed_addresses.json"), "utf8")) as Record<string, string>;
      const pool = addresses[`${HASHWORK_MODULE_ID}#VerifierPool`] as `0x${string}`;
      const client = await connection.viem.getPublicClient();
      const created = await client.readContract({ address: deployment.disputes!, abi: hashworkDisputesAbi, functionName: "verifierPool" });
      expect(pool.toLowerCase()).to.equal(created.toLowerCase());
      const poolModule = await client.readContract({ address: pool, abi: verifierPoolAbi, functionName: "disputeModule" });
      const poolMarket = await client.readContract({ address: pool, abi: verifierPoolAbi, functionName: "market" });
      expect([poolModule.toLowerCase(), poolMarket.toLowerCase()]).to.deep.equal([
        deployment.disputes!.toLowerCase(),
        deployment.market.toLowerCase(),
      ]);
    } finally {
      await connection.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
