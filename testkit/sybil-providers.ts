/**
 * `registerSybils`: many cheap fake providers on a local chain, each registered with a profile
 * (a low price, a big max fuel) and the market's minimum stake — what an attacker needs to make
 * every requester's offer reads slow or to drag a head-counted reward suggestion down. The
 * accounts are impersonated (no keys to sign with), so a few hundred take seconds.
 */
import { encodeFunctionData, getAddress, numberToHex, type Address, type EIP1193Provider } from "viem";

import { hashworkMarketAbi } from "../sdk/src/abi/hashwork-market.ts";
import { hashworkTokenAbi } from "../sdk/src/abi/hashwork-token.ts";

export type SybilOptions = {
  /** The node (an EIP-1193 provider that accepts `hardhat_*` methods: hardhat node, EDR, anvil). */
  provider: Pick<EIP1193Provider, "request">;
  market: Address;
  token: Address;
  /** An account allowed to `mint` the token (the local deployment's owner). */
  minter: Address;
  count: number;
  /** Stake each fake locks (the market's minimum, typically). */
  stake: bigint;
  pricePerFuel: bigint;
  maxFuel: bigint;
};

/** The `i`-th fake provider's address (deterministic, far from any HD account). */
export const sybilAddress = (i: number): Address => getAddress(`0x5b11${i.toString(16).padStart(36, "0")}`);

/** Registers and stakes `count` fake providers; returns their addresses. */
export async function registerSybils(options: SybilOptions): Promise<Address[]> {
  const { provider, market, token } = options;
  const send = async (from: Address, to: Address, data: `0x${string}`) => {
    const hash = await provider.request({ method: "eth_sendTransaction", params: [{ from, to, data, gas: numberToHex(300_000) }] });
    const receipt = await provider.request({ method: "eth_getTransactionReceipt", params: [hash] });
    if (receipt?.status !== "0x1") throw new Error(`registerSybils: a transaction from ${from} to ${to} reverted`);
  };
  const fakes = Array.from({ length: options.count }, (_, i) => sybilAddress(i));
  for (const fake of fakes) {
    await provider.request({ method: "hardhat_impersonateAccount" as never, params: [fake] as never });
    await provider.request({ method: "hardhat_setBalance" as never, params: [fake, numberToHex(10n ** 18n)] as never });
    await send(options.minter, token, encodeFunctionData({ abi: hashworkTokenAbi, functionName: "mint", args: [fake, options.stake] }));
    await send(fake, token, encodeFunctionData({ abi: hashworkTokenAbi, functionName: "approve", args: [market, options.stake] }));
    await send(fake, market, encodeFunctionData({ abi: hashworkMarketAbi, functionName: "stake", args: [options.stake] }));
    const profile = ["http://sybil.invalid", options.pricePerFuel, options.maxFuel] as const;
    await send(fake, market, encodeFunctionData({ abi: hashworkMarketAbi, functionName: "registerProvider", args: profile }));
  }
  return fakes;
}
