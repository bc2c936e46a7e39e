// The SDK quick start: post one Monte Carlo job, wait for a provider's result, fetch the output
// and check it against the hash the provider committed on chain. Plain JavaScript against the
// published package (`@hashwork/sdk`), so it runs on Node 20 and 22 as it is. Needs a chain with
// Hashwork deployed and a provider daemon running (`npm run demo` shows both; docs/cli.md sets
// them up):
//
//   HASHWORK_PRIVATE_KEY=0x… node quickstart.mjs
//
// HASHWORK_RPC (default http://127.0.0.1:8545) picks the node. The program and input are served
// from this process by a content server on 127.0.0.1, so the provider must run on this machine.
// In this repository, run it from the SDK's sources with
// `node --conditions=hashwork-source sdk/examples/quickstart.mjs` (Node 22), or from the built
// package after `npm run build:sdk` with plain `node`.
import { createPublicClient, createWalletClient, defineChain, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { createContentServer, createHashworkClient, createHttpStore, createLocalStore, getDeployment } from "@hashwork/sdk";
import { decodeMonteCarloOutput, encodeMonteCarloInput, loadSampleProgram } from "@hashwork/sdk/programs";

const rpc = process.env.HASHWORK_RPC ?? "http://127.0.0.1:8545";
const key = process.env.HASHWORK_PRIVATE_KEY;
if (!key) throw new Error("set HASHWORK_PRIVATE_KEY to the requester's key");

const publicClient = createPublicClient({ transport: http(rpc) });
const chainId = await publicClient.getChainId();
const chain = defineChain({
  id: chainId,
  name: `chain ${chainId}`,
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [rpc] } },
});
const client = createHashworkClient({
  publicClient,
  walletClient: createWalletClient({ account: privateKeyToAccount(key), chain, transport: http(rpc) }),
  deployment: getDeployment(chainId),
});

// Put the program and its input where providers can fetch them (verified by hash on their side).
const server = createContentServer({ store: createLocalStore({ dir: "build/quickstart-store" }), allowUploads: true });
const store = createHttpStore({ baseUrl: await server.start() });
try {
  const { wasm } = await loadSampleProgram("montecarlo");
  const input = encodeMonteCarloInput({ seed: 7n, samples: 100_000n });
  const content = await client.uploadJobContent({ store, program: wasm, input });

  const { jobId } = await client.postJob({
    ...content,
    fuelLimit: 100_000_000n,
    reward: parseEther("1"),
    executionTime: 600,
    challengeWindow: 60,
  });
  console.log(`posted job ${jobId}`);

  const { result } = await client.waitForResult({ jobId, timeout: 120_000 });
  // The output URI is the provider's: fetched from public addresses only unless allowed (a local chain's providers are on 127.0.0.1).
  const { output, outcome } = await client.fetchJobOutput({ jobId, result, fetch: { allowHosts: ["127.0.0.1", "localhost"] } });
  const { pi } = decodeMonteCarloOutput(output);
  console.log(`job ${jobId}: ${outcome.fuelUsed} fuel, provider ${result.provider}, pi ≈ ${pi}`);
} finally {
  await server.close();
}
