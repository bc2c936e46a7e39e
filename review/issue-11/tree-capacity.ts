/**
 * Review: the sortition tree's fixed capacity (4^7 = 16,384 leaves) and the draw's gas.
 *
 * Filling the tree: one leaf per member with weight, at least minStake (100 tokens locally) each.
 * An attacker bonds the minimum from 16,384 − (current members) accounts; from then on nobody new
 * can join the pool (SortitionTreeFull) until an attacker account leaves, and a member who leaves
 * cannot come back. There is no eviction (raising minStake later evicts nobody either).
 * Cost: 16,372 × 100 tokens (capital, refundable after withdrawalDelay) and ~16,372 bonds' gas.
 *
 * The descent of every draw starts at the subtree covering `nextLeaf`, which never shrinks: once
 * more than 4,096 members were bonded at the same time (~410k tokens for a moment), every later
 * draw reads all 7 levels for good, even after they all left (measured below).
 *
 * The fill is done for real here (impersonated accounts; token balances and allowances written
 * straight into the token's storage to save two transactions per account). It takes a few
 * minutes.
 */
import { expect } from "chai";
import { AbiCoder, keccak256, toBeHex, zeroPadValue } from "ethers";
import { network } from "hardhat";

import { CHALLENGE_SALT, challengeCommitment, createDisputeFixtures } from "../../test/disputes/fixtures.js";
import { TOKEN_UNIT, sybils } from "./_helpers.js";

const { ethers, networkHelpers, ignition } = await network.create();
const fixtures = createDisputeFixtures({ ethers, networkHelpers, ignition });
const { mine } = networkHelpers;

const CAPACITY = 16_384;
const MIN = 100n * TOKEN_UNIT;
const abi = AbiCoder.defaultAbiCoder();

/** OpenZeppelin 5 ERC20: _balances at slot 0, _allowances at slot 1. */
function balanceSlot(owner: string) {
  return keccak256(abi.encode(["address", "uint256"], [owner, 0]));
}
function allowanceSlot(owner: string, spender: string) {
  return keccak256(abi.encode(["address", "bytes32"], [spender, keccak256(abi.encode(["address", "uint256"], [owner, 1]))]));
}

async function drawGas(d: Awaited<ReturnType<typeof fixtures.submitted>>, jobId: bigint, terms: never) {
  await d.disputes
    .connect(d.challenger)
    .commitChallenge(challengeCommitment(jobId, d.challengerHash, d.challenger.address, CHALLENGE_SALT));
  await d.disputes.connect(d.challenger).challenge(jobId, terms, d.challengerHash, CHALLENGE_SALT);
  await mine(1);
  const rx = (await (await d.disputes.connect(d.keeper).drawCommittee(jobId, terms)).wait())!;
  return rx.gasUsed;
}

describe("Review: filling the sortition tree", function () {
  this.timeout(0);

  it("16,372 minimum bonds (~5.2G gas batched, ~460k each alone; 1.64M tokens of refundable capital) fill the tree: the next newcomer reverts SortitionTreeFull, and draws stay dearer after the fillers leave", async function () {
    const d = await fixtures.submitted();
    const tokenAddress = await d.token.getAddress();
    // Sanity: slot 0 is the balance mapping.
    const probe = await ethers.provider.getStorage(tokenAddress, balanceSlot(d.requester.address));
    expect(BigInt(probe)).to.equal(await d.token.balanceOf(d.requester.address));

    // A reference draw in the small pool (10 members).
    const small = await fixtures.submitJob(d);
    const smallGas = await drawGas(d, small.jobId, small.terms as never);

    // Fresh members bonding, each in its own block: the realistic cost per account.
    const probes = await sybils(ethers, networkHelpers, d, "filler probe", 2, MIN);
    const bondGas: bigint[] = [];
    for (const p of probes) bondGas.push((await (await d.pool.connect(p).bond(MIN)).wait())!.gasUsed);

    // Reference: 20 draws (as the pool's view) at this block, before any filler exists.
    const b0 = await ethers.provider.getBlockNumber();
    const excluded = [d.provider.address, d.challenger.address, d.requester.address] as [string, string, string];
    async function drawsAtB0() {
      let gas = 0n;
      const picks: string[] = [];
      for (let i = 0; i < 20; i++) {
        gas += await d.pool.draw.estimateGas(b0, ethers.id(`b0 seed ${i}`), 3, excluded);
        const [vs, votes] = await d.pool.draw(b0, ethers.id(`b0 seed ${i}`), 3, excluded);
        picks.push(`${vs.join(",")}/${votes.join(",")}`);
      }
      return { gas: gas / 20n, picks };
    }
    const before = await drawsAtB0();

    const members = 12; // 10 from the fixture + 2 probes
    const toFill = CAPACITY - members;
    const started = Date.now();
    const poolAddress = d.poolAddress;
    const amount = zeroPadValue(toBeHex(MIN), 32);
    const max = zeroPadValue(toBeHex(ethers.MaxUint256), 32);
    const fillers = Array.from({ length: toFill }, (_, i) => ethers.getAddress(zeroPadValue(toBeHex(0xf111000000n + BigInt(i)), 20)));
    const BATCH = 150;

    /** Sends `data` to the pool from every filler, BATCH per block; returns the total gas. */
    async function fromAllFillers(label: string, data: string, prepare: boolean) {
      let totalGas = 0n;
      for (let i = 0; i < fillers.length; i += BATCH) {
        const batch = fillers.slice(i, i + BATCH);
        const hashes: string[] = [];
        await ethers.provider.send("evm_setAutomine", [false]);
        for (const who of batch) {
          if (prepare) {
            await ethers.provider.send("hardhat_setStorageAt", [tokenAddress, balanceSlot(who), amount]);
            await ethers.provider.send("hardhat_setStorageAt", [tokenAddress, allowanceSlot(who, poolAddress), max]);
            await ethers.provider.send("hardhat_setBalance", [who, "0x56bc75e2d63100000"]); // 100 ETH
            await ethers.provider.send("hardhat_impersonateAccount", [who]);
          }
          hashes.push(
            await ethers.provider.send("eth_sendTransaction", [
              { from: who, to: poolAddress, data, gas: "0x16e360", maxFeePerGas: "0x174876e800", maxPriorityFeePerGas: "0x1" },
            ]),
          );
        }
        const allMined = async () => {
          for (const h of hashes) if ((await ethers.provider.getTransactionReceipt(h)) === null) return false;
          return true;
        };
        const mineOne = async () => {
          await ethers.provider.send("hardhat_setNextBlockBaseFeePerGas", ["0x1"]);
          await ethers.provider.send("evm_mine", []);
        };
        await mineOne();
        for (let guard = 0; !(await allMined()); guard++) {
          if (guard > 50) throw new Error(`${label} not mined`);
          await mineOne();
        }
        await ethers.provider.send("evm_setAutomine", [true]);
        for (const h of hashes) {
          const r = await ethers.provider.getTransactionReceipt(h);
          expect(r?.status, `${label} ${h}`).to.equal(1);
          totalGas += r!.gasUsed;
        }
        if ((i / BATCH) % 30 === 0) console.log(`      … ${i + batch.length} ${label}, ${Math.round((Date.now() - started) / 1000)} s`);
      }
      return totalGas;
    }

    const fillGas = await fromAllFillers("filler bonds", d.pool.interface.encodeFunctionData("bond", [MIN]), true);
    console.log(
      `      fresh members' bonds in their own blocks: ${bondGas.join(", ")} gas; ${toFill} filler bonds (batched ${BATCH} per block): ${fillGas} gas`,
    );
    console.log(`      capital: ${toFill * 100} tokens (refundable after withdrawalDelay)`);

    const [newcomer] = await sybils(ethers, networkHelpers, d, "honest newcomer", 1, 10_000n * TOKEN_UNIT);
    await expect(d.pool.connect(newcomer).bond(10_000n * TOKEN_UNIT)).to.be.revertedWithCustomError(d.pool, "SortitionTreeFull");

    // A draw now descends all 7 levels...
    const big = await fixtures.submitJob(d);
    const bigGas = await drawGas(d, big.jobId, big.terms as never);
    // ...and still does after every filler left: the descent starts from nextLeaf, which never shrinks.
    await fromAllFillers("filler withdrawal requests", d.pool.interface.encodeFunctionData("requestWithdrawal", [MIN]), false);
    expect(await d.pool.totalWeight()).to.equal(10n * 1_000n * TOKEN_UNIT + 2n * MIN);
    const after = await fixtures.submitJob(d);
    const afterGas = await drawGas(d, after.jobId, after.terms as never);
    console.log(
      `      drawCommittee (3 seats): ${smallGas} gas with 10 members, ${bigGas} with a full tree, ${afterGas} after all fillers left`,
    );
    // The same 20 draws at the same old block: same committees, but a deeper (dearer) descent now.
    const later = await drawsAtB0();
    console.log(
      `      pool.draw(3 seats) at block ${b0}, mean of 20 seeds: ${before.gas} gas before the fill, ${later.gas} after the fillers left`,
    );
    expect(later.picks).to.deep.equal(before.picks);
    expect(later.gas).to.be.greaterThan(before.gas + 30_000n);
  });
});
