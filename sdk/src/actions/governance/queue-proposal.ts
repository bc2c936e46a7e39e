import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkGovernorAbi } from "../../abi/hashwork-governor.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { InvalidParameterError, MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { getGovernorAddress, readProposal } from "./shared.ts";

export type QueueProposalParameters = WriteParameters & { proposalId: bigint };

export type QueueProposalReturnType = {
  /** When the change can be executed (the timelock's delay from now), in seconds since the epoch. */
  eta: bigint;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type QueueProposalErrorType =
  | InvalidParameterError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Queues a passed proposal in the timelock (anyone may). The change is then pending, visible to
 * everyone with its eta, and runs only once the delay has passed: long enough for every provider
 * to finish its jobs and withdraw first.
 *
 * @example
 * const { eta } = await queueProposal(client, { proposalId })
 */
export async function queueProposal(client: HashworkBaseClient, parameters: QueueProposalParameters): Promise<QueueProposalReturnType> {
  const p = await readProposal(client, parameters.proposalId);
  const sent = await sendContractTransaction(client, {
    action: "queueProposal",
    address: getGovernorAddress(client),
    abi: hashworkGovernorAbi,
    functionName: "queue",
    args: [p.targets, p.values, p.calldatas, p.descriptionHash],
    options: parameters,
  });
  const eta = await client.publicClient.readContract({
    address: getGovernorAddress(client),
    abi: hashworkGovernorAbi,
    functionName: "proposalEta",
    args: [parameters.proposalId],
    blockNumber: sent.receipt.blockNumber,
  });
  return { eta, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
