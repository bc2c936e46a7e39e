import type { HashworkBaseClient } from "../../utils/client.ts";
import { cancelJob, type CancelJobParameters, type CancelJobReturnType } from "../requester/cancel-job.ts";
import { challengeJob, type ChallengeJobParameters, type ChallengeJobReturnType } from "../requester/challenge-job.ts";
import { commitChallenge, type CommitChallengeParameters, type CommitChallengeReturnType } from "../requester/commit-challenge.ts";
import { depositToLedger, type DepositToLedgerParameters, type DepositToLedgerReturnType } from "../requester/deposit-to-ledger.ts";
import { fetchJobOutput, type FetchJobOutputParameters, type FetchJobOutputReturnType } from "../requester/fetch-job-output.ts";
import { finalizeJob, type FinalizeJobParameters, type FinalizeJobReturnType } from "../requester/finalize-job.ts";
import { postJob, type PostJobParameters, type PostJobReturnType } from "../requester/post-job.ts";
import { postJobs, type PostJobsParameters, type PostJobsReturnType } from "../requester/post-jobs.ts";
import { getProviderOffers, type GetProviderOffersParameters, type GetProviderOffersReturnType } from "../requester/get-provider-offers.ts";
import { quoteJob, type QuoteJobParameters, type QuoteJobReturnType } from "../requester/quote-job.ts";
import { uploadJobContent, type UploadJobContentParameters, type UploadJobContentReturnType } from "../requester/upload-job-content.ts";
import { waitForResult, type WaitForResultParameters, type WaitForResultReturnType } from "../requester/wait-for-result.ts";
import {
  withdrawFromLedger,
  type WithdrawFromLedgerParameters,
  type WithdrawFromLedgerReturnType,
} from "../requester/withdraw-from-ledger.ts";

/** The requester's actions, bound to a client (see the action files for each one's docs). */
export type RequesterActions = {
  uploadJobContent: (parameters: UploadJobContentParameters) => Promise<UploadJobContentReturnType>;
  postJob: (parameters: PostJobParameters) => Promise<PostJobReturnType>;
  postJobs: (parameters: PostJobsParameters) => Promise<PostJobsReturnType>;
  getProviderOffers: (parameters?: GetProviderOffersParameters) => Promise<GetProviderOffersReturnType>;
  /** Node only: runs the program with the executor. */
  quoteJob: (parameters: QuoteJobParameters) => Promise<QuoteJobReturnType>;
  cancelJob: (parameters: CancelJobParameters) => Promise<CancelJobReturnType>;
  waitForResult: (parameters: WaitForResultParameters) => Promise<WaitForResultReturnType>;
  fetchJobOutput: (parameters: FetchJobOutputParameters) => Promise<FetchJobOutputReturnType>;
  finalizeJob: (parameters: FinalizeJobParameters) => Promise<FinalizeJobReturnType>;
  commitChallenge: (parameters: CommitChallengeParameters) => Promise<CommitChallengeReturnType>;
  challengeJob: (parameters: ChallengeJobParameters) => Promise<ChallengeJobReturnType>;
  depositToLedger: (parameters: DepositToLedgerParameters) => Promise<DepositToLedgerReturnType>;
  withdrawFromLedger: (parameters?: WithdrawFromLedgerParameters) => Promise<WithdrawFromLedgerReturnType>;
};

export function requesterActions(client: HashworkBaseClient): RequesterActions {
  return {
    uploadJobContent: (parameters) => uploadJobContent(client, parameters),
    postJob: (parameters) => postJob(client, parameters),
    postJobs: (parameters) => postJobs(client, parameters),
    getProviderOffers: (parameters) => getProviderOffers(client, parameters),
    quoteJob: (parameters) => quoteJob(client, parameters),
    cancelJob: (parameters) => cancelJob(client, parameters),
    waitForResult: (parameters) => waitForResult(client, parameters),
    fetchJobOutput: (parameters) => fetchJobOutput(client, parameters),
    finalizeJob: (parameters) => finalizeJob(client, parameters),
    commitChallenge: (parameters) => commitChallenge(client, parameters),
    challengeJob: (parameters) => challengeJob(client, parameters),
    depositToLedger: (parameters) => depositToLedger(client, parameters),
    withdrawFromLedger: (parameters) => withdrawFromLedger(client, parameters),
  };
}
