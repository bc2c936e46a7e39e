import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { createWalletClient, custom, HttpRequestError, keccak256, type Address } from "viem";

import { hashworkTokenAbi } from "../abi/hashwork-token.ts";
import { MarketUnexpectedJobStateError } from "../errors/contract-errors.ts";
import { createSdkFixtures } from "../../../testkit/fixtures.ts";
import type { HashworkBaseClient, HashworkWalletClient } from "../utils/client.ts";
import { sendContractTransaction } from "../utils/write.ts";
import { openJournal, type Journal } from "./journal.ts";
import { testContext } from "../../../testkit/daemon-context.ts";
import { createTxQueue } from "./tx-queue.ts";
import { hdAccount } from "../../../testkit/local-cluster.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, takeSnapshot, mine, time } = connection.networkHelpers;
/** Signs locally, like the daemon; Hardhat funds this account with ether. */
const account = hdAccount(17);

describe("daemon transaction queue (in-process Hardhat network)", function () {
  let dir: string;
  let journal: Journal;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hashwork-txq-"));
    journal = openJournal({ dataDir: dir });
  });
  afterEach(async () => {
    journal.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function setup(overrides: Record<string, unknown> = {}) {
    const d = await loadFixture(fixtures.deployed);
    const walletClient = createWalletClient({
      account,
      chain: d.publicClient.chain,
      transport: custom(connection.provider),
    }) as HashworkWalletClient;
    const client = { publicClient: d.publicClient, walletClient, deployment: d.deployment };
    const t = testContext({ pollIntervalMs: 20, tx: { baseBackoffMs: 5, receiptTimeoutMs: 2_000 }, ...overrides });
    const queue = createTxQueue(t.context, { client, account, journal });
    const approve = (c: HashworkBaseClient, amount: bigint) =>
      sendContractTransaction(c, {
        action: "approve",
        address: d.deployment.token!,
        abi: hashworkTokenAbi,
        functionName: "approve",
        args: [d.address.stranger, amount],
      });
    const nonce = () => d.publicClient.getTransactionCount({ address: account.address });
    const allowance = () =>
      d.publicClient.readContract({
        address: d.deployment.token!,
        abi: hashworkTokenAbi,
        functionName: "allowance",
        args: [account.address, d.address.stranger as Address],
      });
    return { d, client, queue, approve, nonce, allowance, ...t };
  }

  it("sends concurrent intents with consecutive nonces, each journaled before it was broadcast", async function () {
    const { queue, approve, nonce } = await setup();
    const start = await nonce();
    const outcomes = await Promise.all(
      [1n, 2n, 3n, 4n, 5n, 6n].map((n) => queue.run({ jobId: n, action: "approve" }, (c) => approve(c, n))),
    );
    expect(outcomes.map((o) => o.status)).to.deep.equal(Array(6).fill("confirmed"));
    expect(await nonce()).to.equal(start + 6);
    const txs = journal.transactions();
    expect(txs.map((t) => t.nonce)).to.deep.equal([0, 1, 2, 3, 4, 5].map((i) => start + i));
    expect(txs.every((t) => t.status === "mined" && keccak256(t.raw) === t.hash)).to.equal(true);
    expect(journal.intents().every((i) => i.status === "confirmed")).to.equal(true);
  });

  it("never repeats a confirmed intent, even from a new queue on the same journal (a restart)", async function () {
    const { client, queue, approve, nonce, context } = await setup();
    await queue.run({ jobId: 1n, action: "approve" }, (c) => approve(c, 1n));
    const after = await nonce();
    let called = false;
    const again = await createTxQueue(context, { client, account, journal }).run({ jobId: 1n, action: "approve" }, (c) => {
      called = true;
      return approve(c, 2n);
    });
    expect(again).to.deep.include({ status: "confirmed", resumed: true });
    expect(called).to.equal(false);
    expect(await nonce()).to.equal(after);
  });

  it("a revert found by the simulation is final: nothing is signed and no nonce is skipped", async function () {
    const { d, queue, approve, nonce, allowance } = await setup();
    const start = await nonce();
    const failed = await queue.run({ jobId: 7n, action: "transferFrom" }, (c) =>
      sendContractTransaction(c, {
        action: "transferFrom",
        address: d.deployment.token!,
        abi: hashworkTokenAbi,
        functionName: "transferFrom",
        args: [d.address.requester, account.address, 1n],
      }),
    );
    expect(failed.status).to.equal("failed");
    expect(journal.getIntent(7n, "transferFrom")).to.deep.include({ status: "failed", attempts: 1 });
    expect(journal.transactions()).to.deep.equal([]);
    expect((await queue.run({ jobId: 8n, action: "approve" }, (c) => approve(c, 8n))).status).to.equal("confirmed");
    expect(await nonce()).to.equal(start + 1);
    expect(await allowance()).to.equal(8n);
  });

  it("retries a retryable failure (RPC unreachable) with back-off, then succeeds", async function () {
    const { queue, approve, records } = await setup();
    let calls = 0;
    const outcome = await queue.run({ jobId: 3n, action: "approve" }, (c) => {
      if (++calls < 3) throw new HttpRequestError({ url: "http://127.0.0.1:1", details: "fetch failed" });
      return approve(c, 3n);
    });
    expect(outcome.status).to.equal("confirmed");
    expect(calls).to.equal(3);
    expect(journal.getIntent(3n, "approve")!.attempts).to.equal(3);
    expect(records.filter((r) => r.msg === "retryable failure; backing off")).to.have.length(2);
  });

  it("after a crash between journaling and broadcast, recovery abandons the transaction the node never had (no blind re-broadcast) and the intent is decided again at that nonce", async function () {
    const { d, client, approve, nonce, allowance, context } = await setup();
    const start = await nonce();
    // Sign as the queue would, journal it, and "crash" before broadcasting.
    const request = await client.walletClient.prepareTransactionRequest({
      account,
      chain: d.publicClient.chain,
      to: d.deployment.token!,
      nonce: start,
      data: (await import("viem")).encodeFunctionData({ abi: hashworkTokenAbi, functionName: "approve", args: [d.address.stranger, 42n] }),
    });
    const raw = await account.signTransaction(request as never);
    journal.beginIntent(42n, "approve");
    journal.recordTransaction({ hash: keccak256(raw), jobId: 42n, action: "approve", nonce: start, raw });
    expect(await nonce()).to.equal(start);

    const queue = createTxQueue(context, { client, account, journal });
    await queue.recover();
    expect(journal.getIntent(42n, "approve")).to.deep.include({ status: "failed" });
    expect(journal.getIntent(42n, "approve")!.error).to.match(/no longer known to the node/);
    expect(journal.transactions({ jobId: 42n, action: "approve" })[0]!.status).to.equal("dropped");
    expect(await d.publicClient.getTransaction({ hash: keccak256(raw) }).catch(() => null)).to.equal(null);
    expect(await nonce()).to.equal(start);
    // Decided again: a new transaction at the same nonce, with what the role wants now.
    expect((await queue.run({ jobId: 42n, action: "approve" }, (c) => approve(c, 43n))).status).to.equal("confirmed");
    expect(await nonce()).to.equal(start + 1);
    expect(await allowance()).to.equal(43n);
    expect(journal.transactions({ jobId: 42n, action: "approve" }).map((t) => [t.nonce, t.status])).to.deep.equal([
      [start, "dropped"],
      [start, "mined"],
    ]);
  });

  it("bumps the fees of a transaction stuck past the receipt timeout (same nonce), and the bump is what gets mined", async function () {
    const { d, queue, approve, nonce } = await setup({ tx: { baseBackoffMs: 5, receiptTimeoutMs: 300 } });
    const start = await nonce();
    await d.publicClient.request({ method: "evm_setAutomine" as never, params: [false] as never });
    try {
      const outcome = queue.run({ jobId: 5n, action: "approve" }, (c) => approve(c, 5n));
      // Wait until the queue has re-signed it.
      for (let i = 0; i < 100 && journal.transactions({ jobId: 5n }).length < 2; i++) await new Promise((r) => setTimeout(r, 25));
      await d.publicClient.request({ method: "evm_mine" as never, params: [] as never });
      const result = await outcome;
      expect(result.status).to.equal("confirmed");
      const txs = journal.transactions({ jobId: 5n });
      expect(txs.length).to.be.at.least(2);
      expect(new Set(txs.map((t) => t.nonce))).to.deep.equal(new Set([start]));
      expect(txs.filter((t) => t.status === "mined")).to.have.length(1);
      expect(txs.find((t) => t.status === "mined")!.hash).to.equal(txs.at(-1)!.hash);
      expect(await nonce()).to.equal(start + 1);
    } finally {
      await d.publicClient.request({ method: "evm_setAutomine" as never, params: [true] as never });
    }
  });

  describe("batched intents (one transaction for several jobs)", function () {
    it("journals the batch for every member before broadcast, confirms them together, and never sends it again after a restart", async function () {
      const { client, queue, approve, nonce, allowance, context } = await setup();
      const start = await nonce();
      const seen: bigint[][] = [];
      const outcomes = await queue.runBatch("approve", [1n, 2n, 3n], (c, ids) => {
        seen.push(ids);
        return approve(
          c,
          ids.reduce((a, b) => a + b, 0n),
        );
      });
      expect(seen).to.deep.equal([[1n, 2n, 3n]]);
      expect([...outcomes.values()].map((o) => o.status)).to.deep.equal(["confirmed", "confirmed", "confirmed"]);
      expect(await nonce()).to.equal(start + 1);
      expect(await allowance()).to.equal(6n);
      const [tx] = journal.transactions();
      for (const jobId of [1n, 2n, 3n]) {
        expect(journal.getIntent(jobId, "approve")).to.deep.include({ status: "confirmed", txHash: tx!.hash, attempts: 1 });
        expect(journal.transactions({ jobId, action: "approve" }).map((t) => t.hash)).to.deep.equal([tx!.hash]);
      }
      expect(journal.transactionMembers(tx!.hash).map((m) => m.jobId)).to.deep.equal([1n, 2n, 3n]);

      // A new queue on the same journal (a restart): nothing is sent again; a new member goes alone.
      const again = await createTxQueue(context, { client, account, journal }).runBatch("approve", [2n, 3n, 4n], (c, ids) => {
        seen.push(ids);
        return approve(c, 40n);
      });
      expect(seen.at(-1)).to.deep.equal([4n]);
      expect(again.get(2n)).to.deep.include({ status: "confirmed", resumed: true });
      expect(again.get(4n)).to.deep.include({ status: "confirmed", resumed: false });
      expect(await nonce()).to.equal(start + 2);
    });

    it("after a crash between journaling and broadcast, recovery abandons that batched transaction for every member, and nothing is broadcast", async function () {
      const { d, client, nonce, allowance, context } = await setup();
      const start = await nonce();
      const request = await client.walletClient.prepareTransactionRequest({
        account,
        chain: d.publicClient.chain,
        to: d.deployment.token!,
        nonce: start,
        data: (await import("viem")).encodeFunctionData({
          abi: hashworkTokenAbi,
          functionName: "approve",
          args: [d.address.stranger, 77n],
        }),
      });
      const raw = await account.signTransaction(request as never);
      const members = [70n, 71n].map((jobId) => ({ jobId, action: "approve" }));
      for (const m of members) journal.beginIntent(m.jobId, m.action);
      journal.recordTransaction({ hash: keccak256(raw), jobId: 70n, action: "approve", nonce: start, raw, members });
      expect(journal.getIntent(71n, "approve")!.status).to.equal("sent");

      const queue = createTxQueue(context, { client, account, journal });
      await queue.recover();
      for (const m of members) expect(journal.getIntent(m.jobId, m.action)).to.deep.include({ status: "failed" });
      expect(await nonce()).to.equal(start);
      expect(await allowance()).to.equal(0n);
    });

    it("drops the member a simulation revert names and sends the rest in one transaction (no extra attempt counted for them)", async function () {
      const { queue, approve, nonce } = await setup();
      const start = await nonce();
      const outcomes = await queue.runBatch("approve", [11n, 12n, 13n], (c, ids) => {
        if (ids.includes(12n)) throw new MarketUnexpectedJobStateError([12n, 2, 2n]);
        return approve(c, 24n);
      });
      expect(outcomes.get(12n)!.status).to.equal("failed");
      expect(outcomes.get(11n)!.status).to.equal("confirmed");
      expect(outcomes.get(13n)!.status).to.equal("confirmed");
      expect(await nonce()).to.equal(start + 1);
      expect(journal.getIntent(12n, "approve")).to.deep.include({ status: "failed", attempts: 1 });
      expect(journal.getIntent(11n, "approve")).to.deep.include({ status: "confirmed", attempts: 1 });
    });
  });

  describe("after a reorg", function () {
    /** Two approvals mined, then the chain rolled back below them onto a longer branch without them. */
    async function reorged() {
      const t = await setup();
      const start = await t.nonce();
      const fork = await takeSnapshot();
      const ancestor = await t.d.publicClient.getBlock();
      for (const n of [1n, 2n])
        expect((await t.queue.run({ jobId: n, action: "approve" }, (c) => t.approve(c, n))).status).to.equal("confirmed");
      expect(journal.minedAbove(ancestor.number)).to.have.length(2);
      await fork.restore();
      await time.increase(30); // another timestamp: another branch
      await mine(3);
      expect(await t.nonce()).to.equal(start);
      return {
        ...t,
        start,
        ancestor: { number: ancestor.number, hash: ancestor.hash, parentHash: ancestor.parentHash, timestamp: ancestor.timestamp },
      };
    }

    it("abandons the intents whose transactions the node forgot, re-reads the nonce, and the intent runs again at the freed nonce", async function () {
      const { queue, approve, nonce, allowance, start, ancestor } = await reorged();
      const fates = await queue.reorg(ancestor);
      expect(fates.map((f) => `${f.jobId}:${f.fate}`)).to.deep.equal(["1:abandoned", "2:abandoned"]);
      expect(journal.getIntent(1n, "approve")!.status).to.equal("failed");
      expect(journal.transactions().map((t) => t.status)).to.deep.equal(["dropped", "dropped"]);
      // Decided again: one new transaction, at the nonce the reorg freed (no gap, nothing stuck).
      expect((await queue.run({ jobId: 2n, action: "approve" }, (c) => approve(c, 2n))).status).to.equal("confirmed");
      expect(await nonce()).to.equal(start + 1);
      expect(await allowance()).to.equal(2n);
      expect(journal.transactions({ jobId: 2n }).map((t) => [t.nonce, t.status])).to.deep.equal([
        [start, "mined"],
        [start + 1, "dropped"],
      ]);
    });

    it("an RPC failure while checking what the node still has abandons nothing (the reorg is redone later)", async function () {
      const { client, context, ancestor } = await reorged();
      const failing = {
        ...client,
        publicClient: {
          ...client.publicClient,
          getTransaction: () => Promise.reject(new HttpRequestError({ url: "http://127.0.0.1:1", details: "fetch failed" })),
        } as unknown as typeof client.publicClient,
      };
      const queue = createTxQueue(context, { client: failing, account, journal });
      let failed: unknown;
      await queue.reorg(ancestor).catch((error: unknown) => (failed = error));
      expect(failed).to.be.instanceOf(HttpRequestError);
      expect(journal.minedAbove(ancestor.number)).to.have.length(2);
      expect(journal.intents().map((i) => i.status)).to.deep.equal(["confirmed", "confirmed"]);
      expect((await createTxQueue(context, { client, account, journal }).reorg(ancestor)).map((f) => f.fate)).to.deep.equal([
        "abandoned",
        "abandoned",
      ]);
    });

    it("finds the fork point from its own mined blocks when the chain input could not (ancestor unknown)", async function () {
      const { queue } = await reorged();
      expect((await queue.reorg(undefined)).map((f) => f.fate)).to.deep.equal(["abandoned", "abandoned"]);
    });

    it("a batched transaction the reorg removed abandons every member; the jobs are decided again in one new transaction at the freed nonce", async function () {
      const t = await setup();
      const start = await t.nonce();
      const fork = await takeSnapshot();
      const ancestor = await t.d.publicClient.getBlock();
      const first = await t.queue.runBatch("approve", [31n, 32n, 33n], (c, ids) =>
        t.approve(
          c,
          ids.reduce((a, b) => a + b, 0n),
        ),
      );
      expect([...first.values()].map((o) => o.status)).to.deep.equal(["confirmed", "confirmed", "confirmed"]);
      // The batch's block is journaled (the reorg can only find what it knows was mined where).
      expect(journal.minedAbove(ancestor.number).map((tx) => journal.transactionMembers(tx.hash).map((m) => m.jobId))).to.deep.equal([
        [31n, 32n, 33n],
      ]);
      await fork.restore();
      await time.increase(30);
      await mine(3);
      const fates = await t.queue.reorg({
        number: ancestor.number,
        hash: ancestor.hash,
        parentHash: ancestor.parentHash,
        timestamp: ancestor.timestamp,
      });
      expect(fates.map((f) => `${f.jobId}:${f.fate}`)).to.deep.equal(["31:abandoned", "32:abandoned", "33:abandoned"]);
      for (const jobId of [31n, 32n, 33n]) expect(journal.getIntent(jobId, "approve")!.status).to.equal("failed");
      const again = await t.queue.runBatch("approve", [31n, 32n, 33n], (c, ids) => t.approve(c, ids.reduce((a, b) => a + b, 0n) + 1n));
      expect([...again.values()].map((o) => o.status)).to.deep.equal(["confirmed", "confirmed", "confirmed"]);
      expect(await t.nonce()).to.equal(start + 1);
      expect(await t.allowance()).to.equal(97n);
      const mined = journal.transactions().filter((tx) => tx.status === "mined");
      expect(mined.map((tx) => tx.nonce)).to.deep.equal([start]);
      for (const jobId of [31n, 32n, 33n])
        expect(journal.getIntent(jobId, "approve")).to.deep.include({ status: "confirmed", txHash: mined[0]!.hash });
    });

    it("a batched transaction the node still has reopens every member, all resolved from its one receipt", async function () {
      const { d, queue, approve } = await setup();
      const ancestor = await d.publicClient.getBlock();
      await queue.runBatch("approve", [41n, 42n, 43n], (c) => approve(c, 3n));
      const [tx] = journal.transactions();
      const fates = await queue.reorg({
        number: ancestor.number,
        hash: ancestor.hash,
        parentHash: ancestor.parentHash,
        timestamp: ancestor.timestamp,
      });
      expect(fates.map((f) => `${f.jobId}:${f.fate}:${f.txHash === tx!.hash}`)).to.deep.equal([
        "41:kept:true",
        "42:kept:true",
        "43:kept:true",
      ]);
      const all = () => [41n, 42n, 43n].every((jobId) => journal.getIntent(jobId, "approve")!.status === "confirmed");
      for (let i = 0; i < 100 && !all(); i++) await new Promise((r) => setTimeout(r, 20));
      for (const jobId of [41n, 42n, 43n])
        expect(journal.getIntent(jobId, "approve")).to.deep.include({ status: "confirmed", txHash: tx!.hash });
      expect(journal.transactions()).to.have.length(1);
      expect(journal.transactions()[0]!.minedIn).to.deep.equal(tx!.minedIn);
    });

    it("an intent whose transaction the node still has is reopened and resolved again from its receipt", async function () {
      const { d, queue, approve } = await setup();
      const ancestor = await d.publicClient.getBlock();
      await queue.run({ jobId: 4n, action: "approve" }, (c) => approve(c, 4n));
      const [tx] = journal.transactions({ jobId: 4n });
      // As if the chain input saw a reorg whose new branch holds the same transaction again.
      const fates = await queue.reorg({
        number: ancestor.number,
        hash: ancestor.hash,
        parentHash: ancestor.parentHash,
        timestamp: ancestor.timestamp,
      });
      expect(fates).to.deep.equal([{ jobId: 4n, action: "approve", txHash: tx!.hash, fate: "kept" }]);
      for (let i = 0; i < 100 && journal.getIntent(4n, "approve")!.status !== "confirmed"; i++) await new Promise((r) => setTimeout(r, 20));
      expect(journal.getIntent(4n, "approve")).to.deep.include({ status: "confirmed", txHash: tx!.hash });
      expect(journal.transactions({ jobId: 4n })).to.have.length(1);
      expect(journal.transactions({ jobId: 4n })[0]!.minedIn).to.deep.equal(tx!.minedIn);
    });
  });
});
