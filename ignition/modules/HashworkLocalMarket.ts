import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { tokenAndMarket } from "./system.js";

/**
 * Token and market only, no dispute module installed (results cannot be challenged), the deployer
 * keeping every owner power: the market's own contract tests (`test/helpers/fixtures.ts`).
 * Local chains only. Same parameters and defaults as `Hashwork.ts`.
 */
export default buildModule("HashworkLocalMarket", (m) => {
  const { token, market } = tokenAndMarket(m);
  return { token, market };
});
