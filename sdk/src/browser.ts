// The Hashwork SDK's browser-safe part (`@hashwork/sdk/browser`, and what `@hashwork/sdk`
// resolves to under a bundler's `browser` condition): the client, every chain action, ABIs,
// deployments, errors and helpers. Nothing here imports a `node:` module at load time
// (`test/package/browser.ts` checks the import graph); `loadIgnitionDeployment` and
// `fetchJobOutput` without a `store` load Node modules when called, so they work on Node only.
//
// Every action is also exported on its own, so code that calls `postJob(client, …)` directly
// carries only that action.

// ------------------------------------------------------------------ client
export {
  createHashworkClient,
  type CreateHashworkClientParameters,
  type HashworkClient,
} from "./client.ts";
export { requesterActions, type RequesterActions } from "./actions/decorators/requester.ts";
export { providerActions, type ProviderActions } from "./actions/decorators/provider.ts";
export { auditorActions, type AuditorActions } from "./actions/decorators/auditor.ts";
export { verifierActions, type VerifierActions } from "./actions/decorators/verifier.ts";
export { keeperActions, type KeeperActions } from "./actions/decorators/keeper.ts";
export type {
  AccountParameter,
  HashworkBaseClient,
  HashworkPublicClient,
  HashworkWalletClient,
  WriteParameters,
} from "./utils/client.ts";

// ------------------------------------------------------------------ requester actions
export {
  uploadJobContent,
  type UploadJobContentErrorType,
  type UploadJobContentParameters,
  type UploadJobContentReturnType,
} from "./actions/requester/upload-job-content.ts";
export {
  postJob,
  type PostJobErrorType,
  type PostJobParameters,
  type PostJobReturnType,
} from "./actions/requester/post-job.ts";
export {
  MAX_BATCH,
  postJobs,
  type PostJobsErrorType,
  type PostJobsParameters,
  type PostJobsReturnType,
} from "./actions/requester/post-jobs.ts";
export {
  checkAgainstOffers,
  preflightJobs,
  type PreflightJobsErrorType,
  type PreflightJobsParameters,
  type PreflightJobsReturnType,
  type PreflightOptions,
} from "./actions/requester/preflight-jobs.ts";
export {
  getProviderOffers,
  offersTaking,
  type GetProviderOffersErrorType,
  type GetProviderOffersParameters,
  type GetProviderOffersReturnType,
  type ProviderOffer,
} from "./actions/requester/get-provider-offers.ts";
export {
  cancelJob,
  type CancelJobErrorType,
  type CancelJobParameters,
  type CancelJobReturnType,
} from "./actions/requester/cancel-job.ts";
export {
  waitForResult,
  type WaitForResultErrorType,
  type WaitForResultParameters,
  type WaitForResultReturnType,
} from "./actions/requester/wait-for-result.ts";
export {
  fetchJobOutput,
  type FetchJobOutputErrorType,
  type FetchJobOutputParameters,
  type FetchJobOutputReturnType,
} from "./actions/requester/fetch-job-output.ts";
export {
  finalizeJob,
  type FinalizeJobErrorType,
  type FinalizeJobParameters,
  type FinalizeJobReturnType,
} from "./actions/requester/finalize-job.ts";
export {
  depositToLedger,
  type DepositToLedgerErrorType,
  type DepositToLedgerParameters,
  type DepositToLedgerReturnType,
} from "./actions/requester/deposit-to-ledger.ts";
export {
  withdrawFromLedger,
  type WithdrawFromLedgerErrorType,
  type WithdrawFromLedgerParameters,
  type WithdrawFromLedgerReturnType,
} from "./actions/requester/withdraw-from-ledger.ts";
export {
  commitChallenge,
  type CommitChallengeErrorType,
  type CommitChallengeParameters,
  type CommitChallengeReturnType,
} from "./actions/requester/commit-challenge.ts";
export {
  challengeJob,
  type ChallengeJobErrorType,
  type ChallengeJobParameters,
  type ChallengeJobProgress,
  type ChallengeJobReturnType,
} from "./actions/requester/challenge-job.ts";

// ------------------------------------------------------------------ provider actions
export {
  registerProvider,
  type ProviderProfile,
  type RegisterProviderErrorType,
  type RegisterProviderParameters,
  type RegisterProviderReturnType,
} from "./actions/provider/register-provider.ts";
export {
  stake,
  type StakeErrorType,
  type StakeParameters,
  type StakeReturnType,
} from "./actions/provider/stake.ts";
export {
  requestUnstake,
  type RequestUnstakeErrorType,
  type RequestUnstakeParameters,
  type RequestUnstakeReturnType,
} from "./actions/provider/request-unstake.ts";
export {
  withdrawUnstaked,
  type WithdrawUnstakedErrorType,
  type WithdrawUnstakedParameters,
  type WithdrawUnstakedReturnType,
} from "./actions/provider/withdraw-unstaked.ts";
export {
  claimJob,
  type ClaimJobErrorType,
  type ClaimJobParameters,
  type ClaimJobReturnType,
} from "./actions/provider/claim-job.ts";
export {
  claimAndSubmit,
  claimAndSubmitJobs,
  type ClaimAndSubmitErrorType,
  type ClaimAndSubmitJobsParameters,
  type ClaimAndSubmitJobsReturnType,
  type ClaimAndSubmitParameters,
  type ClaimAndSubmitReturnType,
  type FastPathSubmission,
} from "./actions/provider/claim-and-submit.ts";
export {
  releasePay,
  type ReleasedBucket,
  type ReleasePayErrorType,
  type ReleasePayParameters,
  type ReleasePayReturnType,
} from "./actions/provider/release-pay.ts";
export {
  submitResult,
  type SubmitResultErrorType,
  type SubmitResultParameters,
  type SubmitResultReturnType,
} from "./actions/provider/submit-result.ts";

// ------------------------------------------------------------------ auditor actions
export {
  getJob,
  type GetJobErrorType,
  type GetJobParameters,
  type GetJobReturnType,
  type JobDetails,
} from "./actions/auditor/get-job.ts";
export {
  getProvider,
  type GetProviderErrorType,
  type GetProviderParameters,
  type GetProviderReturnType,
  type ProviderDetails,
} from "./actions/auditor/get-provider.ts";
export {
  getPendingPay,
  type GetPendingPayErrorType,
  type GetPendingPayParameters,
  type GetPendingPayReturnType,
  type PayBucket,
} from "./actions/auditor/get-pending-pay.ts";
export {
  listJobs,
  type JobSummary,
  type ListJobsErrorType,
  type ListJobsParameters,
  type ListJobsReturnType,
} from "./actions/auditor/list-jobs.ts";
export {
  getJobHistory,
  type GetJobHistoryErrorType,
  type GetJobHistoryParameters,
  type GetJobHistoryReturnType,
  type JobHistoryEntry,
} from "./actions/auditor/get-job-history.ts";
export {
  checkSolvency,
  type CheckSolvencyErrorType,
  type CheckSolvencyParameters,
  type CheckSolvencyReturnType,
  type LedgerAccount,
} from "./actions/auditor/check-solvency.ts";
export {
  getDispute,
  type CommitteeSeat,
  type DisputeDetails,
  type GetDisputeErrorType,
  type GetDisputeParameters,
  type GetDisputeReturnType,
} from "./actions/auditor/get-dispute.ts";
export {
  listDisputes,
  type DisputeSummary,
  type ListDisputesErrorType,
  type ListDisputesParameters,
  type ListDisputesReturnType,
} from "./actions/auditor/list-disputes.ts";
export {
  getVerifier,
  type GetVerifierErrorType,
  type GetVerifierParameters,
  type GetVerifierReturnType,
  type VerifierDetails,
} from "./actions/auditor/get-verifier.ts";

// ------------------------------------------------------------------ verifier actions
export {
  bondVerifier,
  type BondVerifierErrorType,
  type BondVerifierParameters,
  type BondVerifierReturnType,
} from "./actions/verifier/bond-verifier.ts";
export {
  requestVerifierWithdrawal,
  type RequestVerifierWithdrawalErrorType,
  type RequestVerifierWithdrawalParameters,
  type RequestVerifierWithdrawalReturnType,
} from "./actions/verifier/request-verifier-withdrawal.ts";
export {
  withdrawVerifierBond,
  type WithdrawVerifierBondErrorType,
  type WithdrawVerifierBondParameters,
  type WithdrawVerifierBondReturnType,
} from "./actions/verifier/withdraw-verifier-bond.ts";
export {
  commitVote,
  type CommitVoteErrorType,
  type CommitVoteParameters,
  type CommitVoteReturnType,
  type VoteSecret,
  type VoteSecretStore,
} from "./actions/verifier/commit-vote.ts";
export {
  revealVote,
  type RevealVoteErrorType,
  type RevealVoteParameters,
  type RevealVoteReturnType,
} from "./actions/verifier/reveal-vote.ts";
export {
  listCommitteeDuties,
  type CommitteeDuty,
  type CommitteeDutyAction,
  type ListCommitteeDutiesErrorType,
  type ListCommitteeDutiesParameters,
  type ListCommitteeDutiesReturnType,
} from "./actions/verifier/list-committee-duties.ts";

// ------------------------------------------------------------------ keeper actions
export {
  drawCommittee,
  type DrawCommitteeErrorType,
  type DrawCommitteeOutcome,
  type DrawCommitteeParameters,
  type DrawCommitteeReturnType,
} from "./actions/keeper/draw-committee.ts";
export {
  resolveDispute,
  type ResolveDisputeErrorType,
  type ResolveDisputeParameters,
  type ResolveDisputeReturnType,
} from "./actions/keeper/resolve-dispute.ts";
export {
  voidDispute,
  type VoidDisputeErrorType,
  type VoidDisputeParameters,
  type VoidDisputeReturnType,
} from "./actions/keeper/void-dispute.ts";
export {
  isSelectedForAudit,
  type IsSelectedForAuditErrorType,
  type IsSelectedForAuditParameters,
  type IsSelectedForAuditReturnType,
} from "./actions/keeper/is-selected-for-audit.ts";
export {
  startAudit,
  type StartAuditErrorType,
  type StartAuditParameters,
  type StartAuditReturnType,
} from "./actions/keeper/start-audit.ts";
export {
  pinAuditSeed,
  type PinAuditSeedErrorType,
  type PinAuditSeedParameters,
  type PinAuditSeedReturnType,
} from "./actions/keeper/pin-audit-seed.ts";
export {
  expireJob,
  type ExpireJobErrorType,
  type ExpireJobParameters,
  type ExpireJobReturnType,
} from "./actions/keeper/expire-job.ts";
export {
  timeOutJob,
  type TimeOutJobErrorType,
  type TimeOutJobParameters,
  type TimeOutJobReturnType,
} from "./actions/keeper/time-out-job.ts";
export {
  arbitrate,
  type ArbitrateErrorType,
  type ArbitrateParameters,
  type ArbitrateReturnType,
} from "./actions/keeper/arbitrate.ts";
export {
  computeChallengeCommitment,
  computeVoteCommitment,
  getDisputesAddress,
  getVerifierPoolAddress,
  randomSalt,
  type DisputePayout,
  type DisputeResolution,
  type FailedRound,
  type OpenedDispute,
  type VerifierSlash,
} from "./actions/shared/disputes.ts";

// ------------------------------------------------------------------ ABIs, enums, deployments
export * from "./abi/index.ts";
export {
  defineDeployment,
  getDeployment,
  hashworkDeployments,
  ignitionContracts,
  loadIgnitionDeployment,
  MissingDeploymentAddressError,
  type HashworkDeployment,
  type LoadIgnitionDeploymentParameters,
} from "./deployments.ts";

// ------------------------------------------------------------------ errors
export { HashworkError, type HashworkErrorOptions } from "./errors/base.ts";
export {
  ContractRevertError,
  type ContractRevertDetails,
  type ContractRevertErrorOptions,
} from "./errors/contract-revert.ts";
export * from "./errors/contract-errors.ts";
export { decodeContractError, decodeRevertData } from "./errors/decode.ts";
export * from "./errors/sdk.ts";

// ------------------------------------------------------------------ helpers
export { decodeJobId, encodeJobId, type DecodedJobId } from "./utils/job-id.ts";
export {
  isTerminalJobState,
  jobStateName,
  jobStateValue,
  jobStatesInMask,
  resultJobStates,
  terminalJobStates,
} from "./utils/job-state.ts";
export {
  DEFAULT_CLAIM_WINDOW,
  DEFAULT_COLLATERAL_PCT,
  checkJobValue,
  collateralOf,
  getJobValueBounds,
  type JobRequest,
  type JobSpec,
  type JobValueBounds,
  type SubmittedJobTerms,
} from "./utils/job-request.ts";
export { readJobState, type JobResult } from "./utils/results.ts";
export { decodeOutputUri, encodeOutputUri, type ExecutionOutcome } from "./utils/output-uri.ts";
export { getTokenAddress, type PaymentMethod, type SignedPermit } from "./utils/token.ts";
// Contract calls the actions do not wrap (a token transfer, say): simulated first, reverts thrown
// as the typed errors above; and the logs of any contract, fetched in block ranges and decoded.
export {
  sendContractTransaction,
  type SendContractTransactionParameters,
  type SendContractTransactionReturnType,
} from "./utils/write.ts";
export { getDecodedLogs, type BlockRange } from "./utils/logs.ts";
export { indexedBlock, IndexerUnavailableError, type IndexerOption } from "./utils/indexer.ts";
export type { Funding } from "./utils/funding.ts";
export { ExecutionStatus, computeResultHash } from "./executor/result-hash.ts";

// ------------------------------------------------------------------ content (the browser-safe part)
// The stores themselves (local files, HTTP with address checks, the content server) need Node:
// they are exported from the main entry, `@hashwork/sdk` on Node.
export type { ContentStore, ContentStream, GetContentOptions } from "./store/types.ts";
export {
  ContentHashMismatchError,
  ContentNotFoundError,
  ContentTooLargeError,
  ContentUnavailableError,
  ContentUploadRefusedError,
  ContentUriRefusedError,
  InvalidContentHashError,
  UnsupportedUriError,
  type ContentErrorType,
} from "./store/errors.ts";
export { hashContent, isContentHash, normalizeContentHash, verifyContent } from "./store/hash.ts";

// ------------------------------------------------------------------ governance actions
export * from "./actions/governance/index.ts";
