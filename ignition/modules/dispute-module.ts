import type { IgnitionModuleBuilder, NamedArtifactContractDeploymentFuture } from "@nomicfoundation/ignition-core";

/**
 * Deploys the dispute module for `market` (which creates its verifier pool) and installs it.
 * The install is sent from the deployer account, which must be the market's owner (the default
 * `owner` parameter). The defaults match `scripts/lib/defaults.ts` (DISPUTE_PARAMETERS);
 * `docs/economics.md` explains them.
 */
export function disputeModule(
  m: IgnitionModuleBuilder,
  market: NamedArtifactContractDeploymentFuture<"HashworkMarket">,
  owner: ReturnType<IgnitionModuleBuilder["getParameter"]>,
) {
  const unit = 10n ** 18n;
  const config = {
    challengeBond: m.getParameter("challengeBond", 20n * unit),
    verifierLock: m.getParameter("verifierLock", 10n * unit),
    verifierFee: m.getParameter("verifierFee", unit / 2n),
    verifierSlashBps: m.getParameter("verifierSlashBps", 5_000),
    challengerRewardBps: m.getParameter("challengerRewardBps", 5_000),
    auditRateBps: m.getParameter("auditRateBps", 500),
    committeeSize: m.getParameter("committeeSize", 3),
    maxRounds: m.getParameter("maxRounds", 2),
    commitPeriod: m.getParameter("commitPeriod", 3600),
    revealPeriod: m.getParameter("revealPeriod", 3600),
  };
  // The arbiter defaults to the deployer (the default owner); set a multisig in production.
  const arbiter = m.getParameter("arbiter", m.getAccount(0));
  const disputes = m.contract("HashworkDisputes", [market, owner, arbiter, config]);
  const install = m.call(market, "setDisputeModule", [disputes]);
  // The module creates its verifier pool; verifiers bond there.
  const poolAddress = m.staticCall(disputes, "verifierPool");
  const verifierPool = m.contractAt("VerifierPool", poolAddress);
  return { disputes, verifierPool, install };
}
