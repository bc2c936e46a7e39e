import type { ContractFuture, IgnitionModuleBuilder, NamedArtifactContractDeploymentFuture, Future } from "@nomicfoundation/ignition-core";
import { keccak256, toHex, zeroAddress } from "viem";

import { GOVERNANCE_DEFAULTS } from "../parameters/defaults.js";

/** TimelockController role ids (the contract's PROPOSER_ROLE etc.); DEFAULT_ADMIN_ROLE is 0x00…. */
export const TIMELOCK_ROLES = {
  admin: `0x${"00".repeat(32)}`,
  proposer: keccak256(toHex("PROPOSER_ROLE")),
  executor: keccak256(toHex("EXECUTOR_ROLE")),
  canceller: keccak256(toHex("CANCELLER_ROLE")),
} as const;

/** The owner powers handed to the timelock: Ownable2Step contracts (accepted) and Ownable ones (transferred). */
export type GovernedContracts = {
  market: NamedArtifactContractDeploymentFuture<"HashworkMarket">;
  disputes: NamedArtifactContractDeploymentFuture<"HashworkDisputes">;
  /** The HashworkToken when this deployment created it (its `mint` moves to the timelock too). */
  token?: NamedArtifactContractDeploymentFuture<"HashworkToken">;
  /** The ERC20Votes token holders vote with. */
  votesToken: ContractFuture<string> | ReturnType<IgnitionModuleBuilder["getParameter"]>;
  /** The last future of the system's own deployment; governance comes after it, so earlier addresses do not move. */
  after: Future;
};

/**
 * Puts every owner power of the market and its dispute module (and of the token's `mint`, when
 * the deployment created the token) behind a `HashworkTimelock` whose proposer is a
 * `HashworkGovernor`:
 *
 * 1. deploys the timelock (delay `timelockDelay`, refused on chain below the market's bound;
 *    executor `address(0)`: anyone executes a ready operation; the deployer as temporary admin)
 *    and the governor (`votingDelay`, `votingPeriod` in seconds, `proposalThreshold` in token
 *    units, `quorumPercent` of the supply);
 * 2. grants PROPOSER and CANCELLER to the governor, CANCELLER to the `guardian` (default: the
 *    deployer; a multisig in production), and makes the guardian the market's (it may pause new
 *    posts and claims);
 * 3. transfers ownership of the market and the dispute module (both `Ownable2Step`) to the
 *    timelock, which accepts through `acceptOwnershipOf` (admin only), and of the token;
 * 4. renounces the deployer's admin role, last.
 */
export function governanceStack(m: IgnitionModuleBuilder, c: GovernedContracts) {
  const deployer = m.getAccount(0);
  const guardian = m.getParameter("guardian", deployer);
  const timelockDelay = m.getParameter("timelockDelay", GOVERNANCE_DEFAULTS.timelockDelay);
  const votingDelay = m.getParameter("votingDelay", GOVERNANCE_DEFAULTS.votingDelay);
  const votingPeriod = m.getParameter("votingPeriod", GOVERNANCE_DEFAULTS.votingPeriod);
  const proposalThreshold = m.getParameter("proposalThreshold", GOVERNANCE_DEFAULTS.proposalThreshold);
  const quorumPercent = m.getParameter("quorumPercent", GOVERNANCE_DEFAULTS.quorumPercent);

  const timelock = m.contract("HashworkTimelock", [c.market, timelockDelay, [], [zeroAddress], deployer], { after: [c.after] });
  const governor = m.contract("HashworkGovernor", [c.votesToken, timelock, votingDelay, votingPeriod, proposalThreshold, quorumPercent]);
  // Every later step waits for the governor, so the timelock and the governor take the next two nonces.
  const after = [governor];

  const roles = [
    m.call(timelock, "grantRole", [TIMELOCK_ROLES.proposer, governor], { id: "GrantProposerToGovernor", after }),
    m.call(timelock, "grantRole", [TIMELOCK_ROLES.canceller, governor], { id: "GrantCancellerToGovernor", after }),
    m.call(timelock, "grantRole", [TIMELOCK_ROLES.canceller, guardian], { id: "GrantCancellerToGuardian", after }),
  ];
  // The guardian may pause new posts and claims on the market (never unpause, never move funds).
  const marketGuardian = m.call(c.market, "setGuardian", [guardian], { id: "MarketGuardian", after });
  const offerMarket = m.call(c.market, "transferOwnership", [timelock], { id: "OfferMarketToTimelock", after: [marketGuardian] });
  const offerDisputes = m.call(c.disputes, "transferOwnership", [timelock], { id: "OfferDisputesToTimelock", after });
  const handovers: Future[] = [
    m.call(timelock, "acceptOwnershipOf", [c.market], { id: "TimelockAcceptsMarket", after: [offerMarket] }),
    m.call(timelock, "acceptOwnershipOf", [c.disputes], { id: "TimelockAcceptsDisputes", after: [offerDisputes] }),
  ];
  if (c.token) handovers.push(m.call(c.token, "transferOwnership", [timelock], { id: "TokenToTimelock", after }));
  m.call(timelock, "renounceRole", [TIMELOCK_ROLES.admin, deployer], { id: "DeployerRenouncesAdmin", after: [...roles, ...handovers] });
  return { timelock, governor };
}
