// postJob's and postJobs' pre-flight checks against the in-process chain and a real content
// server on 127.0.0.1: every refusal sends nothing and leaves token balance and allowance as
// they were.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, stringToBytes } from "viem";

import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import { InsufficientFundsError, JobContentUnavailableError, JobUnmatchedByProvidersError } from "../../errors/sdk.ts";
import { createLocalStore } from "../../store/local.ts";
import { createContentServer, type ContentServer } from "../../store/server.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { MINTED, createSdkFixtures, testJob } from "../../../../testkit/fixtures.ts";
import { getProviderOffers } from "./get-provider-offers.ts";
import { postJob } from "./post-job.ts";
import { postJobs } from "./post-jobs.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

describe("postJob / postJobs pre-flight checks", function () {
  let dir: string;
  let server: ContentServer;
  let baseUrl: string;
  const program = stringToBytes("\0asm preflight program");
  const input = stringToBytes("preflight input");

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), "hashwork-preflight-"));
    const store = createLocalStore({ dir: join(dir, "store") });
    await store.put(program);
    await store.put(input);
    server = createContentServer({ store, host: "127.0.0.1" });
    baseUrl = await server.start();
  });

  after(async function () {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const served = () => ({
    programHash: keccak256(program),
    inputHash: keccak256(input),
    programURI: `${baseUrl}/content/${keccak256(program)}`,
    inputURI: `${baseUrl}/content/${keccak256(input)}`,
  });

  /** Token balance, allowance and block of the requester: none may move when a check refuses. */
  async function snapshot(d: Awaited<ReturnType<typeof fixtures.staked>>) {
    const [balance, allowance, block] = await Promise.all([
      d.tokenBalance(d.address.requester),
      d.publicClient.readContract({
        address: d.deployment.token!,
        abi: hashworkTokenAbi,
        functionName: "allowance",
        args: [d.address.requester, d.deployment.market],
      }),
      d.publicClient.getBlockNumber(),
    ]);
    return { balance, allowance, block };
  }

  it("posts a job whose content is served and matches its hashes", async function () {
    const d = await loadFixture(fixtures.staked);
    const { jobId, request } = await postJob(d.clients.requester, testJob(served()));
    expect(jobId).to.be.a("bigint");
    expect(request.programURI).to.equal(served().programURI);
  });

  it("refuses a file:// URI unless allowLocal, sending nothing", async function () {
    const d = await loadFixture(fixtures.staked);
    const file = join(dir, "program.wasm");
    await writeFile(file, program);
    const job = testJob({ ...served(), programURI: pathToFileURL(file).href });
    const before = await snapshot(d);
    const error = await expectRejection(postJob(d.clients.requester, job), JobContentUnavailableError);
    expect(error).to.include({ local: true, parameter: "job.programURI" });
    expect(await snapshot(d)).to.deep.equal(before);
    // Allowed, the file is read and checked like any URI.
    const { jobId } = await postJob(d.clients.requester, { ...job, preflight: { allowLocal: true } });
    expect(jobId).to.be.a("bigint");
  });

  it("refuses an input URI nobody serves, and one serving other bytes, sending nothing", async function () {
    const d = await loadFixture(fixtures.staked);
    const before = await snapshot(d);
    const closed = await postJob(d.clients.requester, testJob({ ...served(), inputURI: "http://127.0.0.1:9/content/x" })).catch((e) => e);
    expect(closed).to.be.instanceOf(JobContentUnavailableError);
    expect(closed).to.include({ local: false, parameter: "job.inputURI" });
    const wrong = testJob({ ...served(), inputURI: served().programURI });
    const mismatch = await expectRejection(postJob(d.clients.requester, wrong), JobContentUnavailableError);
    expect(mismatch.shortMessage).to.match(/hash/i);
    expect(await snapshot(d)).to.deep.equal(before);
  });

  it("refuses a fuel limit above every registered provider's maxFuel, naming the largest", async function () {
    const d = await loadFixture(fixtures.staked);
    const offers = await getProviderOffers(d.clients.requester);
    expect(offers.map((o) => o.maxFuel)).to.deep.equal([1_000_000_000n, 1_000_000_000n]);
    const before = await snapshot(d);
    const error = await expectRejection(postJob(d.clients.requester, testJob({ fuelLimit: 1_000_000_001n })), JobUnmatchedByProvidersError);
    expect(error).to.include({ field: "fuelLimit", limit: 1_000_000_000n, providers: 2, parameter: "job.fuelLimit" });
    expect(await snapshot(d)).to.deep.equal(before);
  });

  it("refuses a reward below every provider's price floor for the fuel, naming the cheapest", async function () {
    const d = await loadFixture(fixtures.staked);
    // Prices per fuel of 1e9 and 3e9 base units: floors of 0.05 and 0.15 token for 5e7 fuel.
    await d.marketWrite("provider", "registerProvider", ["http://127.0.0.1:8700", 10n ** 9n, 1_000_000_000n]);
    await d.marketWrite("provider2", "registerProvider", ["http://127.0.0.1:8701", 3n * 10n ** 9n, 1_000_000_000n]);
    const before = await snapshot(d);
    const fuelLimit = 50_000_000n;
    const floor = fuelLimit * 10n ** 9n;
    const error = await expectRejection(
      postJobs(d.clients.requester, { jobs: [testJob(), testJob({ fuelLimit, reward: floor - 1n })] }),
      JobUnmatchedByProvidersError,
    );
    expect(error).to.include({ field: "reward", limit: floor, providers: 2, parameter: "jobs[1].reward" });
    expect(await snapshot(d)).to.deep.equal(before);
    // At the cheapest floor it goes through.
    const { jobId } = await postJob(d.clients.requester, testJob({ fuelLimit, reward: floor }));
    expect(jobId).to.be.a("bigint");
  });

  it("says 'you have X, need Y' before any approve when wallet and ledger fall short", async function () {
    const d = await loadFixture(fixtures.staked);
    const before = await snapshot(d);
    const reward = MINTED + 1n;
    const error = await expectRejection(postJob(d.clients.requester, testJob({ reward })), InsufficientFundsError);
    expect(error).to.include({ available: MINTED, needed: reward });
    expect(error.shortMessage).to.equal(`postJob: you have ${MINTED}, need ${reward} (token base units): get 1 more tokens first`);
    expect(await snapshot(d)).to.deep.equal(before);
  });

  it("checks nothing with preflight: false (the chain has the last word)", async function () {
    const d = await loadFixture(fixtures.staked);
    const { jobId } = await postJob(d.clients.requester, {
      ...testJob({ fuelLimit: 2_000_000_000n, programURI: "http://127.0.0.1:9/nothing" }),
      preflight: false,
    });
    expect(jobId).to.be.a("bigint");
  });
});
