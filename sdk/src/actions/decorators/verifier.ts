import type { HashworkBaseClient } from "../../utils/client.ts";
import { commitVote, type CommitVoteParameters, type CommitVoteReturnType } from "../verifier/commit-vote.ts";
import {
  listCommitteeDuties,
  type ListCommitteeDutiesParameters,
  type ListCommitteeDutiesReturnType,
} from "../verifier/list-committee-duties.ts";
import { revealVote, type RevealVoteParameters, type RevealVoteReturnType } from "../verifier/reveal-vote.ts";

/** A committee verifier's actions, bound to a client (see the action files for each one's docs). */
export type VerifierActions = {
  commitVote: (parameters: CommitVoteParameters) => Promise<CommitVoteReturnType>;
  revealVote: (parameters: RevealVoteParameters) => Promise<RevealVoteReturnType>;
  listCommitteeDuties: (parameters?: ListCommitteeDutiesParameters) => Promise<ListCommitteeDutiesReturnType>;
};

export function verifierActions(client: HashworkBaseClient): VerifierActions {
  return {
    commitVote: (parameters) => commitVote(client, parameters),
    revealVote: (parameters) => revealVote(client, parameters),
    listCommitteeDuties: (parameters) => listCommitteeDuties(client, parameters),
  };
}
