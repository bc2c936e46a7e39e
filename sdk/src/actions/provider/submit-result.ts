import type { Hash, Hex, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type {
  MarketExecutionDeadlinePassedError,
  MarketNotClaimantError,
  MarketUnexpectedJobStateError,
  MarketZeroResultHashError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import { computeResultHash } from "../../executor/result-hash.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { encodeOutputUri, type ExecutionOutcome } from "../../utils/output-uri.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { toJobResult, type JobResult } from "../../utils/results.ts";
import { sendContractTransaction } from "../../utils/write.ts";

export type SubmitResultParameters = WriteParameters & {
  jobId: bigint;
  /** Where the output can be fetched (a hint; requesters verify it against the commitment). */
  outputURI: string;
} & (
    | { /** The commitment, if already computed. */ resultHash: Hex; outcome?: undefined; publishOutcome?: undefined }
    | {
        /** The run's outcome; the commitment is computed with `computeResultHash`. */
        outcome: ExecutionOutcome;
        resultHash?: undefined;
        /**
         * Append the outcome to `outputURI` (`encodeOutputUri`) so requesters can verify the
         * output from the event alone (`fetchJobOutput`). Default: true.
         */
        publishOutcome?: boolean | undefined;
      }
  );

export type SubmitResultReturnType = {
  /** The committed result, including the terms `finalizeJob` settles on and `challengeEnd`. */
  result: JobResult;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type SubmitResultErrorType =
  | MarketUnexpectedJobStateError
  | MarketNotClaimantError
  | MarketExecutionDeadlinePassedError
  | MarketZeroResultHashError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Commits the result of a claimed job: `keccak256(abi.encode(outputHash, fuelUsed, status))`,
 * given directly or computed from the run's outcome (which is then also published in the output
 * URI's fragment, see `encodeOutputUri`). Opens the challenge window; the job can be finalized
 * once it has passed.
 *
 * @example
 * const { result } = await submitResult(client, {
 *   jobId,
 *   outcome: { outputHash: keccak256(output), fuelUsed, status: ExecutionStatus.Ok },
 *   outputURI: (await store.put(output)).uri,
 * })
 */
export async function submitResult(client: HashworkBaseClient, parameters: SubmitResultParameters): Promise<SubmitResultReturnType> {
  const { outcome } = parameters;
  const resultHash = outcome
    ? computeResultHash(outcome.outputHash, outcome.fuelUsed, outcome.status, outcome.exitCode)
    : parameters.resultHash;
  const outputURI = outcome && parameters.publishOutcome !== false ? encodeOutputUri(parameters.outputURI, outcome) : parameters.outputURI;
  const sent = await sendContractTransaction(client, {
    action: "submitResult",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "submitResult",
    args: [parameters.jobId, resultHash, outputURI],
    options: parameters,
  });
  const [submitted] = marketEventsInReceipt(client, sent.receipt, "ResultSubmitted");
  return { result: toJobResult(submitted!), transactionHash: sent.transactionHash, receipt: sent.receipt };
}
