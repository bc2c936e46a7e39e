import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkGovernorAbi } from "../../abi/hashwork-governor.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { InvalidParameterError, MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { getGovernorAddress, readProposal } from "./shared.ts";

export type ExecuteProposalParameters = WriteParameters & { proposalId: bigint };

export type ExecuteProposalReturnType = { transactionHash: Hash; receipt: TransactionReceipt };

export type ExecuteProposalErrorType =
  | InvalidParameterError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Executes a queued proposal once its eta has passed (anyone may): the timelock makes the calls.
 * `TimelockUnexpectedOperationStateError` before the eta; a call's own revert (a value out of
 * the market's bounds, say) is thrown as that contract's error.
 *
 * @example
 * await executeProposal(client, { proposalId })
 */
export async function executeProposal(
  client: HashworkBaseClient,
  parameters: ExecuteProposalParameters,
): Promise<ExecuteProposalReturnType> {
  const p = await readProposal(client, parameters.proposalId);
  const sent = await sendContractTransaction(client, {
    action: "executeProposal",
    address: getGovernorAddress(client),
    abi: hashworkGovernorAbi,
    functionName: "execute",
    args: [p.targets, p.values, p.calldatas, p.descriptionHash],
    options: parameters,
  });
  return { transactionHash: sent.transactionHash, receipt: sent.receipt };
}
