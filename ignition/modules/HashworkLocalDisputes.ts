import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { disputeContracts } from "./dispute-module.js";

/**
 * A dispute module (and the verifier pool it creates) for an existing market (the `market`
 * parameter), not installed: the owner installs it (`setDisputeModule`), as in a module swap.
 * Local chains only; the same parameters and defaults as `Hashwork.ts`.
 */
export default buildModule("HashworkLocalDisputes", (m) => {
  const owner = m.getParameter("owner", m.getAccount(0));
  const market = m.getParameter<string>("market");
  return disputeContracts(m, market, owner);
});
