/**
 * Helpers for the second landing review's tests (no tests here). Builds on the dispute fixtures
 * (test/disputes/fixtures.ts) and on the first landing review's helpers.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

import { predictDraw, type Committee, type System } from "../../test/disputes/fixtures.js";
import type { SubmittedJob } from "../../scripts/lib/jobs.js";

export { fmt, fund, postClaimSubmit, type Deployed } from "../landing/_helpers.js";

/**
 * The module's seat-block counters, read from storage slot 5 (uint16 configVersion |
 * uint112 free | uint112 created; slots 0-1 are Ownable2Step's, 2-3 the config mappings,
 * 4 arbiter | held). `seatBlocks` checks the layout against `configVersion()`.
 */
export async function seatBlocks(ethers: HardhatEthers, d: System) {
  const raw = BigInt(await ethers.provider.getStorage(d.disputesAddress, 5));
  const version = raw & 0xffffn;
  if (version !== BigInt(await d.disputes.configVersion()))
    throw new Error("storage layout changed: slot 5 is not the seat-block counters");
  const mask = (1n << 112n) - 1n;
  return { free: (raw >> 16n) & mask, created: (raw >> 128n) & mask };
}

/**
 * Mines the current round's seed block (again with another timestamp, so another hash) until the
 * pool predicts a committee `accept` takes. The draw itself is left to the caller.
 */
export async function mineSeedWhere(
  ethers: HardhatEthers,
  helpers: NetworkHelpers,
  d: System,
  jobId: bigint,
  terms: SubmittedJob,
  accept: (c: Committee) => boolean,
): Promise<Committee> {
  const { time, mine, takeSnapshot } = helpers;
  const { seedBlock } = await d.disputes.getDispute(jobId);
  if (BigInt(await ethers.provider.getBlockNumber()) + 1n !== seedBlock) throw new Error("the seed block is not next");
  for (let attempt = 1; attempt <= 300; attempt++) {
    const snapshot = await takeSnapshot();
    await time.setNextBlockTimestamp((await time.latest()) + attempt);
    await mine(1);
    const predicted = await predictDraw(ethers, d, jobId, terms);
    if (predicted.verifiers.length > 0 && accept(predicted)) return predicted;
    await snapshot.restore();
  }
  throw new Error("no seed block gave the committee asked for");
}

/** The signer of each address (throws for an unknown one). */
export function signersOf(addresses: string[], signers: HardhatEthersSigner[]): HardhatEthersSigner[] {
  return addresses.map((a) => {
    const s = signers.find((x) => x.address === a);
    if (!s) throw new Error(`no signer for ${a}`);
    return s;
  });
}

/** The bond (bonded + pending) of a verifier in the pool. */
export async function bondOf(d: System, who: string): Promise<bigint> {
  const m = await d.pool.memberOf(who);
  return m.bonded + m.pending;
}
