import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { marketParameters } from "./market-parameters.js";

/**
 * A market alone settling in an existing ERC20 (the `token` parameter), no dispute module
 * installed, the deployer keeping every owner power: tests with their own tokens (re-entrant,
 * fee-on-transfer) or a second, bare market. Local chains only.
 */
export default buildModule("HashworkLocalMarketOnToken", (m) => {
  const p = marketParameters(m);
  const token = m.getParameter<string>("token");
  const market = m.contract("HashworkMarket", [token, p.owner, p.treasury, p.config, p.feeBps, p.maxDisputeDuration]);
  return { market };
});
