import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { governanceStack } from "./governance.js";
import { systemContracts } from "./system.js";

/**
 * The whole system for local and test networks: the HashworkToken (ERC20 + permit + votes), the
 * market settling in it, its dispute module (`system.ts`), and governance: every owner power
 * behind a HashworkTimelock whose proposer is a HashworkGovernor voting with the token
 * (`governance.ts`). For a network with an existing token use `HashworkMarket.ts`; for tests and
 * benches that drive the owner's powers directly, `HashworkLocal.ts`.
 */
export default buildModule("Hashwork", (m) => {
  const { token, market, disputes, verifierPool, install } = systemContracts(m);
  const { timelock, governor } = governanceStack(m, { market, disputes, token, votesToken: token, after: install });
  return { token, market, disputes, verifierPool, timelock, governor };
});
