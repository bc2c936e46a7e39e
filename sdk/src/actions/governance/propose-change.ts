import type { Hash, Hex, TransactionReceipt, WriteContractErrorType } from "viem";
import { keccak256, toHex } from "viem";

import { hashworkGovernorAbi } from "../../abi/hashwork-governor.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { InvalidParameterError, MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { encodeGovernanceCall, getGovernorAddress, type GovernanceCall } from "./shared.ts";

export type ProposeChangeParameters = WriteParameters & {
  /** The owner calls to make, in order (e.g. `{ contract: "market", functionName: "setFeeBps", args: [250] }`). */
  calls: readonly GovernanceCall[];
  /** What the change is and why; it identifies the proposal with its calls. */
  description: string;
};

export type ProposeChangeReturnType = {
  proposalId: bigint;
  descriptionHash: Hex;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type ProposeChangeErrorType =
  | InvalidParameterError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Proposes a parameter change to token holders: calls to owner functions of the market, the
 * dispute module or the timelock, by name and arguments, encoded and checked against the ABIs.
 * The proposer needs the governor's proposal threshold in delegated votes. After the voting delay
 * holders vote (`castVote`); a passed proposal is queued (`queueProposal`) and executed
 * (`executeProposal`) after the timelock's delay.
 *
 * @example
 * const { proposalId } = await proposeChange(client, {
 *   calls: [{ contract: "market", functionName: "setFeeBps", args: [250] }],
 *   description: "Raise the protocol fee to 2.5%",
 * })
 */
export async function proposeChange(client: HashworkBaseClient, parameters: ProposeChangeParameters): Promise<ProposeChangeReturnType> {
  const governor = getGovernorAddress(client);
  const encoded = await Promise.all(parameters.calls.map((c) => encodeGovernanceCall(client, c)));
  const sent = await sendContractTransaction(client, {
    action: "proposeChange",
    address: governor,
    abi: hashworkGovernorAbi,
    functionName: "propose",
    args: [encoded.map((e) => e.target), encoded.map((e) => e.value), encoded.map((e) => e.data), parameters.description],
    options: parameters,
  });
  return {
    proposalId: sent.result,
    descriptionHash: keccak256(toHex(parameters.description)),
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
