import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { disputeModule } from "./dispute-module.js";
import { marketParameters } from "./market-parameters.js";

/** The market alone, settling in an existing ERC20 given as the `token` parameter (a stablecoin, say). */
export default buildModule("HashworkMarket", (m) => {
  const p = marketParameters(m);
  const token = m.getParameter<string>("token");
  const market = m.contract("HashworkMarket", [token, p.owner, p.treasury, p.config, p.feeBps, p.maxDisputeDuration]);
  const { disputes, verifierPool } = disputeModule(m, market, p.owner);
  return { market, disputes, verifierPool };
});
