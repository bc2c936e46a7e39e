// Provider offers under a Sybil attack, on the in-process chain: 300 fake providers with the
// minimum stake and a price of one base unit per fuel. A post's pre-flight must stay a handful of
// JSON-RPC requests (it was two `eth_call`s per registered provider on every post), and the
// reward `quoteJob` suggests must stay at the honest providers' prices (head-counted, the fakes
// dragged it to the market minimum).
import { expect } from "chai";
import { network } from "hardhat";
import { createPublicClient, custom, type EIP1193Parameters, type PublicRpcSchema } from "viem";

import { encodeMonteCarloInput } from "../../programs/montecarlo.ts";
import { loadSampleProgram } from "../../programs/sample-programs.ts";
import type { HashworkBaseClient, HashworkPublicClient } from "../../utils/client.ts";
import { createSdkFixtures, LOCAL_PARAMETERS, postManyWithViem, REWARD, STAKE, TOKEN_UNIT } from "../../../../testkit/fixtures.ts";
import { registerSybils } from "../../../../testkit/sybil-providers.ts";
import { finalizeJob } from "./finalize-job.ts";
import { getProviderOffers } from "./get-provider-offers.ts";
import { preflightJobs } from "./preflight-jobs.ts";
import { quoteJob } from "./quote-job.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

const SYBILS = 300;
/** The honest providers' prices per fuel (base units): well above the market minimum for the job below. */
const HONEST_PRICE = 10n ** 13n;

/**
 * `staked` with provider (HONEST_PRICE) and provider2 (twice that) each having completed one job
 * (so each paid a protocol fee), plus SYBILS fakes at a price of 1 with the minimum stake.
 */
async function sybilMarket() {
  const d = await fixtures.staked();
  await d.marketWrite("provider", "registerProvider", ["http://127.0.0.1:8700", HONEST_PRICE, 1_000_000_000n]);
  await d.marketWrite("provider2", "registerProvider", ["http://127.0.0.1:8701", 2n * HONEST_PRICE, 1_000_000_000n]);
  const [first, second] = await postManyWithViem(d, 2);
  for (const [who, jobId] of [
    ["provider", first!],
    ["provider2", second!],
  ] as const) {
    await d.marketWrite(who, "claimJob", [jobId]);
    await d.marketWrite(who, "submitResult", [jobId, `0x${"11".repeat(32)}`, ""]);
  }
  await d.networkHelpers.time.increase(601);
  for (const jobId of [first!, second!]) await finalizeJob(d.clients.requester, { jobId });
  await registerSybils({
    provider: connection.provider as never,
    market: d.deployment.market,
    token: d.deployment.token!,
    minter: d.address.owner,
    count: SYBILS,
    stake: LOCAL_PARAMETERS.minStake,
    pricePerFuel: 1n,
    maxFuel: 10n ** 18n - 1n,
  });
  return d;
}

/** A client of its own (nothing remembered yet) whose every JSON-RPC request is recorded. */
function countingClient(d: Awaited<ReturnType<typeof sybilMarket>>) {
  const methods: string[] = [];
  const publicClient = createPublicClient({
    chain: d.publicClient.chain,
    transport: custom({
      request: (args: EIP1193Parameters<PublicRpcSchema>) => {
        methods.push(args.method);
        return connection.provider.request(args as never);
      },
    }),
  }) as HashworkPublicClient;
  const client: HashworkBaseClient = { publicClient, deployment: d.deployment };
  return { client, methods };
}

describe("provider offers against 300 Sybil providers", function () {
  this.timeout(120_000);

  it("a post's pre-flight reads every offer in a handful of requests, and only new blocks' logs afterwards", async function () {
    const d = await loadFixture(sybilMarket);
    const { client, methods } = countingClient(d);
    const { offers } = await preflightJobs(client, {
      jobs: [{ fuelLimit: 50_000_000n, reward: 10n * TOKEN_UNIT } as never],
      options: { content: false },
    });
    // 604 stake and reputation reads: one log scan and ten deployless multicalls (no Multicall3
    // on this chain, and each answer is capped at 24 KiB), not 604 eth_calls.
    const first = methods.splice(0);
    expect(first.filter((m) => m === "eth_call").length, `${first.length} requests`).to.be.at.most(10);
    expect(first.length, first.join(",")).to.be.at.most(14);
    expect(offers).to.have.length(SYBILS + 2);
    const honest = offers.find((o) => o.provider === d.address.provider)!;
    expect(honest).to.include({ pricePerFuel: HONEST_PRICE, completed: 1 });
    // Its payout went to its stake, less the protocol fee it paid.
    expect(honest.feesPaid > 0n).to.equal(true);
    expect(honest.free).to.equal(STAKE + REWARD - honest.feesPaid);

    // Another post in a later block: the logs from where the last scan stopped, the same reads.
    await d.networkHelpers.mine(3);
    const head = BigInt(await connection.provider.request({ method: "eth_blockNumber" }));
    const again = await getProviderOffers(client, { blockNumber: head });
    const second = methods.splice(0);
    expect(second.filter((m) => m === "eth_getLogs").length).to.equal(1);
    expect(second.length, second.join(",")).to.be.at.most(14);
    // The same answer a full scan gives (a client that remembers nothing).
    expect(again).to.deep.equal(await getProviderOffers(countingClient(d).client, { blockNumber: head }));
    // And in the same block: only the block's hash is asked.
    await getProviderOffers(client, { blockNumber: head });
    expect(methods.splice(0)).to.deep.equal(["eth_getBlockByNumber"]);
  });

  it("the suggested reward stays at the honest providers' prices however many cheap fakes register", async function () {
    const d = await loadFixture(sybilMarket);
    const { wasm } = await loadSampleProgram("montecarlo");
    const input = encodeMonteCarloInput({ seed: 1n, samples: 200n });
    const { client, methods } = countingClient(d);
    const quote = await quoteJob(client, { program: wasm, input });
    // Every provider is listed (the fakes do take the job at their floor)...
    expect(quote.providers).to.have.length(SYBILS + 2);
    // ...but the suggestion is weighted by fees paid on completed jobs, which the fakes have none of.
    expect(quote.suggestedReward, "suggested reward").to.equal(HONEST_PRICE * quote.fuelLimit);
    expect(quote.weightedBy).to.equal("fees");
    expect(quote.suggestedReward! > quote.minReward).to.equal(true);
    // The scores come in multicalls too.
    expect(methods.filter((m) => m === "eth_call").length, methods.join(",")).to.be.at.most(20);
  });
});
