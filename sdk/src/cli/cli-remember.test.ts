// "A CLI that remembers" end to end, each command a child process against one real `hardhat
// node`: `hashwork init` profiles (options and environment still win), `job list` and `#<nonce>`
// short ids, the confirmation before stake, bond and challenge, `dispute show|void|arbitrate`,
// and the rough edges of issue 18 (bad ids and keys exit 2, a token passed as --market, -o
// checked before fetching, real windows for Submitted/Disputed jobs, job wait naming the state,
// npm's banner kept out of --json).
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, keccak256, parseEther, toHex, type Address, type Hex } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { hashworkTokenAbi } from "../abi/hashwork-token.ts";
import { claimJob } from "../actions/provider/claim-job.ts";
import { submitResult } from "../actions/provider/submit-result.ts";
import { deploySystem, hdAccount, privateKeyOf, startHardhatNode, type HardhatNode, type System } from "../../../testkit/local-cluster.ts";
import { cleanEnv, jsonOf, REPO_ROOT, runCli, type CliRun } from "../../../testkit/cli.ts";

const REQUESTER = 1;
const PROVIDER = 2;

function expectFailure(run: CliRun, code: number, pattern: RegExp) {
  expect(run.code, run.stderr).to.equal(code);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).to.have.length(1);
  expect(lines[0]).to.match(pattern);
}

describe("hashwork CLI: profiles, job list, short ids, confirmations, disputes", function () {
  this.timeout(120_000);

  let node: HardhatNode;
  let system: System;
  let dir: string;
  let config: string;
  let market: Address;
  const requester = getAddress(hdAccount(REQUESTER).address);
  /** Jobs posted by the requester, in order (nonce 0, 1, …). */
  const jobs: bigint[] = [];

  /** The CLI with the test's config directory (so no profile of the machine's user leaks in). */
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env: { HASHWORK_CONFIG_DIR: config, ...env } });

  /** Posts a job straight through the contract (approve + postJob): the CLI's own posting is tested elsewhere. */
  async function postRaw(): Promise<bigint> {
    const client = system.clientFor(REQUESTER);
    const wallet = client.walletClient;
    const reward = parseEther("1");
    const send = async (hash: Promise<Hex>) => system.publicClient.waitForTransactionReceipt({ hash: await hash });
    await send(
      wallet.writeContract({
        address: system.deployment.token!,
        abi: hashworkTokenAbi,
        functionName: "approve",
        args: [market, reward],
        account: wallet.account!,
        chain: wallet.chain,
      }),
    );
    const now = (await system.publicClient.getBlock()).timestamp;
    const nonce = BigInt(jobs.length);
    await send(
      wallet.writeContract({
        address: market,
        abi: hashworkMarketAbi,
        functionName: "postJob",
        args: [
          {
            programHash: keccak256(toHex(`program ${nonce}`)),
            inputHash: keccak256(toHex(`input ${nonce}`)),
            fuelLimit: 100_000_000n,
            reward,
            collateralPct: 100,
            claimDeadline: Number(now) + 3600,
            executionTime: 600,
            challengeWindow: 900,
            minReputation: 0,
            designatedProvider: "0x0000000000000000000000000000000000000000",
            programURI: "http://127.0.0.1:9/program",
            inputURI: "http://127.0.0.1:9/input",
          },
        ],
        account: wallet.account!,
        chain: wallet.chain,
      }),
    );
    const jobId = (BigInt(requester) << 96n) | nonce;
    jobs.push(jobId);
    return jobId;
  }

  before(async function () {
    node = await startHardhatNode();
    system = await deploySystem(node.url);
    market = system.deployment.market;
    dir = await mkdtemp(join(tmpdir(), "hashwork-cli-remember-"));
    config = join(dir, "config");
    await writeFile(join(dir, "requester.key"), `${privateKeyOf(hdAccount(REQUESTER))}\n`, { mode: 0o600 });
    await writeFile(join(dir, "provider.key"), `${privateKeyOf(hdAccount(PROVIDER))}\n`, { mode: 0o600 });
    await writeFile(join(dir, "zero.key"), `0x${"0".repeat(64)}\n`);
  });

  after(async function () {
    node?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("init saves a profile the other commands use; options, environment and --profile choose over it", async function () {
    const saved = jsonOf<{ profile: string; path: string; account: Address; rpc: string; market: string }>(
      await cli(["init", "--rpc", node.url, "--market", market, "--key-file", join(dir, "requester.key"), "--json"]),
    );
    expect(saved).to.include({ profile: "default", path: join(config, "profiles.json"), account: requester, rpc: node.url, market });
    expect(statSync(saved.path).mode & 0o777).to.equal(0o600);
    const text = await readFile(saved.path, "utf8");
    expect(text).to.contain(join(dir, "requester.key"));
    expect(text.toLowerCase()).to.not.contain(privateKeyOf(hdAccount(REQUESTER)).slice(2));

    // No --rpc, --market or key anywhere but the profile.
    const audit = jsonOf<{ market: Address }>(await cli(["audit", "--json"]));
    expect(audit.market).to.equal(market);
    // The environment beats the profile, an option beats the environment.
    expectFailure(
      await cli(["audit", "--json"], { HASHWORK_RPC: "http://127.0.0.1:1" }),
      1,
      /cannot reach a JSON-RPC node at http:\/\/127\.0\.0\.1:1/,
    );
    jsonOf(await cli(["audit", "--json", "--rpc", node.url], { HASHWORK_RPC: "http://127.0.0.1:1" }));

    // A second profile, chosen by --profile (anywhere on the line) or HASHWORK_PROFILE.
    jsonOf(await cli(["init", "--profile", "elsewhere", "--rpc", "http://127.0.0.1:1", "--json"]));
    expectFailure(await cli(["--profile", "elsewhere", "audit"]), 1, /cannot reach a JSON-RPC node at http:\/\/127\.0\.0\.1:1/);
    expectFailure(await cli(["audit"], { HASHWORK_PROFILE: "elsewhere" }), 1, /cannot reach/);
    jsonOf(await cli(["audit", "--json"])); // the default is still the first profile
    expectFailure(
      await cli(["audit", "--profile", "nope"]),
      2,
      /^hashwork: no profile "nope" in .*profiles\.json \(known: default, elsewhere\)/,
    );
    expectFailure(await cli(["init", "--profile", "x", "--market", "0x12"]), 2, /--market must be an address/);
    expectFailure(await cli(["init", "--key-file", join(dir, "missing.key")]), 2, /--key-file: no file/);
    expectFailure(await cli(["init"]), 2, /nothing to save/);

    // XDG_CONFIG_HOME is honoured when HASHWORK_CONFIG_DIR is not set.
    const xdg = join(dir, "xdg");
    const run = await runCli(["init", "--rpc", node.url, "--json"], { env: { XDG_CONFIG_HOME: xdg, HASHWORK_CONFIG_DIR: undefined } });
    expect(jsonOf<{ path: string }>(run).path).to.equal(join(xdg, "hashwork", "profiles.json"));
    expect(existsSync(join(xdg, "hashwork", "profiles.json"))).to.equal(true);
  });

  it("job list shows my jobs newest first with #<nonce> short ids, which the id-taking commands accept", async function () {
    await postRaw();
    await postRaw();
    const listed = jsonOf<{ jobId: string; shortId: string; state: string }[]>(await cli(["job", "list", "--json"]));
    expect(listed.map((j) => [j.shortId, j.state, j.jobId])).to.deep.equal([
      ["#1", "Open", jobs[1]!.toString()],
      ["#0", "Open", jobs[0]!.toString()],
    ]);
    const table = await cli(["job", "list"]);
    expect(table.stdout).to.match(/^id\s+state\s+reward/);
    expect(table.stdout).to.match(/#1\s+Open\s+1 HWK/);
    expect(jsonOf<unknown[]>(await cli(["job", "list", "--state", "claimed,submitted", "--json"]))).to.deep.equal([]);
    // Another requester's list needs no key, and shows full ids.
    const theirs = jsonOf<{ shortId: string }[]>(
      await cli(["job", "list", "--requester", requester, "--json"], {
        HASHWORK_PROFILE: "elsewhere",
        HASHWORK_RPC: node.url,
        HASHWORK_MARKET: market,
      }),
    );
    expect(theirs.map((j) => j.shortId)).to.deep.equal(["#1", "#0"]);
    expectFailure(await cli(["job", "list", "--state", "bogus"]), 2, /--state must be one of Open, Claimed/);
    expectFailure(await cli(["job", "list"], { HASHWORK_PROFILE: "elsewhere" }), 2, /job list shows your jobs: set HASHWORK_PRIVATE_KEY/);

    const status = jsonOf<{ jobId: string; state: string }>(await cli(["job", "status", "#0", "--json"]));
    expect(status.jobId).to.equal(jobs[0]!.toString());
    const cancelled = jsonOf<{ jobId: string; state: string }>(await cli(["job", "cancel", "#1", "--json"]));
    expect(cancelled).to.include({ jobId: jobs[1]!.toString(), state: "Cancelled" });
    expect(jsonOf<{ state: string }[]>(await cli(["job", "list", "--json"]))[0]!.state).to.equal("Cancelled");
    // Short ids need a key.
    expectFailure(
      await cli(["job", "status", "#0"], { HASHWORK_PROFILE: "elsewhere", HASHWORK_RPC: node.url, HASHWORK_MARKET: market }),
      2,
      /is a short id of your own jobs: it needs your key/,
    );
  });

  it("bad ids, the zero key and a token passed as --market exit 2 with one line", async function () {
    expectFailure(await cli(["job", "status", "#18446744073709551616"]), 2, /a nonce is at most 2\^64 - 1/);
    expectFailure(await cli(["job", "status", "#x"]), 2, /must be #<nonce>/);
    const bigNonce = ((BigInt(requester) << 96n) | (1n << 64n)).toString();
    expectFailure(await cli(["job", "status", bigNonce]), 2, /not a valid job id: its nonce is above 2\^64 - 1/);
    expectFailure(
      await cli(["job", "list"], { HASHWORK_PRIVATE_KEY: `0x${"0".repeat(64)}` }),
      2,
      /HASHWORK_PRIVATE_KEY is not a usable private key/,
    );
    expectFailure(await cli(["job", "list", "--key-file", join(dir, "zero.key")]), 2, /zero\.key is not a usable private key/);
    expectFailure(await cli(["audit", "--market", system.deployment.token!]), 2, /is an ERC20 token \(HWK\), not the Hashwork market/);
    expectFailure(await cli(["audit", "--market", system.deployment.disputes!]), 2, /is not a Hashwork market/);
  });

  it("stake and bond ask first: refused without a terminal unless --yes, and nothing moves", async function () {
    const provider = ["--key-file", join(dir, "provider.key")];
    const stakeOf = async () => jsonOf<{ staked: string }>(await cli(["provider", "status", "--json", ...provider])).staked;
    expectFailure(
      await cli(["provider", "stake", "--amount", "200", ...provider]),
      2,
      /^hashwork: Stake 200 HWK from 0x.*: pass --yes to confirm \(there is no terminal to ask on\)$/,
    );
    expectFailure(await cli(["verifier", "bond", "--amount", "150", ...provider]), 2, /pass --yes to confirm/);
    expect(await stakeOf()).to.equal("0");
    // On a terminal the question is asked; "n" sends nothing (script(1) gives the CLI a pty).
    const answered = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const line = `node ${join(REPO_ROOT, "bin", "hashwork.mjs")} provider stake --amount 200 --key-file ${join(dir, "provider.key")}`;
      const child = spawn("script", ["-qec", line, "/dev/null"], {
        cwd: REPO_ROOT,
        env: cleanEnv({ HASHWORK_CONFIG_DIR: config }),
        stdio: ["pipe", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => {
        out += c;
        if (out.includes("[y/N]")) child.stdin.end("n\n");
      });
      child.once("close", (code) => resolve({ code, out }));
    });
    expect(answered.out).to.match(/Stake 200 HWK from 0x[0-9a-fA-F]{40}\? .*\[y\/N\]/);
    expect(answered.out).to.contain("not confirmed; nothing was sent");
    expect(answered.code).to.equal(1);
    expect(await stakeOf()).to.equal("0");
    jsonOf(await cli(["provider", "stake", "--amount", "200", "--yes", "--json", ...provider]));
    expect(await stakeOf()).to.equal((200n * 10n ** 18n).toString());
  });

  it("a Submitted and a Disputed job show their real windows; challenge asks first; dispute show, void and arbitrate", async function () {
    const jobId = jobs[0]!;
    const providerClient = system.clientFor(PROVIDER);
    await claimJob(providerClient, { jobId });
    await submitResult(providerClient, { jobId, resultHash: keccak256(toHex("a wrong result")), outputURI: "http://127.0.0.1:9/out" });
    const submitted = jsonOf<{ state: string; executionTime: number; challengeWindow: number }>(
      await cli(["job", "status", "#0", "--json"]),
    );
    expect(submitted).to.include({ state: "Submitted", executionTime: 600, challengeWindow: 900 });
    const human = await cli(["job", "status", "#0"]);
    expect(human.stdout).to.match(/execution time\s+600s/);
    expect(human.stdout).to.match(/challenge window\s+900s/);
    // The auditor's view shows the same terms (it read 0 s windows for a Submitted job).
    const audited = jsonOf<{ job: { state: string; executionTime: number; challengeWindow: number } }>(
      await cli(["audit", "job", "#0", "--json"]),
    );
    expect(audited.job).to.include({ state: "Submitted", executionTime: 600, challengeWindow: 900 });
    expect((await cli(["audit", "job", "#0"])).stdout).to.match(/challenge window\s+900s/);

    // -o into a missing folder is refused before anything is fetched.
    expectFailure(await cli(["job", "result", "#0", "-o", join(dir, "missing", "x")]), 2, /the folder .*missing does not exist/);
    // A wait that times out says where the job is.
    expectFailure(
      await cli(["job", "wait", "#0", "--until", "finalized", "--timeout", "2s"]),
      1,
      /timed out after 2s waiting until job \d+ is finalized: it is Submitted \(result submitted; challenge window ends \d{4}-/,
    );

    expectFailure(await cli(["dispute", "show", "#0"]), 1, /job \d+ \(Submitted\) was never disputed/);
    const hash = keccak256(toHex("the right result"));
    expectFailure(
      await cli(["job", "challenge", "#0", "--hash", hash]),
      2,
      /Challenge job \d+ with result hash 0x[0-9a-f]{64}\? It posts a bond of .*: pass --yes/,
    );
    expect(jsonOf<{ state: string }>(await cli(["job", "status", "#0", "--json"])).state).to.equal("Submitted");
    // The commit and the reveal need two blocks: mine one a second meanwhile.
    await system.publicClient.request({ method: "evm_setIntervalMining" as never, params: [500] as never });
    try {
      jsonOf(await cli(["job", "challenge", "#0", "--hash", hash, "--yes", "--json"]));
    } finally {
      await system.publicClient.request({ method: "evm_setIntervalMining" as never, params: [0] as never });
    }
    const disputed = jsonOf<{ state: string; executionTime: number; challengeWindow: number }>(
      await cli(["job", "status", "#0", "--json"]),
    );
    expect(disputed).to.include({ state: "Disputed", executionTime: 600, challengeWindow: 900 });

    const shown = jsonOf<{ phase: string; challenger: Address; challengerHash: Hex; voidableAfter: string }>(
      await cli(["dispute", "show", "#0", "--json"]),
    );
    expect(shown).to.include({ challenger: requester, challengerHash: hash });
    expect((await cli(["dispute", "show", "#0"])).stdout).to.match(/challenged by 0x/);
    expectFailure(
      await cli(["dispute", "arbitrate", "#0", "--provider-right"]),
      1,
      /is in phase \w+; only one AwaitingArbiter can be arbitrated/,
    );
    expectFailure(await cli(["dispute", "arbitrate", "#0"]), 2, /pass --hash HASH or --provider-right/);
    expectFailure(await cli(["dispute", "void", "#0"]), 1, /can be voided only after \d{4}-/);

    const now = (await system.publicClient.getBlock()).timestamp;
    await system.publicClient.request({
      method: "evm_increaseTime" as never,
      params: [Number(BigInt(shown.voidableAfter) - now) + 1] as never,
    });
    await system.publicClient.request({ method: "evm_mine" as never, params: [] as never });
    const voided = jsonOf<{ refund: string; bondReturned: string }>(await cli(["dispute", "void", "#0", "--json"]));
    expect(voided.refund).to.equal(parseEther("1").toString());
    expect(BigInt(voided.bondReturned) > 0n).to.equal(true);
    expect(jsonOf<{ state: string }>(await cli(["job", "status", "#0", "--json"])).state).to.equal("Voided");
  });

  it("--json pipes cleanly through npx hashwork and npm run -s hashwork (no npm banner on stdout)", async function () {
    const viaNpm = (argv: string[]) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn("npm", argv, {
          cwd: REPO_ROOT,
          env: cleanEnv({ HASHWORK_CONFIG_DIR: config }),
          stdio: ["ignore", "pipe", "ignore"],
        });
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
        child.once("error", reject);
        child.once("close", () => resolve(out));
      });
    for (const argv of [
      ["exec", "--", "hashwork", "job", "list", "--json"],
      ["run", "-s", "hashwork", "--", "job", "list", "--json"],
    ]) {
      const out = await viaNpm(argv);
      expect(
        (JSON.parse(out) as { shortId: string }[]).map((j) => j.shortId),
        `npm ${argv.join(" ")}`,
      ).to.deep.equal(["#1", "#0"]);
    }
  });
});
