import type { HashworkBaseClient } from "../../utils/client.ts";
import { checkSolvency, type CheckSolvencyParameters, type CheckSolvencyReturnType } from "../auditor/check-solvency.ts";
import { getJobHistory, type GetJobHistoryParameters, type GetJobHistoryReturnType } from "../auditor/get-job-history.ts";
import { getDispute, type GetDisputeParameters, type GetDisputeReturnType } from "../auditor/get-dispute.ts";
import { getJob, type GetJobParameters, type GetJobReturnType } from "../auditor/get-job.ts";
import { getPendingPay, type GetPendingPayParameters, type GetPendingPayReturnType } from "../auditor/get-pending-pay.ts";
import { getProvider, type GetProviderParameters, type GetProviderReturnType } from "../auditor/get-provider.ts";
import { getVerifier, type GetVerifierParameters, type GetVerifierReturnType } from "../auditor/get-verifier.ts";
import { listDisputes, type ListDisputesParameters, type ListDisputesReturnType } from "../auditor/list-disputes.ts";
import { listJobs, type ListJobsParameters, type ListJobsReturnType } from "../auditor/list-jobs.ts";

/** The read-only auditor actions, bound to a client (see the action files for each one's docs). */
export type AuditorActions = {
  getJob: (parameters: GetJobParameters) => Promise<GetJobReturnType>;
  getProvider: (parameters: GetProviderParameters) => Promise<GetProviderReturnType>;
  getPendingPay: (parameters: GetPendingPayParameters) => Promise<GetPendingPayReturnType>;
  listJobs: (parameters?: ListJobsParameters) => Promise<ListJobsReturnType>;
  getJobHistory: (parameters: GetJobHistoryParameters) => Promise<GetJobHistoryReturnType>;
  checkSolvency: (parameters?: CheckSolvencyParameters) => Promise<CheckSolvencyReturnType>;
  getDispute: (parameters: GetDisputeParameters) => Promise<GetDisputeReturnType>;
  listDisputes: (parameters?: ListDisputesParameters) => Promise<ListDisputesReturnType>;
  getVerifier: (parameters: GetVerifierParameters) => Promise<GetVerifierReturnType>;
};

export function auditorActions(client: HashworkBaseClient): AuditorActions {
  return {
    getJob: (parameters) => getJob(client, parameters),
    getProvider: (parameters) => getProvider(client, parameters),
    getPendingPay: (parameters) => getPendingPay(client, parameters),
    listJobs: (parameters) => listJobs(client, parameters),
    getJobHistory: (parameters) => getJobHistory(client, parameters),
    checkSolvency: (parameters) => checkSolvency(client, parameters),
    getDispute: (parameters) => getDispute(client, parameters),
    listDisputes: (parameters) => listDisputes(client, parameters),
    getVerifier: (parameters) => getVerifier(client, parameters),
  };
}
