import type { Address, Hash } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { hashworkTokenAbi } from "../abi/hashwork-token.ts";
import { ERC20InsufficientAllowanceError } from "../errors/contract-errors.ts";
import { decodeContractError } from "../errors/decode.ts";
import { InsufficientFundsError } from "../errors/sdk.ts";
import type { AccountParameter, HashworkBaseClient } from "./client.ts";
import { approveIfNeeded, getTokenAddress, signPermit, type PaymentMethod, type SignedPermit } from "./token.ts";

/** How a payment into the market is covered. */
export type Funding = {
  /** Taken from the payer's ledger balance inside the market. */
  fromLedger: bigint;
  /** Pulled from the payer's wallet (the shortfall). */
  pulled: bigint;
  /** The `approve` sent for the shortfall, if one was needed. */
  approvalTransactionHash?: Hash | undefined;
  /** The permit signed for the shortfall, if `payment: "permit"` and one was needed. */
  permit?: SignedPermit | undefined;
};

/** Default lifetime of a permit signature: one hour. */
export const DEFAULT_PERMIT_TTL = 3600n;

/**
 * Covers `amount` the way the market's post functions charge it: the payer's ledger balance
 * first, the shortfall from its wallet. Approves (or signs a permit for) exactly the shortfall,
 * and only when the current allowance does not already cover it. Before any of that (unless
 * `checkBalance` is false) it reads the wallet's token balance and throws `InsufficientFundsError`
 * ("you have X, need Y") when wallet and ledger together fall short, so a short payer never
 * sends an approve or leaves an allowance behind.
 */
export async function prepareFunding(
  client: HashworkBaseClient,
  {
    payer,
    amount,
    useLedger = true,
    payment = "approve",
    permitDeadline,
    account,
    action,
    checkBalance = true,
    dryRun,
  }: {
    payer: Address;
    amount: bigint;
    useLedger?: boolean;
    payment?: PaymentMethod;
    permitDeadline?: bigint | undefined;
    account?: AccountParameter | undefined;
    action: string;
    checkBalance?: boolean | undefined;
    /**
     * Simulates the write the payment is for. Run before an approve is sent: a revert other than
     * the token's missing allowance is thrown then, so a write that would fail anyway never
     * leaves an approval behind.
     */
    dryRun?: (() => Promise<unknown>) | undefined;
  },
): Promise<Funding> {
  const ledger = useLedger
    ? await client.publicClient.readContract({
        address: client.deployment.market,
        abi: hashworkMarketAbi,
        functionName: "balanceOf",
        args: [payer],
      })
    : 0n;
  const fromLedger = ledger < amount ? ledger : amount;
  const pulled = amount - fromLedger;
  if (pulled === 0n) return { fromLedger, pulled };
  if (checkBalance) {
    const wallet = await client.publicClient.readContract({
      address: await getTokenAddress(client),
      abi: hashworkTokenAbi,
      functionName: "balanceOf",
      args: [payer],
    });
    if (wallet < pulled) throw new InsufficientFundsError({ action, payer, available: fromLedger + wallet, needed: amount });
  }
  if (payment === "approve") {
    if (dryRun) {
      try {
        await dryRun();
      } catch (error) {
        const revert = decodeContractError(error);
        if (!(revert instanceof ERC20InsufficientAllowanceError)) throw revert ?? error;
      }
    }
    const approvalTransactionHash = await approveIfNeeded(client, { owner: payer, amount: pulled, account, action });
    return { fromLedger, pulled, approvalTransactionHash };
  }
  const allowance = await client.publicClient.readContract({
    address: await getTokenAddress(client),
    abi: hashworkTokenAbi,
    functionName: "allowance",
    args: [payer, client.deployment.market],
  });
  if (allowance >= pulled) return { fromLedger, pulled };
  const deadline = permitDeadline ?? (await client.publicClient.getBlock()).timestamp + DEFAULT_PERMIT_TTL;
  const permit = await signPermit(client, { value: pulled, deadline, account, action });
  return { fromLedger, pulled, permit };
}
