import type { HashworkBaseClient } from "../../utils/client.ts";
import { bondVerifier, type BondVerifierParameters, type BondVerifierReturnType } from "../verifier/bond-verifier.ts";
import { commitVote, type CommitVoteParameters, type CommitVoteReturnType } from "../verifier/commit-vote.ts";
import {
  listCommitteeDuties,
  type ListCommitteeDutiesParameters,
  type ListCommitteeDutiesReturnType,
} from "../verifier/list-committee-duties.ts";
import {
  requestVerifierWithdrawal,
  type RequestVerifierWithdrawalParameters,
  type RequestVerifierWithdrawalReturnType,
} from "../verifier/request-verifier-withdrawal.ts";
import { revealVote, type RevealVoteParameters, type RevealVoteReturnType } from "../verifier/reveal-vote.ts";
import {
  withdrawVerifierBond,
  type WithdrawVerifierBondParameters,
  type WithdrawVerifierBondReturnType,
} from "../verifier/withdraw-verifier-bond.ts";

/**
 * A verifier's actions — its bond in the verifier pool and its committee votes — bound to a
 * client (see the action files for each one's docs).
 */
export type VerifierActions = {
  bondVerifier: (parameters: BondVerifierParameters) => Promise<BondVerifierReturnType>;
  requestVerifierWithdrawal: (parameters: RequestVerifierWithdrawalParameters) => Promise<RequestVerifierWithdrawalReturnType>;
  withdrawVerifierBond: (parameters?: WithdrawVerifierBondParameters) => Promise<WithdrawVerifierBondReturnType>;
  commitVote: (parameters: CommitVoteParameters) => Promise<CommitVoteReturnType>;
  revealVote: (parameters: RevealVoteParameters) => Promise<RevealVoteReturnType>;
  listCommitteeDuties: (parameters?: ListCommitteeDutiesParameters) => Promise<ListCommitteeDutiesReturnType>;
};

export function verifierActions(client: HashworkBaseClient): VerifierActions {
  return {
    bondVerifier: (parameters) => bondVerifier(client, parameters),
    requestVerifierWithdrawal: (parameters) => requestVerifierWithdrawal(client, parameters),
    withdrawVerifierBond: (parameters) => withdrawVerifierBond(client, parameters),
    commitVote: (parameters) => commitVote(client, parameters),
    revealVote: (parameters) => revealVote(client, parameters),
    listCommitteeDuties: (parameters) => listCommitteeDuties(client, parameters),
  };
}
