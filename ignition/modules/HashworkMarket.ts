import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { disputeModule } from "./dispute-module.js";
import { governanceStack } from "./governance.js";
import { marketParameters } from "./market-parameters.js";

/**
 * The market alone, settling in an existing ERC20 given as the `token` parameter (a stablecoin,
 * say), governed through a timelock by holders of an existing ERC20Votes token given as
 * `governanceToken` (a deployed HashworkToken).
 */
export default buildModule("HashworkMarket", (m) => {
  const p = marketParameters(m);
  const token = m.getParameter<string>("token");
  const governanceToken = m.getParameter<string>("governanceToken");
  const market = m.contract("HashworkMarket", [token, p.owner, p.treasury, p.config, p.feeBps, p.maxDisputeDuration]);
  const { disputes, verifierPool, install } = disputeModule(m, market, p.owner);
  const { timelock, governor } = governanceStack(m, { market, disputes, votesToken: governanceToken, after: install });
  return { market, disputes, verifierPool, timelock, governor };
});
