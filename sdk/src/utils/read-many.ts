/**
 * Many contract reads in a few `eth_call`s: through Multicall3 when the chain has one (viem's
 * chain definition names it, or code sits at its canonical address), else viem's deployless
 * multicall (the Multicall3 code sent as init code with the call, so it works on any node, a
 * fresh local chain included). What the offer reads use so a thousand registered providers cost
 * a handful of requests instead of two each.
 */
import type { Address, ContractFunctionParameters } from "viem";

import type { HashworkBaseClient } from "./client.ts";

/** Where Multicall3 is deployed on nearly every EVM chain (same deployer, same nonce). */
const MULTICALL3: Address = "0xcA11bde05977b3631167028862bE2a173976CA11";

/**
 * Calldata bytes per `eth_call`, counted as viem does (the reads' own calldata, 36 bytes for a
 * one-address read; viem's default is 1 KiB). Through a deployed Multicall3, 16 KiB: about 450
 * reads, a few million gas, under public RPCs' `eth_call` gas caps. Deployless, the answer comes
 * back as the created contract's code, which EIP-170 caps at 24 KiB, and a struct result with its
 * ABI framing takes up to about 350 bytes: 2,400 bytes is about 66 reads, at most 23 KiB back.
 */
const CALLDATA_PER_CALL = { deployed: 16_384, deployless: 2_400 };

/** Whether a public client's chain has Multicall3, asked once per client. */
const hasMulticall3 = new WeakMap<object, Promise<Address | undefined>>();

function multicall3Of(client: HashworkBaseClient): Promise<Address | undefined> {
  const known = client.publicClient.chain?.contracts?.multicall3?.address;
  if (known) return Promise.resolve(known);
  let answer = hasMulticall3.get(client.publicClient);
  if (!answer) {
    answer = client.publicClient.getCode({ address: MULTICALL3 }).then((code) => (code && code !== "0x" ? MULTICALL3 : undefined));
    answer.catch(() => hasMulticall3.delete(client.publicClient));
    hasMulticall3.set(client.publicClient, answer);
  }
  return answer;
}

/** The results of `contracts`, in order (the caller knows their types); throws the first failed read. */
export async function readMany(
  client: HashworkBaseClient,
  contracts: readonly ContractFunctionParameters[],
  blockNumber?: bigint,
): Promise<unknown[]> {
  if (contracts.length === 0) return [];
  const multicallAddress = await multicall3Of(client);
  return client.publicClient.multicall({
    contracts: contracts as never,
    allowFailure: false,
    blockNumber,
    ...(multicallAddress
      ? { multicallAddress, batchSize: CALLDATA_PER_CALL.deployed }
      : { deployless: true, batchSize: CALLDATA_PER_CALL.deployless }),
  }) as Promise<unknown[]>;
}
