/**
 * The SDK's auditor actions and `hashwork audit` reading history from the indexer: on one chain
 * with the market story (jobs in every common state, a dispute the challenger won), the answers
 * through a real `ponder start` process must equal the log scans' exactly, without a single
 * `eth_getLogs`; and an indexer that cannot answer (down, behind, another market) falls back to
 * the logs with the same answer and says why.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import {
  getJobHistory,
  getProviderOffers,
  indexedBlock,
  listDisputes,
  listJobs,
  type HashworkBaseClient,
  type IndexerOption,
} from "../../sdk/src/index.ts";
import { jsonOf, runCli } from "../../testkit/cli.ts";
import { caughtUp, startIndexer, writeDeploymentFile, type IndexerProcess } from "../../testkit/indexer-process.ts";
import { deploySystem, freePort, startAnvilNode, type HardhatNode, type System } from "../../testkit/local-cluster.ts";
import { ACTOR, addressOf, runStory, type Story } from "../../testkit/market-story.ts";

describe("auditor reads through the indexer, with logs as the fallback", function () {
  this.timeout(240_000);
  let node: HardhatNode;
  let system: System;
  let story: Story;
  let indexer: IndexerProcess;
  let dir: string;
  let block: bigint;
  /** A client whose `eth_getLogs` calls are counted. */
  let client: HashworkBaseClient;
  let getLogsCalls = 0;
  let fallbacks: string[] = [];
  const through = (url: string): IndexerOption => ({ url, onFallback: (reason) => fallbacks.push(reason) });

  before(async function () {
    node = await startAnvilNode();
    system = await deploySystem(node.url);
    story = await runStory(system);
    dir = await mkdtemp(join(tmpdir(), "hashwork-indexer-auditor-"));
    indexer = await startIndexer({ rpcUrl: node.url, deploymentFile: await writeDeploymentFile(system, dir), dataDir: dir });
    await caughtUp(indexer, node.url);
    const base = system.clientFor(0);
    const request = base.publicClient.request.bind(base.publicClient);
    const counting = Object.assign(Object.create(base.publicClient), {
      request: (args: { method: string }, options?: unknown) => {
        if (args.method === "eth_getLogs") getLogsCalls++;
        return request(args as never, options as never);
      },
    });
    client = { publicClient: counting, deployment: base.deployment };
    block = await indexedBlock(client, { url: indexer.url });
  });

  beforeEach(function () {
    getLogsCalls = 0;
    fallbacks = [];
  });

  after(async function () {
    await indexer?.stop();
    node?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The indexer's answer (no log scan, no fallback) must equal the log scan's. */
  async function same<T>(read: (indexer: IndexerOption | undefined) => Promise<T>): Promise<T> {
    const fromLogs = await read(undefined);
    expect(getLogsCalls, "the log scan").to.be.greaterThan(0);
    getLogsCalls = 0;
    const fromIndexer = await read(through(indexer.url));
    expect(fallbacks).to.deep.equal([]);
    expect(getLogsCalls, "eth_getLogs calls through the indexer").to.equal(0);
    expect(fromIndexer).to.deep.equal(fromLogs);
    return fromIndexer;
  }

  it("lists jobs, by state and requester, as the logs do", async function () {
    const all = await same((i) => listJobs(client, { toBlock: block, indexer: i }));
    expect(all.map((j) => j.jobId)).to.deep.equal([...story.finalized, story.open, story.cancelled, story.claimed, story.overturned]);
    const finalized = await same((i) => listJobs(client, { toBlock: block, states: ["Finalized", "Overturned"], indexer: i }));
    expect(finalized).to.have.length(3);
    await same((i) => listJobs(client, { toBlock: block, requester: addressOf(ACTOR.requester), states: ["Open"], indexer: i }));
  });

  it("lists disputes, by provider and phase, as the logs do", async function () {
    const all = await same((i) => listDisputes(client, { toBlock: block, indexer: i }));
    expect(all.map((d) => [d.jobId, d.phase])).to.deep.equal([[story.overturned, "Resolved"]]);
    await same((i) => listDisputes(client, { toBlock: block, provider: addressOf(ACTOR.liar), indexer: i }));
    expect(await same((i) => listDisputes(client, { toBlock: block, phases: ["Voting"], indexer: i }))).to.deep.equal([]);
  });

  it("gives a job's history (a disputed one's with the committee's events) as the logs do", async function () {
    const disputed = await same((i) => getJobHistory(client, { jobId: story.overturned, toBlock: block, indexer: i }));
    expect(disputed.map((e) => e.eventName)).to.include.members(["JobDisputed", "DisputeOpened", "VoteRevealed", "DisputePayout"]);
    await same((i) => getJobHistory(client, { jobId: story.finalized[0]!, indexer: i }));
    expect(await same((i) => getJobHistory(client, { jobId: 12345n, indexer: i }))).to.deep.equal([]);
  });

  it("gives the provider offers (profile, free stake, reputation) the chain gives, in a few HTTP requests", async function () {
    const offers = await same((i) => getProviderOffers(client, { blockNumber: block, indexer: i }));
    expect(offers.length).to.be.greaterThan(0);
    expect(offers.some((o) => o.completed > 0 && o.feesPaid > 0n)).to.equal(true);
  });

  it("falls back to the logs, with the same answer and a reason, when the indexer cannot answer", async function () {
    const expected = await listJobs(client, { toBlock: block });
    const down = `http://127.0.0.1:${await freePort()}`;
    expect(await listJobs(client, { toBlock: block, indexer: through(down) })).to.deep.equal(expected);
    expect(fallbacks).to.have.length(1);
    expect(fallbacks[0]).to.match(/unreachable/);
    // Asked as of a block the indexer is not at: its states would be of another block.
    fallbacks = [];
    const earlier = await listJobs(client, { toBlock: block - 1n, indexer: through(indexer.url) });
    expect(earlier).to.deep.equal(await listJobs(client, { toBlock: block - 1n }));
    expect(fallbacks[0]).to.match(/indexer is at block/);
    // Another market on the same chain.
    fallbacks = [];
    const other = { ...client, deployment: { ...client.deployment, market: system.deployment.token! } };
    await listDisputes(other, { toBlock: block, indexer: through(indexer.url) }).catch(() => undefined);
    expect(fallbacks[0]).to.match(/indexes market/);
  });

  it("makes `hashwork audit --indexer` print what the log scan prints", async function () {
    const rpc = ["--rpc", node.url, "--market", system.deployment.market];
    let disputesFromLogs: unknown;
    for (const command of [["audit"], ["audit", "job", String(story.overturned)], ["audit", "disputes"]]) {
      const fromLogs = jsonOf(await runCli([...command, ...rpc, "--json"]));
      const fromIndexer = await runCli([...command, ...rpc, "--json", "--indexer", indexer.url]);
      expect(fromIndexer.stderr, command.join(" ")).to.not.match(/scanning logs/);
      expect(jsonOf(fromIndexer), command.join(" ")).to.deep.equal(fromLogs);
      disputesFromLogs = fromLogs;
    }
    const fallback = await runCli(["audit", "disputes", ...rpc, "--json", "--indexer", `http://127.0.0.1:${await freePort()}`]);
    expect(fallback.stderr).to.match(/unreachable.*; scanning logs instead/);
    expect(jsonOf(fallback)).to.deep.equal(disputesFromLogs);
    const bad = await runCli(["audit", ...rpc, "--indexer", "ftp://x"]);
    expect(bad.code).to.not.equal(0);
    expect(bad.stderr.trim().split("\n")).to.have.length(1);
    expect(bad.stderr).to.match(/--indexer must be an http\(s\) URL/);
  });
});
