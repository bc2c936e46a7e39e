// `hardhat hashwork:fund [--amount 10000] [--accounts 9] [--to 0x…]`: the market's token to
// local accounts, transferred from account #0 (the deployer, which holds the token's supply).
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { getAddress, isAddress, type Address } from "viem";

import { fundAccounts, type FundAccountsReturnType } from "../scripts/lib/fund.ts";
import { formatToken } from "../scripts/lib/format.ts";
import { parseCount, parseTokens, resolveDeployment, taskClients, taskConnection, withOneLineErrors } from "./lib.ts";

export type FundTaskArguments = { amount: string; accounts: string; to: string; deploymentId: string };

export default withOneLineErrors(async function fundTask(
  { amount, accounts, to, deploymentId }: FundTaskArguments,
  hre: HardhatRuntimeEnvironment,
): Promise<FundAccountsReturnType> {
  const connection = await taskConnection(hre);
  const deployment = await resolveDeployment(hre, connection, { deploymentId: deploymentId || undefined });
  const clients = await taskClients(connection, deployment);
  let recipients: Address[];
  if (to !== "") {
    recipients = to.split(",").map((a) => {
      if (!isAddress(a.trim(), { strict: false })) throw new Error(`--to: not an address: "${a}"`);
      return getAddress(a.trim());
    });
  } else {
    const count = parseCount(accounts, "accounts");
    recipients = clients.accounts.slice(1, 1 + count);
    if (recipients.length === 0) throw new Error(`network "${connection.networkName}" has no accounts besides the funder; pass --to`);
  }
  const units = parseTokens(amount, "amount");
  const result = await fundAccounts(clients.clientFor(0), { recipients, amount: units });
  console.log(
    `Funded ${result.transfers.length} accounts with ${formatToken(units)} tokens each from ${result.funder} (token ${result.token}):`,
  );
  for (const t of result.transfers) console.log(`  ${t.to}  balance ${formatToken(t.balanceAfter)}`);
  return result;
});
