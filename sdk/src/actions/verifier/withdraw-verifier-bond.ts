import type { Address, Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { verifierPoolAbi } from "../../abi/verifier-pool.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { PoolNothingToWithdrawError, PoolZeroAddressError } from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { getVerifierPoolAddress, poolEventsInReceipt } from "../shared/disputes.ts";

export type WithdrawVerifierBondParameters = WriteParameters & {
  /** Who receives the tokens. Default: the sender. */
  to?: Address | undefined;
};

export type WithdrawVerifierBondReturnType = {
  amount: bigint;
  to: Address;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type WithdrawVerifierBondErrorType =
  | PoolNothingToWithdrawError
  | PoolZeroAddressError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Sends the sender's pending verifier withdrawal (see `requestVerifierWithdrawal`) to a wallet
 * once the pool's withdrawal delay has passed. Whatever of it still answers for a committee
 * seat stays in the pool until that dispute releases it (`PoolNothingToWithdrawError` when
 * nothing is free yet).
 *
 * @example
 * const { amount } = await withdrawVerifierBond(client)
 */
export async function withdrawVerifierBond(
  client: HashworkBaseClient,
  parameters: WithdrawVerifierBondParameters = {},
): Promise<WithdrawVerifierBondReturnType> {
  const { address: verifier } = requireWallet(client, "withdrawVerifierBond", parameters.account);
  const pool = await getVerifierPoolAddress(client);
  const sent = await sendContractTransaction(client, {
    action: "withdrawVerifierBond",
    address: pool,
    abi: verifierPoolAbi,
    functionName: "withdraw",
    args: [parameters.to ?? verifier],
    options: parameters,
  });
  const [withdrawn] = poolEventsInReceipt(pool, sent.receipt, "Withdrawn");
  return { amount: withdrawn!.args.amount, to: withdrawn!.args.to, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
