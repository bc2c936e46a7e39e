import { zeroAddress, type Address, type ReadContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import { verifierPoolAbi } from "../../abi/verifier-pool.ts";
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
   * `market.totalOwed()`: everything it owes — ledger balances (the dispute module's and the
   * verifier pool's bonds among them), escrowed rewards, stakes, unbonding stake, accrued
   * protocol fees and the audit reserve.
   */
  totalOwed: bigint;
  /** Part of `totalOwed`: protocol fees the treasury has not withdrawn yet. */
  accruedFees: bigint;
  /** Part of `totalOwed`: the share of protocol fees set aside to pay random audits (`auditReserveBps`). */
  auditReserve: bigint;
  /** `balance - totalOwed` when positive (tokens sent by mistake; `sweepSurplus` moves them). */
  surplus: bigint;
  /** `totalOwed - balance` when positive. Always 0 for a sound market. */
  deficit: bigint;
  /**
   * The dispute module, when one is installed: its ledger balance in the market must cover
   * `totalHeld()` (open bonds and slashed verifier bond awaiting payout).
   */
  disputes?: LedgerAccount;
  /**
   * The dispute module's verifier pool: its ledger balance must cover `totalHeld()` (every
   * verifier's bond and pending withdrawal).
   */
  verifierPool?: LedgerAccount;
  /** `balance >= totalOwed`, and the dispute module and its pool (if any) hold exactly what they owe. */
  solvent: boolean;
};

/** A contract that keeps its tokens in the market's ledger, checked against what it owes. */
export type LedgerAccount = {
  address: Address;
  /** `market.balanceOf(address)`. */
  ledgerBalance: bigint;
  /** `totalHeld()`: what the contract owes. */
  totalHeld: bigint;
  /** Tokens sent to the contract itself (it keeps everything in the ledger, so normally 0). */
  tokenBalance: bigint;
  /** `ledgerBalance - totalHeld` when positive: someone's stray deposit, which `sweepSurplus()` sends to the treasury. */
  surplus: bigint;
  /** `ledgerBalance >= totalHeld`: it can pay everything it owes. */
  consistent: boolean;
};

export type CheckSolvencyErrorType = ReadContractErrorType;

/**
 * The market's solvency at one block: the tokens it holds against everything it owes, and the
 * dispute module's and verifier pool's ledger accounts against what they owe. The contracts
 * keep these exact on every token movement, so `solvent` must always be true; a positive
 * `surplus` is tokens transferred to the market directly.
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
  const read = client.publicClient;
  const [balance, totalOwed, accruedFees, auditReserve] = await Promise.all([
    read.readContract({ address: token, abi: hashworkTokenAbi, functionName: "balanceOf", args: [market], blockNumber }),
    read.readContract({ address: market, abi: hashworkMarketAbi, functionName: "totalOwed", blockNumber }),
    read.readContract({ address: market, abi: hashworkMarketAbi, functionName: "accruedFees", blockNumber }),
    read.readContract({ address: market, abi: hashworkMarketAbi, functionName: "auditReserve", blockNumber }),
  ]);
  const disputesAddress =
    client.deployment.disputes ??
    (await read.readContract({ address: market, abi: hashworkMarketAbi, functionName: "disputeModule", blockNumber }));
  let disputes: LedgerAccount | undefined;
  let verifierPool: LedgerAccount | undefined;
  if (disputesAddress !== zeroAddress) {
    const poolAddress =
      client.deployment.verifierPool ??
      (await read.readContract({ address: disputesAddress, abi: hashworkDisputesAbi, functionName: "verifierPool", blockNumber }));
    [disputes, verifierPool] = await Promise.all([
      readLedgerAccount(client, { market, token, blockNumber, address: disputesAddress, abi: hashworkDisputesAbi }),
      readLedgerAccount(client, { market, token, blockNumber, address: poolAddress, abi: verifierPoolAbi }),
    ]);
  }
  return {
    blockNumber,
    token,
    balance,
    totalOwed,
    accruedFees,
    auditReserve,
    surplus: balance > totalOwed ? balance - totalOwed : 0n,
    deficit: totalOwed > balance ? totalOwed - balance : 0n,
    ...(disputes ? { disputes } : {}),
    ...(verifierPool ? { verifierPool } : {}),
    solvent: balance >= totalOwed && (disputes?.consistent ?? true) && (verifierPool?.consistent ?? true),
  };
}

async function readLedgerAccount(
  client: HashworkBaseClient,
  {
    market,
    token,
    blockNumber,
    address,
    abi,
  }: { market: Address; token: Address; blockNumber: bigint; address: Address; abi: typeof hashworkDisputesAbi | typeof verifierPoolAbi },
): Promise<LedgerAccount> {
  const read = client.publicClient;
  const [ledgerBalance, totalHeld, tokenBalance] = await Promise.all([
    read.readContract({ address: market, abi: hashworkMarketAbi, functionName: "balanceOf", args: [address], blockNumber }),
    read.readContract({ address, abi: abi as typeof verifierPoolAbi, functionName: "totalHeld", blockNumber }),
    read.readContract({ address: token, abi: hashworkTokenAbi, functionName: "balanceOf", args: [address], blockNumber }),
  ]);
  return {
    address,
    ledgerBalance,
    totalHeld,
    tokenBalance,
    surplus: ledgerBalance > totalHeld ? ledgerBalance - totalHeld : 0n,
    consistent: ledgerBalance >= totalHeld,
  };
}
