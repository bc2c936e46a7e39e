import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { disputeModule } from "./dispute-module.js";
import { governanceStack } from "./governance.js";
import { marketParameters } from "./market-parameters.js";
import { INITIAL_SUPPLY } from "../parameters/defaults.js";

/**
 * The whole system for local and test networks: the HashworkToken (ERC20 + permit + votes), the
 * market settling in it, its dispute module, and governance: every owner power behind a
 * HashworkTimelock whose proposer is a HashworkGovernor voting with the token (`governance.ts`).
 * For a network with an existing token use `HashworkMarket.ts`.
 */
export default buildModule("Hashwork", (m) => {
  const p = marketParameters(m);
  const initialSupply = m.getParameter("initialSupply", INITIAL_SUPPLY);
  const token = m.contract("HashworkToken", [p.owner, initialSupply]);
  const market = m.contract("HashworkMarket", [token, p.owner, p.treasury, p.config, p.feeBps, p.maxDisputeDuration]);
  const { disputes, verifierPool, install } = disputeModule(m, market, p.owner);
  const { timelock, governor } = governanceStack(m, { market, disputes, token, votesToken: token, after: install });
  return { token, market, disputes, verifierPool, timelock, governor };
});
