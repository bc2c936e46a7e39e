import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type {
  MarketClaimDeadlinePassedError,
  MarketNotDesignatedProviderError,
  MarketPausedError,
  MarketReputationTooLowError,
  MarketUnexpectedJobStateError,
  RegistryBelowMinimumStakeError,
  RegistryInsufficientFreeStakeError,
  RegistryNotProviderError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { sendContractTransaction } from "../../utils/write.ts";

export type ClaimJobParameters = WriteParameters & {
  jobId: bigint;
};

export type ClaimJobReturnType = {
  /** Stake locked as collateral for this job. */
  collateral: bigint;
  /** Unix time by which the result must be submitted. */
  executionDeadline: bigint;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type ClaimJobErrorType =
  | MarketUnexpectedJobStateError
  | MarketClaimDeadlinePassedError
  | MarketNotDesignatedProviderError
  | MarketReputationTooLowError
  | MarketPausedError
  | RegistryNotProviderError
  | RegistryBelowMinimumStakeError
  | RegistryInsufficientFreeStakeError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Claims an open job for the sender, locking `reward * collateralPct / 100` of its free stake
 * until the job settles. The result is due by the returned `executionDeadline`.
 *
 * @example
 * const { executionDeadline } = await claimJob(client, { jobId })
 */
export async function claimJob(client: HashworkBaseClient, parameters: ClaimJobParameters): Promise<ClaimJobReturnType> {
  const sent = await sendContractTransaction(client, {
    action: "claimJob",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "claimJob",
    args: [parameters.jobId],
    options: parameters,
  });
  const [claimed] = marketEventsInReceipt(client, sent.receipt, "JobClaimed");
  return {
    collateral: claimed!.args.collateral,
    executionDeadline: claimed!.args.executionDeadline,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
