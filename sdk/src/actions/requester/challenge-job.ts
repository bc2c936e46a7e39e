import type { Address, Hash, Hex, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { hashworkTokenAbi } from "../../abi/hashwork-token.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import {
  ERC20InsufficientAllowanceError,
  ERC20InsufficientBalanceError,
  type DisputeInvalidChallengeHashError,
  type DisputeProviderCannotChallengeError,
  type MarketChallengeWindowClosedError,
  type MarketTermsMismatchError,
  type MarketUnexpectedJobStateError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import { decodeContractError } from "../../errors/decode.ts";
import type {
  JobResultNotFoundError,
  MissingAccountError,
  MissingWalletClientError,
  TransactionRevertedError,
} from "../../errors/sdk.ts";
import { requireWallet, type AccountParameter, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import type { SubmittedJobTerms } from "../../utils/job-request.ts";
import { getTokenAddress } from "../../utils/token.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import {
  checkBytes32,
  getDisputesAddress,
  openedDisputeInReceipt,
  resolveTerms,
  simulatingPending,
  type OpenedDispute,
} from "../shared/disputes.ts";

export type ChallengeJobParameters = WriteParameters & {
  jobId: bigint;
  /**
   * The result hash you believe is right (`computeResultHash` of your own run). Must be
   * non-zero and differ from the provider's.
   */
  challengerHash: Hex;
  /**
   * The settlement terms. Default: recovered from the job's `ResultSubmitted` event (searched
   * from the deployment's `fromBlock`).
   */
  terms?: SubmittedJobTerms | undefined;
};

export type ChallengeJobReturnType = {
  /** The dispute as opened (`DisputeOpened`); draw its committee once `seedBlock` is mined. */
  dispute: OpenedDispute;
  terms: SubmittedJobTerms;
  /** The `approve` sent first, when the dispute module's allowance was short of the bond. */
  approvalTransactionHash?: Hash | undefined;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type ChallengeJobErrorType =
  | DisputeProviderCannotChallengeError
  | DisputeInvalidChallengeHashError
  | MarketUnexpectedJobStateError
  | MarketChallengeWindowClosedError
  | MarketTermsMismatchError
  | ERC20InsufficientBalanceError
  | JobResultNotFoundError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Challenges a submitted result during its challenge window: names the hash you believe is
 * right and posts the dispute module's `challengeBond`, which the module pulls from your wallet
 * by allowance. When the allowance is short, approves exactly the bond first — after a dry run
 * shows the challenge itself would succeed, so a refused challenge costs no approval. Anyone
 * but the provider may challenge (requesters and watchers alike). If the committee sides with
 * you, you get the bond back plus a share of the provider's collateral; if it sides with the
 * provider, the bond pays the provider and the verifiers (`docs/economics.md`).
 *
 * @example
 * const { outputHash, fuelUsed, status } = await runMyself(job)
 * const { dispute } = await challengeJob(client, { jobId, challengerHash: computeResultHash(outputHash, fuelUsed, status) })
 * // a keeper (anyone) then calls drawCommittee once dispute.seedBlock is mined
 */
export async function challengeJob(
  client: HashworkBaseClient,
  parameters: ChallengeJobParameters,
): Promise<ChallengeJobReturnType> {
  const { jobId } = parameters;
  const challengerHash = checkBytes32("challengerHash", parameters.challengerHash);
  const { account, address: challenger } = requireWallet(client, "challengeJob", parameters.account);
  const disputes = await getDisputesAddress(client);
  const terms = await resolveTerms(client, jobId, parameters.terms);
  const call = {
    action: "challengeJob",
    address: disputes,
    abi: hashworkDisputesAbi,
    functionName: "challenge",
    args: [jobId, terms, challengerHash],
    options: parameters,
  } as const;
  const pending = simulatingPending(client);
  const approvalTransactionHash = await approveBond(pending, { disputes, challenger, account, call });
  const sent = await sendContractTransaction(pending, call);
  return {
    dispute: openedDisputeInReceipt(disputes, sent.receipt),
    terms,
    approvalTransactionHash,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}

/**
 * Approves the dispute module for exactly the bond when the allowance is short, after checking
 * the wallet holds the bond and that the challenge would pass every other check (a dry run
 * that may only fail on the missing allowance).
 */
async function approveBond(
  client: HashworkBaseClient,
  {
    disputes,
    challenger,
    account,
    call,
  }: {
    disputes: Address;
    challenger: Address;
    account: AccountParameter;
    call: { address: Address; abi: typeof hashworkDisputesAbi; functionName: "challenge"; args: readonly [bigint, SubmittedJobTerms, Hex] };
  },
): Promise<Hash | undefined> {
  const read = client.publicClient;
  const [config, token] = await Promise.all([
    read.readContract({ address: disputes, abi: hashworkDisputesAbi, functionName: "config" }),
    getTokenAddress(client),
  ]);
  const bond = config.challengeBond;
  const [allowance, balance] = await Promise.all([
    read.readContract({ address: token, abi: hashworkTokenAbi, functionName: "allowance", args: [challenger, disputes] }),
    read.readContract({ address: token, abi: hashworkTokenAbi, functionName: "balanceOf", args: [challenger] }),
  ]);
  if (allowance >= bond) return undefined;
  try {
    await read.simulateContract({ address: call.address, abi: call.abi, functionName: call.functionName, args: call.args, account });
  } catch (error) {
    const revert = decodeContractError(error);
    if (!(revert instanceof ERC20InsufficientAllowanceError)) throw revert ?? error;
  }
  // The token would refuse the transfer after the approval; say so before sending anything.
  if (balance < bond) throw new ERC20InsufficientBalanceError([challenger, balance, bond], { contractAddress: token });
  const { transactionHash } = await sendContractTransaction(client, {
    action: "challengeJob",
    address: token,
    abi: hashworkTokenAbi,
    functionName: "approve",
    args: [disputes, bond],
    options: { account },
  });
  return transactionHash;
}
