// The dispute path end to end with real processes: one `hardhat node`, the system deployed, a
// provider daemon with `corruptResults` on, a watcher daemon (also the keeper) that re-executes
// every result, and three verifier daemons (one per staked verifier account). A job is posted;
// the corrupt result is challenged by the watcher, the committee is drawn by the keeper, the
// verifier daemons commit and reveal (one of them is killed -9 after committing and restarted:
// it reveals with the salt from its journal), the keeper resolves, and the provider is slashed.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

import { expect } from "chai";
import { getAddress, parseEventLogs, type Abi, type Address, type Hex } from "viem";

import { DISPUTE_PARAMETERS } from "../../../scripts/lib/defaults.ts";
import { hashworkDisputesAbi } from "../abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { getProvider } from "../actions/auditor/get-provider.ts";
import { registerProvider } from "../actions/provider/register-provider.ts";
import { stake } from "../actions/provider/stake.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import { uploadJobContent } from "../actions/requester/upload-job-content.ts";
import { computeVoteCommitment } from "../actions/shared/disputes.ts";
import { createExecutor } from "../executor/executor.ts";
import { encodeMonteCarloInput } from "../programs/montecarlo.ts";
import { loadSampleProgram } from "../programs/sample-programs.ts";
import { createLocalStore } from "../store/local.ts";
import { createContentServer, type ContentServer } from "../store/server.ts";
import { readJobState } from "../utils/results.ts";
import {
  deploySystem,
  freePort,
  hdAccount,
  logRecords,
  privateKeyOf,
  startDaemonProcess,
  startHardhatNode,
  waitFor,
  type ChildHandle,
  type HardhatNode,
  type System,
} from "./test-helpers.ts";

const TOKEN = 10n ** 18n;
const REQUESTER = 1;
const PROVIDER = 2;
const WATCHER = 3;
const VERIFIERS = [4, 5, 6];
const REWARD = 10n * TOKEN;
const COLLATERAL = REWARD; // collateralPct 100
const FEE = DISPUTE_PARAMETERS.verifierFee;

const address = (index: number): Address => getAddress(hdAccount(index).address);

describe("daemon dispute path end to end (hardhat node + five daemon child processes)", function () {
  this.timeout(120_000);
  let node: HardhatNode;
  let system: System;
  let dir: string;
  let requesterServer: ContentServer;
  const daemons: ChildHandle[] = [];

  before(async function () {
    node = await startHardhatNode();
    system = await deploySystem(node.url);
    await system.publicClient.request({ method: "evm_setIntervalMining" as never, params: [1000] as never });
    // No audit lottery here: the one job must reach its dispute through the watcher's challenge.
    const owner = system.clientFor(0);
    const hash = await owner.walletClient.writeContract({
      address: system.deployment.disputes!,
      abi: hashworkDisputesAbi as Abi,
      functionName: "setConfig",
      args: [{ ...DISPUTE_PARAMETERS, auditRateBps: 0 }],
      account: owner.walletClient.account!,
      chain: owner.walletClient.chain,
    } as never);
    await system.publicClient.waitForTransactionReceipt({ hash });
    // The draw picks a provider id uniformly and accepts it with probability min(free stake, weightCap) / weightCap:
    // verifiers staked at the cap are always accepted, so three eligible verifiers fill three seats.
    for (const index of [PROVIDER, ...VERIFIERS]) {
      const c = system.clientFor(index);
      await registerProvider(c, { endpoint: "http://127.0.0.1/", pricePerFuel: 1n, maxFuel: 10n ** 12n });
      await stake(c, { amount: DISPUTE_PARAMETERS.weightCap + 20n * TOKEN, payment: "permit" });
    }
    dir = await mkdtemp(join(tmpdir(), "hashwork-daemon-dispute-"));
    requesterServer = createContentServer({ store: createLocalStore({ dir: join(dir, "requester") }) });
    await requesterServer.start();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") {
      for (const d of daemons) console.error(`--- daemon output\n${d.lines.slice(-200).join("\n")}\n${d.stderr().slice(-3000)}`);
    }
  });

  after(async () => {
    for (const d of daemons.splice(0)) d.kill();
    await requesterServer?.close();
    node?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function writeConfig(name: string, account: number, overrides: Record<string, unknown>): Promise<string> {
    const keyFile = join(dir, `${name}.key`);
    await writeFile(keyFile, `${privateKeyOf(hdAccount(account))}\n`, { mode: 0o600 });
    const config = {
      rpcUrl: node.url,
      deployment: {
        market: system.deployment.market,
        token: system.deployment.token,
        disputes: system.deployment.disputes,
        fromBlock: system.deployment.fromBlock!.toString(),
      },
      key: { file: keyFile },
      dataDir: join(dir, name),
      confirmations: 0,
      pollIntervalMs: 200,
      http: { port: await freePort() },
      executor: { threads: 1 },
      tx: { receiptTimeoutMs: 10_000 },
      ...overrides,
    };
    const file = join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify(config, null, 2));
    return file;
  }

  const ledger = (who: Address) =>
    system.publicClient.readContract({ address: system.deployment.market, abi: hashworkMarketAbi, functionName: "balanceOf", args: [who] });

  it("a corrupt result is challenged by the watcher, voted down by the committee daemons, and the provider is slashed", async function () {
    const started = Date.now();
    const providerConfig = await writeConfig("provider", PROVIDER, { roles: { provider: true }, corruptResults: true });
    const watcherConfig = await writeConfig("watcher", WATCHER, {
      roles: { provider: false, watcher: true, keeper: true },
      watcher: { sampleRate: 1 },
    });
    const verifierConfigs = await Promise.all(
      VERIFIERS.map((v, i) => writeConfig(`verifier${i}`, v, { roles: { provider: false, verifier: true } })),
    );
    const txCount = (index: number) => system.publicClient.getTransactionCount({ address: address(index) });
    const txsBefore = new Map<number, number>();
    for (const i of [WATCHER, ...VERIFIERS]) txsBefore.set(i, await txCount(i));
    const provider = startDaemonProcess(providerConfig);
    const watcher = startDaemonProcess(watcherConfig);
    const verifiers = verifierConfigs.map((f) => startDaemonProcess(f));
    daemons.push(provider, watcher, ...verifiers);

    // The honest result, computed here independently of every daemon.
    const { wasm } = await loadSampleProgram("montecarlo");
    const input = encodeMonteCarloInput({ seed: 7n, samples: 2_000n });
    const executor = createExecutor({ threads: 1 });
    const honest = await executor.run({ wasm, input, fuelLimit: 100_000_000n }).finally(() => executor.close());

    const requester = system.clientFor(REQUESTER);
    const content = await uploadJobContent(requester, { store: createLocalStore({ dir: join(dir, "requester") }), program: wasm, input });
    const { jobIds } = await postJobs(requester, {
      jobs: [
        {
          programHash: content.programHash,
          inputHash: content.inputHash,
          programURI: requesterServer.uriFor(content.programHash),
          inputURI: requesterServer.uriFor(content.inputHash),
          fuelLimit: 100_000_000n,
          reward: REWARD,
          collateralPct: 100,
          executionTime: 120,
          challengeWindow: 30,
        },
      ],
    });
    const jobId = jobIds[0]!;
    const requesterLedgerBefore = await ledger(address(REQUESTER));
    const providerBefore = await getProvider(requester, { provider: address(PROVIDER), includeProfile: false });

    // Kill -9 the first verifier that commits, before it can reveal; restart it on the same data dir.
    const firstCommit = await waitFor(
      "a first committed vote",
      () => {
        const i = verifiers.findIndex((v) => logRecords(v).some((r) => r.msg === "vote committed"));
        return i >= 0 ? i : undefined;
      },
      40_000,
      10,
    );
    verifiers[firstCommit]!.kill("SIGKILL");
    await verifiers[firstCommit]!.exited;
    const restarted = startDaemonProcess(verifierConfigs[firstCommit]!);
    daemons.push(restarted);

    await waitFor("the job overturned", async () => ((await readJobState(requester, jobId)) === "Overturned" ? true : undefined), 45_000, 200);

    // The provider committed a wrong result; the watcher challenged it with the honest hash.
    const logs = await system.publicClient.getLogs({ fromBlock: system.deployment.fromBlock });
    const market = parseEventLogs({ abi: hashworkMarketAbi, logs });
    const disputes = parseEventLogs({ abi: hashworkDisputesAbi, logs: logs.filter((l) => getAddress(l.address) === system.deployment.disputes) });
    const submitted = market.filter((l) => l.eventName === "ResultSubmitted");
    expect(submitted).to.have.length(1);
    const providerHash = (submitted[0]!.args as { resultHash: Hex }).resultHash;
    expect(providerHash).to.not.equal(honest.resultHash);
    expect(logRecords(provider).some((r) => r.msg === "corruptResults is on: committing a wrong result")).to.equal(true);
    const opened = disputes.filter((l) => l.eventName === "DisputeOpened");
    expect(opened).to.have.length(1);
    expect(opened[0]!.args).to.include({ jobId, challenger: address(WATCHER), providerHash, challengerHash: honest.resultHash });

    // One committee of the three verifiers; each committed and revealed exactly once, for the honest hash.
    const drawn = disputes.filter((l) => l.eventName === "CommitteeDrawn");
    expect(drawn).to.have.length(1);
    const seated = [...(drawn[0]!.args as { verifiers: readonly Address[] }).verifiers].map((v) => getAddress(v)).sort();
    expect(seated).to.deep.equal(VERIFIERS.map(address).sort());
    expect(disputes.filter((l) => l.eventName === "VoteCommitted")).to.have.length(3);
    const reveals = disputes.filter((l) => l.eventName === "VoteRevealed");
    expect(reveals.map((l) => (l.args as { resultHash: Hex }).resultHash)).to.deep.equal([honest.resultHash, honest.resultHash, honest.resultHash]);
    const resolved = disputes.filter((l) => l.eventName === "DisputeResolved");
    expect(resolved).to.have.length(1);
    expect(resolved[0]!.args).to.include({ providerRight: false, challengerRight: true, winningHash: honest.resultHash });
    for (const v of VERIFIERS) {
      // commitVote + revealVote, nothing more — also for the verifier killed between the two.
      expect((await txCount(v)) - txsBefore.get(v)!, `verifier ${v} transactions`).to.equal(2);
    }
    // The restarted verifier revealed with the salt its journal kept from before the kill.
    expect(logRecords(restarted).some((r) => r.msg === "vote revealed")).to.equal(true);
    expect(logRecords(verifiers[firstCommit]!).some((r) => r.msg === "vote revealed")).to.equal(false);
    const db = new DatabaseSync(join(dir, `verifier${firstCommit}`, "daemon.sqlite"), { readOnly: true });
    const vote = db.prepare("SELECT result_hash, salt, commitment FROM votes").get() as { result_hash: Hex; salt: Hex; commitment: Hex };
    db.close();
    expect(vote.result_hash).to.equal(honest.resultHash);
    expect(computeVoteCommitment({ resultHash: vote.result_hash, salt: vote.salt, verifier: address(VERIFIERS[firstCommit]!) })).to.equal(vote.commitment);
    // The keeper (in the watcher daemon) drew and resolved: watcher sent approve, challenge, draw, resolve.
    expect((await txCount(WATCHER)) - txsBefore.get(WATCHER)!).to.equal(4);

    // The provider lost the dispute and its collateral; the requester got the reward back and its share.
    const providerAfter = await getProvider(requester, { provider: address(PROVIDER), includeProfile: false });
    expect(providerAfter.reputation.disputesLost).to.equal(providerBefore.reputation.disputesLost + 1);
    expect(providerAfter.reputation.disputesLost).to.equal(1);
    expect(providerBefore.staked - providerAfter.staked).to.equal(COLLATERAL);
    const afterFees = COLLATERAL - 3n * FEE;
    const toRequester = afterFees - (afterFees * BigInt(DISPUTE_PARAMETERS.challengerRewardBps)) / 10_000n;
    expect((await ledger(address(REQUESTER))) - requesterLedgerBefore).to.equal(REWARD + toRequester);
    expect(Date.now() - started, "took under a minute").to.be.below(60_000);
  });
});
