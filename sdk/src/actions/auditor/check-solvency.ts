import type { Address, ReadContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import { getTokenAddress } from "../../utils/token.ts";

export type CheckSolvencyParameters = {
  /** Check as of this block. Default: latest. */
  blockNumber?: bigint | undefined;
};

export type CheckSolvencyReturnType = {
  blockNumber: bigint;
  token: Address;
  /** `token.balanceOf(market)`: what the market holds. */
  balance: bigint;
  /**
   * `market.totalOwed()`: everything it owes — ledger balances, escrowed rewards, stakes,
   * unbonding stake and accrued protocol fees.
   */
  totalOwed: bigint;
  /** Part of `totalOwed`: protocol fees not yet withdrawn to the treasury. */
  accruedFees: bigint;
  /** `balance - totalOwed` when positive (tokens sent by mistake; `sweepSurplus` moves them). */
  surplus: bigint;
  /** `totalOwed - balance` when positive. Always 0 for a sound market. */
  deficit: bigint;
  /** `balance >= totalOwed`. */
  solvent: boolean;
};

export type CheckSolvencyErrorType = ReadContractErrorType;

/**
 * The market's solvency at one block: the tokens it holds against everything it owes. The
 * market keeps `totalOwed` exact on every token movement, so `solvent` must always be true;
 * a positive `surplus` is tokens transferred to it directly.
 *
 * @example
 * const { solvent, surplus } = await checkSolvency(client)
 */
export async function checkSolvency(
  client: HashworkBaseClient,
  parameters: CheckSolvencyParameters = {},
): Promise<CheckSolvencyReturnType> {
  const blockNumber = parameters.blockNumber ?? (await client.publicClient.getBlockNumber());
  const market = client.deployment.market;
  const token = await getTokenAddress(client);
  const [balance, totalOwed, accruedFees] = await Promise.all([
    client.publicClient.readContract({ address: token, abi: hashworkTokenAbi, functionName: "balanceOf", args: [market], blockNumber }),
    client.publicClient.readContract({ address: market, abi: hashworkMarketAbi, functionName: "totalOwed", blockNumber }),
    client.publicClient.readContract({ address: market, abi: hashworkMarketAbi, functionName: "accruedFees", blockNumber }),
  ]);
  return {
    blockNumber,
    token,
    balance,
    totalOwed,
    accruedFees,
    surplus: balance > totalOwed ? balance - totalOwed : 0n,
    deficit: totalOwed > balance ? totalOwed - balance : 0n,
    solvent: balance >= totalOwed,
  };
}
