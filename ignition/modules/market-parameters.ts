import type { IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

/** The market's constructor parameters, read from the Ignition parameters file (defaults suit a local chain). */
export function marketParameters(m: IgnitionModuleBuilder) {
  const owner = m.getParameter("owner", m.getAccount(0));
  const treasury = m.getParameter("treasury", m.getAccount(0));
  const config = {
    paused: false,
    minStake: m.getParameter("minStake", 100n * 10n ** 18n),
    unbondingPeriod: m.getParameter("unbondingPeriod", 7 * 24 * 3600),
    maxClaimDelay: m.getParameter("maxClaimDelay", 7 * 24 * 3600),
    minExecutionTime: m.getParameter("minExecutionTime", 1),
    maxExecutionTime: m.getParameter("maxExecutionTime", 7 * 24 * 3600),
    minChallengeWindow: m.getParameter("minChallengeWindow", 1),
    maxChallengeWindow: m.getParameter("maxChallengeWindow", 7 * 24 * 3600),
    minReward: m.getParameter("minReward", 10n ** 16n),
    minCollateralPct: m.getParameter("minCollateralPct", 100),
    maxCollateralPct: m.getParameter("maxCollateralPct", 300),
  };
  const feeBps = m.getParameter("feeBps", 100);
  const maxDisputeDuration = m.getParameter("maxDisputeDuration", 14 * 24 * 3600);
  return { owner, treasury, config, feeBps, maxDisputeDuration };
}
