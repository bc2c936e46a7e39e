/**
 * The indexer end to end on PGlite: a real node (anvil) with a short market history (jobs in
 * every common state, a dispute the challenger wins, a fee change), the indexer started once as
 * a real `ponder start` process, and its REST, GraphQL and SQL-over-HTTP answers checked against
 * the contracts' own state read with `eth_call`. Then the chain moves on and the indexer follows.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createClient } from "@ponder/client";
import { expect } from "chai";
import { parseEventLogs, type Address } from "viem";

import { hashworkMarketAbi, hashworkTokenAbi } from "../../sdk/src/abi/index.ts";
import { readJobState } from "../../sdk/src/index.ts";
import { TOKEN_UNIT } from "../../ignition/parameters/defaults.ts";
import { deploySystem, startAnvilNode, waitFor, type HardhatNode, type System } from "../../testkit/local-cluster.ts";
import * as schema from "../../indexer/ponder.schema.ts";
import { caughtUp, getJson, graphql, startIndexer, writeDeploymentFile, type IndexerProcess } from "../../testkit/indexer-process.ts";
import { ACTOR, addressOf, clientOf, postJob, runStory, type Story } from "../../testkit/market-story.ts";

const lower = (a: Address) => a.toLowerCase();

describe("the indexer (Ponder on PGlite) against a real chain", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  let system: System;
  let story: Story;
  let indexer: IndexerProcess;
  let dir: string;

  before(async function () {
    node = await startAnvilNode();
    system = await deploySystem(node.url);
    story = await runStory(system);
    dir = await mkdtemp(join(tmpdir(), "hashwork-indexer-"));
    indexer = await startIndexer({ rpcUrl: node.url, deploymentFile: await writeDeploymentFile(system, dir), dataDir: dir });
    await caughtUp(indexer, node.url);
  });

  after(async function () {
    await indexer?.stop();
    node?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const read = <T>(functionName: string, args: unknown[] = []) =>
    system.publicClient.readContract({
      address: system.deployment.market,
      abi: hashworkMarketAbi,
      functionName,
      args,
    } as never) as Promise<T>;
  const allJobs = () => [...story.finalized, story.open, story.cancelled, story.claimed, story.overturned];

  it("gives every job the state the market reports", async function () {
    for (const id of allJobs()) {
      const { job } = await getJson(indexer.url, `/api/jobs/${id}`);
      expect(job.state, `job ${id}`).to.equal(await readJobState(system.clientFor(0), id));
    }
    expect((await getJson(indexer.url, "/api/overview")).jobsByState).to.deep.equal({
      Finalized: 2,
      Open: 1,
      Cancelled: 1,
      Claimed: 1,
      Overturned: 1,
    });
  });

  it("filters jobs by state, requester and provider", async function () {
    const finalized = await getJson(indexer.url, "/api/jobs?state=Finalized");
    expect(finalized.jobs.map((j: { id: string }) => BigInt(j.id)).sort()).to.deep.equal([...story.finalized].sort());
    const liar = await getJson(indexer.url, `/api/jobs?provider=${addressOf(ACTOR.liar)}`);
    expect(liar.jobs.map((j: { id: string }) => BigInt(j.id))).to.deep.equal([story.overturned]);
    const mine = await getJson(indexer.url, `/api/jobs?requester=${addressOf(ACTOR.requester)}&state=Open`);
    expect(mine.total).to.equal(1);
    expect(BigInt(mine.jobs[0].id)).to.equal(story.open);
  });

  it("holds each provider's stake and locked stake as stakeOf does, with earnings and the slash", async function () {
    for (const who of [ACTOR.honest, ACTOR.liar]) {
      const address = addressOf(who);
      const onchain = await clientOf(system, 0).getProvider({ provider: address });
      const { provider, days } = await getJson(indexer.url, `/api/providers/${address}`);
      expect(BigInt(provider.staked), `staked of ${address}`).to.equal(onchain.staked);
      expect(BigInt(provider.locked), `locked of ${address}`).to.equal(onchain.locked);
      expect(provider.jobsDone).to.equal(onchain.reputation.completed);
      expect(Number(provider.disputesLost)).to.equal(onchain.reputation.disputesLost);
      expect(days).to.have.length(1);
    }
    const honest = (await getJson(indexer.url, `/api/providers/${addressOf(ACTOR.honest)}`)).provider;
    const fees = (10n * TOKEN_UNIT * 100n) / 10_000n; // two jobs of 10 tokens at 1%
    expect(BigInt(honest.earned)).to.equal(2n * (10n * TOKEN_UNIT - fees));
    const liar = await getJson(indexer.url, `/api/providers/${addressOf(ACTOR.liar)}`);
    expect(BigInt(liar.provider.slashed)).to.equal(15n * TOKEN_UNIT); // 150% collateral of 10
    expect(liar.reputation.map((r: { kind: string }) => r.kind)).to.deep.equal(["disputeLost"]);
  });

  it("tells the dispute: timeline, committee votes and every payout, as the logs have them", async function () {
    const { job, timeline, dispute, seats, payouts } = await getJson(indexer.url, `/api/jobs/${story.overturned}`);
    expect(job.disputed).to.equal(true);
    expect(dispute).to.include({
      phase: "Resolved",
      providerRight: false,
      challengerRight: true,
      isAudit: false,
      challenger: lower(addressOf(ACTOR.challenger)),
    });
    const logs = parseEventLogs({
      abi: hashworkMarketAbi,
      logs: await system.publicClient.getLogs({ address: system.deployment.market, fromBlock: 0n }),
    }).filter((l) => (l.args as { jobId?: bigint }).jobId === story.overturned);
    const names = timeline.map((e: { name: string }) => e.name);
    for (const l of logs) expect(names).to.include(l.eventName);
    expect(names.slice(0, 5)).to.deep.equal(["JobPosted", "JobClaimed", "ResultSubmitted", "JobDisputed", "DisputeOpened"]);
    expect(names.at(-1)).to.equal("DisputeResolved");
    const order = timeline.map((e: { blockNumber: string; logIndex: number }) => BigInt(e.blockNumber) * 10_000n + BigInt(e.logIndex));
    expect([...order].sort((a, b) => (a < b ? -1 : 1))).to.deep.equal(order);
    const committee = await clientOf(system, 0).getDispute({ jobId: story.overturned });
    expect(seats.reduce((n: number, s: { votes: number }) => n + s.votes, 0)).to.equal(3);
    for (const s of seats) expect(s.revealedHash).to.equal(dispute.challengerHash);
    const roles = payouts.map((p: { role: string }) => p.role);
    expect(roles).to.include.members(["Challenger", "Requester", "Verifier"]);
    expect(committee.phase).to.equal("Resolved");
  });

  it("reports solvency from events that matches eth_call at the indexed block", async function () {
    const s = await getJson(indexer.url, "/api/solvency");
    expect(s.differences).to.deep.equal([]);
    expect(s.matchesChain).to.equal(true);
    expect(s.solvent).to.equal(true);
    const blockNumber = BigInt(s.blockNumber);
    const balance = await system.publicClient.readContract({
      address: system.deployment.token!,
      abi: hashworkTokenAbi,
      functionName: "balanceOf",
      args: [system.deployment.market],
      blockNumber,
    });
    expect(BigInt(s.held)).to.equal(balance);
    expect(BigInt(s.owed)).to.equal(await read<bigint>("totalOwed"));
    expect(BigInt(s.feesCharged)).to.equal((await read<bigint>("accruedFees")) + (await read<bigint>("auditReserve")));
    expect(BigInt(s.escrowed)).to.equal(20n * TOKEN_UNIT); // the open and the claimed job
  });

  it("lists the pending fee change with when it takes effect", async function () {
    const changes = await getJson(indexer.url, "/api/governance");
    const pending = changes.filter((c: { status: string }) => c.status === "scheduled");
    expect(pending).to.have.length(1);
    const [, effectiveAt] = await read<[number, bigint]>("feeChange");
    expect(pending[0]).to.include({ kind: "FeeChangeScheduled", newValue: String(story.newFeeBps), effectiveAt: effectiveAt.toString() });
  });

  it("answers GraphQL and SQL over HTTP with the same rows", async function () {
    const data = await graphql(
      indexer.url,
      `{ jobs(where: { state: "Finalized" }) { totalCount items { id providerPayout } } provider(address: "${lower(addressOf(ACTOR.honest))}") { staked } }`,
    );
    expect(data.jobs.totalCount).to.equal(2);
    const onchain = await clientOf(system, 0).getProvider({ provider: addressOf(ACTOR.honest) });
    expect(BigInt(data.provider.staked)).to.equal(onchain.staked);
    const sql = createClient(`${indexer.url}/sql`, { schema });
    const rows = await sql.db.select().from(schema.dispute);
    expect(rows.map((r) => r.jobId)).to.deep.equal([story.overturned]);
  });

  it("refuses bad input with a 400 and one line", async function () {
    for (const [path, message] of [
      ["/api/jobs?state=Nope", /^state must be one of Open, Claimed/],
      ["/api/jobs?provider=0x123", /^provider: not an address/],
      ["/api/jobs?limit=-1", /^limit must be an integer/],
      ["/api/providers/nope", /^not an address/],
      ["/api/jobs/abc", /^job id must be/],
    ] as const) {
      const r = await fetch(`${indexer.url}${path}`);
      expect(r.status, path).to.equal(400);
      const { error } = (await r.json()) as { error: string };
      expect(error).to.match(message);
      expect(error).to.not.include("\n");
    }
    expect((await fetch(`${indexer.url}/api/providers/${addressOf(7)}`)).status).to.equal(404);
  });

  it("follows the chain: a new job and a stray transfer show up without a restart", async function () {
    const jobId = await postJob(system, "live");
    const stranger = system.clientFor(ACTOR.challenger).walletClient;
    const hash = await stranger.writeContract({
      address: system.deployment.token!,
      abi: hashworkTokenAbi,
      functionName: "transfer",
      args: [system.deployment.market, TOKEN_UNIT],
      account: stranger.account!,
      chain: stranger.chain,
    });
    await system.publicClient.waitForTransactionReceipt({ hash });
    const started = Date.now();
    await waitFor(
      "the new job in the indexer",
      async () => (await fetch(`${indexer.url}/api/jobs/${jobId}`)).status === 200 || undefined,
      15_000,
      100,
    );
    await caughtUp(indexer, node.url);
    this.test!.title += ` (seen after ${Date.now() - started} ms)`;
    const s = await getJson(indexer.url, "/api/solvency");
    expect(s.matchesChain, s.differences.join("; ")).to.equal(true);
    expect(BigInt(s.surplus)).to.equal(TOKEN_UNIT); // held, never owed
  });
});
