import type { IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

import { disputeModule } from "./dispute-module.js";
import { marketParameters } from "./market-parameters.js";
import { INITIAL_SUPPLY } from "../parameters/defaults.js";

/**
 * The HashworkToken minted to `owner` and the market settling in it. Every module sends its
 * transactions in this order, so on a fresh chain the addresses are the same whichever module
 * deploys them (and gas figures, whose calldata holds addresses, do not move).
 */
export function tokenAndMarket(m: IgnitionModuleBuilder) {
  const p = marketParameters(m);
  const initialSupply = m.getParameter("initialSupply", INITIAL_SUPPLY);
  const token = m.contract("HashworkToken", [p.owner, initialSupply]);
  const market = m.contract("HashworkMarket", [token, p.owner, p.treasury, p.config, p.feeBps, p.maxDisputeDuration]);
  return { owner: p.owner, token, market };
}

/**
 * `tokenAndMarket` plus the dispute module (which creates its verifier pool), installed in the
 * market. `Hashwork.ts` puts governance on top; `HashworkLocal.ts` stops here.
 */
export function systemContracts(m: IgnitionModuleBuilder) {
  const { owner, token, market } = tokenAndMarket(m);
  const { disputes, verifierPool, install } = disputeModule(m, market, owner);
  return { token, market, disputes, verifierPool, install };
}
