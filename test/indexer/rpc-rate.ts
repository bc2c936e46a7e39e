/**
 * Ponder's JSON-RPC pace, against a real node. Ponder 0.16.10 starts every chain at 20 requests
 * per second and raises the limit 5 % at a time, which held a 10,000-job backfill from a local
 * node to about 25 requests/s; `patches/ponder+0.16.10+001+rpc-rate.patch` makes it start at the chain's
 * `maxRequestsPerSecond`, which the indexer's config sets from `HASHWORK_RPC_RPS` (500 on
 * loopback). Built through Ponder's own `buildConfig` from the indexer's real config.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";

import { REPO_ROOT, startAnvilNode, type HardhatNode } from "../../testkit/local-cluster.ts";

const REQUESTS = 100;
const ENV = ["HASHWORK_RPC_URL", "HASHWORK_DEPLOYMENT", "HASHWORK_CONFIRMATIONS", "HASHWORK_RPC_RPS"];

type Rpc = { request(body: { method: string; params?: unknown[] }): Promise<unknown> };
type BuildConfig = (args: { common: unknown; config: unknown }) => { rpcs: Rpc[] };

/** Ponder's internals, loaded from the installed (patched) package: its exports map hides them. */
const ponderModule = (path: string) => import(pathToFileURL(join(REPO_ROOT, "node_modules/ponder/dist/esm", path)).href);

/** The slice of Ponder's `common` that `buildConfig` and its JSON-RPC client use. */
function common() {
  const quiet = () => {};
  const logger = { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet, child: () => logger };
  return {
    options: { rpcMaxConcurrency: 256 },
    logger,
    metrics: { ponder_rpc_request_duration: { observe: quiet }, ponder_rpc_request_error_total: { inc: quiet } },
    shutdown: { add: quiet },
  };
}

/** Milliseconds for REQUESTS concurrent `eth_chainId` calls through Ponder's client. */
async function paceOf(rpc: Rpc): Promise<number> {
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: REQUESTS }, () => rpc.request({ method: "eth_chainId" })));
  expect(answers.every((a) => a === "0x7a69")).to.equal(true);
  return performance.now() - started;
}

describe("the indexer's JSON-RPC pace (Ponder patched to honour maxRequestsPerSecond)", function () {
  this.timeout(60_000);
  let node: HardhatNode;
  let dir: string;
  let saved: Record<string, string | undefined>;
  let config: { chains: Record<string, Record<string, unknown>> };
  let buildConfig: BuildConfig;
  before(async () => {
    node = await startAnvilNode();
    dir = await mkdtemp(join(tmpdir(), "hashwork-indexer-rpc-"));
    const deployment = join(dir, "deployment.json");
    const someAddress = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    await writeFile(
      deployment,
      JSON.stringify({
        chainId: 31337,
        market: someAddress,
        token: someAddress,
        disputes: someAddress,
        verifierPool: someAddress,
        fromBlock: 0,
      }),
    );
    saved = Object.fromEntries(ENV.map((v) => [v, process.env[v]]));
    Object.assign(process.env, { HASHWORK_RPC_URL: node.url, HASHWORK_DEPLOYMENT: deployment, HASHWORK_CONFIRMATIONS: "0" });
    delete process.env.HASHWORK_RPC_RPS;
    config = (await import("../../indexer/ponder.config.ts")).default as never;
    buildConfig = (await ponderModule("build/config.js")).buildConfig;
  });
  after(async () => {
    for (const v of ENV)
      if (saved?.[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    node?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("asks a node on loopback to take 500 requests a second from the start", async function () {
    expect(config.chains.hashwork!.maxRequestsPerSecond).to.equal(500);
    const ms = await paceOf(buildConfig({ common: common(), config }).rpcs[0]!);
    console.log(`      ${REQUESTS} requests: ${Math.round(ms)} ms`);
    // 100 requests at 500/s fit in one second's budget; at Ponder's 20/s they take over 3 s.
    expect(ms, `${REQUESTS} requests took ${Math.round(ms)} ms`).to.be.below(2_000);
  });

  it("without it, Ponder holds the same requests to about 20 a second (what the patch lifts)", async function () {
    const chains = { hashwork: { ...config.chains.hashwork, maxRequestsPerSecond: undefined } };
    const ms = await paceOf(buildConfig({ common: common(), config: { ...config, chains } }).rpcs[0]!);
    console.log(`      ${REQUESTS} requests: ${Math.round(ms)} ms`);
    expect(ms, `${REQUESTS} requests took ${Math.round(ms)} ms`).to.be.above(2_500);
  });
});
