/**
 * Helpers for the fourth landing review's tests (no tests here). Builds on the earlier reviews'.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

import { STAKE, TOKEN_UNIT, committeeOf, type System } from "../../test/disputes/fixtures.js";
import type { SubmittedJob } from "../../scripts/lib/jobs.js";

export { bondOf, fmt, lockedOf, mineSeedWhere, seatBlocks, signersOf } from "../landing-3/_helpers.js";

/**
 * `n` fresh impersonated accounts (addresses 0x…c0de0001 onward), funded with ETH and tokens,
 * each bonding `amount` in the pool.
 */
export async function bondMany(
  ethers: HardhatEthers,
  helpers: NetworkHelpers,
  d: System & { owner: HardhatEthersSigner },
  n: number,
  amount: bigint = STAKE,
): Promise<HardhatEthersSigner[]> {
  const out: HardhatEthersSigner[] = [];
  for (let i = 0; i < n; i++) {
    const address = ethers.getAddress(`0x${(0xc0de0000 + i + 1).toString(16).padStart(40, "0")}`);
    await helpers.impersonateAccount(address);
    await helpers.setBalance(address, 10n ** 21n);
    const s = await ethers.getSigner(address);
    await d.token.connect(d.owner).mint(address, amount + 1_000n * TOKEN_UNIT);
    await d.token.connect(s).approve(d.poolAddress, ethers.MaxUint256);
    await d.token.connect(s).approve(d.disputesAddress, ethers.MaxUint256);
    await d.pool.connect(s).bond(amount);
    out.push(s);
  }
  return out;
}

/** Mines the seed block and draws the current round; returns the committee's signers and votes. */
export async function drawNow(
  ethers: HardhatEthers,
  helpers: NetworkHelpers,
  d: System,
  jobId: bigint,
  terms: SubmittedJob,
  keeper: HardhatEthersSigner,
  everyone: HardhatEthersSigner[],
) {
  const { seedBlock } = await d.disputes.getDispute(jobId);
  const now = BigInt(await ethers.provider.getBlockNumber());
  if (now < seedBlock) await helpers.mine(Number(seedBlock - now));
  const receipt = await (await d.disputes.connect(keeper).drawCommittee(jobId, terms)).wait();
  const c = committeeOf(d.disputes, receipt);
  const seats = c.verifiers.map((a) => {
    const s = everyone.find((x) => x.address === a);
    if (!s) throw new Error(`no signer for ${a}`);
    return s;
  });
  return { seats, votes: c.votes, gas: receipt!.gasUsed };
}
