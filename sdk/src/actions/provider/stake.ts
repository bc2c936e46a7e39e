import type { Hash, TransactionReceipt, WriteContractErrorType } from "viem";

import { hashworkMarketAbi } from "../../abi/hashwork-market.ts";
import type {
  ERC20InsufficientAllowanceError,
  ERC20InsufficientBalanceError,
  RegistryStakeTooLargeError,
  VaultAmountTooLargeError,
  VaultZeroAmountError,
} from "../../errors/contract-errors.ts";
import type { ContractRevertError } from "../../errors/contract-revert.ts";
import type { MissingAccountError, MissingWalletClientError, TransactionRevertedError } from "../../errors/sdk.ts";
import { requireWallet, type HashworkBaseClient, type WriteParameters } from "../../utils/client.ts";
import { prepareFunding } from "../../utils/funding.ts";
import { marketEventsInReceipt } from "../../utils/logs.ts";
import type { PaymentMethod } from "../../utils/token.ts";
import { sendContractTransaction } from "../../utils/write.ts";

export type StakeParameters = WriteParameters & {
  /** Tokens to add to the stake, pulled from the wallet. */
  amount: bigint;
  /** `"approve"` (default): approve the missing allowance first; `"permit"`: one transaction with a permit. */
  payment?: PaymentMethod | undefined;
};

export type StakeReturnType = {
  /** The provider's bonded stake after this deposit (including locked collateral). */
  totalStaked: bigint;
  /** The compact provider id (assigned on the first stake or registration). */
  providerId: number;
  /** Whether this call registered the provider. */
  registered: boolean;
  approvalTransactionHash?: Hash | undefined;
  transactionHash: Hash;
  receipt: TransactionReceipt;
};

export type StakeErrorType =
  | VaultZeroAmountError
  | VaultAmountTooLargeError
  | RegistryStakeTooLargeError
  | ERC20InsufficientBalanceError
  | ERC20InsufficientAllowanceError
  | ContractRevertError
  | MissingWalletClientError
  | MissingAccountError
  | TransactionRevertedError
  | WriteContractErrorType;

/**
 * Adds tokens to the sender's provider stake (registering it if new). Stake backs the
 * collateral locked by each claimed job and must stay above the market's minimum to claim.
 * Approves exactly the missing allowance first, or uses a permit with `payment: "permit"`.
 *
 * @example
 * const { totalStaked } = await stake(client, { amount: parseEther("1000") })
 */
export async function stake(client: HashworkBaseClient, parameters: StakeParameters): Promise<StakeReturnType> {
  const { address: provider } = requireWallet(client, "stake", parameters.account);
  const funding = await prepareFunding(client, {
    payer: provider,
    amount: parameters.amount,
    useLedger: false,
    payment: parameters.payment,
    account: parameters.account,
    action: "stake",
  });
  const common = { action: "stake", address: client.deployment.market, abi: hashworkMarketAbi, options: parameters };
  const p = funding.permit;
  const sent = p
    ? await sendContractTransaction(client, {
        ...common,
        functionName: "stakeWithPermit",
        args: [parameters.amount, p.deadline, p.v, p.r, p.s],
      })
    : await sendContractTransaction(client, { ...common, functionName: "stake", args: [parameters.amount] });
  const [staked] = marketEventsInReceipt(client, sent.receipt, "Staked");
  const [registration] = marketEventsInReceipt(client, sent.receipt, "ProviderRegistered");
  const providerId =
    registration?.args.providerId ??
    (await client.publicClient.readContract({
      address: client.deployment.market,
      abi: hashworkMarketAbi,
      functionName: "providerIdOf",
      args: [provider],
    }));
  return {
    totalStaked: staked!.args.totalStaked,
    providerId,
    registered: registration !== undefined,
    approvalTransactionHash: funding.approvalTransactionHash,
    transactionHash: sent.transactionHash,
    receipt: sent.receipt,
  };
}
