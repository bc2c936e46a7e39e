// The requester's dead ends, end to end: `hashwork job post`, `provider stake` and `verifier bond`
// run as child processes against a real `hardhat node`, a real content server (`content serve`)
// and a real provider daemon (`provider start`). Every refusal is one line with exit code 2
// (usage) or 1 (the chain or the content said no) and moves no token, allowance or nonce. Then
// price discovery: `job quote` measures the fuel and reads the one provider's published price,
// `job post --reward auto` posts at it, and the daemon whose floor is that price takes the job;
// a job below its floor shows up in `provider status --daemon` as skipped for its price.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, type Address } from "viem";

import { hashworkTokenAbi } from "../abi/hashwork-token.ts";
import { postJob } from "../actions/requester/post-job.ts";
import { encodeMonteCarloInput } from "../programs/montecarlo.ts";
import { loadSampleProgram } from "../programs/sample-programs.ts";
import { hashContent } from "../store/hash.ts";
import { cleanEnv, jsonOf, runCli, startCli, type CliProcess, type CliRun } from "../../../testkit/cli.ts";
import {
  deploySystem,
  freePort,
  hdAccount,
  privateKeyOf,
  startDaemonProcess,
  startHardhatNode,
  waitFor,
  writeDaemonConfig,
  type ChildHandle,
  type HardhatNode,
  type System,
} from "../../../testkit/local-cluster.ts";

const REQUESTER = 1;
const PROVIDER = 2;
/** Holds ETH for gas but no tokens (deploySystem mints to accounts 1–8). */
const POOR = 12;
/** The provider's published price and its daemon's floor: 1e9 base units per fuel (1e-9 token). */
const PRICE_PER_FUEL = 10n ** 9n;
const MAX_FUEL = 1_000_000_000n;
const FUEL = 100_000_000n;

function expectOneLine(run: CliRun, code: number, pattern: RegExp) {
  expect(run.code, run.stderr).to.equal(code);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).to.have.length(1);
  expect(lines[0]).to.match(pattern);
}

describe("hashwork job post pre-flight, job quote and --reward auto (hardhat node + content server + daemon)", function () {
  this.timeout(240_000);

  let node: HardhatNode;
  let system: System;
  let dir: string;
  let content: CliProcess | undefined;
  let contentUrl: string;
  let daemon: ChildHandle | undefined;
  let daemonUrl: string;
  let rpc: string[];
  const address = (index: number): Address => getAddress(hdAccount(index).address);
  const env = (index: number) => ({ HASHWORK_PRIVATE_KEY: privateKeyOf(hdAccount(index)) });
  const cli = (args: string[], index = REQUESTER) => runCli([...args, ...rpc], { env: env(index) });

  /** Nonce, token balance and allowance to the market: what a refusal must leave alone. */
  async function wallet(index: number) {
    const who = address(index);
    const read = (functionName: "balanceOf" | "allowance", args: readonly [Address] | readonly [Address, Address]) =>
      system.publicClient.readContract({
        address: system.deployment.token!,
        abi: hashworkTokenAbi,
        functionName,
        args,
      } as never) as Promise<bigint>;
    const [nonce, balance, allowance, poolAllowance] = await Promise.all([
      system.publicClient.getTransactionCount({ address: who }),
      read("balanceOf", [who]),
      read("allowance", [who, system.deployment.market]),
      read("allowance", [who, system.deployment.verifierPool!]),
    ]);
    return { nonce, balance, allowance, poolAllowance };
  }

  const postArgs = (extra: string[]) => [
    "job",
    "post",
    "--program",
    join(dir, "montecarlo.wasm"),
    "--input",
    join(dir, "seed.bin"),
    "--store",
    join(dir, "content"),
    ...extra,
  ];

  before(async function () {
    node = await startHardhatNode();
    system = await deploySystem(node.url);
    rpc = ["--rpc", node.url, "--market", system.deployment.market];
    dir = await mkdtemp(join(tmpdir(), "hashwork-preflight-cli-"));
    const { wasm } = await loadSampleProgram("montecarlo");
    await writeFile(join(dir, "montecarlo.wasm"), wasm);
    await writeFile(join(dir, "seed.bin"), encodeMonteCarloInput({ seed: 3n, samples: 2_000n }));
    content = await startCli(["content", "serve", "--dir", join(dir, "content"), "--port", String(await freePort()), "--json"]);
    contentUrl = (JSON.parse(content.firstLine) as { url: string }).url;
    // The provider stakes and publishes its price and fuel limit; its daemon enforces the same.
    jsonOf(await cli(["provider", "stake", "--amount", "200", "--yes", "--json"], PROVIDER));
    jsonOf(
      await cli(
        [
          "provider",
          "register",
          "--endpoint",
          "http://127.0.0.1:9/",
          "--price-per-fuel",
          String(PRICE_PER_FUEL),
          "--max-fuel",
          String(MAX_FUEL),
          "--json",
        ],
        PROVIDER,
      ),
    );
    const config = await writeDaemonConfig(system, {
      dir,
      name: "provider",
      index: PROVIDER,
      overrides: { claimPolicy: { concurrency: 2, minPricePerFuel: PRICE_PER_FUEL.toString(), maxFuel: MAX_FUEL.toString() } },
    });
    daemon = startDaemonProcess(config, cleanEnv());
    const { http } = JSON.parse(await import("node:fs").then((fs) => fs.readFileSync(config, "utf8"))) as { http: { port: number } };
    daemonUrl = `http://127.0.0.1:${http.port}`;
    await waitFor(
      "daemon /health",
      async () => ((await fetch(`${daemonUrl}/health`).catch(() => undefined))?.ok ? true : undefined),
      60_000,
      200,
    );
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed" && daemon)
      console.error(`--- daemon output\n${daemon.lines.slice(-40).join("\n")}\n${daemon.stderr().slice(-2000)}`);
  });

  after(async function () {
    daemon?.kill();
    content?.kill();
    node?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("refuses file:// URIs without --allow-local (exit 2), before uploading or sending", async function () {
    const before = await wallet(REQUESTER);
    const run = await cli(postArgs(["--reward", "2", "--fuel", String(FUEL)]));
    expectOneLine(run, 2, /^hashwork: job post would name file:\/\/ URIs in .* pass --public-url .* or --allow-local$/);
    expect(await wallet(REQUESTER)).to.deep.equal(before);
  });

  it("refuses content nobody serves at the job's URIs (exit 1), sending nothing", async function () {
    const before = await wallet(REQUESTER);
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await cli(postArgs(["--reward", "2", "--fuel", String(FUEL), "--public-url", closed]));
    expectOneLine(
      run,
      1,
      new RegExp(
        `^hashwork: the job's program is not available at ${closed}/content/0x[0-9a-f]{64} \\(.+\\): serve it there before posting$`,
      ),
    );
    expect(await wallet(REQUESTER)).to.deep.equal(before);
  });

  it("refuses a fuel limit above every provider's max fuel (exit 1), sending nothing", async function () {
    const before = await wallet(REQUESTER);
    const run = await cli(postArgs(["--reward", "2", "--fuel", String(MAX_FUEL + 1n), "--public-url", contentUrl]));
    expectOneLine(
      run,
      1,
      /^hashwork: --fuel 1000000001 is above the max fuel of every one of 1 registered provider \(largest 1000000000\): lower --fuel to at most 1000000000$/,
    );
    expect(await wallet(REQUESTER)).to.deep.equal(before);
  });

  it("refuses a reward below every provider's price for the fuel (exit 1), sending nothing", async function () {
    const before = await wallet(REQUESTER);
    // The floor: 1e8 fuel * 1e9 base units = 0.1 token.
    const run = await cli(postArgs(["--reward", "0.05", "--fuel", String(FUEL), "--public-url", contentUrl]));
    expectOneLine(
      run,
      1,
      /^hashwork: --reward 0\.05 HWK is below the price of every one of 1 registered provider for this fuel limit \(cheapest 0\.1 HWK\): raise --reward to at least that, or use --reward auto$/,
    );
    expect(await wallet(REQUESTER)).to.deep.equal(before);
  });

  it("says 'you have X, need Y' for job post, provider stake and verifier bond, sending no approve", async function () {
    const before = await wallet(POOR);
    expect(before.balance).to.equal(0n);
    const post = await cli(postArgs(["--reward", "2", "--fuel", String(FUEL), "--public-url", contentUrl]), POOR);
    expectOneLine(post, 1, /^hashwork: you have 0 HWK, need 2 HWK: get 2 HWK more or lower --reward$/);
    const stake = await cli(["provider", "stake", "--amount", "150", "--yes"], POOR);
    expectOneLine(stake, 1, /^hashwork: you have 0 HWK, need 150 HWK: get 150 HWK more or lower --amount$/);
    const bond = await cli(["verifier", "bond", "--amount", "150", "--yes"], POOR);
    expectOneLine(bond, 1, /^hashwork: you have 0 HWK, need 150 HWK: get 150 HWK more or lower --amount$/);
    expect(await wallet(POOR)).to.deep.equal(before);
  });

  it("job quote measures the fuel and suggests the provider's floor; --reward auto posts at it and the daemon takes the job", async function () {
    const quote = jsonOf<{
      fuelUsed: string;
      fuelLimit: string;
      suggestedReward: string;
      providersAtSuggested: number;
      providers: { provider: string; floor: string }[];
    }>(await cli(["job", "quote", join(dir, "montecarlo.wasm"), "--input", join(dir, "seed.bin"), "--json"]));
    expect(BigInt(quote.fuelUsed) > 0n, quote.fuelUsed).to.equal(true);
    // Measured plus 10%, rounded up.
    expect(BigInt(quote.fuelLimit)).to.equal((BigInt(quote.fuelUsed) * 110n + 99n) / 100n);
    expect(quote.providers.map((p) => p.provider)).to.deep.equal([address(PROVIDER)]);
    expect(BigInt(quote.suggestedReward)).to.equal(
      PRICE_PER_FUEL * BigInt(quote.fuelLimit) > 10n ** 16n ? PRICE_PER_FUEL * BigInt(quote.fuelLimit) : 10n ** 16n,
    );
    expect(quote.providersAtSuggested).to.equal(1);

    const posted = jsonOf<{ jobId: string; reward: string; fuelLimit: string; programURI: string }>(
      await cli(postArgs(["--reward", "auto", "--fuel", String(FUEL), "--public-url", contentUrl, "--json"])),
    );
    // The daemon's floor for this fuel limit, exactly: the quote did not overpay.
    expect(BigInt(posted.reward)).to.equal(PRICE_PER_FUEL * FUEL);
    expect(posted.programURI).to.equal(
      `${contentUrl}/content/${hashContent(new Uint8Array(await import("node:fs").then((fs) => fs.readFileSync(join(dir, "montecarlo.wasm")))))}`,
    );
    await waitFor(
      "the daemon to take the --reward auto job",
      async () => {
        const status = jsonOf<{ state: string; provider?: string | null }>(await cli(["job", "status", posted.jobId, "--json"]));
        return ["Claimed", "Submitted", "Finalized"].includes(status.state) ? status : undefined;
      },
      90_000,
      500,
    );
  });

  it("provider status --daemon lists a job below the daemon's floor as skipped for its price, logged once", async function () {
    // Posted with the SDK's checks off (a requester who skipped them): one base unit below the floor.
    const requester = system.clientFor(REQUESTER);
    const { wasm } = await loadSampleProgram("montecarlo");
    const input = encodeMonteCarloInput({ seed: 4n, samples: 2_000n });
    const { jobId } = await postJob(requester, {
      programHash: hashContent(wasm),
      inputHash: hashContent(input),
      programURI: "",
      inputURI: "",
      fuelLimit: FUEL,
      reward: PRICE_PER_FUEL * FUEL - 1n,
      executionTime: 600,
      challengeWindow: 60,
      preflight: false,
    });
    const skipped = await waitFor(
      "the daemon to skip the cheap job",
      async () => {
        const status = jsonOf<{ skipped: { jobId: string; reason: string; detail: string }[] }>(
          await cli(["provider", "status", address(PROVIDER), "--daemon", daemonUrl, "--json"]),
        );
        return status.skipped.find((s) => s.jobId === jobId.toString());
      },
      60_000,
      500,
    );
    expect(skipped).to.include({ reason: "price" });
    expect(skipped.detail).to.match(/^reward 99999999999999999 below 1000000000 per fuel$/);
    const human = await cli(["provider", "status", address(PROVIDER), "--daemon", daemonUrl]);
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.match(new RegExp(`^${jobId}\\s+price\\s+reward 99999999999999999 below`, "m"));
    // One info line for it in the daemon's log, however often it looked.
    const lines = daemon!.lines.filter((l) => l.includes(`"not claiming"`) && l.includes(jobId.toString()) && l.includes(`"info"`));
    expect(lines).to.have.length(1);
    // A daemon that is not there: one line, exit 1.
    const gone = await cli(["provider", "status", address(PROVIDER), "--daemon", `http://127.0.0.1:${await freePort()}`]);
    expectOneLine(gone, 1, /^hashwork: cannot reach the daemon at http:\/\/127\.0\.0\.1:\d+\/skipped: /);
  });
});
