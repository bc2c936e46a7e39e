import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import type { Hex } from "viem";

import { JournalMismatchError, openJournal } from "./journal.ts";

const HASH_A = `0x${"aa".repeat(32)}` as Hex;
const HASH_B = `0x${"bb".repeat(32)}` as Hex;
const RAW = "0x02f86c" as Hex;

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
    expect(j2.transactions({ jobId })).to.deep.equal([{ hash: HASH_A, jobId, action: "claim", nonce: 5, raw: RAW, status: "signed" }]);
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

  it("belongs to one chain, market and account", function () {
    const j = openJournal({ dataDir: dir });
    const identity = { chainId: 31337, market: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", account: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" };
    j.bind(identity);
    j.bind({ ...identity, market: identity.market.toLowerCase() });
    expect(() => j.bind({ ...identity, chainId: 1 })).to.throw(JournalMismatchError, /chainId 31337, not 1/);
    j.close();
  });
});
