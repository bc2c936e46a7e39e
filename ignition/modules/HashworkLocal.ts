import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { systemContracts } from "./system.js";

/**
 * `Hashwork.ts` without governance: token, market, dispute module (installed) and its verifier
 * pool, the deployer (`owner`) keeping every owner power and the token's `mint`. For local chains
 * only: the contract tests, the SDK's fixtures, the test kit's clusters and the benches, which
 * call owner functions directly. Same parameters and defaults as `Hashwork.ts`.
 */
export default buildModule("HashworkLocal", (m) => {
  const { token, market, disputes, verifierPool } = systemContracts(m);
  return { token, market, disputes, verifierPool };
});
