// The transaction queue's reconcile against a real second client, anvil: the chaos findings of
// issue 15, each reproduced with anvil's own tools (mining paused, `evm_mine`, `anvil_reorg`,
// `anvil_rollback`, `evm_setNextBlockTimestamp`) and handled the way the daemon handles a
// reorg (`queue.reorg(ancestor)`):
// 1. a reorg that drops a transaction before its receipt was read: the intent is abandoned at
//    once (not after the receipt timeout) and its bytes never come back; decided again, it goes
//    out at the freed nonce;
// 2. a reorg that drops mined transactions while later ones wait in the pool: the gap is filled
//    with no-ops, so those are mined (not fee-bumped forever behind a nonce that will not come);
// 3. a reorg that moves the chain's clock back under a pending finalization: it is cancelled
//    instead of being mined into a revert (`MarketChallengeWindowOpen`).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { keccak256, toHex, type Hex } from "viem";

import { hashworkTokenAbi } from "../abi/hashwork-token.ts";
import { claimJob } from "../actions/provider/claim-job.ts";
import { registerProvider } from "../actions/provider/register-provider.ts";
import { stake } from "../actions/provider/stake.ts";
import { submitResult } from "../actions/provider/submit-result.ts";
import { finalizeJob } from "../actions/requester/finalize-job.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import type { HashworkBaseClient } from "../utils/client.ts";
import { readJobState } from "../utils/results.ts";
import { sendContractTransaction } from "../utils/write.ts";
import { testContext } from "../../../testkit/daemon-context.ts";
import { deploySystem, hdAccount, startAnvilNode, waitFor, type HardhatNode, type System } from "../../../testkit/local-cluster.ts";
import { TransactionAbandonedError } from "./errors.ts";
import { openJournal, type Journal } from "./journal.ts";
import { createTxQueue } from "./tx-queue.ts";

const REQUESTER = 1;
const PROVIDER = 2;

describe("transaction reconcile after reorgs (anvil)", function () {
  this.timeout(60_000);
  let node: HardhatNode;
  let system: System;
  let dir: string;
  let journal: Journal;
  const rpc = <T = unknown>(method: string, params: unknown[] = []) =>
    system.publicClient.request({ method: method as never, params: params as never }) as Promise<T>;
  const account = hdAccount(PROVIDER);
  const nonce = (blockTag: "latest" | "pending" = "latest") =>
    system.publicClient.getTransactionCount({ address: account.address, blockTag });
  const nodeHas = (hash: Hex) =>
    system.publicClient.getTransaction({ hash }).then(
      () => true,
      () => false,
    );
  const head = async () => {
    const b = await system.publicClient.getBlock();
    return { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp };
  };

  before(async function () {
    node = await startAnvilNode();
    system = await deploySystem(node.url);
    await registerProvider(system.clientFor(PROVIDER), { endpoint: "http://127.0.0.1/", pricePerFuel: 1n, maxFuel: 10n ** 12n });
    await stake(system.clientFor(PROVIDER), { amount: 1_000n * 10n ** 18n, payment: "permit" });
  });
  after(() => node?.kill());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hashwork-reconcile-"));
    journal = openJournal({ dataDir: dir });
    await rpc("evm_setAutomine", [false]); // blocks only when a test mines one
  });
  const stops: (() => void)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await new Promise((r) => setTimeout(r, 300)); // background waits see the shutdown
    journal.close();
    await rm(dir, { recursive: true, force: true });
    await rpc("evm_setAutomine", [true]);
  });

  function setup() {
    // Receipt timeout one minute (the default): a stalled wait would fail the test by its timeout.
    const t = testContext({ pollIntervalMs: 1_000, tx: { baseBackoffMs: 5, receiptTimeoutMs: 60_000 } });
    stops.push(t.stop);
    const client = system.clientFor(PROVIDER);
    const queue = createTxQueue(t.context, { client, account, journal });
    const approve = (c: HashworkBaseClient, amount: bigint) =>
      sendContractTransaction(c, {
        action: "approve",
        address: system.deployment.token!,
        abi: hashworkTokenAbi,
        functionName: "approve",
        args: [hdAccount(7).address, amount],
      });
    const signed = (jobId: bigint, action: string) => journal.transactions({ jobId, action }).find((x) => x.status === "signed");
    const inPool = (jobId: bigint, action: string) =>
      waitFor(
        `${action} ${jobId} in the pool`,
        async () => {
          const tx = signed(jobId, action);
          return tx && (await nodeHas(tx.hash)) ? tx : undefined;
        },
        10_000,
        20,
      );
    return { ...t, queue, approve, inPool };
  }

  it("a reorg that drops a transaction before its receipt was read abandons the intent at once; it is never re-broadcast and goes out again at the freed nonce", async function () {
    const { queue, approve, inPool, records } = setup();
    const start = await nonce();
    let id = 0n;
    let tx: Awaited<ReturnType<typeof inPool>>;
    let o: Awaited<ReturnType<typeof queue.run>>;
    let began: number;
    for (let attempt = 1; ; attempt++) {
      id = BigInt(attempt);
      began = Date.now();
      const outcome = queue.run({ jobId: id, action: "approve" }, (c) => approve(c, id));
      tx = await inPool(id, "approve");
      const fork = await head();
      // Mined, and removed by a reorg right away: the queue has not read the receipt.
      await rpc("evm_mine");
      await rpc("anvil_reorg", [1, []]);
      expect(await nodeHas(tx.hash)).to.equal(false);
      const fates = await queue.reorg(fork);
      expect(fates).to.deep.equal([{ jobId: id, action: "approve", txHash: tx.hash, fate: "abandoned" }]);
      o = await outcome;
      // On a loaded machine the queue's receipt poll can land in the instant between the two
      // calls: then this is not the case under test (the reorg abandons a confirmed intent); again.
      if (o.status !== "confirmed") break;
      expect(attempt, "the receipt was read before the reorg every time").to.be.below(3);
    }
    expect(o.status).to.equal("failed");
    expect(o.status === "failed" && o.error).to.be.instanceOf(TransactionAbandonedError);
    expect(Date.now() - began).to.be.below(20_000); // not the receipt timeout
    expect(journal.getIntent(id, "approve")).to.deep.include({ status: "failed" });
    expect(journal.transactions({ jobId: id, action: "approve" }).map((x) => x.status)).to.deep.equal(["dropped"]);
    // Nothing sends the stale bytes again (the old queue re-broadcast them within a second).
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await nodeHas(tx.hash)).to.equal(false);
    expect(await nonce("pending")).to.equal(start);
    expect(records.some((r) => r.msg === "reorg abandoned a transaction" && r.tx_hash === tx.hash)).to.equal(true);

    // Decided again (the role would, from the chain's state): a new transaction at the same nonce.
    const again = queue.run({ jobId: id, action: "approve" }, (c) => approve(c, 100n));
    const retry = await inPool(id, "approve");
    expect(retry.nonce).to.equal(start);
    expect(retry.hash).to.not.equal(tx.hash);
    await rpc("evm_mine");
    expect((await again).status).to.equal("confirmed");
    expect(await nonce()).to.equal(start + 1);
  });

  it("after a revert to an earlier block, the same request decided again at the freed nonce signs the very bytes the node forgot: journaled once, logged as re-sent (not a second send), mined", async function () {
    // The soak test's old evm_revert harness logged one hash "sent" twice: this is why.
    const { queue, approve, inPool, records } = setup();
    const start = await nonce();
    const fork = await head();
    const snapshot = await rpc<Hex>("evm_snapshot");
    const first = queue.run({ jobId: 21n, action: "approve" }, (c) => approve(c, 21n));
    const tx = await inPool(21n, "approve");
    await rpc("evm_mine");
    expect((await first).status).to.equal("confirmed");
    // Back to the block the transaction was signed on: same nonce, same base fee, same estimate.
    expect(await rpc("evm_revert", [snapshot])).to.equal(true);
    expect(await nodeHas(tx.hash)).to.equal(false);
    const fates = await queue.reorg(fork);
    expect(fates).to.deep.equal([{ jobId: 21n, action: "approve", txHash: tx.hash, fate: "abandoned" }]);

    // Decided again from the chain's state (the approval is gone): the same request, the same bytes.
    const again = queue.run({ jobId: 21n, action: "approve" }, (c) => approve(c, 21n));
    await waitFor("the approval out again", async () => ((await nodeHas(tx.hash)) ? true : undefined), 10_000, 20);
    await rpc("evm_mine");
    const o = await again;
    expect(o.status).to.equal("confirmed");
    expect(o.status === "confirmed" && o.receipt?.transactionHash).to.equal(tx.hash);
    expect(await nonce()).to.equal(start + 1);
    // One journaled transaction (revived, not a second row), sent once and re-sent once.
    expect(journal.transactions({ jobId: 21n, action: "approve" }).map((x) => [x.hash, x.status])).to.deep.equal([[tx.hash, "mined"]]);
    const about = (msg: string) => records.filter((r) => r.msg === msg && r.tx_hash === tx.hash).length;
    expect(about("transaction sent")).to.equal(1);
    expect(about("transaction re-sent: decided again, the same bytes as one the node forgot")).to.equal(1);
    expect(journal.openIntents()).to.deep.equal([]);
  });

  it("a reorg that drops mined transactions below ones still in the pool fills the nonce gap with no-ops, and the pending ones are mined", async function () {
    const { queue, approve, inPool } = setup();
    const start = await nonce();
    const first = [11n, 12n, 13n].map((id) => queue.run({ jobId: id, action: "approve" }, (c) => approve(c, id)));
    for (const id of [11n, 12n, 13n]) await inPool(id, "approve");
    const fork = await head();
    await rpc("evm_mine");
    expect((await Promise.all(first)).map((o) => o.status)).to.deep.equal(["confirmed", "confirmed", "confirmed"]);
    const dropped = journal
      .transactions()
      .filter((x) => x.status === "mined" && x.nonce >= start)
      .map((x) => x.hash);
    expect(dropped).to.have.length(3);
    // Two more wait in the pool behind them.
    const later = [14n, 15n].map((id) => queue.run({ jobId: id, action: "approve" }, (c) => approve(c, id)));
    const pooled = [await inPool(14n, "approve"), await inPool(15n, "approve")];
    expect(pooled.map((x) => x.nonce).sort()).to.deep.equal([start + 3, start + 4]);

    await rpc("anvil_reorg", [1, []]);
    expect(await nonce()).to.equal(start);
    for (const hash of dropped) expect(await nodeHas(hash)).to.equal(false);
    const fates = await queue.reorg(fork);
    expect(
      fates
        .filter((f) => f.fate === "abandoned")
        .map((f) => f.jobId)
        .sort(),
    ).to.deep.equal([11n, 12n, 13n]);

    const fills = journal.transactions({ jobId: 0n }).filter((x) => x.action.startsWith("fill-nonce:"));
    expect(fills.map((x) => x.nonce)).to.deep.equal([start, start + 1, start + 2]);
    const waitedFrom = Date.now();
    await rpc("evm_mine");
    // Anvil mines the fills and then the two behind them, or evicts those two when it mines the
    // fills (it does, sometimes): either way none waits on a nonce that will not come. An evicted
    // one is forgotten by the node, so it is abandoned and decided again, at the next nonce.
    const settled = await Promise.all(later);
    if (process.env.DEBUG_RECONCILE) console.log(settled.map((o) => o.status));
    expect(Date.now() - waitedFrom).to.be.below(15_000);
    const redo: bigint[] = [];
    settled.forEach((o, i) => {
      if (o.status === "confirmed") return;
      expect(o.status === "failed" && o.error, `intent ${14 + i}`).to.be.instanceOf(TransactionAbandonedError);
      redo.push(14n + BigInt(i));
    });
    const again = redo.map((id) => queue.run({ jobId: id, action: "approve" }, (c) => approve(c, id)));
    for (const id of redo) await inPool(id, "approve");
    if (redo.length > 0) await rpc("evm_mine");
    expect((await Promise.all(again)).map((o) => o.status)).to.deep.equal(redo.map(() => "confirmed"));
    expect(await nonce()).to.equal(start + 5);
    for (const id of [14n, 15n]) expect(journal.getIntent(id, "approve")!.status).to.equal("confirmed");
    for (const id of [11n, 12n, 13n]) expect(journal.getIntent(id, "approve")!.status).to.equal("failed");
    // The fills' intents are finished by the queue's own waiters (a poll later).
    await waitFor(
      "the fills' receipts read",
      () => (fills.every((f) => journal.getIntent(0n, f.action)!.status === "confirmed") ? true : undefined),
      5_000,
    );
    for (const hash of dropped) expect(await nodeHas(hash)).to.equal(false);
    expect(journal.openIntents()).to.deep.equal([]);
    // Every nonce from the start was used once, by a mined transaction of the journal.
    const mined = journal
      .transactions()
      .filter((x) => x.status === "mined" && x.nonce >= start)
      .map((x) => x.nonce)
      .sort((a, b) => a - b);
    expect(mined).to.deep.equal([0, 1, 2, 3, 4].map((i) => start + i));
  });

  it("a reorg that moves the chain's clock back cancels a pending finalization that would now revert; decided again later, it succeeds", async function () {
    const { queue, inPool, records } = setup();
    await rpc("evm_setAutomine", [true]);
    const hash = keccak256(toHex("reconcile"));
    const {
      jobIds: [jobId],
    } = await postJobs(system.clientFor(REQUESTER), {
      jobs: [
        {
          programHash: hash,
          inputHash: hash,
          programURI: "http://127.0.0.1/p",
          inputURI: "http://127.0.0.1/i",
          fuelLimit: 1_000_000n,
          reward: 10n ** 18n,
          collateralPct: 100,
          executionTime: 600,
          challengeWindow: 60,
        },
      ],
      // Nothing serves these URIs: the chain is what this test is about.
      preflight: false,
    });
    const provider = system.clientFor(PROVIDER);
    await claimJob(provider, { jobId: jobId! });
    const { result } = await submitResult(provider, { jobId: jobId!, outputURI: "http://127.0.0.1/o", resultHash: hash });
    await rpc("evm_setAutomine", [false]);
    const submitted = await head();
    // The window is over on this branch.
    await rpc("evm_setNextBlockTimestamp", [Number(submitted.timestamp) + 120]);
    await rpc("evm_mine");
    const fork = submitted;
    const outcome = queue.run({ jobId: jobId!, action: "finalize" }, (c) => finalizeJob(c, { jobId: jobId!, terms: result.terms }));
    const tx = await inPool(jobId!, "finalize");

    // A reorg replaces that block with one whose clock is back inside the window.
    await rpc("anvil_rollback", [1]);
    expect((await head()).hash).to.equal(fork.hash);
    await queue.reorg(fork);
    const cancel = journal.transactions({ jobId: jobId!, action: "finalize" }).find((x) => x.hash !== tx.hash);
    expect(cancel, "a cancellation at the finalization's nonce").to.not.equal(undefined);
    expect(cancel!.nonce).to.equal(tx.nonce);
    expect(records.some((r) => r.msg === "reorg moved the chain's clock: time-dependent transaction cancelled")).to.equal(true);
    await rpc("evm_setNextBlockTimestamp", [Number(submitted.timestamp) + 1]);
    await rpc("evm_mine");
    const o = await outcome;
    expect(o.status).to.equal("failed");
    // Nothing was mined into a revert: the block holds the cancellation, the job is still submitted.
    const block = await system.publicClient.getBlock({ includeTransactions: true });
    expect(block.transactions.map((x) => x.hash)).to.deep.equal([cancel!.hash]);
    expect((await system.publicClient.getTransactionReceipt({ hash: cancel!.hash })).status).to.equal("success");
    expect(await readJobState(provider, jobId!)).to.equal("Submitted");

    // Once the window is over on the canonical chain, the decision is made again and holds.
    await rpc("evm_setNextBlockTimestamp", [Number(submitted.timestamp) + 120]);
    await rpc("evm_mine");
    await rpc("evm_setAutomine", [true]);
    const again = await queue.run({ jobId: jobId!, action: "finalize" }, (c) => finalizeJob(c, { jobId: jobId!, terms: result.terms }));
    expect(again.status).to.equal("confirmed");
    expect(await readJobState(provider, jobId!)).to.equal("Finalized");
  });
});
