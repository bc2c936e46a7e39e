// The governance actions: token holders change the market's and the dispute module's parameters
// through the governor and the timelock (docs/governance.md).
export {
  castVote,
  VOTE_SUPPORT,
  type CastVoteErrorType,
  type CastVoteParameters,
  type CastVoteReturnType,
  type VoteSupport,
} from "./cast-vote.ts";
export {
  cancelQueuedChange,
  type CancelQueuedChangeErrorType,
  type CancelQueuedChangeParameters,
  type CancelQueuedChangeReturnType,
} from "./cancel-queued-change.ts";
export {
  delegateVotes,
  type DelegateVotesErrorType,
  type DelegateVotesParameters,
  type DelegateVotesReturnType,
} from "./delegate-votes.ts";
export {
  executeProposal,
  type ExecuteProposalErrorType,
  type ExecuteProposalParameters,
  type ExecuteProposalReturnType,
} from "./execute-proposal.ts";
export {
  listProposals,
  type ListProposalsErrorType,
  type ListProposalsParameters,
  type ListProposalsReturnType,
  type ProposalSummary,
} from "./list-proposals.ts";
export {
  proposeChange,
  type ProposeChangeErrorType,
  type ProposeChangeParameters,
  type ProposeChangeReturnType,
} from "./propose-change.ts";
export {
  queueProposal,
  type QueueProposalErrorType,
  type QueueProposalParameters,
  type QueueProposalReturnType,
} from "./queue-proposal.ts";
export { GOVERNED_FUNCTIONS, parseCallArguments, type DecodedCall, type GovernanceCall, type GovernedContract } from "./shared.ts";
