import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";

import type { Hex } from "viem";

import { HashworkError } from "../errors/base.ts";

/** The last block the daemon fully processed. */
export type Cursor = { number: bigint; hash: Hex };

/** What the daemon means to do for a job; one per (job, action), so it is never done twice. */
export type IntentStatus =
  /** Decided; no transaction signed yet. */
  | "pending"
  /** At least one transaction signed and journaled (it may or may not have been broadcast). */
  | "sent"
  /** A transaction of this intent was mined and succeeded. */
  | "confirmed"
  /** A transaction of this intent was mined and reverted. */
  | "reverted"
  /** Given up before any transaction was mined (e.g. the simulation reverted). */
  | "failed";

export type Intent = {
  jobId: bigint;
  action: string;
  status: IntentStatus;
  /** The latest transaction signed for it (a fee bump replaces it). */
  txHash: Hex | undefined;
  attempts: number;
  error: string | undefined;
};

export type JournaledTransaction = {
  hash: Hex;
  jobId: bigint;
  action: string;
  nonce: number;
  /** The signed transaction: what a fee bump or a cancellation re-signs at its nonce, and what is checked after a crash instead of signing a second one. */
  raw: Hex;
  /** "signed" until mined; "mined" or "dropped" (never mined: rejected, replaced by a bump, or removed by a reorg). */
  status: "signed" | "mined" | "dropped";
  /** The block it was mined in (status "mined"), so a reorg can tell which transactions it removed. */
  minedIn: Cursor | undefined;
};

/** One intent carried out by a batched transaction. */
export type BatchMember = { jobId: bigint; action: string };

/**
 * What a reorg did to one intent whose transaction it removed from the chain:
 * - `kept`: the node still has that transaction (back in its pool, or mined again on the new
 *   branch); the intent is `sent` again and the queue waits for its receipt as after a restart.
 * - `abandoned`: the node forgot it; the transaction is `dropped` and the intent `failed`, so the
 *   role that wanted it decides again from the chain's new state (a job that is gone is not
 *   claimed; a reposted job is claimed with a new transaction — never with two live ones).
 */
export type ReorgedIntent = { jobId: bigint; action: string; txHash: Hex; fate: "kept" | "abandoned" };

/**
 * A committee vote's secret: the salt must survive a crash between commit and reveal, or the
 * seat cannot reveal and its lock is slashed. Saved before the commitment is sent.
 */
export type JournaledVote = {
  jobId: bigint;
  round: number;
  seatIndex: number;
  resultHash: Hex;
  salt: Hex;
  commitment: Hex;
};

/**
 * A challenge's secret (watcher role): the salt hiding its commitment must survive a crash
 * between `commitChallenge` and the reveal (`challenge`), or the commitment can never be
 * revealed. Saved before the commitment is sent; one per job.
 */
export type JournaledChallenge = {
  jobId: bigint;
  /** The result hash the watcher challenges with (its own run's). */
  challengerHash: Hex;
  salt: Hex;
  /** `keccak256(abi.encode(jobId, challengerHash, challenger, salt))`. */
  commitment: Hex;
};

export type Journal = {
  /** Ties the data dir to one chain, market and account; throws `JournalMismatchError` otherwise. */
  bind(identity: { chainId: number; market: string; account: string }): void;
  getCursor(): Cursor | undefined;
  setCursor(cursor: Cursor): void;
  getIntent(jobId: bigint, action: string): Intent | undefined;
  /** Inserts a `pending` intent unless one exists; returns the stored intent either way. */
  beginIntent(jobId: bigint, action: string): Intent;
  /** Counts one more attempt. */
  recordAttempt(jobId: bigint, action: string): void;
  /** Stores the last error of an attempt. */
  recordError(jobId: bigint, action: string, error: string): void;
  /**
   * Journals a signed transaction before it is broadcast; the intent becomes `sent`. A batched
   * transaction (one call carrying out several intents) names all of them in `members` (its own
   * `jobId`/`action` is the first): every member becomes `sent` in the same SQLite transaction. Signing again the very bytes a
   * reorg or the node dropped (same hash, status `dropped`: the same request decided again at the freed nonce, with the same
   * gas and fees) revives that transaction for the intents that signed it now (its members replaced) instead of adding one,
   * and returns `"revived"`; otherwise `"new"`. Bytes already journaled and not dropped are refused (a hash is journaled once).
   */
  recordTransaction(tx: Omit<JournaledTransaction, "status" | "minedIn"> & { members?: BatchMember[] | undefined }): "new" | "revived";
  /** The intents a transaction carries out: its batch members, or its own (job, action). */
  transactionMembers(hash: Hex): BatchMember[];
  /**
   * Runs `fn`'s journal writes as one SQLite transaction (one fsync instead of one per write;
   * all or nothing). Used for a batch's per-member bookkeeping. Nested calls join the outer one.
   */
  atomically<T>(fn: () => T): T;
  setTransactionStatus(hash: Hex, status: JournaledTransaction["status"]): void;
  /** Marks a transaction mined in `block` (the other statuses clear the block). */
  recordMined(hash: Hex, block: Cursor): void;
  /** Transactions mined above `number`: the ones a reorg to that ancestor may have removed. */
  minedAbove(number: bigint): JournaledTransaction[];
  /** Distinct blocks our mined transactions are in, newest first (to find a fork point the chain input could not). */
  minedBlocks(): Cursor[];
  /** The highest block below `number` holding one of our mined transactions (one indexed row, not the whole history). */
  minedBlockBelow(number: bigint): Cursor | undefined;
  /** Transactions signed and not yet known to be mined or dropped (what a reconcile asks the node about), by nonce; from `fromNonce` when given. */
  openTransactions(fromNonce?: number): JournaledTransaction[];
  /** An intent's transactions that are not `dropped` (its own and batches it is a member of), by nonce. */
  liveTransactions(jobId: bigint, action: string): JournaledTransaction[];
  /**
   * The one place that decides what a reconcile (after a reorg, on start, or when a waited-for
   * transaction is no longer known to the node) does to intents, in one SQLite transaction:
   * - every transaction mined above `ancestor` (when given) is un-mined: `signed` again when its
   *   hash is in `known` (the node still has it), else `dropped`;
   * - every other transaction in `forgotten` (signed, the node no longer has it) is `dropped`;
   * - every intent those transactions carry out (each member of a batched one) is reopened as
   *   `sent` (`kept`) while one of its transactions is still live, else finished `failed`
   *   (`abandoned`): the role decides it again from the chain's state.
   */
  reconcile(change: { ancestor?: bigint | undefined; known?: ReadonlySet<Hex>; forgotten?: ReadonlySet<Hex> }): ReorgedIntent[];
  finishIntent(jobId: bigint, action: string, status: "confirmed" | "reverted" | "failed", detail?: { txHash?: Hex; error?: string }): void;
  /** Intents not yet finished (`pending` or `sent`), oldest first. */
  openIntents(): Intent[];
  /** Every intent: a dump for tests and tools (a full scan; the daemon itself never calls it). */
  intents(): Intent[];
  /** An intent's transactions (`jobId` and `action`) or a nonce's, on indexes; with neither, every transaction (a dump for tests and tools). */
  transactions(filter?: { jobId?: bigint; action?: string; nonce?: number }): JournaledTransaction[];
  /** Stores a vote secret unless one exists for (job, round); returns the stored one either way. */
  saveVote(vote: JournaledVote): JournaledVote;
  getVote(jobId: bigint, round: number): JournaledVote | undefined;
  /** Stores a challenge secret unless one exists for the job; returns the stored one either way. */
  saveChallenge(challenge: JournaledChallenge): JournaledChallenge;
  getChallenge(jobId: bigint): JournaledChallenge | undefined;
  /**
   * Deletes what the daemon no longer needs, in one SQLite transaction: finished intents
   * (`confirmed`, `reverted`, `failed`) last changed before `olderThan` (ms since the epoch), their
   * transactions once no intent they carry out is left, and vote and challenge secrets saved
   * before it — all except for jobs in `keepJobs` (still tracked: not yet terminal). Open intents
   * and transactions still `signed` are never deleted. Returns the rows deleted.
   */
  prune(options: { olderThan: number; keepJobs?: ReadonlySet<bigint> }): { intents: number; transactions: number; secrets: number };
  /**
   * Commits the writes made since the last commit (with `commitDelayMs` > 0 they are batched:
   * one SQLite transaction, one fsync, per tick). A no-op when nothing is pending.
   */
  flush(): void;
  /** Commits what is pending, then closes the database. */
  close(): void;
};

/** The data dir belongs to another chain, market or account. */
export class JournalMismatchError extends HashworkError {
  override name = "JournalMismatchError";
  constructor(field: string, stored: string, actual: string) {
    super(`The journal belongs to ${field} ${stored}, not ${actual}; use another data dir`);
  }
}

/**
 * The journal's tables as the first daemon wrote them (version 0); `MIGRATIONS` bring them to the
 * current version. Fresh journals are created this way and migrated like old ones, so the path
 * an operator's journal takes is the tested one.
 */
const BASE_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursor (id INTEGER PRIMARY KEY CHECK (id = 1), number TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS intents (
  job_id TEXT NOT NULL,
  action TEXT NOT NULL,
  status TEXT NOT NULL,
  tx_hash TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, action)
);
CREATE TABLE IF NOT EXISTS transactions (
  hash TEXT PRIMARY KEY,
  job_id TEXT NOT NULL,
  action TEXT NOT NULL,
  nonce INTEGER NOT NULL,
  raw TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS transactions_by_intent ON transactions (job_id, action);
CREATE TABLE IF NOT EXISTS transaction_members (
  hash TEXT NOT NULL,
  job_id TEXT NOT NULL,
  action TEXT NOT NULL,
  PRIMARY KEY (hash, job_id, action)
);
CREATE INDEX IF NOT EXISTS transaction_members_by_intent ON transaction_members (job_id, action);
CREATE TABLE IF NOT EXISTS votes (
  job_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  seat_index INTEGER NOT NULL,
  result_hash TEXT NOT NULL,
  salt TEXT NOT NULL,
  commitment TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (job_id, round)
);
CREATE TABLE IF NOT EXISTS challenges (
  job_id TEXT PRIMARY KEY,
  challenger_hash TEXT NOT NULL,
  salt TEXT NOT NULL,
  commitment TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`;

/** Schema changes, in order; `PRAGMA user_version` is the number applied. Append only. */
const MIGRATIONS: { why: string; sql: string }[] = [
  {
    why: "the block a transaction was mined in (reorgs tell which they removed)",
    sql: "ALTER TABLE transactions ADD COLUMN block_number TEXT; ALTER TABLE transactions ADD COLUMN block_hash TEXT;",
  },
  {
    why: "indexes for the reconcile (open transactions, nonces) and for pruning (finished intents by age)",
    sql: `CREATE INDEX IF NOT EXISTS transactions_by_status ON transactions (status, nonce);
          CREATE INDEX IF NOT EXISTS transactions_by_nonce ON transactions (nonce);
          CREATE INDEX IF NOT EXISTS transactions_by_age ON transactions (created_at);
          CREATE INDEX IF NOT EXISTS intents_by_status ON intents (status, updated_at);`,
  },
  {
    why: "every query on an index: mined transactions by block (reorgs), secrets by age (pruning)",
    sql: `CREATE INDEX IF NOT EXISTS transactions_by_block ON transactions (status, block_number);
          CREATE INDEX IF NOT EXISTS votes_by_age ON votes (created_at);
          CREATE INDEX IF NOT EXISTS challenges_by_age ON challenges (created_at);`,
  },
];
/**
 * Every statement the journal runs. Each one reads or writes through an index (primary key or
 * one of the migrations'), so a tick costs the same with a day of history as with none;
 * `journal.test.ts` checks every plan with `EXPLAIN QUERY PLAN`. The two exceptions are the
 * dumps for tests and tools (`intentsAll`, `txAll`), which the daemon never runs.
 */
export const JOURNAL_QUERIES = {
  metaGet: "SELECT value FROM meta WHERE key = ?",
  metaSet: "INSERT INTO meta (key, value) VALUES (?, ?)",
  cursorGet: "SELECT number, hash FROM cursor WHERE id = 1",
  cursorSet:
    "INSERT INTO cursor (id, number, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET number = excluded.number, hash = excluded.hash",
  intentGet: "SELECT * FROM intents WHERE job_id = ? AND action = ?",
  intentInsert:
    "INSERT OR IGNORE INTO intents (job_id, action, status, attempts, created_at, updated_at) VALUES (?, ?, 'pending', 0, ?, ?)",
  intentAttempt: "UPDATE intents SET attempts = attempts + 1, updated_at = ? WHERE job_id = ? AND action = ?",
  intentError: "UPDATE intents SET error = ?, updated_at = ? WHERE job_id = ? AND action = ?",
  intentSent: "UPDATE intents SET status = 'sent', tx_hash = ?, updated_at = ? WHERE job_id = ? AND action = ?",
  intentFinish: "UPDATE intents SET status = ?, tx_hash = COALESCE(?, tx_hash), error = ?, updated_at = ? WHERE job_id = ? AND action = ?",
  intentReopen: "UPDATE intents SET status = 'sent', tx_hash = ?, error = NULL, updated_at = ? WHERE job_id = ? AND action = ?",
  intentsOpen: "SELECT * FROM intents WHERE status IN ('pending', 'sent') ORDER BY created_at, rowid",
  intentsAll: "SELECT * FROM intents ORDER BY created_at, rowid",
  txInsert: "INSERT INTO transactions (hash, job_id, action, nonce, raw, status, created_at) VALUES (?, ?, ?, ?, ?, 'signed', ?)",
  txGet: "SELECT * FROM transactions WHERE hash = ?",
  txStatus: "UPDATE transactions SET status = ?, block_number = NULL, block_hash = NULL WHERE hash = ?",
  txRevive:
    "UPDATE transactions SET status = 'signed', job_id = ?, action = ?, block_number = NULL, block_hash = NULL WHERE hash = ? AND status = 'dropped'",
  txMined: "UPDATE transactions SET status = 'mined', block_number = ?, block_hash = ? WHERE hash = ?",
  txMinedAbove: "SELECT * FROM transactions WHERE status = 'mined' AND block_number > ? ORDER BY nonce",
  txMinedBlocks:
    "SELECT DISTINCT block_number, block_hash FROM transactions WHERE status = 'mined' AND block_number IS NOT NULL ORDER BY block_number DESC",
  txMinedBlockBelow:
    "SELECT block_number, block_hash FROM transactions WHERE status = 'mined' AND block_number < ? ORDER BY block_number DESC LIMIT 1",
  txAll: "SELECT * FROM transactions ORDER BY nonce, created_at, rowid",
  txOpen: "SELECT * FROM transactions WHERE status = 'signed' AND nonce >= ? ORDER BY nonce, created_at, rowid",
  txsAtNonce: "SELECT * FROM transactions WHERE nonce = ? ORDER BY created_at, rowid",
  txsOfIntent: `SELECT * FROM transactions WHERE (job_id = ? AND action = ?)
       OR hash IN (SELECT hash FROM transaction_members WHERE job_id = ? AND action = ?)
     ORDER BY nonce, created_at, rowid`,
  // Batched transactions: one row per member intent.
  memberInsert: "INSERT OR IGNORE INTO transaction_members (hash, job_id, action) VALUES (?, ?, ?)",
  membersOf: "SELECT job_id, action FROM transaction_members WHERE hash = ? ORDER BY rowid",
  voteInsert:
    "INSERT OR IGNORE INTO votes (job_id, round, seat_index, result_hash, salt, commitment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  voteGet: "SELECT * FROM votes WHERE job_id = ? AND round = ?",
  challengeInsert: "INSERT OR IGNORE INTO challenges (job_id, challenger_hash, salt, commitment, created_at) VALUES (?, ?, ?, ?, ?)",
  challengeGet: "SELECT * FROM challenges WHERE job_id = ?",
  // Pruning.
  intentsFinishedBefore: "SELECT job_id, action FROM intents WHERE status IN ('confirmed', 'reverted', 'failed') AND updated_at < ?",
  intentDelete: "DELETE FROM intents WHERE job_id = ? AND action = ?",
  txsFinishedBefore: "SELECT hash, job_id, action FROM transactions WHERE created_at < ? AND status != 'signed'",
  txOwnIntent: "SELECT 1 FROM intents WHERE job_id = ? AND action = ?",
  txMemberIntent:
    "SELECT 1 FROM transaction_members m JOIN intents i ON i.job_id = m.job_id AND i.action = m.action WHERE m.hash = ? LIMIT 1",
  txDelete: "DELETE FROM transactions WHERE hash = ?",
  membersDelete: "DELETE FROM transaction_members WHERE hash = ?",
  votesBefore: "SELECT job_id FROM votes WHERE created_at < ?",
  votesDelete: "DELETE FROM votes WHERE job_id = ? AND created_at < ?",
  challengesBefore: "SELECT job_id FROM challenges WHERE created_at < ?",
  challengeDelete: "DELETE FROM challenges WHERE job_id = ?",
} as const;

/** The version this code writes. */
export const JOURNAL_VERSION = MIGRATIONS.length;

type IntentRow = { job_id: string; action: string; status: string; tx_hash: string | null; attempts: number; error: string | null };
type TxRow = {
  hash: string;
  job_id: string;
  action: string;
  nonce: number;
  raw: string;
  status: string;
  block_number: string | null;
  block_hash: string | null;
};

const toIntent = (r: IntentRow): Intent => ({
  jobId: BigInt(r.job_id),
  action: r.action,
  status: r.status as IntentStatus,
  txHash: (r.tx_hash ?? undefined) as Hex | undefined,
  attempts: r.attempts,
  error: r.error ?? undefined,
});

const toTx = (r: TxRow): JournaledTransaction => ({
  hash: r.hash as Hex,
  jobId: BigInt(r.job_id),
  action: r.action,
  nonce: r.nonce,
  raw: r.raw as Hex,
  status: r.status as JournaledTransaction["status"],
  minedIn: r.block_number === null ? undefined : { number: BigInt(r.block_number), hash: r.block_hash as Hex },
});

/**
 * `node:sqlite`, loaded when a journal is opened rather than on import: the rest of the SDK (the
 * client, the CLI's other commands) also runs on Node 20, which has no `node:sqlite`.
 */
function loadSqlite(): typeof import("node:sqlite") {
  try {
    return createRequire(import.meta.url)("node:sqlite") as typeof import("node:sqlite");
  } catch (cause) {
    throw new HashworkError(`The daemon's journal needs node:sqlite (Node 22.13 or newer); this is Node ${process.version}`, { cause });
  }
}

/** The journal was written by a newer daemon than this one. */
export class JournalVersionError extends HashworkError {
  override name = "JournalVersionError";
  constructor(found: number) {
    super(`The journal is at version ${found}, newer than this daemon's ${JOURNAL_VERSION}; upgrade the daemon or use another data dir`);
  }
}

/**
 * Brings the journal to `JOURNAL_VERSION`, each step in its own SQLite transaction with the
 * version it reaches. A journal from before versioning (version 0 with tables) is placed by its
 * layout once: the block columns mean the first migration is already in.
 */
function migrate(db: DatabaseSync) {
  let version = (db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version;
  if (version > JOURNAL_VERSION) throw new JournalVersionError(version);
  if (version === 0) {
    const columns = new Set((db.prepare("PRAGMA table_info(transactions)").all() as { name: string }[]).map((c) => c.name));
    if (columns.has("block_number")) version = 1;
  }
  db.exec(BASE_SCHEMA);
  for (let next = version; next < JOURNAL_VERSION; next++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(MIGRATIONS[next]!.sql);
      db.exec(`PRAGMA user_version = ${next + 1}`);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
  if (version === JOURNAL_VERSION) db.exec(`PRAGMA user_version = ${JOURNAL_VERSION}`);
}

/** Block numbers are stored as text (bigint); this pads them so SQL compares them as numbers. */
const blockKey = (n: bigint) => n.toString().padStart(20, "0");

/**
 * The daemon's durable memory, `<dataDir>/daemon.sqlite` (`node:sqlite`, WAL, synchronous
 * writes): the block cursor and the intent journal. A transaction is journaled — signed bytes
 * included — before it is broadcast, so after a crash the daemon waits for that same transaction
 * instead of sending a second one (or, if the node never got it, decides the intent again).
 *
 * @example
 * const journal = openJournal({ dataDir: config.dataDir })
 * const intent = journal.beginIntent(jobId, "claim")
 */
export function openJournal({
  dataDir,
  now = () => Date.now(),
  commitDelayMs = 0,
}: {
  dataDir: string;
  now?: () => number;
  /**
   * 0 (the default): every write commits at once. Above 0 (the daemon: one poll interval),
   * writes are batched into one SQLite transaction committed at most this long after the first
   * (one fsync per tick instead of one per write), except a signed transaction and a vote or
   * challenge secret, which commit at once with everything before them: those must be on disk
   * before anything is broadcast. A crash loses at most one tick of bookkeeping, which the
   * start-up reconcile redoes from the node (an intent's receipt is read again, a step not yet
   * signed is decided again).
   */
  commitDelayMs?: number;
}): Journal {
  mkdirSync(dataDir, { recursive: true });
  const db = new (loadSqlite().DatabaseSync)(join(dataDir, "daemon.sqlite"));
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
  migrate(db);

  const q = Object.fromEntries(Object.entries(JOURNAL_QUERIES).map(([name, sql]) => [name, db.prepare(sql)])) as Record<
    keyof typeof JOURNAL_QUERIES,
    StatementSync
  >;

  // Intents are read by the roles on every tick (a job's steps and tries): they are held in
  // memory, the table being their write-ahead log. Every write drops the entry; the next read
  // reloads it (absent intents are remembered too).
  const intentCache = new Map<string, Intent | undefined>();
  const forget = (jobId: bigint, action: string) => intentCache.delete(`${jobId}:${action}`);

  // Batched commits (`commitDelayMs` > 0): the first write opens a SQLite transaction and
  // schedules its commit; `flush` commits earlier.
  let batchOpen = false;
  let commitTimer: ReturnType<typeof setTimeout> | undefined;
  function flush() {
    if (commitTimer) clearTimeout(commitTimer);
    commitTimer = undefined;
    if (!batchOpen) return;
    batchOpen = false;
    try {
      db.exec("COMMIT");
    } catch (error) {
      if (db.isTransaction) db.exec("ROLLBACK");
      intentCache.clear();
      throw error;
    }
  }
  function openBatch() {
    if (commitDelayMs === 0 || batchOpen || depth > 0) return;
    db.exec("BEGIN IMMEDIATE");
    batchOpen = true;
    commitTimer = setTimeout(flush, commitDelayMs);
    commitTimer.unref();
  }
  /** Runs a write: at once (auto-commit), or inside the open batch. */
  function write<T>(fn: () => T): T {
    openBatch();
    return fn();
  }
  /** A write that must be on disk before the caller goes on (what is broadcast next depends on it). */
  function durable<T>(fn: () => T): T {
    const result = atomically(fn);
    flush();
    return result;
  }

  let depth = 0;
  function atomically<T>(fn: () => T): T {
    if (depth > 0) return fn();
    openBatch();
    // Inside an open batch, a savepoint: all or nothing without committing the batch.
    const nested = batchOpen;
    db.exec(nested ? "SAVEPOINT atomically" : "BEGIN IMMEDIATE");
    depth++;
    try {
      const result = fn();
      db.exec(nested ? "RELEASE atomically" : "COMMIT");
      return result;
    } catch (error) {
      db.exec(nested ? "ROLLBACK TO atomically; RELEASE atomically" : "ROLLBACK");
      intentCache.clear(); // entries read inside the rolled-back transaction may be gone
      throw error;
    } finally {
      depth--;
    }
  }

  const journal: Journal = {
    bind(identity) {
      for (const [key, value] of Object.entries(identity)) {
        const actual = String(value).toLowerCase();
        const stored = q.metaGet.get(key) as { value: string } | undefined;
        if (!stored) q.metaSet.run(key, actual);
        else if (stored.value !== actual) throw new JournalMismatchError(key, stored.value, actual);
      }
    },
    getCursor() {
      const row = q.cursorGet.get() as { number: string; hash: string } | undefined;
      return row ? { number: BigInt(row.number), hash: row.hash as Hex } : undefined;
    },
    setCursor(cursor) {
      write(() => q.cursorSet.run(cursor.number.toString(), cursor.hash));
    },
    getIntent(jobId, action) {
      const key = `${jobId}:${action}`;
      if (intentCache.has(key)) {
        const cached = intentCache.get(key);
        return cached && { ...cached };
      }
      const row = q.intentGet.get(jobId.toString(), action) as IntentRow | undefined;
      const intent = row ? toIntent(row) : undefined;
      intentCache.set(key, intent);
      return intent && { ...intent };
    },
    beginIntent(jobId, action) {
      const t = now();
      write(() => q.intentInsert.run(jobId.toString(), action, t, t));
      forget(jobId, action);
      return journal.getIntent(jobId, action)!;
    },
    recordAttempt(jobId, action) {
      write(() => q.intentAttempt.run(now(), jobId.toString(), action));
      forget(jobId, action);
    },
    recordError(jobId, action, error) {
      write(() => q.intentError.run(error, now(), jobId.toString(), action));
      forget(jobId, action);
    },
    recordTransaction(tx) {
      const t = now();
      let revived = false;
      durable(() => {
        // Signing the same request again at a nonce a reorg freed can give the very bytes that
        // were abandoned: that is the same transaction out again, not a second one. It now
        // carries out the intents that signed it this time (a retry may be named `claim:2`, a
        // fill `fill-nonce:<n>:<k>`): the old intents were finished when it was dropped.
        revived = Number(q.txRevive.run(tx.jobId.toString(), tx.action, tx.hash).changes) > 0;
        if (revived) q.membersDelete.run(tx.hash);
        else q.txInsert.run(tx.hash, tx.jobId.toString(), tx.action, tx.nonce, tx.raw, t);
        q.intentSent.run(tx.hash, t, tx.jobId.toString(), tx.action);
        forget(tx.jobId, tx.action);
        for (const m of tx.members ?? []) {
          q.memberInsert.run(tx.hash, m.jobId.toString(), m.action);
          q.intentSent.run(tx.hash, t, m.jobId.toString(), m.action);
          forget(m.jobId, m.action);
        }
      });
      return revived ? "revived" : "new";
    },
    atomically,
    setTransactionStatus(hash, status) {
      write(() => q.txStatus.run(status, hash));
    },
    recordMined(hash, block) {
      write(() => q.txMined.run(blockKey(block.number), block.hash, hash));
    },
    minedAbove: (number) => (q.txMinedAbove.all(blockKey(number)) as TxRow[]).map(toTx),
    minedBlocks: () =>
      (q.txMinedBlocks.all() as { block_number: string; block_hash: string }[]).map((r) => ({
        number: BigInt(r.block_number),
        hash: r.block_hash as Hex,
      })),
    minedBlockBelow(number) {
      const row = q.txMinedBlockBelow.get(blockKey(number)) as { block_number: string; block_hash: string } | undefined;
      return row && { number: BigInt(row.block_number), hash: row.block_hash as Hex };
    },
    openTransactions: (fromNonce = 0) => (q.txOpen.all(fromNonce) as TxRow[]).map(toTx),
    liveTransactions(jobId, action) {
      const id = jobId.toString();
      return (q.txsOfIntent.all(id, action, id, action) as TxRow[]).filter((r) => r.status !== "dropped").map(toTx);
    },
    reconcile({ ancestor, known = new Set(), forgotten = new Set() }) {
      const t = now();
      const out: ReorgedIntent[] = [];
      atomically(() => {
        const touched: { tx: JournaledTransaction; kept: boolean }[] = [];
        for (const tx of ancestor === undefined ? [] : journal.minedAbove(ancestor)) {
          const kept = known.has(tx.hash);
          q.txStatus.run(kept ? "signed" : "dropped", tx.hash);
          touched.push({ tx, kept });
        }
        for (const hash of forgotten) {
          const row = q.txGet.get(hash) as TxRow | undefined;
          if (!row || row.status !== "signed") continue;
          q.txStatus.run("dropped", hash);
          touched.push({ tx: toTx(row), kept: false });
        }
        const decided = new Set<string>();
        for (const { tx, kept } of touched) {
          // A batched transaction carries out several intents: every member is reopened or
          // abandoned with it, not only the one named in the transaction's own row.
          for (const m of journal.transactionMembers(tx.hash)) {
            const id = m.jobId.toString();
            const key = `${id}:${m.action}`;
            if (decided.has(key)) continue;
            decided.add(key);
            // A fee bump of the same intent may still be live although this one is gone.
            const live = (q.txsOfIntent.all(id, m.action, id, m.action) as TxRow[]).find((r) => r.status !== "dropped");
            forget(m.jobId, m.action);
            if (kept || live) {
              q.intentReopen.run(live?.hash ?? tx.hash, t, id, m.action);
              out.push({ jobId: m.jobId, action: m.action, txHash: tx.hash, fate: "kept" });
            } else {
              const why =
                ancestor !== undefined && tx.status === "mined" ? "removed by a chain reorganisation" : "no longer known to the node";
              q.intentFinish.run("failed", null, `transaction ${tx.hash} ${why}`, t, id, m.action);
              out.push({ jobId: m.jobId, action: m.action, txHash: tx.hash, fate: "abandoned" });
            }
          }
        }
      });
      return out;
    },
    finishIntent(jobId, action, status, detail = {}) {
      write(() => q.intentFinish.run(status, detail.txHash ?? null, detail.error ?? null, now(), jobId.toString(), action));
      forget(jobId, action);
    },
    openIntents: () => (q.intentsOpen.all() as IntentRow[]).map(toIntent),
    intents: () => (q.intentsAll.all() as IntentRow[]).map(toIntent),
    transactions(filter = {}) {
      // By intent (a batched transaction also belongs to each of its members) or by nonce, on indexes.
      let rows: TxRow[];
      if (filter.jobId !== undefined && filter.action !== undefined) {
        const id = filter.jobId.toString();
        rows = q.txsOfIntent.all(id, filter.action, id, filter.action) as TxRow[];
      } else if (filter.nonce !== undefined) rows = q.txsAtNonce.all(filter.nonce) as TxRow[];
      else rows = q.txAll.all() as TxRow[];
      return rows
        .map(toTx)
        .filter(
          (t) =>
            (filter.nonce === undefined || t.nonce === filter.nonce) &&
            (filter.action !== undefined || filter.jobId === undefined || t.jobId === filter.jobId),
        );
    },
    transactionMembers(hash) {
      const rows = q.membersOf.all(hash) as { job_id: string; action: string }[];
      if (rows.length > 0) return rows.map((r) => ({ jobId: BigInt(r.job_id), action: r.action }));
      const own = q.txGet.get(hash) as TxRow | undefined;
      return own ? [{ jobId: BigInt(own.job_id), action: own.action }] : [];
    },
    saveVote(vote) {
      durable(() =>
        q.voteInsert.run(vote.jobId.toString(), vote.round, vote.seatIndex, vote.resultHash, vote.salt, vote.commitment, now()),
      );
      return journal.getVote(vote.jobId, vote.round)!;
    },
    getVote(jobId, round) {
      const row = q.voteGet.get(jobId.toString(), round) as
        | { job_id: string; round: number; seat_index: number; result_hash: string; salt: string; commitment: string }
        | undefined;
      if (!row) return undefined;
      return {
        jobId: BigInt(row.job_id),
        round: row.round,
        seatIndex: row.seat_index,
        resultHash: row.result_hash as Hex,
        salt: row.salt as Hex,
        commitment: row.commitment as Hex,
      };
    },
    saveChallenge(c) {
      durable(() => q.challengeInsert.run(c.jobId.toString(), c.challengerHash, c.salt, c.commitment, now()));
      return journal.getChallenge(c.jobId)!;
    },
    getChallenge(jobId) {
      const row = q.challengeGet.get(jobId.toString()) as
        | { job_id: string; challenger_hash: string; salt: string; commitment: string }
        | undefined;
      if (!row) return undefined;
      return {
        jobId: BigInt(row.job_id),
        challengerHash: row.challenger_hash as Hex,
        salt: row.salt as Hex,
        commitment: row.commitment as Hex,
      };
    },
    prune({ olderThan, keepJobs = new Set() }) {
      const kept = (jobId: string) => keepJobs.has(BigInt(jobId));
      const deleted = { intents: 0, transactions: 0, secrets: 0 };
      atomically(() => {
        for (const r of q.intentsFinishedBefore.all(olderThan) as { job_id: string; action: string }[]) {
          if (!kept(r.job_id)) deleted.intents += Number(q.intentDelete.run(r.job_id, r.action).changes);
        }
        for (const r of q.txsFinishedBefore.all(olderThan) as { hash: string; job_id: string; action: string }[]) {
          if (kept(r.job_id) || q.txOwnIntent.get(r.job_id, r.action) || q.txMemberIntent.get(r.hash)) continue;
          q.membersDelete.run(r.hash);
          deleted.transactions += Number(q.txDelete.run(r.hash).changes);
        }
        for (const r of q.votesBefore.all(olderThan) as { job_id: string }[]) {
          // A job with several rounds is listed once per round: the first delete takes them all.
          if (!kept(r.job_id)) deleted.secrets += Number(q.votesDelete.run(r.job_id, olderThan).changes);
        }
        for (const r of q.challengesBefore.all(olderThan) as { job_id: string }[]) {
          if (!kept(r.job_id)) deleted.secrets += Number(q.challengeDelete.run(r.job_id).changes);
        }
        intentCache.clear();
      });
      return deleted;
    },
    flush,
    close() {
      flush();
      db.close();
    },
  };
  return journal;
}
