/**
 * Landing review 7: helpers shared by its attack files (no tests here). Each test file keeps its
 * own `network.create()` and passes its deployment (`Staked`) in.
 */
import type { ContractTransactionReceipt } from "ethers";

import { jobRequest, postedJobIds } from "../../test/helpers/fixtures.js";
import type { HashworkMarket } from "../../types/ethers-contracts/index.js";

export const SEAL = 600; // PAY_SEAL
export const WEEK = 7 * 24 * 3600;

/** What the helpers need of a deployment (`fixtures.staked()`). */
export interface Deployment {
  market: HashworkMarket;
  requester: { address: string };
  now(): Promise<number>;
}

type Signer = Parameters<HashworkMarket["connect"]>[0];

/** Posts one job per challenge window (as `poster`); returns their ids. */
export async function postWindows(
  d: Deployment & { requester: Signer },
  windows: number[],
  overrides: Parameters<typeof jobRequest>[1] = {},
  poster: Signer = d.requester,
): Promise<bigint[]> {
  const now = await d.now();
  const requests = windows.map((challengeWindow) => jobRequest(now, { challengeWindow, claimDeadline: now + 6 * 3600, ...overrides }));
  return postedJobIds(d.market, await (await d.market.connect(poster).postJobs(requests)).wait());
}

/** `provider` fast-paths `ids` in one `claimAndSubmitJobs` call; returns the receipt. */
export async function fastPath(
  market: HashworkMarket,
  provider: Signer,
  ids: bigint[],
  result: string,
): Promise<ContractTransactionReceipt> {
  const tx = await market.connect(provider).claimAndSubmitJobs(
    ids,
    ids.map(() => result),
    ids.map(() => ""),
  );
  return (await tx.wait())!;
}

/** Every event named `name` in a receipt, parsed. */
export function eventsIn(market: HashworkMarket, receipt: ContractTransactionReceipt, name: string) {
  return receipt.logs
    .map((l) => {
      try {
        return market.interface.parseLog(l);
      } catch {
        return null;
      }
    })
    .filter((e) => e?.name === name)
    .map((e) => e!);
}

/** The job ids a receipt's `PayDeferred` names ([] if none). */
export function deferredIn(market: HashworkMarket, receipt: ContractTransactionReceipt): bigint[] {
  return eventsIn(market, receipt, "PayDeferred").flatMap((e) => [...e.args.jobIds] as bigint[]);
}

/** The timestamp of a receipt's block. */
export async function blockTime(market: HashworkMarket, receipt: ContractTransactionReceipt): Promise<number> {
  return (await market.runner!.provider!.getBlock(receipt.blockNumber))!.timestamp;
}
