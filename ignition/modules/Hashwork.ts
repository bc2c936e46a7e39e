import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { disputeModule } from "./dispute-module.js";
import { marketParameters } from "./market-parameters.js";

/**
 * The whole system for local and test networks: the HashworkToken (ERC20 + permit), the
 * market settling in it and its dispute module. For a network with an existing token use `HashworkMarket.ts`.
 */
export default buildModule("Hashwork", (m) => {
  const p = marketParameters(m);
  const initialSupply = m.getParameter("initialSupply", 1_000_000_000n * 10n ** 18n);
  const token = m.contract("HashworkToken", [p.owner, initialSupply]);
  const market = m.contract("HashworkMarket", [token, p.owner, p.treasury, p.config, p.feeBps, p.maxDisputeDuration]);
  const { disputes, verifierPool } = disputeModule(m, market, p.owner);
  return { token, market, disputes, verifierPool };
});
