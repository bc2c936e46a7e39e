import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import type { Hex } from "viem";

import { DatabaseSync } from "node:sqlite";

import { statSync } from "node:fs";

import { keccak256, toHex } from "viem";

import { JOURNAL_QUERIES, JOURNAL_VERSION, JournalMismatchError, JournalVersionError, openJournal, type Journal } from "./journal.ts";

const HASH_A = `0x${"aa".repeat(32)}` as Hex;
const HASH_B = `0x${"bb".repeat(32)}` as Hex;
const HASH_C = `0x${"cc".repeat(32)}` as Hex;
const HASH_D = `0x${"dd".repeat(32)}` as Hex;
const RAW = "0x02f86c" as Hex;
const block = (n: number) => ({ number: BigInt(n), hash: `0x${n.toString(16).padStart(64, "0")}` as Hex });

/** One confirmed intent whose transaction was mined in block `minedAt`. */
function confirmed(j: Journal, jobId: bigint, action: string, hash: Hex, nonce: number, minedAt: number) {
  j.beginIntent(jobId, action);
  j.recordTransaction({ hash, jobId, action, nonce, raw: RAW });
  j.recordMined(hash, block(minedAt));
  j.finishIntent(jobId, action, "confirmed", { txHash: hash });
}

describe("daemon journal (SQLite)", function () {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "hashwork-journal-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("persists the cursor and intents across reopening (a restart)", function () {
    const j1 = openJournal({ dataDir: dir });
    expect(j1.getCursor()).to.equal(undefined);
    j1.setCursor({ number: 41n, hash: HASH_A });
    j1.setCursor({ number: 42n, hash: HASH_B });
    const jobId = 2n ** 200n + 7n;
    expect(j1.beginIntent(jobId, "claim").status).to.equal("pending");
    j1.recordAttempt(jobId, "claim");
    j1.recordTransaction({ hash: HASH_A, jobId, action: "claim", nonce: 5, raw: RAW });
    j1.close();

    const j2 = openJournal({ dataDir: dir });
    expect(j2.getCursor()).to.deep.equal({ number: 42n, hash: HASH_B });
    const intent = j2.getIntent(jobId, "claim")!;
    expect(intent).to.deep.include({ jobId, action: "claim", status: "sent", txHash: HASH_A, attempts: 1 });
    expect(j2.openIntents().map((i) => i.jobId)).to.deep.equal([jobId]);
    expect(j2.transactions({ jobId })).to.deep.equal([
      { hash: HASH_A, jobId, action: "claim", nonce: 5, raw: RAW, status: "signed", minedIn: undefined },
    ]);
    j2.close();
  });

  it("keeps one intent per (job, action): beginning it again returns the stored one", function () {
    const j = openJournal({ dataDir: dir });
    j.beginIntent(1n, "submit");
    j.finishIntent(1n, "submit", "confirmed", { txHash: HASH_A });
    const again = j.beginIntent(1n, "submit");
    expect(again.status).to.equal("confirmed");
    expect(again.txHash).to.equal(HASH_A);
    expect(j.beginIntent(1n, "finalize").status).to.equal("pending");
    expect(j.intents()).to.have.length(2);
    expect(j.openIntents().map((i) => i.action)).to.deep.equal(["finalize"]);
    j.close();
  });

  it("records fee bumps as further transactions of the same intent and tracks their fate", function () {
    const j = openJournal({ dataDir: dir });
    j.beginIntent(9n, "finalize");
    j.recordTransaction({ hash: HASH_A, jobId: 9n, action: "finalize", nonce: 3, raw: RAW });
    j.recordTransaction({ hash: HASH_B, jobId: 9n, action: "finalize", nonce: 3, raw: RAW });
    expect(j.getIntent(9n, "finalize")!.txHash).to.equal(HASH_B);
    j.setTransactionStatus(HASH_A, "dropped");
    j.setTransactionStatus(HASH_B, "mined");
    expect(j.transactions({ nonce: 3 }).map((t) => t.status)).to.deep.equal(["dropped", "mined"]);
    // A hash is journaled once: a second insert is refused and the intent is unchanged.
    expect(() => j.recordTransaction({ hash: HASH_B, jobId: 9n, action: "finalize", nonce: 3, raw: RAW })).to.throw();
    j.close();
  });

  it("keeps a vote's salt across a restart, and never replaces it with another", function () {
    const j1 = openJournal({ dataDir: dir });
    const vote = { jobId: 3n, round: 0, seatIndex: 2, resultHash: HASH_A, salt: HASH_B, commitment: HASH_A };
    expect(j1.saveVote(vote)).to.deep.equal(vote);
    // A second save for the same round (e.g. after a crash before the commit was sent) keeps the first salt.
    expect(j1.saveVote({ ...vote, salt: HASH_A })).to.deep.equal(vote);
    expect(j1.getVote(3n, 1)).to.equal(undefined);
    j1.close();
    const j2 = openJournal({ dataDir: dir });
    expect(j2.getVote(3n, 0)).to.deep.equal(vote);
    j2.close();
  });

  it("keeps a challenge's salt across a restart, and never replaces it with another", function () {
    const j1 = openJournal({ dataDir: dir });
    const challenge = { jobId: 2n ** 200n + 5n, challengerHash: HASH_C, salt: HASH_D, commitment: HASH_A };
    expect(j1.getChallenge(challenge.jobId)).to.equal(undefined);
    expect(j1.saveChallenge(challenge)).to.deep.equal(challenge);
    // Saving again (a restart before the commitment was sent) returns the first salt, not the new one.
    expect(j1.saveChallenge({ ...challenge, salt: HASH_B, commitment: HASH_B })).to.deep.equal(challenge);
    j1.close();
    const j2 = openJournal({ dataDir: dir });
    expect(j2.getChallenge(challenge.jobId)).to.deep.equal(challenge);
    expect(j2.getChallenge(1n)).to.equal(undefined);
    j2.close();
  });

  it("a reorg reopens exactly the intents whose transactions were mined above the ancestor: kept if the node still has them, abandoned if not", function () {
    const j = openJournal({ dataDir: dir });
    confirmed(j, 7n, "finalize", HASH_C, 1, 8); // below the fork: untouched
    confirmed(j, 1n, "claim", HASH_A, 2, 10);
    j.beginIntent(1n, "submit");
    j.recordTransaction({ hash: HASH_B, jobId: 1n, action: "submit", nonce: 3, raw: RAW });
    j.recordMined(HASH_B, block(12));
    j.finishIntent(1n, "submit", "reverted", { txHash: HASH_B });
    j.beginIntent(2n, "claim");
    j.recordTransaction({ hash: HASH_D, jobId: 2n, action: "claim", nonce: 4, raw: RAW }); // out, not mined: untouched
    expect(j.minedAbove(9n).map((t) => t.hash)).to.deep.equal([HASH_A, HASH_B]);
    expect(j.minedBlocks().map((b) => b.number)).to.deep.equal([12n, 10n, 8n]);

    const fates = j.reconcile({ ancestor: 9n, known: new Set([HASH_B]) });
    expect(fates).to.deep.equal([
      { jobId: 1n, action: "claim", txHash: HASH_A, fate: "abandoned" },
      { jobId: 1n, action: "submit", txHash: HASH_B, fate: "kept" },
    ]);
    // The claim is no longer done: the role decides again from the chain (it is `failed`, so a run retries it).
    expect(j.getIntent(1n, "claim")).to.deep.include({ status: "failed" });
    expect(j.getIntent(1n, "claim")!.error).to.match(/removed by a chain reorganisation/);
    expect(j.transactions({ jobId: 1n, action: "claim" })[0]).to.deep.include({ status: "dropped", minedIn: undefined });
    // The node still has the submission: it is out again, and the queue waits for it.
    expect(j.getIntent(1n, "submit")).to.deep.include({ status: "sent", txHash: HASH_B, error: undefined });
    expect(j.transactions({ jobId: 1n, action: "submit" })).to.deep.equal([
      { hash: HASH_B, jobId: 1n, action: "submit", nonce: 3, raw: RAW, status: "signed", minedIn: undefined },
    ]);
    expect(j.getIntent(7n, "finalize")!.status).to.equal("confirmed");
    expect(j.transactions({ jobId: 7n })[0]!.minedIn).to.deep.equal(block(8));
    expect(j.getIntent(2n, "claim")!.status).to.equal("sent");
    expect(j.openIntents().map((i) => `${i.jobId}:${i.action}`)).to.deep.equal(["1:submit", "2:claim"]);
    // Applying the same reorg again changes nothing more.
    expect(j.reconcile({ ancestor: 9n })).to.deep.equal([]);
    // Claiming again can sign byte-identical bytes (same nonce, same fees): the same transaction is out again.
    j.recordTransaction({ hash: HASH_A, jobId: 1n, action: "claim", nonce: 2, raw: RAW });
    expect(j.getIntent(1n, "claim")).to.deep.include({ status: "sent", txHash: HASH_A });
    expect(j.transactions({ jobId: 1n, action: "claim" }).map((t) => t.status)).to.deep.equal(["signed"]);
    j.close();
  });

  it("a reorg reopens or abandons every member of a batched transaction, and the same batch's bytes revive it for all members", function () {
    const j = openJournal({ dataDir: dir });
    const claims = [1n, 2n, 3n].map((jobId) => ({ jobId, action: "claim" }));
    const submits = [1n, 2n].map((jobId) => ({ jobId, action: "submit" }));
    const batch = (hash: Hex, nonce: number, members: { jobId: bigint; action: string }[], minedAt: number) =>
      j.atomically(() => {
        for (const m of members) j.beginIntent(m.jobId, m.action);
        j.recordTransaction({ hash, jobId: members[0]!.jobId, action: members[0]!.action, nonce, raw: RAW, members });
        j.recordMined(hash, block(minedAt));
        for (const m of members) j.finishIntent(m.jobId, m.action, "confirmed", { txHash: hash });
      });
    batch(HASH_A, 0, claims, 10);
    batch(HASH_B, 1, submits, 11);
    expect(j.minedAbove(9n).map((t) => [t.hash, t.minedIn?.number])).to.deep.equal([
      [HASH_A, 10n],
      [HASH_B, 11n],
    ]);

    // The claims' batch is gone from the node, the submissions' batch is still known.
    const fates = j.reconcile({ ancestor: 9n, known: new Set([HASH_B]) });
    expect(fates.map((f) => `${f.jobId}:${f.action}:${f.fate}`)).to.deep.equal([
      "1:claim:abandoned",
      "2:claim:abandoned",
      "3:claim:abandoned",
      "1:submit:kept",
      "2:submit:kept",
    ]);
    for (const m of claims) {
      expect(j.getIntent(m.jobId, m.action)).to.deep.include({ status: "failed" });
      expect(j.getIntent(m.jobId, m.action)!.error).to.match(/removed by a chain reorganisation/);
    }
    for (const m of submits) expect(j.getIntent(m.jobId, m.action)).to.deep.include({ status: "sent", txHash: HASH_B, error: undefined });
    expect(j.transactions().map((t) => [t.hash, t.status, t.minedIn])).to.deep.equal([
      [HASH_A, "dropped", undefined],
      [HASH_B, "signed", undefined],
    ]);
    expect(j.openIntents().map((i) => `${i.jobId}:${i.action}`)).to.deep.equal(["1:submit", "2:submit"]);

    // Claiming the same jobs again can sign the very same bytes: that one transaction is out again, for every member.
    j.atomically(() => j.recordTransaction({ hash: HASH_A, jobId: 1n, action: "claim", nonce: 0, raw: RAW, members: claims }));
    for (const m of claims) expect(j.getIntent(m.jobId, m.action)).to.deep.include({ status: "sent", txHash: HASH_A });
    expect(j.transactions().map((t) => t.status)).to.deep.equal(["signed", "signed"]);
    expect(j.transactionMembers(HASH_A)).to.deep.equal(claims);
    expect(j.transactions({ jobId: 3n, action: "claim" }).map((t) => t.hash)).to.deep.equal([HASH_A]);
    j.close();
  });

  it("bytes the node forgot, signed again by another intent (a retry `claim:2`, a second fill), revive that one transaction for the new intent only", function () {
    const j = openJournal({ dataDir: dir });
    confirmed(j, 4n, "claim", HASH_A, 6, 20);
    expect(j.reconcile({ ancestor: 19n }).map((f) => f.fate)).to.deep.equal(["abandoned"]);
    // Before, the different intent name made the insert fail on the hash (a crash of the reconcile or the role).
    j.beginIntent(4n, "claim:2");
    expect(j.recordTransaction({ hash: HASH_A, jobId: 4n, action: "claim:2", nonce: 6, raw: RAW })).to.equal("revived");
    expect(j.getIntent(4n, "claim:2")).to.deep.include({ status: "sent", txHash: HASH_A });
    expect(j.getIntent(4n, "claim")).to.deep.include({ status: "failed" });
    expect(j.transactionMembers(HASH_A)).to.deep.equal([{ jobId: 4n, action: "claim:2" }]);
    expect(j.transactions({ jobId: 4n, action: "claim" })).to.deep.equal([]);
    expect(j.transactions().map((t) => [t.hash, t.action, t.status])).to.deep.equal([[HASH_A, "claim:2", "signed"]]);
    // Bytes still live are refused: a hash is journaled once.
    expect(() => j.recordTransaction({ hash: HASH_A, jobId: 4n, action: "claim:3", nonce: 6, raw: RAW })).to.throw();
    expect(j.recordTransaction({ hash: HASH_B, jobId: 4n, action: "claim:3", nonce: 7, raw: RAW })).to.equal("new");
    j.close();
  });

  it("compares block numbers as numbers (block 100 is above block 99)", function () {
    const j = openJournal({ dataDir: dir });
    confirmed(j, 1n, "claim", HASH_A, 0, 99);
    confirmed(j, 2n, "claim", HASH_B, 1, 100);
    expect(j.minedAbove(99n).map((t) => t.hash)).to.deep.equal([HASH_B]);
    j.close();
  });

  it("opens a journal written before transactions recorded their block (adds the columns)", function () {
    const old = new DatabaseSync(join(dir, "daemon.sqlite"));
    old.exec(`CREATE TABLE transactions (hash TEXT PRIMARY KEY, job_id TEXT NOT NULL, action TEXT NOT NULL, nonce INTEGER NOT NULL,
      raw TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL)`);
    old.prepare("INSERT INTO transactions VALUES (?, '1', 'claim', 0, ?, 'mined', 0)").run(HASH_A, RAW);
    old.close();
    const j = openJournal({ dataDir: dir });
    expect(j.transactions()[0]).to.deep.include({ hash: HASH_A, status: "mined", minedIn: undefined });
    expect(j.minedAbove(0n)).to.deep.equal([]);
    j.close();
  });

  it("versions its schema with PRAGMA user_version: a fresh journal and one from before versioning reach the current version; a newer one is refused", function () {
    const version = (d: string) => {
      const db = new DatabaseSync(join(d, "daemon.sqlite"), { readOnly: true });
      try {
        return (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
      } finally {
        db.close();
      }
    };
    openJournal({ dataDir: dir }).close();
    expect(version(dir)).to.equal(JOURNAL_VERSION);
    expect(JOURNAL_VERSION).to.equal(3);
    // Written by the previous daemon: block columns but no version.
    const legacy = join(dir, "legacy");
    openJournal({ dataDir: legacy }).close();
    const db = new DatabaseSync(join(legacy, "daemon.sqlite"));
    db.exec(
      "PRAGMA user_version = 0; DROP INDEX transactions_by_status; DROP INDEX intents_by_status; DROP INDEX transactions_by_block; DROP INDEX votes_by_age; DROP INDEX challenges_by_age;",
    );
    db.close();
    const j = openJournal({ dataDir: legacy });
    confirmed(j, 1n, "claim", HASH_A, 0, 5);
    expect(j.minedAbove(4n).map((t) => t.hash)).to.deep.equal([HASH_A]);
    j.close();
    expect(version(legacy)).to.equal(JOURNAL_VERSION);
    const newer = new DatabaseSync(join(legacy, "daemon.sqlite"));
    newer.exec(`PRAGMA user_version = ${JOURNAL_VERSION + 1}`);
    newer.close();
    expect(() => openJournal({ dataDir: legacy })).to.throw(JournalVersionError, /newer than this daemon/);
  });

  it("prunes finished intents, their transactions and secrets after the retention, keeping tracked jobs and anything open", function () {
    let clock = 1_000;
    const j = openJournal({ dataDir: dir, now: () => clock });
    confirmed(j, 1n, "claim", HASH_A, 0, 5); // old, finished: pruned
    confirmed(j, 2n, "claim", HASH_B, 1, 5); // old, finished, but its job is still tracked: kept
    j.beginIntent(3n, "submit");
    j.recordTransaction({ hash: HASH_C, jobId: 3n, action: "submit", nonce: 2, raw: RAW }); // old but open: kept
    j.saveVote({ jobId: 1n, round: 0, seatIndex: 0, resultHash: HASH_A, salt: HASH_A, commitment: HASH_A });
    // A batch finished long ago whose members are all finished: pruned with its members.
    j.atomically(() => {
      for (const id of [4n, 5n]) j.beginIntent(id, "finalize");
      j.recordTransaction({
        hash: HASH_D,
        jobId: 4n,
        action: "finalize",
        nonce: 3,
        raw: RAW,
        members: [4n, 5n].map((jobId) => ({ jobId, action: "finalize" })),
      });
      j.recordMined(HASH_D, block(5));
      for (const id of [4n, 5n]) j.finishIntent(id, "finalize", "confirmed", { txHash: HASH_D });
    });
    clock = 10_000;
    confirmed(j, 6n, "claim", keccak256(toHex("recent")), 4, 6); // recent: kept
    expect(j.prune({ olderThan: 5_000, keepJobs: new Set([2n]) })).to.deep.equal({ intents: 3, transactions: 2, secrets: 1 });
    expect(j.getIntent(1n, "claim")).to.equal(undefined);
    expect(j.getIntent(2n, "claim")!.status).to.equal("confirmed");
    expect(j.getIntent(3n, "submit")!.status).to.equal("sent");
    expect(j.getIntent(6n, "claim")!.status).to.equal("confirmed");
    expect(j.getVote(1n, 0)).to.equal(undefined);
    expect(
      j
        .transactions()
        .map((t) => t.hash)
        .sort(),
    ).to.deep.equal([HASH_B, HASH_C, keccak256(toHex("recent"))].sort());
    expect(j.transactionMembers(HASH_D)).to.deep.equal([]);
    // Pruning again deletes nothing more.
    expect(j.prune({ olderThan: 5_000, keepJobs: new Set([2n]) })).to.deep.equal({ intents: 0, transactions: 0, secrets: 0 });
    j.close();
  });

  it("stays the size of one retention period: pruned rows' pages are reused (disk use per job, docs/running-a-provider.md)", function () {
    let clock = 0;
    const j = openJournal({ dataDir: dir, now: () => clock });
    // A provider's job: claim, submit and finalize intents, each step one transaction per 10
    // jobs (batches), raw transactions of realistic size (claimJobs ~ 0.5 KB, submitResults with
    // output URIs ~ 2.5 KB, finalizeJobs with terms ~ 2 KB, hex-encoded).
    const raw = (bytes: number) => `0x${"ab".repeat(bytes)}` as Hex;
    let nonce = 0;
    const day = (first: number, jobs: number) => {
      for (let b = 0; b < jobs / 10; b++) {
        const ids = Array.from({ length: 10 }, (_, i) => BigInt(first + b * 10 + i));
        for (const [action, size] of [
          ["claim", 500],
          ["submit", 2_500],
          ["finalize", 2_000],
        ] as const) {
          j.atomically(() => {
            for (const id of ids) j.beginIntent(id, action);
            const hash = keccak256(toHex(`${action}:${first}:${b}`));
            j.recordTransaction({
              hash,
              jobId: ids[0]!,
              action,
              nonce: nonce++,
              raw: raw(size),
              members: ids.map((jobId) => ({ jobId, action })),
            });
            j.recordMined(hash, block(nonce));
            for (const id of ids) j.finishIntent(id, action, "confirmed", { txHash: hash });
          });
        }
      }
    };
    const size = () => {
      const db = new DatabaseSync(join(dir, "daemon.sqlite"));
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      db.close();
      return statSync(join(dir, "daemon.sqlite")).size;
    };
    day(0, 2_000);
    const oneDay = size();
    clock = 10;
    j.prune({ olderThan: 5 });
    day(10_000, 2_000);
    const twoDays = size();
    j.close();
    const perJob = oneDay / 2_000;
    if (process.env.HASHWORK_JOURNAL_SIZES) console.log({ oneDay, twoDays, perJob });
    expect(perJob).to.be.below(3_000); // bytes per job, batches of 10 (2.3 KB measured)
    expect(twoDays).to.be.below(oneDay * 1.1); // the second day reused the first day's pages
  });

  it("holds intents in memory over the table: every write is read back, and a rolled-back transaction leaves nothing behind", function () {
    const j = openJournal({ dataDir: dir });
    expect(j.getIntent(5n, "claim")).to.equal(undefined); // remembered as absent…
    j.beginIntent(5n, "claim"); // …until it is begun
    expect(j.getIntent(5n, "claim")).to.deep.include({ status: "pending", attempts: 0 });
    j.recordAttempt(5n, "claim");
    j.recordTransaction({ hash: HASH_A, jobId: 5n, action: "claim", nonce: 0, raw: RAW });
    expect(j.getIntent(5n, "claim")).to.deep.include({ status: "sent", attempts: 1, txHash: HASH_A });
    // A caller changing what it got does not change the journal.
    j.getIntent(5n, "claim")!.status = "confirmed";
    expect(j.getIntent(5n, "claim")!.status).to.equal("sent");
    expect(() =>
      j.atomically(() => {
        j.beginIntent(6n, "claim");
        expect(j.getIntent(6n, "claim")!.status).to.equal("pending");
        throw new Error("crash inside the transaction");
      }),
    ).to.throw("crash inside the transaction");
    expect(j.getIntent(6n, "claim")).to.equal(undefined);
    j.close();
    // The table is the record: a reopened journal reads the same.
    const again = openJournal({ dataDir: dir });
    expect(again.getIntent(5n, "claim")).to.deep.include({ status: "sent", attempts: 1, txHash: HASH_A });
    again.close();
  });

  it("belongs to one chain, market and account", function () {
    const j = openJournal({ dataDir: dir });
    const identity = {
      chainId: 31337,
      market: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
      account: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    };
    j.bind(identity);
    j.bind({ ...identity, market: identity.market.toLowerCase() });
    expect(() => j.bind({ ...identity, chainId: 1 })).to.throw(JournalMismatchError, /chainId 31337, not 1/);
    j.close();
  });
  it("runs every statement on an index: no full-table scan but the two dumps for tests and tools", function () {
    openJournal({ dataDir: dir }).close(); // the current schema, migrations applied
    const db = new DatabaseSync(join(dir, "daemon.sqlite"), { readOnly: true });
    const scans: string[] = [];
    for (const [name, sql] of Object.entries(JOURNAL_QUERIES)) {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[];
      // "SCAN t" reads the whole table; "SCAN t USING INDEX" walks an index in full (also every row).
      for (const { detail } of plan) if (/^SCAN \w+/.test(detail)) scans.push(`${name}: ${detail}`);
    }
    db.close();
    expect(scans.sort()).to.deep.equal(["intentsAll: SCAN intents", "txAll: SCAN transactions USING INDEX transactions_by_nonce"]);
  });

  it("batches commits per tick (commitDelayMs): other readers see the writes after the tick; a signed transaction and a vote are on disk at once, with all before them", async function () {
    const j = openJournal({ dataDir: dir, commitDelayMs: 200 });
    const reader = () => {
      const db = new DatabaseSync(join(dir, "daemon.sqlite"), { readOnly: true });
      try {
        const intents = db.prepare("SELECT job_id, action, status FROM intents ORDER BY job_id, action").all() as { status: string }[];
        const txs = db.prepare("SELECT hash FROM transactions").all();
        const votes = db.prepare("SELECT job_id FROM votes").all();
        return { intents: intents.length, txs: txs.length, votes: votes.length };
      } finally {
        db.close();
      }
    };
    j.beginIntent(1n, "claim");
    j.recordAttempt(1n, "claim");
    j.setCursor(block(5));
    expect(j.getIntent(1n, "claim")).to.deep.include({ status: "pending", attempts: 1 }); // read back in the same connection
    expect(reader()).to.deep.equal({ intents: 0, txs: 0, votes: 0 }); // not committed yet
    j.beginIntent(2n, "claim");
    j.recordTransaction({ hash: HASH_A, jobId: 2n, action: "claim", nonce: 0, raw: RAW });
    expect(reader()).to.deep.equal({ intents: 2, txs: 1, votes: 0 }); // journaled before it is broadcast
    j.recordMined(HASH_A, block(6));
    j.finishIntent(2n, "claim", "confirmed", { txHash: HASH_A });
    expect(reader().intents).to.equal(2);
    j.saveVote({ jobId: 3n, round: 0, seatIndex: 1, resultHash: HASH_B, salt: HASH_C, commitment: HASH_D });
    expect(reader().votes).to.equal(1);
    // A rolled-back `atomically` inside the open batch undoes only itself.
    j.beginIntent(4n, "submit");
    expect(() =>
      j.atomically(() => {
        j.beginIntent(5n, "submit");
        throw new Error("inside");
      }),
    ).to.throw("inside");
    expect(j.getIntent(4n, "submit")?.status).to.equal("pending");
    expect(j.getIntent(5n, "submit")).to.equal(undefined);
    // The tick's commit comes by itself.
    await new Promise((r) => setTimeout(r, 400));
    expect(reader()).to.deep.equal({ intents: 3, txs: 1, votes: 1 });
    j.finishIntent(4n, "submit", "failed");
    j.close(); // commits what is pending
    const again = openJournal({ dataDir: dir });
    expect(again.getIntent(4n, "submit")?.status).to.equal("failed");
    expect(again.getIntent(2n, "claim")?.status).to.equal("confirmed");
    expect(again.transactions({ jobId: 2n, action: "claim" })[0]?.minedIn?.number).to.equal(6n);
    expect(again.getCursor()?.number).to.equal(5n);
    again.close();
  });
});
