/**
 * Funding local accounts with the market's token: plain ERC20 transfers from a funder (the
 * deployer holds the HashworkToken's initial supply), so it works with any token the funder
 * holds. Used by `npm run demo` and the `hashwork:fund` task.
 */
import { getAddress, type Address, type Hash } from "viem";

import { getTokenAddress, type HashworkBaseClient, InvalidParameterError, sendContractTransaction } from "../../sdk/src/index.ts";
import { hashworkTokenAbi } from "../../sdk/src/abi/index.ts";

export type FundAccountsParameters = {
  /** Who receives `amount` each. */
  recipients: readonly Address[];
  /** Token base units per recipient. */
  amount: bigint;
};

export type FundAccountsReturnType = {
  token: Address;
  funder: Address;
  transfers: { to: Address; amount: bigint; balanceAfter: bigint; transactionHash: Hash }[];
};

/**
 * Transfers `amount` of the deployment's token from the client's account to each recipient,
 * one transaction each (simulated first, so a shortfall fails before anything is sent).
 *
 * @example
 * await fundAccounts(system.clientFor(0), { recipients: [alice, bob], amount: 10_000n * 10n ** 18n })
 */
export async function fundAccounts(
  client: HashworkBaseClient,
  { recipients, amount }: FundAccountsParameters,
): Promise<FundAccountsReturnType> {
  const funder = client.walletClient?.account?.address;
  if (!funder) throw new InvalidParameterError({ parameter: "client", reason: "needs a wallet client with an account (the funder)" });
  if (amount <= 0n) throw new InvalidParameterError({ parameter: "amount", reason: `must be positive, got ${amount}` });
  const token = await getTokenAddress(client);
  const balance = await client.publicClient.readContract({
    address: token,
    abi: hashworkTokenAbi,
    functionName: "balanceOf",
    args: [funder],
  });
  const total = amount * BigInt(recipients.length);
  if (balance < total) {
    throw new InvalidParameterError({
      parameter: "amount",
      reason: `the funder ${funder} holds ${balance}, needs ${total} for ${recipients.length} accounts`,
    });
  }
  const transfers: FundAccountsReturnType["transfers"] = [];
  for (const recipient of recipients) {
    const to = getAddress(recipient);
    const { transactionHash } = await sendContractTransaction(client, {
      action: "fundAccounts",
      address: token,
      abi: hashworkTokenAbi,
      functionName: "transfer",
      args: [to, amount],
    });
    const balanceAfter = await client.publicClient.readContract({
      address: token,
      abi: hashworkTokenAbi,
      functionName: "balanceOf",
      args: [to],
    });
    transfers.push({ to, amount, balanceAfter, transactionHash });
  }
  return { token, funder: getAddress(funder), transfers };
}
