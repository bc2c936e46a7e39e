// The dispute path end to end with real processes: one `hardhat node`, the system deployed, a
// provider daemon with `corruptResults` on, a watcher daemon (also the keeper) that re-executes
// every result, and three verifier daemons. Two verifiers were bonded in the verifier pool by the
// test (`bondVerifier`); the third bonds itself at start (`verifier.bond`). A job is posted; the
// watcher commits to a challenge of the corrupt result and is killed -9 before it can reveal
// (the chain mines only on transactions then, so no later block exists); restarted on the same
// data dir it reveals with the salt from its journal. The keeper draws a committee from the pool
// (stake-weighted, with replacement: a verifier drawn twice holds one seat entry with two votes),
// the verifier daemons commit and reveal (the first to commit is killed -9 and restarted: it
// reveals with the salt from its journal), the keeper resolves, and the provider is slashed.
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

import { expect } from "chai";
import { getAddress, type Address, type Hex } from "viem";

import { DISPUTE_PARAMETERS } from "../../../ignition/parameters/defaults.ts";
import { PayoutRole } from "../abi/enums.ts";
import { verifierPoolAbi } from "../abi/verifier-pool.ts";
import { getProvider } from "../actions/auditor/get-provider.ts";
import { getVerifier } from "../actions/auditor/get-verifier.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import { uploadJobContent } from "../actions/requester/upload-job-content.ts";
import { computeChallengeCommitment, computeVoteCommitment } from "../actions/shared/disputes.ts";
import { createExecutor } from "../executor/executor.ts";
import { encodeMonteCarloInput } from "../programs/montecarlo.ts";
import { loadSampleProgram } from "../programs/sample-programs.ts";
import { createLocalStore } from "../store/local.ts";
import { readJobState } from "../utils/results.ts";
import {
  TEST_VERIFIER_BOND,
  disputeEvents,
  hdAccount,
  ledgerOf,
  logRecords,
  marketEvents,
  readJournal,
  startDaemonProcess,
  txCountOf,
  waitFor,
  type ChildHandle,
} from "../../../testkit/local-cluster.ts";
import { committeeConfigs, useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";

const TOKEN = 10n ** 18n;
const REQUESTER = 1;
const PROVIDER = 2;
const WATCHER = 3;
/** Bonded in the pool by the test. */
const BONDED = [4, 5];
/** Bonds itself at start (`verifier.bond`). */
const SELF_BONDING = 6;
const VERIFIERS = [...BONDED, SELF_BONDING];
const REWARD = 10n * TOKEN;
const COLLATERAL = REWARD; // collateralPct 100
const FEE = DISPUTE_PARAMETERS.verifierFee;

const address = (index: number): Address => getAddress(hdAccount(index).address);
const has = (d: ChildHandle, msg: string) => logRecords(d).some((r) => r.msg === msg);

describe("daemon dispute path end to end (hardhat node + five daemon child processes)", function () {
  this.timeout(150_000);
  // No audit lottery here: the one job must reach its dispute through the watcher's challenge.
  const t = useDaemonTestbed("dispute", [PROVIDER], { verifiers: BONDED, auditLottery: false });

  /** What the run left behind, for the assertions below. */
  const run = {} as {
    jobId: bigint;
    honest: Hex;
    providerHash: Hex;
    disputeEvents: Awaited<ReturnType<typeof disputeEvents>>;
    marketEvents: Awaited<ReturnType<typeof marketEvents>>;
    watcher: ChildHandle;
    watcherRestarted: ChildHandle;
    verifiers: ChildHandle[];
    verifierRestarted: ChildHandle;
    firstCommit: number;
    provider: ChildHandle;
    txs: Map<number, number>;
    requesterLedger: bigint;
    providerBefore: Awaited<ReturnType<typeof getProvider>>;
    providerAfter: Awaited<ReturnType<typeof getProvider>>;
  };

  before(async function () {
    const { system } = t;
    try {
      // Blocks only on transactions until the watcher has committed (see below).
      await system.publicClient.request({ method: "evm_setIntervalMining" as never, params: [0] as never });
      const configs = await committeeConfigs(t, { provider: PROVIDER, watcher: WATCHER, verifiers: VERIFIERS }, (v) =>
        v === SELF_BONDING ? { verifier: { bond: TEST_VERIFIER_BOND.toString() } } : {},
      );
      run.verifiers = configs.verifiers.map((f) => startDaemonProcess(f));
      run.watcher = startDaemonProcess(configs.watcher);
      run.provider = startDaemonProcess(configs.provider);
      t.daemons.push(...run.verifiers, run.watcher, run.provider);
      const selfBonding = run.verifiers[VERIFIERS.indexOf(SELF_BONDING)]!;
      await waitFor(
        "the self-bonding verifier's pool bond",
        () => (has(selfBonding, "bonded in the verifier pool") ? true : undefined),
        40_000,
      );
      run.txs = new Map();
      for (const i of [WATCHER, ...VERIFIERS]) run.txs.set(i, await txCountOf(system, i));

      // The honest result, computed here independently of every daemon.
      const { wasm } = await loadSampleProgram("montecarlo");
      const input = encodeMonteCarloInput({ seed: 7n, samples: 2_000n });
      const executor = createExecutor({ threads: 1 });
      run.honest = (await executor.run({ wasm, input, fuelLimit: 100_000_000n }).finally(() => executor.close())).resultHash;

      const requester = system.clientFor(REQUESTER);
      const content = await uploadJobContent(requester, {
        store: createLocalStore({ dir: join(t.dir, "requester") }),
        program: wasm,
        input,
      });
      run.requesterLedger = await ledgerOf(system, address(REQUESTER));
      run.providerBefore = await getProvider(requester, { provider: address(PROVIDER), includeProfile: false });
      const { jobIds } = await postJobs(requester, {
        jobs: [
          {
            programHash: content.programHash,
            inputHash: content.inputHash,
            programURI: t.server.uriFor(content.programHash),
            inputURI: t.server.uriFor(content.inputHash),
            fuelLimit: 100_000_000n,
            reward: REWARD,
            collateralPct: 100,
            executionTime: 120,
            challengeWindow: 30,
          },
        ],
      });
      run.jobId = jobIds[0]!;

      // The watcher commits; no block follows (nothing else sends a transaction), so it cannot
      // reveal yet. Kill -9, restart on the same data dir, then let blocks come again.
      await waitFor("the watcher's challenge commitment", () => (has(run.watcher, "challenge committed") ? true : undefined), 40_000, 10);
      run.watcher.kill("SIGKILL");
      await run.watcher.exited;
      run.watcherRestarted = startDaemonProcess(configs.watcher);
      t.daemons.push(run.watcherRestarted);
      await waitFor("the restarted watcher", () => (has(run.watcherRestarted, "daemon starting") ? true : undefined), 30_000);
      await system.publicClient.request({ method: "evm_setIntervalMining" as never, params: [1000] as never });

      // Kill -9 the first verifier that commits, before it can reveal; restart it on the same data dir.
      run.firstCommit = await waitFor(
        "a first committed vote",
        () => {
          const i = run.verifiers.findIndex((v) => has(v, "vote committed"));
          return i >= 0 ? i : undefined;
        },
        40_000,
        10,
      );
      run.verifiers[run.firstCommit]!.kill("SIGKILL");
      await run.verifiers[run.firstCommit]!.exited;
      run.verifierRestarted = startDaemonProcess(configs.verifiers[run.firstCommit]!);
      t.daemons.push(run.verifierRestarted);

      await waitFor(
        "the job overturned",
        async () => ((await readJobState(requester, run.jobId)) === "Overturned" ? true : undefined),
        60_000,
        200,
      );

      run.marketEvents = await marketEvents(system);
      run.disputeEvents = await disputeEvents(system);
      run.providerHash = (run.marketEvents.find((l) => l.eventName === "ResultSubmitted")!.args as { resultHash: Hex }).resultHash;
      run.providerAfter = await getProvider(requester, { provider: address(PROVIDER), includeProfile: false });
    } catch (error) {
      for (const d of t.daemons) console.error(`--- daemon output\n${d.lines.slice(-200).join("\n")}\n${d.stderr().slice(-3000)}`);
      throw error;
    }
  });

  const events = (name: string) => run.disputeEvents.filter((l) => l.eventName === name);
  const drawn = () => {
    const a = events("CommitteeDrawn")[0]!.args as { verifiers: readonly Address[]; votes: readonly number[] };
    return a.verifiers.map((v, i) => ({ verifier: getAddress(v), votes: Number(a.votes[i]) }));
  };

  it("the provider committed a wrong result, which the watcher challenged with the honest hash", function () {
    expect(run.marketEvents.filter((l) => l.eventName === "ResultSubmitted")).to.have.length(1);
    expect(run.providerHash).to.not.equal(run.honest);
    expect(has(run.provider, "corruptResults is on: committing a wrong result")).to.equal(true);
    const opened = events("DisputeOpened");
    expect(opened).to.have.length(1);
    expect(opened[0]!.args).to.include({
      jobId: run.jobId,
      challenger: address(WATCHER),
      providerHash: run.providerHash,
      challengerHash: run.honest,
    });
  });

  it("the watcher committed once, was killed before the reveal, and revealed after its restart with the salt from its journal", function () {
    const committed = events("ChallengeCommitted");
    expect(committed).to.have.length(1);
    const { commitment, challenger } = committed[0]!.args as { commitment: Hex; challenger: Address };
    expect(challenger).to.equal(address(WATCHER));
    const db = new DatabaseSync(join(t.dir, "watcher", "data", "daemon.sqlite"), { readOnly: true });
    const saved = db.prepare("SELECT challenger_hash, salt, commitment FROM challenges").all() as {
      challenger_hash: Hex;
      salt: Hex;
      commitment: Hex;
    }[];
    db.close();
    expect(saved).to.have.length(1);
    expect(saved[0]!.commitment).to.equal(commitment);
    expect(saved[0]!.challenger_hash).to.equal(run.honest);
    expect(
      computeChallengeCommitment({ jobId: run.jobId, challengerHash: run.honest, challenger: address(WATCHER), salt: saved[0]!.salt }),
    ).to.equal(commitment);
    expect(has(run.watcher, "challenged")).to.equal(false);
    expect(has(run.watcherRestarted, "challenged")).to.equal(true);
    expect(has(run.watcherRestarted, "challenge committed")).to.equal(false);
    const intents = readJournal(join(t.dir, "watcher", "data")).intents.filter((i) => i.action.startsWith("challenge"));
    expect(intents.map((i) => [i.action, i.status]).sort()).to.deep.equal([
      ["challenge", "confirmed"],
      ["challenge-approve", "confirmed"],
      ["challenge-commit", "confirmed"],
    ]);
  });

  it("the watcher (also the keeper) sent approve, commitChallenge, challenge, draw and resolve, each once", async function () {
    expect((await txCountOf(t.system, WATCHER)) - run.txs.get(WATCHER)!).to.equal(5);
  });

  it("the verifier configured with verifier.bond bonded itself in the pool at start, before the dispute's snapshot", async function () {
    const snapshotBlock = events("DisputeOpened")[0]!.blockNumber!;
    const weight = await t.system.publicClient.readContract({
      address: t.system.deployment.verifierPool!,
      abi: verifierPoolAbi,
      functionName: "weightAt",
      args: [address(SELF_BONDING), snapshotBlock],
    });
    expect(weight).to.equal(TEST_VERIFIER_BOND);
    const intents = readJournal(join(t.dir, `verifier${VERIFIERS.indexOf(SELF_BONDING)}`, "data")).intents.filter((i) =>
      i.action.startsWith("pool-"),
    );
    expect(intents.map((i) => [i.action, i.status]).sort()).to.deep.equal([
      [`pool-approve:${TEST_VERIFIER_BOND}:0`, "confirmed"],
      [`pool-bond:${TEST_VERIFIER_BOND}:0`, "confirmed"],
    ]);
  });

  it("one committee of three votes was drawn from the bonded verifiers, with replacement", function () {
    expect(events("CommitteeDrawn")).to.have.length(1);
    const seats = drawn();
    expect(seats.reduce((s, x) => s + x.votes, 0)).to.equal(3);
    expect(new Set(seats.map((s) => s.verifier)).size).to.equal(seats.length);
    for (const s of seats) expect(VERIFIERS.map(address)).to.include(s.verifier);
  });

  it("each seat entry committed and revealed the honest hash once, however many votes it held; verifiers not drawn sent nothing", async function () {
    const seats = drawn();
    expect(events("VoteCommitted")).to.have.length(seats.length);
    const reveals = events("VoteRevealed");
    expect(reveals.map((l) => (l.args as { resultHash: Hex }).resultHash)).to.deep.equal(seats.map(() => run.honest));
    for (const v of VERIFIERS) {
      const seated = seats.some((s) => s.verifier === address(v));
      expect((await txCountOf(t.system, v)) - run.txs.get(v)!, `verifier ${v} transactions`).to.equal(seated ? 2 : 0);
    }
  });

  it("the verifier killed between commit and reveal revealed after its restart with the salt from its journal", function () {
    expect(has(run.verifierRestarted, "vote revealed")).to.equal(true);
    expect(has(run.verifiers[run.firstCommit]!, "vote revealed")).to.equal(false);
    const db = new DatabaseSync(join(t.dir, `verifier${run.firstCommit}`, "data", "daemon.sqlite"), { readOnly: true });
    const vote = db.prepare("SELECT result_hash, salt, commitment FROM votes").get() as { result_hash: Hex; salt: Hex; commitment: Hex };
    db.close();
    expect(vote.result_hash).to.equal(run.honest);
    expect(
      computeVoteCommitment({ resultHash: vote.result_hash, salt: vote.salt, verifier: address(VERIFIERS[run.firstCommit]!) }),
    ).to.equal(vote.commitment);
  });

  it("the provider lost: collateral slashed, the requester refunded with its share, each verifier paid the fee per vote", async function () {
    const resolved = events("DisputeResolved");
    expect(resolved).to.have.length(1);
    expect(resolved[0]!.args).to.include({ providerRight: false, challengerRight: true, winningHash: run.honest, honestVerifiers: 3n });
    expect(run.providerAfter.reputation.disputesLost).to.equal(1);
    expect(run.providerBefore.staked - run.providerAfter.staked).to.equal(COLLATERAL);
    const afterFees = COLLATERAL - 3n * FEE;
    const toRequester = afterFees - (afterFees * BigInt(DISPUTE_PARAMETERS.challengerRewardBps)) / 10_000n;
    expect((await ledgerOf(t.system, address(REQUESTER))) - run.requesterLedger).to.equal(REWARD + toRequester);
    const paid = events("DisputePayout")
      .map((l) => l.args as { to: Address; role: number; amount: bigint })
      .filter((p) => p.role === PayoutRole.Verifier);
    expect(paid.map((p) => [getAddress(p.to), p.amount])).to.deep.equal(drawn().map((s) => [s.verifier, FEE * BigInt(s.votes)]));
    // Honest verifiers keep their whole bond.
    for (const s of drawn())
      expect((await getVerifier(t.system.clientFor(0), { verifier: s.verifier })).bonded).to.equal(TEST_VERIFIER_BOND);
  });
});
