/** The indexer's settings from the environment: defaults, a deployment file, and one-line errors. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { readSettings } from "../../indexer/lib/settings.ts";
import { hashworkDeployments } from "../../sdk/src/index.ts";

const VARS = [
  "HASHWORK_RPC_URL",
  "HASHWORK_CHAIN_ID",
  "HASHWORK_DEPLOYMENT",
  "HASHWORK_CONFIRMATIONS",
  "HASHWORK_POLL_MS",
  "HASHWORK_RPC_RPS",
];

describe("the indexer's settings (indexer/lib/settings.ts)", function () {
  let saved: Record<string, string | undefined>;
  let dir: string;
  beforeEach(async () => {
    saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
    for (const v of VARS) delete process.env[v];
    dir = await mkdtemp(join(tmpdir(), "hashwork-indexer-settings-"));
  });
  afterEach(async () => {
    for (const v of VARS)
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    await rm(dir, { recursive: true, force: true });
  });

  const failure = () => {
    try {
      readSettings();
    } catch (error) {
      return (error as Error).message;
    }
    return expect.fail("readSettings accepted bad settings");
  };

  it("defaults to the local deployment, the daemon's confirmation depth and a 1 s poll", function () {
    const s = readSettings();
    expect(s).to.include({
      rpcUrl: "http://127.0.0.1:8545",
      chainId: 31337,
      market: hashworkDeployments[31337]!.market,
      confirmations: 2,
      pollingIntervalMs: 1000,
      rpcRequestsPerSecond: 500,
    });
  });

  it("starts Ponder at 500 JSON-RPC requests/s on loopback only, unless HASHWORK_RPC_RPS says", function () {
    process.env.HASHWORK_RPC_URL = "http://localhost:8545";
    expect(readSettings().rpcRequestsPerSecond).to.equal(500);
    process.env.HASHWORK_RPC_URL = "https://rpc.example.org";
    expect(readSettings().rpcRequestsPerSecond).to.equal(undefined); // Ponder's own adaptive start
    process.env.HASHWORK_RPC_RPS = "50";
    expect(readSettings().rpcRequestsPerSecond).to.equal(50);
    process.env.HASHWORK_RPC_RPS = "9000";
    expect(failure()).to.equal('indexer: HASHWORK_RPC_RPS must be an integer from 1 to 500 (got "9000")');
  });

  it("reads a deployment file; a timelock and governor are optional", async function () {
    const file = join(dir, "d.json");
    const d = {
      chainId: 31337,
      market: "0x" + "11".repeat(20),
      token: "0x" + "22".repeat(20),
      disputes: "0x" + "33".repeat(20),
      verifierPool: "0x" + "44".repeat(20),
      fromBlock: 7,
    };
    await writeFile(file, JSON.stringify(d));
    process.env.HASHWORK_DEPLOYMENT = file;
    const s = readSettings();
    expect(s).to.include({ fromBlock: 7, timelock: "0x0000000000000000000000000000000000000000" });
    expect(s.market.toLowerCase()).to.equal(d.market);
  });

  it("stops with one line naming what is wrong", async function () {
    process.env.HASHWORK_CONFIRMATIONS = "two";
    expect(failure()).to.equal('indexer: HASHWORK_CONFIRMATIONS must be an integer from 0 to 1000 (got "two")');
    delete process.env.HASHWORK_CONFIRMATIONS;
    process.env.HASHWORK_RPC_URL = "ws://x";
    expect(failure()).to.equal('indexer: HASHWORK_RPC_URL must be an http(s) URL (got "ws://x")');
    delete process.env.HASHWORK_RPC_URL;
    process.env.HASHWORK_CHAIN_ID = "5";
    expect(failure()).to.equal("indexer: no known deployment on chain 5: set HASHWORK_DEPLOYMENT to a deployment JSON file");
    process.env.HASHWORK_DEPLOYMENT = join(dir, "missing.json");
    expect(failure()).to.match(/^indexer: cannot read HASHWORK_DEPLOYMENT .*missing\.json: ENOENT/);
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ chainId: 5, market: "0x12" }));
    process.env.HASHWORK_DEPLOYMENT = bad;
    expect(failure()).to.equal('indexer: deployment market must be an address (got "0x12")');
    for (const message of [failure()]) expect(message).to.not.include("\n");
  });
});
