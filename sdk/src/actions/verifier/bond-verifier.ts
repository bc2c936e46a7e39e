import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import { verifierPoolAbi } from "../../abi/verifier-pool.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import {
  ERC20InsufficientAllowanceError,
  ERC20InsufficientBalanceError,
  type PoolBelowMinimumBondError,
  type PoolBondTooLargeError,
  type PoolZeroAmountError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import { decodeContractError } from "../../errors/decode.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { getTokenAddress } from "../../utils/token.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { getVerifierPoolAddress, poolEventsInReceipt } from "../shared/disputes.ts";

export type BondVerifierParameters = WriteParameters & {
  /** Tokens to add to the verifier bond, pulled from the wallet. */
  amount: bigint;
};

export type BondVerifierReturnType = {
  /** The verifier's bond (its draw weight) after this call. */
  bonded: bigint;
  /** The `approve` sent first, when the pool's allowance was short. */
  approvalTransactionHash?: Hash | undefined;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type BondVerifierErrorType =
  | PoolZeroAmountError
  | PoolBelowMinimumBondError
  | PoolBondTooLargeError
  | ERC20InsufficientBalanceError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Bonds tokens in the verifier pool, the stake dispute committees are drawn from (apart from
 * any provider stake: claiming jobs never changes a verifier's weight). The resulting bond must
 * be at least the market's minimum stake (`PoolBelowMinimumBondError`). It counts for disputes
 * opened in later blocks: each dispute draws from the pool as it stood at the end of its
 * opening block. Approves exactly the missing allowance first — after a dry run shows the bond
 * itself would succeed, so a refused bond costs no approval. The allowance is set to exactly
 * `amount`, never unlimited.
 *
 * @example
 * const { bonded } = await bondVerifier(client, { amount: parseEther("100") })
 */
export async function bondVerifier(client: HashworkBaseClient, parameters: BondVerifierParameters): Promise<BondVerifierReturnType> {
  const { amount } = parameters;
  const { account, address: verifier } = requireWallet(client, "bondVerifier", parameters.account);
  const [pool, token] = await Promise.all([getVerifierPoolAddress(client), getTokenAddress(client)]);
  const read = client.publicClient;
  const [allowance, balance] = await Promise.all([
    read.readContract({ address: token, abi: hashworkTokenAbi, functionName: "allowance", args: [verifier, pool] }),
    read.readContract({ address: token, abi: hashworkTokenAbi, functionName: "balanceOf", args: [verifier] }),
  ]);
  const call = {
    action: "bondVerifier",
    address: pool,
    abi: verifierPoolAbi,
    functionName: "bond",
    args: [amount],
    options: parameters,
  } as const;
  let approvalTransactionHash: Hash | undefined;
  if (allowance < amount) {
    try {
      await read.simulateContract({ address: pool, abi: verifierPoolAbi, functionName: "bond", args: [amount], account });
    } catch (error) {
      const revert = decodeContractError(error);
      if (!(revert instanceof ERC20InsufficientAllowanceError)) throw revert ?? error;
    }
    // The token would refuse the transfer after the approval; say so before sending anything.
    if (balance < amount) throw new ERC20InsufficientBalanceError([verifier, balance, amount], { contractAddress: token });
    ({ transactionHash: approvalTransactionHash } = await sendContractTransaction(client, {
      action: "bondVerifier",
      address: token,
      abi: hashworkTokenAbi,
      functionName: "approve",
      args: [pool, amount],
      options: { account },
    }));
  }
  const sent = await sendContractTransaction(client, call);
  const [bonded] = poolEventsInReceipt(pool, sent.receipt, "Bonded");
  return { bonded: bonded!.args.bonded, approvalTransactionHash, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
