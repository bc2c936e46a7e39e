import type { Hash, Hex, TransactionReceipt, WriteContractErrorType } from "viem";
import { zeroHash } from "viem";

import { hashworkTimelockAbi } from "../../abi/hashwork-timelock.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { InvalidParameterError, MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { getGovernorAddress, getTimelockAddress, readProposal, timelockSalt } from "./shared.ts";

export type CancelQueuedChangeParameters = WriteParameters & { proposalId: bigint };

export type CancelQueuedChangeReturnType = {
  /** The timelock operation cancelled. */
  operationId: Hex;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type CancelQueuedChangeErrorType =
  | InvalidParameterError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Cancels a queued proposal in the timelock: the guardian's one power (CANCELLER_ROLE; the
 * governor holds it too). `AccessControlUnauthorizedAccountError` for anyone else,
 * `TimelockUnexpectedOperationStateError` when the change is not pending (not queued, or done).
 *
 * @example
 * await cancelQueuedChange(guardianClient, { proposalId })
 */
export async function cancelQueuedChange(
  client: HashworkBaseClient,
  parameters: CancelQueuedChangeParameters,
): Promise<CancelQueuedChangeReturnType> {
  const p = await readProposal(client, parameters.proposalId);
  const timelock = await getTimelockAddress(client);
  const operationId = await client.publicClient.readContract({
    address: timelock,
    abi: hashworkTimelockAbi,
    functionName: "hashOperationBatch",
    args: [p.targets, p.values, p.calldatas, zeroHash, timelockSalt(getGovernorAddress(client), p.descriptionHash)],
  });
  const sent = await sendContractTransaction(client, {
    action: "cancelQueuedChange",
    address: timelock,
    abi: hashworkTimelockAbi,
    functionName: "cancel",
    args: [operationId],
    options: parameters,
  });
  return { operationId, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
