import type { IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

import { LOCAL_PARAMETERS as d } from "../parameters/defaults.js";

/**
 * The market's constructor parameters, read from the Ignition parameters file; a parameter left
 * out takes `LOCAL_PARAMETERS` (`../parameters/defaults.ts`, suited to a local chain).
 */
export function marketParameters(m: IgnitionModuleBuilder) {
  const owner = m.getParameter("owner", m.getAccount(0));
  const treasury = m.getParameter("treasury", m.getAccount(0));
  const config = {
    paused: false,
    minStake: m.getParameter("minStake", d.minStake),
    unbondingPeriod: m.getParameter("unbondingPeriod", d.unbondingPeriod),
    maxClaimDelay: m.getParameter("maxClaimDelay", d.maxClaimDelay),
    minExecutionTime: m.getParameter("minExecutionTime", d.minExecutionTime),
    maxExecutionTime: m.getParameter("maxExecutionTime", d.maxExecutionTime),
    minChallengeWindow: m.getParameter("minChallengeWindow", d.minChallengeWindow),
    maxChallengeWindow: m.getParameter("maxChallengeWindow", d.maxChallengeWindow),
    minReward: m.getParameter("minReward", d.minReward),
    minCollateralPct: m.getParameter("minCollateralPct", d.minCollateralPct),
    maxCollateralPct: m.getParameter("maxCollateralPct", d.maxCollateralPct),
  };
  const feeBps = m.getParameter("feeBps", d.feeBps);
  const maxDisputeDuration = m.getParameter("maxDisputeDuration", d.maxDisputeDuration);
  return { owner, treasury, config, feeBps, maxDisputeDuration };
}
