/**
 * Shared fixtures for the contract tests: a deployed market with funded, approved actors and a
 * staked provider. Use with `networkHelpers.loadFixture(...)` so every test starts from the
 * same snapshot.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import { LOCAL_PARAMETERS, TOKEN_UNIT } from "../../ignition/parameters/defaults.js";
import { deployLocal } from "../../scripts/lib/deploy-local.js";
import { jobRequest, postedJobIds, submittedTerms, type JobRequest, type SubmittedJob } from "../../scripts/lib/jobs.js";

export { LOCAL_PARAMETERS, TOKEN_UNIT, jobRequest, postedJobIds, submittedTerms };
export type { JobRequest, SubmittedJob };

export const REWARD = 10n * TOKEN_UNIT;
export const STAKE = 1_000n * TOKEN_UNIT;
export const MINTED = 1_000_000n * TOKEN_UNIT;

/** What the fixtures need of a network connection (`await network.create()`). */
export type FixtureConnection = Pick<NetworkConnection, "ethers" | "networkHelpers" | "ignition">;

export function createFixtures(connection: FixtureConnection) {
  const { ethers, networkHelpers } = connection;
  const now = async () => Number(await networkHelpers.time.latest());

  /** Token + market (Ignition's `HashworkLocalMarket`); requester, provider, provider2, keeper and stranger funded and approved. */
  async function deployed() {
    const d = await deployLocal(connection);
    const signers = await ethers.getSigners();
    const [, , requester, provider, provider2, keeper, stranger] = signers;
    const marketAddress = await d.market.getAddress();
    for (const s of [requester, provider, provider2, keeper, stranger]) {
      await d.token.connect(d.owner).mint(s.address, MINTED);
      await d.token.connect(s).approve(marketAddress, ethers.MaxUint256);
    }
    return { ...d, marketAddress, requester, provider, provider2, keeper, stranger, now };
  }

  /** `deployed` plus provider (and provider2) registered and staked with STAKE. */
  async function staked() {
    const d = await deployed();
    for (const p of [d.provider, d.provider2]) {
      await d.market.connect(p).registerProvider("http://127.0.0.1:8700", 1n, 1_000_000_000n);
      await d.market.connect(p).stake(STAKE);
    }
    return d;
  }

  /** `staked` plus one open job posted by the requester (paid by allowance). */
  async function openJob() {
    const d = await staked();
    const request = jobRequest(await now());
    const receipt = await (await d.market.connect(d.requester).postJob(request)).wait();
    const [jobId] = postedJobIds(d.market, receipt);
    return { ...d, jobId, request };
  }

  /** `openJob` claimed by provider. */
  async function claimedJob() {
    const d = await openJob();
    await d.market.connect(d.provider).claimJob(d.jobId);
    return d;
  }

  /** `claimedJob` with a result submitted; `terms` settle it. */
  async function submittedJob() {
    const d = await claimedJob();
    const resultHash = ethers.id("result");
    const receipt = await (await d.market.connect(d.provider).submitResult(d.jobId, resultHash, "http://127.0.0.1:8700/o/")).wait();
    const terms = submittedTerms(d.market, receipt).get(d.jobId)!;
    return { ...d, resultHash, terms };
  }

  return { deployed, staked, openJob, claimedJob, submittedJob, now };
}

export type Actor = HardhatEthersSigner;
