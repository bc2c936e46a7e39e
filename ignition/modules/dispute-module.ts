import type {
  AccountRuntimeValue,
  IgnitionModuleBuilder,
  ModuleParameterRuntimeValue,
  NamedArtifactContractDeploymentFuture,
} from "@nomicfoundation/ignition-core";

import { DISPUTE_PARAMETERS as d } from "../parameters/defaults.js";

type Market = NamedArtifactContractDeploymentFuture<"HashworkMarket"> | ModuleParameterRuntimeValue<string>;
type Owner = ReturnType<IgnitionModuleBuilder["getParameter"]> | AccountRuntimeValue;

/**
 * Deploys the dispute module for `market` (which creates its verifier pool) without installing
 * it. A parameter left out takes `DISPUTE_PARAMETERS` (`../parameters/defaults.ts`);
 * `docs/economics.md` explains them.
 */
export function disputeContracts(m: IgnitionModuleBuilder, market: Market, owner: Owner) {
  const config = {
    challengeBond: m.getParameter("challengeBond", d.challengeBond),
    verifierLock: m.getParameter("verifierLock", d.verifierLock),
    verifierFee: m.getParameter("verifierFee", d.verifierFee),
    verifierSlashBps: m.getParameter("verifierSlashBps", d.verifierSlashBps),
    challengerRewardBps: m.getParameter("challengerRewardBps", d.challengerRewardBps),
    auditRateBps: m.getParameter("auditRateBps", d.auditRateBps),
    committeeSize: m.getParameter("committeeSize", d.committeeSize),
    maxRounds: m.getParameter("maxRounds", d.maxRounds),
    commitPeriod: m.getParameter("commitPeriod", d.commitPeriod),
    revealPeriod: m.getParameter("revealPeriod", d.revealPeriod),
  };
  // The arbiter defaults to the deployer (the default owner); set a multisig in production.
  const arbiter = m.getParameter("arbiter", m.getAccount(0));
  const disputes = m.contract("HashworkDisputes", [market, owner, arbiter, config]);
  // The module creates its verifier pool; verifiers bond there.
  const poolAddress = m.staticCall(disputes, "verifierPool");
  const verifierPool = m.contractAt("VerifierPool", poolAddress);
  return { disputes, verifierPool };
}

/**
 * `disputeContracts`, installed in `market`. The install is sent from the deployer account, which
 * must be the market's owner (the default `owner` parameter).
 */
export function disputeModule(m: IgnitionModuleBuilder, market: NamedArtifactContractDeploymentFuture<"HashworkMarket">, owner: Owner) {
  const { disputes, verifierPool } = disputeContracts(m, market, owner);
  const install = m.call(market, "setDisputeModule", [disputes]);
  return { disputes, verifierPool, install };
}
