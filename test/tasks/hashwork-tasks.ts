// The developer tasks run for real, in order, in a fresh Hardhat runtime whose tasks share one
// in-process chain (`network.getOrCreate()`): deploy → fund → post-sample → audit, each checked
// by reading the chain.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { HardhatPluginError } from "hardhat/plugins";
import { createHardhatRuntimeEnvironment } from "hardhat/hre";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { getAddress, keccak256, parseEventLogs, type Address } from "viem";

import config from "../../hardhat.config.ts";
import { readJobState } from "../../sdk/src/index.ts";
import { hashworkDisputesAbi, hashworkMarketAbi, hashworkTokenAbi } from "../../sdk/src/abi/index.ts";
import { loadSampleProgram } from "../../sdk/src/programs/index.ts";
import { REPO_ROOT, hdAccount, privateKeyOf, startHardhatNode, type HardhatNode } from "../../testkit/local-cluster.ts";
import type { AuditTaskResult } from "../../tasks/audit.ts";
import type { DeployTaskResult } from "../../tasks/deploy.ts";
import type { FundAccountsReturnType } from "../../scripts/lib/fund.ts";
import type { PostSampleTaskResult } from "../../tasks/post-sample.ts";

const TOKEN = 10n ** 18n;

describe("Hashwork tasks (deploy → fund → post-sample → audit on one in-process chain)", function () {
  this.timeout(120_000);
  let hre: HardhatRuntimeEnvironment;
  let store: string;
  let deployed: DeployTaskResult;
  const posted: PostSampleTaskResult[] = [];
  const run = <T>(id: string, args: Record<string, unknown> = {}) => hre.tasks.getTask(id).run(args) as Promise<T>;
  const quietly = async <T>(f: () => Promise<T>): Promise<T> => {
    const log = console.log;
    console.log = () => undefined;
    try {
      return await f();
    } finally {
      console.log = log;
    }
  };
  const publicClient = async () => (await hre.network.getOrCreate()).viem.getPublicClient();

  before(async () => {
    hre = await createHardhatRuntimeEnvironment(config, {}, REPO_ROOT);
    store = await mkdtemp(join(tmpdir(), "hashwork-task-store-"));
  });
  after(() => rm(store, { recursive: true, force: true }));

  it("hashwork:deploy deploys the system through Ignition with the given parameters file, and writes nothing for the in-process chain", async () => {
    const before = await readdir(join(REPO_ROOT, "ignition"));
    deployed = await quietly(() =>
      run<DeployTaskResult>("hashwork:deploy", { parameters: join(REPO_ROOT, "ignition/parameters/demo.json") }),
    );
    const { deployment } = deployed;
    const client = await publicClient();
    expect(await client.readContract({ address: deployment.market, abi: hashworkMarketAbi, functionName: "disputeModule" })).to.equal(
      deployment.disputes,
    );
    expect(await client.readContract({ address: deployment.market, abi: hashworkMarketAbi, functionName: "token" })).to.equal(
      deployment.token,
    );
    const disputeConfig = await client.readContract({ address: deployment.disputes!, abi: hashworkDisputesAbi, functionName: "config" });
    expect(disputeConfig).to.include({ commitPeriod: 60, revealPeriod: 60, auditRateBps: 0 });
    expect(await client.readContract({ address: deployment.market, abi: hashworkMarketAbi, functionName: "maxDisputeDuration" })).to.equal(
      3600,
    );
    expect(deployed.deploymentDir).to.equal(undefined);
    expect(await readdir(join(REPO_ROOT, "ignition"))).to.deep.equal(before);
  });

  it("hashwork:deploy returns the verifier pool the dispute module created", async () => {
    const client = await publicClient();
    const created = await client.readContract({
      address: deployed.deployment.disputes!,
      abi: hashworkDisputesAbi,
      functionName: "verifierPool",
    });
    expect(deployed.deployment.verifierPool).to.equal(created);
  });

  it("hashwork:fund transfers the token from account #0 to the next accounts", async () => {
    const result = await quietly(() => run<FundAccountsReturnType>("hashwork:fund", { amount: "500", accounts: "3" }));
    const client = await publicClient();
    const accounts = (await (await hre.network.getOrCreate()).viem.getWalletClients()).map((w) => getAddress(w.account.address));
    expect(result.transfers.map((t) => t.to)).to.deep.equal(accounts.slice(1, 4));
    for (const a of accounts.slice(1, 4)) {
      expect(
        await client.readContract({ address: deployed.deployment.token!, abi: hashworkTokenAbi, functionName: "balanceOf", args: [a] }),
      ).to.equal(500n * TOKEN);
    }
    expect(
      await client.readContract({
        address: deployed.deployment.token!,
        abi: hashworkTokenAbi,
        functionName: "balanceOf",
        args: [accounts[4]!],
      }),
    ).to.equal(0n);
  });

  it("hashwork:post-sample posts an open job per sample program, paid by the requester, content stored by hash", async () => {
    const client = await publicClient();
    const requester = getAddress((await (await hre.network.getOrCreate()).viem.getWalletClients())[1]!.account.address) as Address;
    const balance = () =>
      client.readContract({ address: deployed.deployment.token!, abi: hashworkTokenAbi, functionName: "balanceOf", args: [requester] });
    const before = await balance();
    for (const program of ["montecarlo", "mandelbrot", "csvstats"] as const) {
      posted.push(await quietly(() => run<PostSampleTaskResult>("hashwork:post-sample", { program, reward: "2.5", store })));
    }
    expect(await balance()).to.equal(before - 3n * 25n * (TOKEN / 10n));
    const files = await readdir(store);
    for (const [i, program] of (["montecarlo", "mandelbrot", "csvstats"] as const).entries()) {
      const p = posted[i]!;
      expect(p.request.programHash).to.equal(keccak256((await loadSampleProgram(program)).wasm));
      expect(p.request.reward).to.equal(25n * (TOKEN / 10n));
      expect(p.request.programURI).to.match(/^file:\/\//);
      expect(files).to.include(p.request.inputHash.toLowerCase());
      expect(await readJobState({ publicClient: client as never, deployment: deployed.deployment }, p.jobId)).to.equal("Open");
    }
  });

  it("hashwork:audit reports a solvent market holding the posted rewards", async () => {
    const result = await quietly(() => run<AuditTaskResult>("hashwork:audit"));
    expect(result.solvency.solvent).to.equal(true);
    expect(result.solvency.totalOwed).to.equal(3n * 25n * (TOKEN / 10n));
    expect(result.jobs.total).to.equal(3);
    expect(result.jobs.byState.Open).to.deep.equal({ count: 3, rewards: 3n * 25n * (TOKEN / 10n) });
    expect(result.providers).to.deep.equal([]);
    expect(result.disputes.total).to.equal(0);
  });

  it("hashwork:audit checks the verifier pool's ledger account (empty: nobody bonded)", async () => {
    const result = await quietly(() => run<AuditTaskResult>("hashwork:audit"));
    expect(result.solvency.verifierPool).to.include({ address: deployed.deployment.verifierPool, totalHeld: 0n, consistent: true });
  });

  it("hashwork:audit reports a provider's completed jobs and the fees it paid (what its scores are built from)", async () => {
    const connection = await hre.network.getOrCreate();
    const client = await publicClient();
    const provider = (await connection.viem.getWalletClients())[2]!;
    const { market, token } = deployed.deployment;
    const job = posted[0]!;
    const send = async (hash: Promise<`0x${string}`>) => client.waitForTransactionReceipt({ hash: await hash });
    const call = (functionName: string, args: unknown[]) =>
      send(provider.writeContract({ address: market, abi: hashworkMarketAbi, functionName, args } as never));
    await send(provider.writeContract({ address: token!, abi: hashworkTokenAbi, functionName: "approve", args: [market, 100n * TOKEN] }));
    await call("stake", [100n * TOKEN]);
    await call("claimJob", [job.jobId]);
    const submitted = await call("submitResult", [job.jobId, keccak256("0x01"), ""]);
    const [event] = parseEventLogs({ abi: hashworkMarketAbi, logs: submitted.logs, eventName: "ResultSubmitted" });
    await connection.provider.request({ method: "evm_increaseTime", params: [Number(job.request.challengeWindow) + 1] });
    const { reward, collateralPct, resultHash, submittedBlock } = event!.args;
    await call("finalizeJob", [job.jobId, { reward, collateralPct, provider: provider.account.address, resultHash, submittedBlock }]);

    const result = await quietly(() => run<AuditTaskResult>("hashwork:audit"));
    const fee = (25n * (TOKEN / 10n)) / 100n; // 1% of 2.5 tokens
    expect(result.providers.map((p) => [getAddress(p.address), p.reputation.completed, p.reputation.feesPaid])).to.deep.equal([
      [getAddress(provider.account.address), 1, fee],
    ]);
  });

  it("tasks other than deploy refuse a network without a deployment, as one plugin error line", async () => {
    const fresh = await createHardhatRuntimeEnvironment(config, {}, REPO_ROOT);
    const error = await fresh.tasks
      .getTask("hashwork:audit")
      .run({})
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.message).to.match(/hashwork:deploy/);
    expect(HardhatPluginError.isHardhatPluginError(error), "printed by Hardhat without a stack").to.equal(true);
  });
});

describe("Hashwork tasks against a hardhat node (the `remote` network: RPC URL and key from the environment)", function () {
  this.timeout(120_000);
  let node: HardhatNode | undefined;
  let ignitionDir: string;
  const saved = { url: process.env.HASHWORK_RPC_URL, key: process.env.HASHWORK_PRIVATE_KEY };
  /** A runtime as `hardhat --network remote …` would create it, with Ignition's folder in a temp dir. */
  const remoteHre = () =>
    createHardhatRuntimeEnvironment({ ...config, paths: { ...config.paths, ignition: ignitionDir } }, { network: "remote" }, REPO_ROOT);
  const quiet = async <T>(f: () => Promise<T>): Promise<T> => {
    const log = console.log;
    console.log = () => undefined;
    try {
      return await f();
    } finally {
      console.log = log;
    }
  };

  before(async () => {
    ignitionDir = await mkdtemp(join(tmpdir(), "hashwork-task-ignition-"));
    node = await startHardhatNode();
    process.env.HASHWORK_RPC_URL = node.url;
    process.env.HASHWORK_PRIVATE_KEY = privateKeyOf(hdAccount(0));
  });
  after(async () => {
    node?.kill();
    if (saved.url === undefined) delete process.env.HASHWORK_RPC_URL;
    else process.env.HASHWORK_RPC_URL = saved.url;
    if (saved.key === undefined) delete process.env.HASHWORK_PRIVATE_KEY;
    else process.env.HASHWORK_PRIVATE_KEY = saved.key;
    await rm(ignitionDir, { recursive: true, force: true });
  });

  it("deploy writes Ignition's files; later runs find the deployment there; a restarted node gets a fresh deployment", async () => {
    const first = await remoteHre();
    const deployed = await quiet(() => first.tasks.getTask("hashwork:deploy").run({}) as Promise<DeployTaskResult>);
    expect(deployed.deploymentDir).to.equal(join(ignitionDir, "deployments", "chain-31337"));
    expect(await readdir(deployed.deploymentDir!)).to.include.members(["deployed_addresses.json", "journal.jsonl"]);

    // A new runtime (as a new `hardhat` command would be) reads the deployment from those files.
    const bob = getAddress(hdAccount(7).address);
    const second = await remoteHre();
    const funded = await quiet(
      () => second.tasks.getTask("hashwork:fund").run({ to: bob, amount: "12.5" }) as Promise<FundAccountsReturnType>,
    );
    expect(funded.token).to.equal(deployed.deployment.token);
    expect(funded.transfers).to.have.length(1);
    expect(funded.transfers[0]).to.include({ to: bob, balanceAfter: 125n * (TOKEN / 10n) });
    const audit = await quiet(() => second.tasks.getTask("hashwork:audit").run({}) as Promise<AuditTaskResult>);
    expect(audit.solvency.solvent).to.equal(true);

    // The node restarts (empty chain): the recorded deployment is stale and is made again.
    node!.kill();
    node = await startHardhatNode();
    process.env.HASHWORK_RPC_URL = node.url;
    const third = await remoteHre();
    const again = await quiet(() => third.tasks.getTask("hashwork:deploy").run({}) as Promise<DeployTaskResult>);
    const client = await (await third.network.getOrCreate()).viem.getPublicClient();
    expect(await client.getCode({ address: again.deployment.market })).to.not.equal(undefined);
    expect(await client.readContract({ address: again.deployment.market, abi: hashworkMarketAbi, functionName: "disputeModule" })).to.equal(
      again.deployment.disputes,
    );
  });
});
