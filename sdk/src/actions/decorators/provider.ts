import type { HashworkBaseClient } from "../../utils/client.ts";
import {
  claimAndSubmit,
  claimAndSubmitJobs,
  type ClaimAndSubmitJobsParameters,
  type ClaimAndSubmitJobsReturnType,
  type ClaimAndSubmitParameters,
  type ClaimAndSubmitReturnType,
} from "../provider/claim-and-submit.ts";
import { claimJob, type ClaimJobParameters, type ClaimJobReturnType } from "../provider/claim-job.ts";
import { registerProvider, type RegisterProviderParameters, type RegisterProviderReturnType } from "../provider/register-provider.ts";
import { releasePay, type ReleasePayParameters, type ReleasePayReturnType } from "../provider/release-pay.ts";
import { requestUnstake, type RequestUnstakeParameters, type RequestUnstakeReturnType } from "../provider/request-unstake.ts";
import { stake, type StakeParameters, type StakeReturnType } from "../provider/stake.ts";
import { submitResult, type SubmitResultParameters, type SubmitResultReturnType } from "../provider/submit-result.ts";
import { withdrawUnstaked, type WithdrawUnstakedParameters, type WithdrawUnstakedReturnType } from "../provider/withdraw-unstaked.ts";

/** The provider's actions, bound to a client (see the action files for each one's docs). */
export type ProviderActions = {
  registerProvider: (parameters: RegisterProviderParameters) => Promise<RegisterProviderReturnType>;
  stake: (parameters: StakeParameters) => Promise<StakeReturnType>;
  requestUnstake: (parameters: RequestUnstakeParameters) => Promise<RequestUnstakeReturnType>;
  withdrawUnstaked: (parameters?: WithdrawUnstakedParameters) => Promise<WithdrawUnstakedReturnType>;
  claimJob: (parameters: ClaimJobParameters) => Promise<ClaimJobReturnType>;
  submitResult: (parameters: SubmitResultParameters) => Promise<SubmitResultReturnType>;
  claimAndSubmit: (parameters: ClaimAndSubmitParameters) => Promise<ClaimAndSubmitReturnType>;
  claimAndSubmitJobs: (parameters: ClaimAndSubmitJobsParameters) => Promise<ClaimAndSubmitJobsReturnType>;
  releasePay: (parameters?: ReleasePayParameters) => Promise<ReleasePayReturnType>;
};

export function providerActions(client: HashworkBaseClient): ProviderActions {
  return {
    registerProvider: (parameters) => registerProvider(client, parameters),
    stake: (parameters) => stake(client, parameters),
    requestUnstake: (parameters) => requestUnstake(client, parameters),
    withdrawUnstaked: (parameters) => withdrawUnstaked(client, parameters),
    claimJob: (parameters) => claimJob(client, parameters),
    submitResult: (parameters) => submitResult(client, parameters),
    claimAndSubmit: (parameters) => claimAndSubmit(client, parameters),
    claimAndSubmitJobs: (parameters) => claimAndSubmitJobs(client, parameters),
    releasePay: (parameters) => releasePay(client, parameters),
  };
}
