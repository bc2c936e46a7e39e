import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { verifierPoolAbi } from "../../abi/verifier-pool.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { PoolBelowMinimumBondError, PoolInsufficientBondError, PoolZeroAmountError } from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { getVerifierPoolAddress, poolEventsInReceipt } from "../shared/disputes.ts";

export type RequestVerifierWithdrawalParameters = WriteParameters & {
  /** Tokens to take out of the verifier bond. */
  amount: bigint;
};

export type RequestVerifierWithdrawalReturnType = {
  amount: bigint;
  /** The bond (draw weight) left. */
  bonded: bigint;
  /** Unix time from which `withdrawVerifierBond` can send everything pending. */
  unlockAt: bigint;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type RequestVerifierWithdrawalErrorType =
  | PoolZeroAmountError
  | PoolInsufficientBondError
  | PoolBelowMinimumBondError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Takes part of the sender's verifier bond out of its draw weight at once (disputes opened
 * from the next block on no longer draw it); the tokens stay answerable for the committee seats
 * already held and can be withdrawn with `withdrawVerifierBond` after the pool's
 * `withdrawalDelay()` (the longer of the market's unbonding period and its longest job lifetime).
 * What stays bonded must be zero or at least the minimum bond (`PoolBelowMinimumBondError`).
 * Each request restarts the delay for everything pending.
 *
 * @example
 * const { unlockAt } = await requestVerifierWithdrawal(client, { amount: parseEther("100") })
 */
export async function requestVerifierWithdrawal(
  client: HashworkBaseClient,
  parameters: RequestVerifierWithdrawalParameters,
): Promise<RequestVerifierWithdrawalReturnType> {
  const pool = await getVerifierPoolAddress(client);
  const sent = await sendContractTransaction(client, {
    action: "requestVerifierWithdrawal",
    address: pool,
    abi: verifierPoolAbi,
    functionName: "requestWithdrawal",
    args: [parameters.amount],
    options: parameters,
  });
  const [requested] = poolEventsInReceipt(pool, sent.receipt, "WithdrawalRequested");
  const a = requested!.args;
  return { amount: a.amount, bonded: a.bonded, unlockAt: a.unlockAt, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
