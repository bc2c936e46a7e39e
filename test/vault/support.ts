/**
 * Small helpers shared by the vault, registry, governance and security tests (no tests here).
 */
import { expect } from "chai";

/** Anything with the vault's two solvency views and an address (every market deployment). */
interface Vault {
  totalOwed(): Promise<bigint>;
  getAddress(): Promise<string>;
}
interface Erc20 {
  balanceOf(account: string): Promise<bigint>;
}

/** The vault invariant: what the market owes equals exactly what it holds. */
export async function expectSolvent(market: Vault, token: Erc20): Promise<void> {
  const held = await token.balanceOf(await market.getAddress());
  expect(await market.totalOwed()).to.equal(held, "totalOwed must equal token.balanceOf(market)");
}

export { signPermit } from "../helpers/permit.js";
