/**
 * Helpers for the third landing review's tests (no tests here). Builds on the second review's.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { System } from "../../test/disputes/fixtures.js";

export { bondOf, fmt, mineSeedWhere, seatBlocks, signersOf } from "../landing-2/_helpers.js";

/** What the pool says each of `who` has locked. */
export async function lockedOf(d: System, who: HardhatEthersSigner[]): Promise<bigint[]> {
  return Promise.all(who.map(async (s) => (await d.pool.memberOf(s.address)).locked));
}
