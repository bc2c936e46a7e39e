import type { Address, Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkGovernorAbi } from "../../abi/hashwork-governor.ts";
import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { requireWallet } from "../../utils/client.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { getGovernorAddress } from "./shared.ts";

export type DelegateVotesParameters = WriteParameters & {
  /** Who receives the sender's votes. Default: the sender itself. */
  delegatee?: Address | undefined;
};

export type DelegateVotesReturnType = { delegatee: Address; transactionHash: Hash; receipt: TransactionReceipt };

export type DelegateVotesErrorType =
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Delegates the sender's governance-token votes (the governor's token, `governor.token()`), to
 * itself by default. Tokens vote only once delegated, and only in proposals created after.
 *
 * @example
 * await delegateVotes(client) // vote with your own tokens
 */
export async function delegateVotes(
  client: HashworkBaseClient,
  parameters: DelegateVotesParameters = {},
): Promise<DelegateVotesReturnType> {
  const { address } = requireWallet(client, "delegateVotes", parameters.account);
  const delegatee = parameters.delegatee ?? address;
  const token = await client.publicClient.readContract({
    address: getGovernorAddress(client),
    abi: hashworkGovernorAbi,
    functionName: "token",
  });
  const sent = await sendContractTransaction(client, {
    action: "delegateVotes",
    address: token,
    abi: hashworkTokenAbi,
    functionName: "delegate",
    args: [delegatee],
    options: parameters,
  });
  return { delegatee, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
