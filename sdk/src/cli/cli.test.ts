// The `hashwork` CLI end to end: every command run as a child process (through the npm bin
// shim) against a real `hardhat node` with the system deployed, provider daemons started with
// `hashwork provider start`, and `--json` output parsed. One node serves the whole describe.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { encryptKeystoreJsonSync } from "ethers";
import { getAddress, type Address, type Hex } from "viem";

import { DISPUTE_PARAMETERS, LOCAL_PARAMETERS, TOKEN_UNIT } from "../../../ignition/parameters/defaults.ts";
import { hashworkDisputesAbi } from "../abi/hashwork-disputes.ts";
import { commitChallenge } from "../actions/requester/commit-challenge.ts";
import { executeProgram } from "../executor/execute-program.ts";
import { decodeMonteCarloOutput, encodeMonteCarloInput } from "../programs/montecarlo.ts";
import { loadSampleProgram } from "../programs/sample-programs.ts";
import { hashContent } from "../store/hash.ts";
import {
  deploySystem,
  freePort,
  hdAccount,
  privateKeyOf,
  startHardhatNode,
  waitFor,
  writeDaemonConfig,
  type HardhatNode,
  type System,
} from "../../../testkit/local-cluster.ts";
import { decryptKeystore } from "./keys.ts";
import { jsonOf, REPO_ROOT, runCli, SHIM, cleanEnv, startCli, transcript, type CliProcess, type CliRun } from "../../../testkit/cli.ts";

const REQUESTER = 1; // HASHWORK_PRIVATE_KEY
const HONEST = 2; // --key-file with a hex key; runs an honest daemon
const CORRUPT = 3; // --key-file with a V3 keystore; runs a daemon that commits wrong results
const VERIFIER = 4; // --key-file with a hex key; bonds in the verifier pool

type Daemon = { pid: number; exited: Promise<number | null>; url: string; output: () => string };

/** `hashwork provider start --config FILE` through the shim, in its own process group. */
async function startDaemon(config: string): Promise<Daemon> {
  const child = spawn(process.execPath, [SHIM, "provider", "start", "--config", config], {
    cwd: REPO_ROOT,
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const { http } = JSON.parse(await readFile(config, "utf8")) as { http: { port: number } };
  const url = `http://127.0.0.1:${http.port}`;
  await waitFor("daemon /health", async () => ((await fetch(`${url}/health`).catch(() => undefined))?.ok ? true : undefined), 60_000, 200);
  return { pid: child.pid!, exited, url, output: () => output };
}

function killGroup(pid: number | undefined) {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function expectFailure(run: CliRun, code: number, pattern: RegExp) {
  expect(run.code, run.stderr).to.equal(code);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).to.have.length(1);
  expect(lines[0]).to.match(pattern);
}

describe("hashwork CLI end to end", function () {
  this.timeout(180_000);

  let node: HardhatNode;
  let system: System;
  let dir: string;
  // The requester's content, served by `hashwork content serve` (a child process).
  let content: CliProcess | undefined;
  let contentUrl: string;
  let rpc: string[];
  const daemons: Daemon[] = [];
  let wasm: Uint8Array;
  let keystorePassword: string;
  let keyArgs: Record<number, string[]>;
  let requesterEnv: NodeJS.ProcessEnv;
  const address = (index: number): Address => getAddress(hdAccount(index).address);

  before(async function () {
    node = await startHardhatNode();
    system = await deploySystem(node.url);
    // No random audits: the honest daemon's keeper would audit about one job in twenty (which one
    // depends on block hashes, so on timing), and the job and dispute counts below assume only
    // the challenges these tests make.
    const owner = system.clientFor(0).walletClient;
    await system.publicClient.waitForTransactionReceipt({
      hash: await owner.writeContract({
        address: system.deployment.disputes!,
        abi: hashworkDisputesAbi,
        functionName: "setConfig",
        args: [{ ...DISPUTE_PARAMETERS, auditRateBps: 0 }],
        account: owner.account!,
        chain: owner.chain,
      }),
    });
    // Blocks every second, as on a real chain: deadlines and challenge windows move on.
    await system.publicClient.request({ method: "evm_setIntervalMining" as never, params: [1000] as never });
    dir = await mkdtemp(join(tmpdir(), "hashwork-cli-e2e-"));
    content = await startCli(["content", "serve", "--dir", join(dir, "content"), "--port", String(await freePort()), "--json"]);
    contentUrl = (JSON.parse(content.firstLine) as { url: string }).url;
    const d = system.deployment;
    rpc = ["--rpc", node.url, "--market", d.market];
    ({ wasm } = await loadSampleProgram("montecarlo"));
    await writeFile(join(dir, "montecarlo.wasm"), wasm);
    await writeFile(join(dir, "seed7.bin"), encodeMonteCarloInput({ seed: 7n, samples: 2_000n }));
    await writeFile(join(dir, "seed8.bin"), encodeMonteCarloInput({ seed: 8n, samples: 2_000n }));
    await writeFile(join(dir, "honest.key"), `${privateKeyOf(hdAccount(HONEST))}\n`, { mode: 0o600 });
    keystorePassword = "correct horse battery staple";
    const keystore = encryptKeystoreJsonSync(
      { address: address(CORRUPT), privateKey: privateKeyOf(hdAccount(CORRUPT)) },
      keystorePassword,
      { scrypt: { N: 1024 } },
    );
    await writeFile(join(dir, "corrupt.json"), keystore, { mode: 0o600 });
    await writeFile(join(dir, "verifier.key"), `${privateKeyOf(hdAccount(VERIFIER))}\n`, { mode: 0o600 });
    keyArgs = {
      [HONEST]: ["--key-file", join(dir, "honest.key")],
      [CORRUPT]: ["--key-file", join(dir, "corrupt.json")],
      [VERIFIER]: ["--key-file", join(dir, "verifier.key")],
    };
    requesterEnv = { HASHWORK_PRIVATE_KEY: privateKeyOf(hdAccount(REQUESTER)) };
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") for (const d of daemons) console.error(`--- daemon output\n${d.output().slice(-4000)}`);
  });

  after(async function () {
    for (const d of daemons) killGroup(d.pid);
    content?.kill();
    node?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli([...args, ...rpc], { env: { HASHWORK_KEYSTORE_PASSWORD: keystorePassword, ...env } });
  // With `viaEnv`, the served URL comes from HASHWORK_PUBLIC_URL instead of --public-url.
  const post = async (input: string, extra: string[], { viaEnv = false } = {}) =>
    jsonOf<{ jobId: string; programURI: string; inputURI: string; reward: string; claimDeadline: string }>(
      await cli(
        [
          "job",
          "post",
          "--program",
          join(dir, "montecarlo.wasm"),
          "--input",
          join(dir, input),
          "--reward",
          "2",
          "--fuel",
          "100000000",
          "--store",
          join(dir, "content"),
          ...(viaEnv ? [] : ["--public-url", contentUrl]),
          "--json",
          ...extra,
        ],
        viaEnv ? { ...requesterEnv, HASHWORK_PUBLIC_URL: contentUrl } : requesterEnv,
      ),
    );

  it("reads a keystore file the same way ethers wrote it", async function () {
    const text = await readFile(join(dir, "corrupt.json"), "utf8");
    expect(decryptKeystore(JSON.parse(text), keystorePassword)).to.equal(privateKeyOf(hdAccount(CORRUPT)));
    const wrong = await cli(["provider", "stake", "--amount", "1", "--yes", ...keyArgs[CORRUPT]!], { HASHWORK_KEYSTORE_PASSWORD: "nope" });
    expectFailure(wrong, 1, /wrong password for .*corrupt\.json/);
  });

  it("provider stake, register, status, unstake and withdraw", async function () {
    const k = keyArgs[HONEST]!;
    const staked = jsonOf(await cli(["provider", "stake", "--amount", "200", "--yes", "--json", ...k]));
    expect(staked).to.include({
      provider: address(HONEST),
      amount: (200n * TOKEN_UNIT).toString(),
      totalStaked: (200n * TOKEN_UNIT).toString(),
      registered: true,
    });
    const registered = jsonOf(
      await cli(["provider", "register", "--endpoint", "http://127.0.0.1:9/", "--max-fuel", "1000000000000", "--json", ...k]),
    );
    expect(registered).to.include({
      provider: address(HONEST),
      endpoint: "http://127.0.0.1:9/",
      maxFuel: "1000000000000",
      newlyRegistered: false,
    });
    const unstaked = jsonOf<{ amount: string; unlockAt: string }>(await cli(["provider", "unstake", "--amount", "10", "--json", ...k]));
    expect(unstaked.amount).to.equal((10n * TOKEN_UNIT).toString());
    // Too early: one clear line, exit 1.
    expectFailure(await cli(["provider", "withdraw", ...k]), 1, /^hashwork: still unbonding until \d{4}-/);
    await system.publicClient.request({ method: "evm_increaseTime" as never, params: [8 * 24 * 3600] as never });
    await system.publicClient.request({ method: "evm_mine" as never, params: [] as never });
    const withdrawn = jsonOf(await cli(["provider", "withdraw", "--json", ...k]));
    expect(withdrawn).to.include({ amount: (10n * TOKEN_UNIT).toString(), to: address(HONEST) });
    // No fast-path job waits for pay: one clear line, exit 1 (releasing is tested in release-pay.test.ts).
    expectFailure(await cli(["provider", "release", ...k]), 1, /^hashwork: nothing to release: no fast-path job is waiting for pay/);
    const status = jsonOf<{ staked: string; free: string; registered: boolean; profile: { endpoint: string } }>(
      await cli(["provider", "status", "--json", ...k]),
    );
    expect(status).to.deep.include({ staked: (190n * TOKEN_UNIT).toString(), free: (190n * TOKEN_UNIT).toString(), registered: true });
    expect(status.profile.endpoint).to.equal("http://127.0.0.1:9/");
    // The human form: an aligned key/value block.
    const human = await cli(["provider", "status", address(HONEST)]);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.match(/^staked\s+190 HWK$/m);
    // The keystore account stakes too (it runs the second daemon).
    jsonOf(await cli(["provider", "stake", "--amount", "200", "--permit", "--yes", "--json", ...keyArgs[CORRUPT]!]));
  });

  it("verifier bond, show, withdraw-request and withdraw", async function () {
    const k = keyArgs[VERIFIER]!;
    const tokens = (n: bigint) => (n * TOKEN_UNIT).toString();
    const bonded = jsonOf(await cli(["verifier", "bond", "--amount", "150", "--yes", "--json", ...k]));
    expect(bonded).to.include({ verifier: address(VERIFIER), amount: tokens(150n), bonded: tokens(150n) });
    expect(bonded).to.have.property("approvalTransactionHash");
    const shown = jsonOf(await cli(["verifier", "show", address(VERIFIER), "--json"]));
    expect(shown).to.include({
      verifier: address(VERIFIER),
      pool: system.deployment.verifierPool,
      bonded: tokens(150n),
      locked: "0",
      pending: "0",
      weight: tokens(150n),
      totalWeight: tokens(150n),
      minimumBond: LOCAL_PARAMETERS.minStake.toString(),
    });
    // Refused before sending: more than is bonded, or a rest below the minimum bond.
    expectFailure(
      await cli(["verifier", "withdraw-request", "--amount", "200", ...k]),
      1,
      /^hashwork: only 150 HWK is bonded \(asked to take out 200 HWK\)$/,
    );
    expectFailure(
      await cli(["verifier", "withdraw-request", "--amount", "100", ...k]),
      1,
      /50 HWK would stay bonded, below the minimum bond of 100 HWK/,
    );
    expectFailure(await cli(["verifier", "withdraw", ...k]), 1, /nothing to withdraw: no bond is pending/);
    const requested = jsonOf<{ amount: string; bonded: string; unlockAt: string }>(
      await cli(["verifier", "withdraw-request", "--amount", "50", "--json", ...k]),
    );
    expect(requested).to.include({ amount: tokens(50n), bonded: tokens(100n) });
    expectFailure(await cli(["verifier", "withdraw", ...k]), 1, /^hashwork: the withdrawal waits until \d{4}-/);
    // The human form: the pending withdrawal and its unlock time, the weight's share.
    const human = await cli(["verifier", "show", ...k]);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.match(/^bonded\s+100 HWK$/m);
    expect(human.stdout).to.match(/^pending\s+50 HWK \(withdrawable from \d{4}-/m);
    expect(human.stdout).to.match(/^weight\s+100 HWK of 100 HWK \(100\.00% per seat drawn\)$/m);
    await system.publicClient.request({ method: "evm_increaseTime" as never, params: [36 * 24 * 3600] as never }); // the delay: the longest job lifetime, 35 days
    await system.publicClient.request({ method: "evm_mine" as never, params: [] as never });
    const withdrawn = jsonOf(await cli(["verifier", "withdraw", "--to", address(VERIFIER), "--json", ...k]));
    expect(withdrawn).to.include({ verifier: address(VERIFIER), amount: tokens(50n), to: address(VERIFIER) });
    const line = await cli(["verifier", "bond", "--amount", "1", "--yes", ...k]);
    expect(line.code, line.stderr).to.equal(0);
    expect(line.stdout).to.match(/^Bonded 1 HWK; your verifier bond is 101 HWK \(0x[0-9a-f]{64}\)$/m);
  });

  it("job post → provider daemon → job wait, job result (verified), job status, wait until finalized", async function () {
    const config = await writeDaemonConfig(system, {
      dir,
      name: "honest",
      index: HONEST,
      overrides: { roles: { provider: true, keeper: true } },
    });
    daemons.push(await startDaemon(config));
    const posted = await post("seed7.bin", ["--challenge-window", "3s"]);
    expect(posted.programURI).to.equal(`${contentUrl}/content/${hashContent(wasm)}`);
    expect(posted.reward).to.equal((2n * TOKEN_UNIT).toString());
    expect(posted.claimDeadline).to.match(/^\d+$/); // a decimal string, as docs/cli.md promises
    const id = posted.jobId;

    const waited = jsonOf<{ state: string; result: { resultHash: Hex; provider: Address } }>(
      await cli(["job", "wait", id, "--timeout", "60s", "--json"]),
    );
    expect(["Submitted", "Finalized"]).to.include(waited.state);
    expect(waited.result.provider).to.equal(address(HONEST));

    const out = join(dir, "out.json");
    const fetched = jsonOf<{ verified: boolean; status: string; resultHash: Hex; bytes: number }>(
      await cli(["job", "result", id, "-o", out, "--json", "--allow-hosts", "127.0.0.1"]),
    );
    const local = await executeProgram({ wasm, input: encodeMonteCarloInput({ seed: 7n, samples: 2_000n }), fuelLimit: 100_000_000n });
    expect(fetched).to.include({ verified: true, status: "Ok", resultHash: local.resultHash, bytes: local.output.byteLength });
    const saved = new Uint8Array(await readFile(out));
    expect(Buffer.from(saved).equals(Buffer.from(local.output))).to.equal(true);
    // (a plain comparison: the ethers chai matchers loaded by the full suite redefine closeTo for integers)
    expect(Math.abs(decodeMonteCarloOutput(saved).pi - Math.PI) < 0.2).to.equal(true);
    const piped = await cli(["job", "result", id, "-o", "-", "--allow-hosts", "127.0.0.1,localhost"]);
    expect(piped.code, piped.stderr).to.equal(0);
    expect(piped.stdout).to.equal(Buffer.from(local.output).toString("utf8"));

    const final = jsonOf<{ state: string }>(await cli(["job", "wait", id, "--until", "finalized", "--timeout", "60s", "--json"]));
    expect(final.state).to.equal("Finalized");
    const status = jsonOf<{ state: string; requester: Address; result: { resultHash: Hex } }>(await cli(["job", "status", id, "--json"]));
    expect(status).to.deep.include({ state: "Finalized", requester: address(REQUESTER) });
    expect(status.result.resultHash).to.equal(local.resultHash);
    const human = await cli(["job", "status", id]);
    expect(human.stdout).to.match(/^state\s+Finalized$/m);
  });

  it("job challenge refuses when a local re-execution agrees with the provider", async function () {
    const { jobId, inputURI } = await post("seed8.bin", ["--challenge-window", "10m"], { viaEnv: true });
    expect(inputURI).to.equal(`${contentUrl}/content/${hashContent(encodeMonteCarloInput({ seed: 8n, samples: 2_000n }))}`);
    jsonOf(await cli(["job", "wait", jobId, "--timeout", "60s", "--json"]));
    const run = await cli(["job", "challenge", jobId, "--allow-hosts", "127.0.0.1", "--yes"], requesterEnv);
    expectFailure(run, 1, /result matches a local re-execution \(0x[0-9a-f]{64}\); not challenging/);
  });

  it("provider start stops gracefully on SIGTERM (exit 0)", async function () {
    const honest = daemons.pop()!;
    process.kill(honest.pid, "SIGTERM"); // the shim forwards it to the daemon
    expect(await honest.exited).to.equal(0);
  });

  it("job challenge re-executes, finds a wrong result, commits and reveals a challenge, printing each step; audit shows it", async function () {
    // (The daemon config takes a hex key file; the CLI commands above used the keystore.)
    const config = await writeDaemonConfig(system, { dir, name: "corrupt", index: CORRUPT, overrides: { corruptResults: true } });
    daemons.push(await startDaemon(config));
    const { jobId } = await post("seed7.bin", ["--challenge-window", "10m"]);
    const waited = jsonOf<{ result: { resultHash: Hex; provider: Address } }>(
      await cli(["job", "wait", jobId, "--timeout", "60s", "--json"]),
    );
    expect(waited.result.provider).to.equal(address(CORRUPT));
    // The verified fetch refuses nothing here: the corrupt daemon publishes a matching (fake) outcome.
    const local = await executeProgram({ wasm, input: encodeMonteCarloInput({ seed: 7n, samples: 2_000n }), fuelLimit: 100_000_000n });
    expect(waited.result.resultHash).to.not.equal(local.resultHash);

    const challenged = await cli(["job", "challenge", jobId, "--allow-hosts", "127.0.0.1", "--yes"], requesterEnv);
    expect(challenged.code, challenged.stderr).to.equal(0);
    const lines = challenged.stdout.trimEnd().split("\n");
    expect(lines[0]).to.match(/^Committed the challenge in block \d+ \(0x[0-9a-f]{64}\)$/);
    expect(lines[1]).to.match(
      new RegExp(`^  if interrupted, reveal with: hashwork job challenge ${jobId} --hash ${local.resultHash} --salt 0x[0-9a-f]{64}$`),
    );
    expect(lines[2]).to.match(/^Approved the bond \(0x[0-9a-f]{64}\)$/);
    expect(lines).to.include("Revealing the challenge (posting the bond)");
    expect(challenged.stdout).to.match(
      new RegExp(`^Challenged job ${jobId}: the provider committed ${waited.result.resultHash}, you claim ${local.resultHash}$`, "m"),
    );

    const disputes = jsonOf<{ jobId: string; phase: string; challenger: Address }[]>(await cli(["audit", "disputes", "--json"]));
    expect(disputes.map((d) => d.jobId)).to.deep.equal([jobId]);
    expect(disputes[0]).to.include({ challenger: address(REQUESTER) });
    expect(["AwaitingDraw", "Voting"]).to.include(disputes[0]!.phase);
    const open = jsonOf<unknown[]>(await cli(["audit", "disputes", "--phase", "open", "--json"]));
    expect(open).to.have.length(1);

    const audited = jsonOf<{ job: { state: string }; dispute: { phase: string; challengerHash: Hex }; history: { eventName: string }[] }>(
      await cli(["audit", "job", jobId, "--json"]),
    );
    expect(audited.job.state).to.equal("Disputed");
    expect(audited.dispute.challengerHash).to.equal(local.resultHash);
    expect(audited.history.map((e) => e.eventName)).to.include.members([
      "JobPosted",
      "JobClaimed",
      "ResultSubmitted",
      "JobDisputed",
      "DisputeOpened",
    ]);

    const human = await cli(["audit", "job", jobId]);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.match(/^dispute\s+challenged by 0x[0-9a-fA-F]{40}, phase (AwaitingDraw|Voting), round 0$/m);
    expect(human.stdout).to.match(/^\d+\s+disputes\s+DisputeOpened\s+0x/m);

    const provider = jsonOf<{ address: Address; disputes: unknown[] }>(await cli(["audit", "provider", address(CORRUPT), "--json"]));
    expect(provider.address).to.equal(address(CORRUPT));
    expect(provider.disputes).to.have.length(1);
    const table = await cli(["audit", "disputes"]);
    expect(table.stdout).to.match(/^job\s+kind\s+phase/m);
    expect(table.stdout).to.contain("challenge");
  });

  it("job challenge --salt reveals a commitment made earlier, and --json reports it", async function () {
    const { jobId } = await post("seed7.bin", ["--challenge-window", "10m"]);
    const waited = jsonOf<{ result: { resultHash: Hex; provider: Address } }>(
      await cli(["job", "wait", jobId, "--timeout", "60s", "--json"]),
    );
    expect(waited.result.provider).to.equal(address(CORRUPT));
    const local = await executeProgram({ wasm, input: encodeMonteCarloInput({ seed: 7n, samples: 2_000n }), fuelLimit: 100_000_000n });
    // Committed earlier (say, by a run that was interrupted before its reveal).
    const committed = await commitChallenge(system.clientFor(REQUESTER), { jobId: BigInt(jobId), challengerHash: local.resultHash });
    const revealed = jsonOf<{
      providerHash: Hex;
      challengerHash: Hex;
      bond: string;
      commitment: Hex;
      salt: Hex;
      commitTransactionHash?: Hex;
      local?: unknown;
    }>(await cli(["job", "challenge", jobId, "--hash", local.resultHash, "--salt", committed.salt, "--yes", "--json"], requesterEnv));
    expect(revealed).to.include({
      providerHash: waited.result.resultHash,
      challengerHash: local.resultHash,
      commitment: committed.commitment,
      salt: committed.salt,
    });
    expect(revealed).to.not.have.property("commitTransactionHash"); // nothing committed this time
    expect(revealed).to.not.have.property("local"); // --hash: no re-execution
    expect(BigInt(revealed.bond) > 0n).to.equal(true);
    // A salt nobody committed: the module's refusal, one line.
    const second = await post("seed7.bin", ["--challenge-window", "10m"]);
    jsonOf(await cli(["job", "wait", second.jobId, "--timeout", "60s", "--json"]));
    expectFailure(
      await cli(["job", "challenge", second.jobId, "--hash", local.resultHash, "--salt", committed.salt, "--yes"], requesterEnv),
      1,
      /DisputeChallengeNotCommittedError/,
    );
  });

  it("job wait times out and job cancel refunds an unclaimed job", async function () {
    // Designated to the honest provider, whose daemon is stopped: the job stays Open.
    const { jobId, reward } = await post("seed8.bin", ["--provider", address(HONEST)]);
    // The timeout names the state the job is actually in, not the one awaited.
    expectFailure(
      await cli(["job", "wait", jobId, "--timeout", "2s"]),
      1,
      /timed out after 2s waiting until job \d+ is submitted: it is Open \(unclaimed; claim deadline \d{4}-/,
    );
    // Only the requester may cancel: a one-line refusal before anything is sent.
    expectFailure(await cli(["job", "cancel", jobId, ...keyArgs[HONEST]!]), 1, /was posted by 0x[0-9a-fA-F]{40}, not by/);
    const cancelled = jsonOf(await cli(["job", "cancel", jobId, "--json"], requesterEnv));
    expect(cancelled).to.include({ jobId, state: "Cancelled", refund: reward });
    expectFailure(await cli(["job", "cancel", jobId], requesterEnv), 1, /is Cancelled; only an Open job can be cancelled/);
    // The refund sits in the requester's market balance until withdrawn.
    const before = jsonOf<{ wallet: string; market: string }>(await cli(["token", "balance", "--json"], requesterEnv));
    expect(before.market).to.equal(reward);
    const withdrawn = jsonOf(await cli(["token", "withdraw", "--json"], requesterEnv));
    expect(withdrawn).to.include({ amount: reward, to: address(REQUESTER) });
    const after = jsonOf<{ wallet: string; market: string }>(await cli(["token", "balance", address(REQUESTER), "--json"]));
    expect(after.market).to.equal("0");
    expect(BigInt(after.wallet) - BigInt(before.wallet)).to.equal(BigInt(reward));
  });

  it("audit: solvency, totals and recent disputes", async function () {
    const overview = jsonOf<{
      solvency: { solvent: boolean; totalOwed: string; balance: string };
      jobs: { total: number; byState: Record<string, number> };
      disputes: { total: number; open: number; recent: { jobId: string }[] };
    }>(await cli(["audit", "--json"]));
    expect(overview.solvency.solvent).to.equal(true);
    expect(BigInt(overview.solvency.balance) >= BigInt(overview.solvency.totalOwed)).to.equal(true);
    expect(overview.jobs.total).to.equal(6);
    expect(overview.jobs.byState).to.include({ Finalized: 1, Submitted: 2, Disputed: 2, Cancelled: 1 });
    expect(overview.disputes).to.include({ total: 2, open: 2 });
    const human = await cli(["audit"]);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.match(/^solvent\s+yes$/m);
    expect(human.stdout).to.match(/^Disputed\s+2$/m);
    expect(human.stdout).to.match(/^verifier pool\s+0x[0-9a-fA-F]{40}: owes 101 HWK, ledger 101 HWK \(consistent\)$/m);
  });

  it("errors on the chain side are one line: unknown job, unreachable node, no market", async function () {
    expectFailure(await cli(["job", "status", "12345"]), 1, /no job 12345 on this market/);
    const port = await freePort();
    expectFailure(
      await runCli(["audit", "--rpc", `http://127.0.0.1:${port}`]),
      1,
      /cannot reach a JSON-RPC node at http:\/\/127\.0\.0\.1:\d+/,
    );
    expectFailure(
      await runCli(["audit", "--rpc", node.url, "--market", address(9)]),
      1,
      /no market contract at 0x[0-9a-fA-F]{40} on chain 31337/,
    );
  });

  it("provider status and audit provider --reward score the provider from the fees its finalized job paid", async function () {
    // The honest provider completed one 2-token job: a 1% fee, 0.02 token. Its score for another
    // job weighs the fees against that job's reward plus the collateral it holds locked now:
    // 10000 * 0.02 / (0.02 + reward + locked).
    const fees = (2n * TOKEN_UNIT * BigInt(LOCAL_PARAMETERS.feeBps)) / 10_000n;
    const status = jsonOf<{ locked: string; reputation: Record<string, unknown>; scoreFor: { reward: string; score: number } }>(
      await cli(["provider", "status", address(HONEST), "--reward", "2", "--json"]),
    );
    const scoreFor = (reward: bigint) => Number((fees * 10_000n) / (fees + reward + BigInt(status.locked)));
    expect(status.reputation).to.deep.equal({ completed: 1, timedOut: 0, disputesLost: 0, disputesWon: 0, feesPaid: fees.toString() });
    expect(status.scoreFor).to.deep.equal({ reward: (2n * TOKEN_UNIT).toString(), score: scoreFor(2n * TOKEN_UNIT) });
    const audited = jsonOf<{ scoreFor: { score: number } }>(await cli(["audit", "provider", address(HONEST), "--reward", "20", "--json"]));
    expect(audited.scoreFor.score).to.equal(scoreFor(20n * TOKEN_UNIT));
    const human = await cli(["audit", "provider", address(HONEST), "--reward", "2"]);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.match(/^fees paid\s+0\.02 HWK$/m);
    expect(human.stdout).to.match(new RegExp(`^score\\s+${scoreFor(2n * TOKEN_UNIT)} / 10000 for a 2 HWK job$`, "m"));
  });

  it("job post refuses a reward below the market's minimum in one line, uploading and sending nothing", async function () {
    const store = join(dir, "refused-reward");
    const nonce = await system.publicClient.getTransactionCount({ address: address(REQUESTER) });
    const run = await cli(
      [
        "job",
        "post",
        "--program",
        join(dir, "montecarlo.wasm"),
        "--input",
        join(dir, "seed7.bin"),
        "--reward",
        "0.001",
        "--fuel",
        "1000000",
        "--store",
        store,
      ],
      requesterEnv,
    );
    expectFailure(run, 1, /^hashwork: --reward 0\.001 HWK is below the market's minimum reward 0\.01 HWK: raise --reward$/);
    expect(await system.publicClient.getTransactionCount({ address: address(REQUESTER) })).to.equal(nonce);
    expect(existsSync(store)).to.equal(false);
  });

  it("job post refuses collateral outside the market's bounds in one line, sending nothing", async function () {
    const nonce = await system.publicClient.getTransactionCount({ address: address(REQUESTER) });
    const run = await cli(
      [
        "job",
        "post",
        "--program",
        join(dir, "montecarlo.wasm"),
        "--input",
        join(dir, "seed7.bin"),
        "--reward",
        "2",
        "--fuel",
        "1000000",
        "--store",
        join(dir, "refused-collateral"),
        "--collateral",
        "50",
      ],
      requesterEnv,
    );
    expectFailure(run, 1, /^hashwork: --collateral 50 is outside the market's collateral bounds: pass --collateral between 100 and 300$/);
    expect(await system.publicClient.getTransactionCount({ address: address(REQUESTER) })).to.equal(nonce);
  });

  it("never echoed a private key", function () {
    const keys = [REQUESTER, HONEST, CORRUPT].map((i) => privateKeyOf(hdAccount(i)).slice(2).toLowerCase());
    const all = transcript.join("\n").toLowerCase();
    expect(transcript.length).to.be.greaterThan(20);
    for (const key of keys) expect(all.includes(key)).to.equal(false);
  });
});

describe("hashwork chain and deploy", function () {
  this.timeout(300_000);
  let chain: { pid: number; exited: Promise<number | null> } | undefined;
  const deploymentId = `cli-test-${process.pid}`;
  const deploymentDir = join(REPO_ROOT, "ignition", "deployments", deploymentId);

  after(async function () {
    killGroup(chain?.pid);
    await rm(deploymentDir, { recursive: true, force: true });
  });

  it("chain starts a node, deploy puts the system on it, audit reads it, SIGTERM stops the node", async function () {
    // Port 0: the node binds a free port and names it (picking one first could race another test's node).
    const child = spawn(process.execPath, [SHIM, "chain", "--port", "0"], {
      cwd: REPO_ROOT,
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let banner = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      if (banner.length < 10_000) banner += s;
    });
    child.stderr.resume();
    chain = { pid: child.pid!, exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
    const port = await waitFor(
      "hashwork chain to name its port",
      () => /JSON-RPC server at http:\/\/127\.0\.0\.1:(\d+)\//.exec(banner)?.[1],
      60_000,
      200,
    ).then(Number);
    const url = `http://127.0.0.1:${port}`;
    const chainId = () =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      })
        .then((r) => (r.ok ? true : undefined))
        .catch(() => undefined);
    await waitFor("hashwork chain", chainId, 60_000, 200);
    // A second node on the same port: one clear line.
    const busy = await runCli(["chain", "--port", String(port)]);
    expectFailure(busy, 1, /127\.0\.0\.1:\d+ is already in use/);

    const key = privateKeyOf(hdAccount(0));
    const deployed = jsonOf<{ chainId: number; market: Address; token: Address; disputes: Address; deploymentDir: string }>(
      await runCli(["deploy", "--rpc", url, "--deployment-id", deploymentId, "--json"], {
        env: { HASHWORK_PRIVATE_KEY: key },
        timeoutMs: 280_000,
      }),
    );
    expect(deployed.chainId).to.equal(31337);
    expect(deployed.deploymentDir).to.equal(deploymentDir);
    const overview = jsonOf<{ market: Address; token: { address: Address; symbol: string }; solvency: { solvent: boolean } }>(
      await runCli(["audit", "--rpc", url, "--deployment", deploymentDir, "--json"]),
    );
    expect(overview.market).to.equal(deployed.market);
    expect(overview.token.address).to.equal(deployed.token);
    expect(overview.solvency.solvent).to.equal(true);
    // The deployer holds the supply and funds another account.
    const funded = jsonOf(
      await runCli(["token", "transfer", "--to", getAddress(hdAccount(5).address), "--amount", "1000", "--rpc", url, "--json"], {
        env: { HASHWORK_PRIVATE_KEY: key },
      }),
    );
    expect(funded).to.include({ to: getAddress(hdAccount(5).address), amount: (1000n * TOKEN_UNIT).toString() });
    expect(transcript.join("\n").toLowerCase()).to.not.contain(key.slice(2));

    process.kill(chain.pid, "SIGTERM"); // the shim forwards it to the node
    expect(await chain.exited).to.equal(0);
    expect(await chainId()).to.equal(undefined);
  });
});
