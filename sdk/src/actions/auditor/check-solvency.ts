import type { Address, ReadContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
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
  /**
   * The dispute module, when one is installed: its ledger balance in the market must equal
   * `totalHeld()` (open bonds and slashed verifier stake awaiting payout), and it holds no tokens.
   */
  disputes?: {
    address: Address;
    ledgerBalance: bigint;
    totalHeld: bigint;
    tokenBalance: bigint;
    consistent: boolean;
  };
  /** `balance >= totalOwed`, and the dispute module (if any) holds exactly what it owes. */
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
  const disputes = await readDisputeModule(client, market, token, blockNumber);
  return {
    blockNumber,
    token,
    balance,
    totalOwed,
    accruedFees,
    surplus: balance > totalOwed ? balance - totalOwed : 0n,
    deficit: totalOwed > balance ? totalOwed - balance : 0n,
    ...(disputes ? { disputes } : {}),
    solvent: balance >= totalOwed && (disputes?.consistent ?? true),
  };
}

async function readDisputeModule(client: HashworkBaseClient, market: Address, token: Address, blockNumber: bigint) {
  const address =
    client.deployment.disputes ??
    (await client.publicClient.readContract({ address: market, abi: hashworkMarketAbi, functionName: "disputeModule", blockNumber }));
  if (address === "0x0000000000000000000000000000000000000000") return undefined;
  const [ledgerBalance, totalHeld, tokenBalance] = await Promise.all([
    client.publicClient.readContract({ address: market, abi: hashworkMarketAbi, functionName: "balanceOf", args: [address], blockNumber }),
    client.publicClient.readContract({ address, abi: hashworkDisputesAbi, functionName: "totalHeld", blockNumber }),
    client.publicClient.readContract({ address: token, abi: hashworkTokenAbi, functionName: "balanceOf", args: [address], blockNumber }),
  ]);
  return { address, ledgerBalance, totalHeld, tokenBalance, consistent: ledgerBalance === totalHeld && tokenBalance === 0n };
}
