/**
 * Ponder's configuration: one chain, the Hashwork contracts with the SDK's generated ABIs (a
 * change to an event flows through `npm run generate:abis`), PGlite unless `DATABASE_URL` is set.
 */
import { createConfig } from "ponder";

import {
  hashworkDisputesAbi,
  hashworkGovernorAbi,
  hashworkMarketAbi,
  hashworkTimelockAbi,
  hashworkTokenAbi,
  verifierPoolAbi,
} from "../sdk/src/abi/index.ts";
import { confirmedTransport } from "./lib/confirmations.ts";
import { readSettings } from "./lib/settings.ts";

const s = readSettings();
const at = { chain: "hashwork", startBlock: s.fromBlock } as const;

export default createConfig({
  database: process.env.DATABASE_URL
    ? { kind: "postgres", connectionString: process.env.DATABASE_URL }
    : { kind: "pglite", ...(process.env.HASHWORK_PGLITE_DIR ? { directory: process.env.HASHWORK_PGLITE_DIR } : {}) },
  chains: {
    hashwork: {
      id: s.chainId,
      rpc: s.confirmations === 0 ? s.rpcUrl : confirmedTransport(s.rpcUrl, s.confirmations),
      pollingInterval: s.pollingIntervalMs,
      // Ponder throttles every chain to 20 requests/s at first and climbs slowly: a 10,000-job
      // backfill from a local node spent most of its time waiting on that limit.
      ...(s.rpcRequestsPerSecond === undefined ? {} : { maxRequestsPerSecond: s.rpcRequestsPerSecond }),
    },
  },
  contracts: {
    HashworkMarket: { abi: hashworkMarketAbi, address: s.market, ...at },
    HashworkDisputes: { abi: hashworkDisputesAbi, address: s.disputes, ...at },
    VerifierPool: { abi: verifierPoolAbi, address: s.verifierPool, ...at },
    // Only the market's token movements: what it holds, for the solvency figure. Two sources
    // because Ponder keeps one filter per event (a list of filters on one event keeps the last).
    TokenIntoMarket: { abi: hashworkTokenAbi, address: s.token, filter: { event: "Transfer", args: { to: s.market } }, ...at },
    TokenOutOfMarket: { abi: hashworkTokenAbi, address: s.token, filter: { event: "Transfer", args: { from: s.market } }, ...at },
    HashworkTimelock: { abi: hashworkTimelockAbi, address: s.timelock, ...at },
    HashworkGovernor: { abi: hashworkGovernorAbi, address: s.governor, ...at },
  },
});
