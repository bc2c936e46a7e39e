import type { Hash, Hex, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import type { MissingDeploymentAddressError } from "../../deployments.ts";
import type { DisputeAuditSeedUnavailableError } from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import type { HashworkBaseClient, WriteParameters } from "../../utils/client.ts";
import { sendContractTransaction } from "../../utils/write.ts";
import { disputeEventsInReceipt, getDisputesAddress, simulatingPending } from "../shared/disputes.ts";

export type PinAuditSeedParameters = WriteParameters & {
  /** The block whose hash to store: a block jobs were submitted in. */
  blockNumber: bigint;
};

export type PinAuditSeedReturnType = {
  /** The stored seed (the block's hash). */
  seed: Hex;
  /** Whether this call stored it (false: it was pinned already, the call changed nothing). */
  pinned: boolean;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type PinAuditSeedErrorType =
  | DisputeAuditSeedUnavailableError
  | MissingDeploymentAddressError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Stores the hash of a block jobs were submitted in, while the chain can still read it (256
 * blocks), so the audit lottery of those jobs stays decidable for their whole challenge window.
 * Permissionless and idempotent. A submission block nobody pinned before its hash aged out
 * counts as selecting its jobs for audit, so providers (and keepers) pin the blocks they
 * submitted in. `DisputeAuditSeedUnavailableError` when the hash is already unreadable (or the
 * block is not mined yet).
 *
 * @example
 * const { submittedBlock } = result.terms
 * await pinAuditSeed(client, { blockNumber: submittedBlock })
 */
export async function pinAuditSeed(client: HashworkBaseClient, parameters: PinAuditSeedParameters): Promise<PinAuditSeedReturnType> {
  const disputes = await getDisputesAddress(client);
  const sent = await sendContractTransaction(simulatingPending(client), {
    action: "pinAuditSeed",
    address: disputes,
    abi: hashworkDisputesAbi,
    functionName: "pinAuditSeed",
    args: [parameters.blockNumber],
    options: parameters,
  });
  const [pinned] = disputeEventsInReceipt(disputes, sent.receipt, "AuditSeedPinned");
  const seed =
    pinned?.args.seed ??
    (await client.publicClient.readContract({
      address: disputes,
      abi: hashworkDisputesAbi,
      functionName: "auditSeed",
      args: [parameters.blockNumber],
      blockNumber: sent.receipt.blockNumber,
    }));
  return { seed, pinned: pinned !== undefined, transactionHash: sent.transactionHash, receipt: sent.receipt };
}
