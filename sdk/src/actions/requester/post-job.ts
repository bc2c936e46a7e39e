import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type {
  ERC20InsufficientAllowanceError,
  ERC20InsufficientBalanceError,
  MarketInvalidChallengeWindowError,
  MarketInvalidClaimDeadlineError,
  MarketInvalidCollateralError,
  MarketInvalidExecutionTimeError,
  MarketInvalidMinReputationError,
  MarketPausedError,
  MarketRewardTooLowError,
  MarketUnknownProviderError,
  MarketZeroContentHashError,
  MarketZeroFuelError,
  MarketZeroRewardError,
  VaultAmountTooLargeError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type {
  InsufficientFundsError,
  InvalidParameterError,
  JobContentUnavailableError,
  JobUnmatchedByProvidersError,
  JobValueOutOfBoundsError,
  MissingAccountError,
  MissingWalletClientError,
  TransactionRevertedError,
} from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { prepareFunding, type Funding } from "../../utils/funding.ts";
import { checkJobTerms, checkJobValue, getJobValueBounds, toJobRequest, type JobRequest, type JobSpec } from "../../utils/job-request.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import type { PaymentMethod } from "../../utils/token.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { preflightJobs, type PreflightOptions } from "./preflight-jobs.ts";

export type PostJobParameters = WriteParameters &
  JobSpec & {
    /**
     * How to cover what the ledger balance does not: `"approve"` (default) sends an `approve` for
     * exactly the shortfall when the allowance is too low; `"permit"` signs an EIP-2612 permit for
     * it and posts with `postJobWithPermit` in one transaction.
     */
    payment?: PaymentMethod | undefined;
    /** Expiry of the permit signature (unix seconds). Default: one hour from the latest block. */
    permitDeadline?: bigint | undefined;
    /**
     * The checks made before anything is sent (`preflightJobs`): content reachable and matching
     * its hash at every URI (`file://` only with `allowLocal`), fuel limit and reward within what
     * registered providers publish, the balance covering the reward. On by default; `false`
     * skips them all, an object tunes them.
     */
    preflight?: PreflightOptions | false | undefined;
  };

export type PostJobReturnType = {
  /** The new job's id (`requester << 96 | nonce`). */
  jobId: bigint;
  /** The request as posted (defaults filled in). */
  request: JobRequest;
  /** How the reward was paid: from the ledger balance and/or pulled from the wallet. */
  funding: Funding;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type PostJobErrorType =
  | JobValueOutOfBoundsError
  | JobContentUnavailableError
  | JobUnmatchedByProvidersError
  | InsufficientFundsError
  | MarketZeroRewardError
  | MarketRewardTooLowError
  | MarketInvalidCollateralError
  | MarketZeroFuelError
  | MarketZeroContentHashError
  | MarketInvalidClaimDeadlineError
  | MarketInvalidExecutionTimeError
  | MarketInvalidChallengeWindowError
  | MarketInvalidMinReputationError
  | MarketUnknownProviderError
  | MarketPausedError
  | VaultAmountTooLargeError
  | ERC20InsufficientBalanceError
  | ERC20InsufficientAllowanceError
  | ContractRevertError
  | InvalidParameterError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Posts a job and escrows its reward. The reward comes from the requester's ledger balance in
 * the market first; only the shortfall is pulled from the wallet, after approving exactly that
 * shortfall (or signing a permit for it with `payment: "permit"`). Waits for the receipt and
 * returns the job id from the `JobPosted` event.
 *
 * Before sending anything (the approve included) it reads the market's `config()` and throws
 * `JobValueOutOfBoundsError` if the reward is below `minReward` or `collateralPct` is outside
 * [`minCollateralPct`, `maxCollateralPct`]; the error's `field` names the value to change. Then
 * the pre-flight checks (unless `preflight: false`): `JobContentUnavailableError` for a URI that
 * does not serve the job's bytes (or a `file://` one without `allowLocal`),
 * `JobUnmatchedByProvidersError` for a fuel limit above every registered provider's `maxFuel` or
 * a reward below every price floor, `InsufficientFundsError` ("you have X, need Y") before any
 * approve.
 *
 * @example
 * const { jobId } = await postJob(client, {
 *   programHash, inputHash, programURI, inputURI,
 *   fuelLimit: 50_000_000n,
 *   reward: parseEther("10"),
 *   collateralPct: 150,
 *   executionTime: 600,
 *   challengeWindow: 600,
 * })
 */
export async function postJob(client: HashworkBaseClient, parameters: PostJobParameters): Promise<PostJobReturnType> {
  const { account, address: requester } = requireWallet(client, "postJob", parameters.account);
  const [request, bounds] = await Promise.all([toJobRequest(client, parameters), getJobValueBounds(client)]);
  checkJobValue(bounds, request);
  await checkJobTerms(client, bounds, [request]);
  const preflight = parameters.preflight ?? {};
  if (preflight !== false) await preflightJobs(client, { jobs: [request], options: preflight });
  const funding = await prepareFunding(client, {
    checkBalance: preflight !== false && preflight.balance !== false,
    // Any other revert (paused market, unknown designated provider…) before the approve, not after.
    dryRun: () =>
      client.publicClient.simulateContract({
        address: client.deployment.market,
        abi: hashworkMarketAbi,
        functionName: "postJob",
        args: [request],
        account,
      }),
    payer: requester,
    amount: request.reward,
    payment: parameters.payment,
    permitDeadline: parameters.permitDeadline,
    account: parameters.account,
    action: "postJob",
  });
  const sent = funding.permit
    ? await sendContractTransaction(client, {
        action: "postJob",
        address: client.deployment.market,
        abi: hashworkMarketAbi,
        functionName: "postJobWithPermit",
        args: [request, funding.permit.value, funding.permit.deadline, funding.permit.v, funding.permit.r, funding.permit.s],
        options: parameters,
      })
    : await sendContractTransaction(client, {
        action: "postJob",
        address: client.deployment.market,
        abi: hashworkMarketAbi,
        functionName: "postJob",
        args: [request],
        options: parameters,
      });
  const [posted] = marketEventsInReceipt(client, sent.receipt, "JobPosted");
  return {
    jobId: posted!.args.jobId,
    request,
    funding,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
