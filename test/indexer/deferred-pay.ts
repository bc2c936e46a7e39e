/**
 * The indexer and deferred pay (IPayBuckets), on a real node with a real `ponder start`: fast-path
 * jobs whose pay waits in a bucket (Submitted, then Finalized once their window has passed, as
 * `jobState` says, with their pay pending), a release by `releasePay` and one by the next
 * fast-path call, a bucketed job disputed out of its bucket; after each step the provider, the
 * protocol totals and the solvency figure must match `eth_call`, and the SDK's job list through
 * the indexer must equal its log scan.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { keccak256, toBytes, type Address } from "viem";

import { hashworkMarketAbi } from "../../sdk/src/abi/index.ts";
import { getJobHistory, indexedBlock, listJobs, readJobState } from "../../sdk/src/index.ts";
import { TOKEN_UNIT } from "../../ignition/parameters/defaults.ts";
import { CHALLENGER_HASH, OUTPUT_URI } from "../../testkit/fixtures.ts";
import { bondVerifiers, deploySystem, startAnvilNode, type HardhatNode, type System } from "../../testkit/local-cluster.ts";
import { caughtUp, getJson, graphql, startIndexer, writeDeploymentFile, type IndexerProcess } from "../../testkit/indexer-process.ts";
import { ACTOR, VERIFIER_INDEXES, addressOf, advance, clientOf, postJob } from "../../testkit/market-story.ts";

const RESULT = keccak256(toBytes("deferred-pay result"));
const WINDOW = 60;
const REWARD = 10n * TOKEN_UNIT; // testJob's reward
const FEE = (REWARD * 100n) / 10_000n; // the deployment's 1 %

type IndexedJob = {
  state: string;
  payBucket: number | null;
  payStatus: string | null;
  providerPayout: string | null;
  protocolFee: string | null;
};

describe("the indexer and deferred pay (fast-path jobs paid through buckets)", function () {
  this.timeout(240_000);
  let node: HardhatNode;
  let system: System;
  let indexer: IndexerProcess;
  let dir: string;
  const provider = () => addressOf(ACTOR.honest);
  const fast = () => clientOf(system, ACTOR.honest);
  const ids: Record<string, bigint> = {};

  before(async function () {
    node = await startAnvilNode();
    system = await deploySystem(node.url);
    await fast().registerProvider({ endpoint: "http://127.0.0.1:8720", pricePerFuel: 1n, maxFuel: 1_000_000_000n });
    await fast().stake({ amount: 1_000n * TOKEN_UNIT });
    await bondVerifiers(system, VERIFIER_INDEXES);
    dir = await mkdtemp(join(tmpdir(), "hashwork-indexer-lazy-"));
    indexer = await startIndexer({ rpcUrl: node.url, deploymentFile: await writeDeploymentFile(system, dir), dataDir: dir });
  });

  after(async function () {
    await indexer?.stop();
    node?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const jobOf = async (id: bigint) => (await getJson(indexer.url, `/api/jobs/${id}`)) as { job: IndexedJob; timeline: { name: string }[] };

  /** The provider row, the protocol totals and solvency against `eth_call`; the job list against the log scan. */
  async function matchesChain() {
    await caughtUp(indexer, node.url);
    const s = await getJson(indexer.url, "/api/solvency");
    expect(s.differences, "solvency").to.deep.equal([]);
    expect(s.matchesChain).to.equal(true);
    const read = (functionName: "accruedFees" | "auditReserve") =>
      system.publicClient.readContract({
        address: system.deployment.market,
        abi: hashworkMarketAbi,
        functionName,
        blockNumber: BigInt(s.blockNumber),
      });
    expect(BigInt(s.feesCharged), "fees charged").to.equal((await read("accruedFees")) + (await read("auditReserve")));
    const onchain = await fast().getProvider({ provider: provider() });
    const { provider: row } = await getJson(indexer.url, `/api/providers/${provider()}`);
    expect(BigInt(row.staked), "staked").to.equal(onchain.staked);
    expect(BigInt(row.locked), "locked").to.equal(onchain.locked);
    expect(row.jobsDone, "jobs done").to.equal(onchain.reputation.completed);
    const client = system.clientFor(0);
    const block = await indexedBlock(client, { url: indexer.url });
    const fromLogs = await listJobs(client, { toBlock: block });
    const fromIndexer = await listJobs(client, { toBlock: block, indexer: { url: indexer.url, onFallback: (why) => expect.fail(why) } });
    expect(fromIndexer, "listJobs through the indexer").to.deep.equal(fromLogs);
    for (const j of fromLogs) expect((await jobOf(j.jobId)).job.state, `job ${j.jobId}`).to.equal(j.state);
    return onchain;
  }

  it("defers fast-path pay into a bucket: Submitted, pay pending, no JobFinalized", async function () {
    for (const name of ["a", "b", "c"]) ids[name] = await postJob(system, `lazy-${name}`, { challengeWindow: WINDOW });
    await fast().claimAndSubmitJobs({
      submissions: [ids.a!, ids.b!].map((jobId) => ({ jobId, resultHash: RESULT, outputURI: OUTPUT_URI })),
    });
    const { result } = await fast().claimAndSubmit({ jobId: ids.c!, resultHash: RESULT, outputURI: OUTPUT_URI });
    await matchesChain();
    for (const id of [ids.a!, ids.b!, ids.c!]) {
      const { job, timeline } = await jobOf(id);
      expect(job).to.include({ state: "Submitted", payBucket: 0, payStatus: "pending" });
      expect(BigInt(job.providerPayout!)).to.equal(REWARD - FEE);
      expect(timeline.map((e) => e.name)).to.deep.equal(["JobPosted", "JobClaimed", "ResultSubmitted", "PayDeferred"]);
    }
    // Job c is challenged: it leaves its bucket and settles as any other job.
    await clientOf(system, ACTOR.challenger).challengeJob({ jobId: ids.c!, challengerHash: CHALLENGER_HASH, terms: result.terms });
    await matchesChain();
    const c = (await jobOf(ids.c!)).job;
    expect(c).to.include({ state: "Disputed", payBucket: null, payStatus: null, providerPayout: null });
  });

  it("reads Finalized once the window has passed, with the pay still pending", async function () {
    await advance(system, WINDOW + 1);
    const onchain = await matchesChain();
    expect(onchain.reputation.completed).to.equal(0);
    for (const id of [ids.a!, ids.b!]) {
      expect(await readJobState(system.clientFor(0), id)).to.equal("Finalized");
      expect((await jobOf(id)).job).to.include({ state: "Finalized", payStatus: "pending", payBucket: 0 });
    }
    const finalized = await getJson(indexer.url, "/api/jobs?state=Finalized");
    expect(finalized.jobs.map((j: { id: string }) => BigInt(j.id)).sort()).to.deep.equal([ids.a!, ids.b!]);
    expect((await getJson(indexer.url, "/api/overview")).jobsByState).to.deep.equal({ Finalized: 2, Disputed: 1 });
    const { pendingPay } = await getJson(indexer.url, `/api/providers/${provider()}`);
    expect(pendingPay).to.deep.equal({ jobs: 2, payout: String(2n * (REWARD - FEE)) });
  });

  it("pays the bucket on releasePay: stake, unlock, jobs done, earnings, fees, timeline", async function () {
    const keeper = system.clientFor(ACTOR.keeper).walletClient;
    const hash = await keeper.writeContract({
      address: system.deployment.market,
      abi: hashworkMarketAbi,
      functionName: "releasePay",
      args: [provider() as Address],
      account: keeper.account!,
      chain: keeper.chain,
    });
    await system.publicClient.waitForTransactionReceipt({ hash });
    const onchain = await matchesChain();
    expect(onchain.reputation.completed).to.equal(2);
    for (const id of [ids.a!, ids.b!]) {
      const { job, timeline } = await jobOf(id);
      expect(job).to.include({ state: "Finalized", payStatus: "released", payBucket: null });
      expect(timeline.map((e) => e.name).at(-1)).to.equal("PayReleased");
    }
    // The disputed job left the bucket: the release did not touch it.
    expect((await jobOf(ids.c!)).job).to.include({ state: "Disputed", payStatus: null });
    // pay_bucket: one row per bucketed job, stamped at the release; the disputed job's row is gone.
    const { payBuckets } = await graphql(indexer.url, `{ payBuckets(orderBy: "jobId") { items { jobId bucket releasedBlock } } }`);
    expect(payBuckets.items.map((r: { jobId: string }) => BigInt(r.jobId))).to.deep.equal([ids.a!, ids.b!]);
    for (const r of payBuckets.items) expect(r.releasedBlock, `job ${r.jobId} released`).to.not.equal(null);
    const { provider: row, days, pendingPay } = await getJson(indexer.url, `/api/providers/${provider()}`);
    expect(BigInt(row.earned)).to.equal(2n * (REWARD - FEE));
    expect(BigInt(row.feesPaid)).to.equal(2n * FEE);
    expect(days.reduce((n: number, d: { jobsDone: number }) => n + d.jobsDone, 0)).to.equal(2);
    expect(pendingPay.jobs).to.equal(0);
    const overview = await getJson(indexer.url, "/api/overview");
    expect(overview.days.reduce((n: number, d: { jobsFinalized: number }) => n + d.jobsFinalized, 0)).to.equal(2);
    expect(BigInt(overview.protocol.escrowed)).to.equal(REWARD); // only the disputed job's reward
  });

  it("pays a matured bucket on the provider's next fast-path call", async function () {
    ids.d = await postJob(system, "lazy-d", { challengeWindow: WINDOW });
    ids.e = await postJob(system, "lazy-e", { challengeWindow: WINDOW });
    await fast().claimAndSubmit({ jobId: ids.d, resultHash: RESULT, outputURI: OUTPUT_URI });
    await advance(system, WINDOW + 1);
    await caughtUp(indexer, node.url);
    const d = await jobOf(ids.d);
    expect(d.job).to.include({ payStatus: "pending" });
    const bucket = d.job.payBucket;
    // This call releases d's bucket, then defers e (into the same bucket if it is still filling).
    await fast().claimAndSubmit({ jobId: ids.e, resultHash: RESULT, outputURI: OUTPUT_URI });
    const onchain = await matchesChain();
    expect(onchain.reputation.completed).to.equal(3);
    expect((await jobOf(ids.d)).job).to.include({ state: "Finalized", payStatus: "released" });
    expect((await jobOf(ids.d)).timeline.map((e) => e.name).at(-1)).to.equal("PayReleased");
    expect((await jobOf(ids.e)).job).to.include({ state: "Submitted", payStatus: "pending" });
    expect(bucket).to.be.oneOf([0, 1]);
    const submitted = await getJson(indexer.url, "/api/jobs?state=Submitted");
    expect(submitted.jobs.map((j: { id: string }) => BigInt(j.id))).to.deep.equal([ids.e]);
  });

  it("charges a bucketed job the new fee once its challenge ends after the scheduled change", async function () {
    const owner = system.clientFor(ACTOR.owner).walletClient;
    const write = async (functionName: "setFeeBps" | "releasePay", args: readonly unknown[], wallet = owner) =>
      system.publicClient.waitForTransactionReceipt({
        hash: await wallet.writeContract({
          address: system.deployment.market,
          abi: hashworkMarketAbi,
          functionName,
          args,
          account: wallet.account!,
          chain: wallet.chain,
        } as never),
      });
    await write("setFeeBps", [150]);
    const [, effectiveAt] = (await system.publicClient.readContract({
      address: system.deployment.market,
      abi: hashworkMarketAbi,
      functionName: "feeChange",
    })) as readonly [number, bigint];
    const { timestamp } = await system.publicClient.getBlock();
    await advance(system, Number(effectiveAt - timestamp) + 1);
    ids.f = await postJob(system, "lazy-f", { challengeWindow: WINDOW });
    await fast().claimAndSubmit({ jobId: ids.f, resultHash: RESULT, outputURI: OUTPUT_URI });
    await advance(system, WINDOW + 1);
    await write("releasePay", [provider()]);
    await matchesChain();
    const f = (await jobOf(ids.f)).job;
    expect(f).to.include({ state: "Finalized", payStatus: "released" });
    expect(BigInt(f.protocolFee!)).to.equal((REWARD * 150n) / 10_000n);
  });

  it("gives a bucketed job's history through the indexer as the logs do (bucket events are not per-job logs)", async function () {
    const client = system.clientFor(0);
    const toBlock = await indexedBlock(client, { url: indexer.url });
    for (const jobId of [ids.a!, ids.c!, ids.e!]) {
      const fromLogs = await getJobHistory(client, { jobId, toBlock });
      const fromIndexer = await getJobHistory(client, {
        jobId,
        toBlock,
        indexer: { url: indexer.url, onFallback: (why) => expect.fail(why) },
      });
      expect(fromIndexer, `job ${jobId}`).to.deep.equal(fromLogs);
      expect(fromLogs.map((e) => e.eventName)).to.not.include("JobFinalized");
    }
  });
});
