import { getAddress, type Address, type Hash, type TransactionReceipt, type WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import { sendContractTransaction } from "../../utils/write.ts";

export type ReleasePayParameters = WriteParameters & {
  /** Whose matured pay buckets to release (anyone may). Default: the sender. */
  provider?: Address | undefined;
};

/** One bucket paid out (`PayReleased`). */
export type ReleasedBucket = {
  bucket: number;
  jobs: bigint;
  /** Paid into the provider's stake (or its ledger balance if the stake was full). */
  payout: bigint;
  fee: bigint;
  /** Collateral unlocked. */
  collateral: bigint;
  lockedAfter: bigint;
};

export type ReleasePayReturnType = {
  provider: Address;
  /** Total payout released; 0 when no bucket had matured (the transaction then changes nothing). */
  paid: bigint;
  buckets: ReleasedBucket[];
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type ReleasePayErrorType =
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Pays out a provider's matured pay buckets: fast-path jobs (`claimAndSubmit`) are paid per
 * bucket, not by `finalizeJob`. A bucket matures once the last of its jobs' challenge windows
 * has passed; the provider's next fast-path transaction releases it too, so this is for idle
 * providers. Permissionless; a no-op when nothing has matured (see `getPendingPay`).
 *
 * @example
 * const { paid } = await releasePay(client)
 */
export async function releasePay(client: HashworkBaseClient, parameters: ReleasePayParameters = {}): Promise<ReleasePayReturnType> {
  const { address: sender } = requireWallet(client, "releasePay", parameters.account);
  const provider = getAddress(parameters.provider ?? sender);
  const sent = await sendContractTransaction(client, {
    action: "releasePay",
    address: client.deployment.market,
    abi: hashworkMarketAbi,
    functionName: "releasePay",
    args: [provider],
    options: parameters,
  });
  const buckets = marketEventsInReceipt(client, sent.receipt, "PayReleased").map((e) => ({
    bucket: Number(e.args.bucket),
    jobs: e.args.jobs,
    payout: e.args.payout,
    fee: e.args.fee,
    collateral: e.args.collateral,
    lockedAfter: e.args.lockedAfter,
  }));
  return {
    provider,
    paid: buckets.reduce((sum, b) => sum + b.payout, 0n),
    buckets,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
