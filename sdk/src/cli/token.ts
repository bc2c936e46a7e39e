import { hashworkTokenAbi } from "../abi/hashwork-token.ts";
import { sendContractTransaction } from "../utils/write.ts";
import type { Command } from "./args.ts";
import { connect, connectWithAmount, connectionOptions, jsonOption, ledgerBalance, writeOptions } from "./connect.ts";
import { CliError } from "./errors.ts";
import { keyOptions, loadAccount } from "./keys.ts";
import { formatAmount, formatFields, printJson, printLine, withProgress, printResult } from "./output.ts";
import { parseAddress, parseAmount, stringOption } from "./values.ts";

/** `hashwork token balance [ADDR]` */
export const tokenBalance: Command = {
  path: ["token", "balance"],
  summary: "Show an account's tokens: in its wallet and in its market balance (refunds, payouts)",
  args: [{ name: "ADDR", description: "the account (default: the account of your key)", optional: true }],
  options: { ...connectionOptions, ...keyOptions, ...jsonOption },
  async run(options, args) {
    const who = args.ADDR !== undefined ? parseAddress(args.ADDR, "ADDR") : (await loadAccount(options)).address;
    const connection = await connect(options);
    const token = await connection.token();
    const [wallet, market] = await Promise.all([
      connection.client.publicClient.readContract({
        address: token.address,
        abi: hashworkTokenAbi,
        functionName: "balanceOf",
        args: [who],
      }),
      ledgerBalance(connection, who),
    ]);
    if (options.json === true) {
      printJson({ address: who, token, wallet, market });
      return 0;
    }
    printLine(
      formatFields([
        ["account", who],
        ["wallet", formatAmount(wallet, token)],
        ["market balance", formatAmount(market, token)],
      ]),
    );
    return 0;
  },
};

/** `hashwork token transfer --to ADDR --amount A` */
export const tokenTransfer: Command = {
  path: ["token", "transfer"],
  summary: "Send tokens from your wallet (e.g. to fund a test account on a local chain)",
  options: {
    to: { type: "string", required: true, placeholder: "ADDR", description: "recipient" },
    amount: { type: "string", required: true, placeholder: "AMOUNT", description: "tokens to send, e.g. 1000" },
    ...writeOptions,
    ...jsonOption,
  },
  async run(options) {
    const json = options.json === true;
    const to = parseAddress(stringOption(options.to), "--to");
    const { connection, token, amount } = await connectWithAmount(options);
    const { client } = connection;
    const balance = await client.publicClient.readContract({
      address: token.address,
      abi: hashworkTokenAbi,
      functionName: "balanceOf",
      args: [connection.account!],
    });
    if (balance < amount) throw new CliError(`your wallet holds ${formatAmount(balance, token)}, less than ${formatAmount(amount, token)}`);
    const sent = await withProgress("transferring", json, () =>
      sendContractTransaction(client, {
        action: "transfer",
        address: token.address,
        abi: hashworkTokenAbi,
        functionName: "transfer",
        args: [to, amount],
        options: {},
      }),
    );
    return printResult(
      json,
      { from: connection.account, to, amount, transactionHash: sent.transactionHash },
      () => `Sent ${formatAmount(amount, token)} to ${to} (${sent.transactionHash})`,
    );
  },
};

/** `hashwork token withdraw` */
export const tokenWithdraw: Command = {
  path: ["token", "withdraw"],
  summary: "Move tokens from your market balance (refunds, dispute payouts) to your wallet",
  options: {
    amount: { type: "string", placeholder: "AMOUNT", description: "how much (default: all of it)" },
    to: { type: "string", placeholder: "ADDR", description: "recipient (default: you)" },
    ...writeOptions,
    ...jsonOption,
  },
  async run(options) {
    const json = options.json === true;
    const to = options.to === undefined ? undefined : parseAddress(stringOption(options.to), "--to");
    if (options.amount !== undefined) parseAmount(stringOption(options.amount), "--amount", 36);
    const connection = await connect(options, { sign: true });
    const token = await connection.token();
    const available = await ledgerBalance(connection, connection.account!);
    const amount = options.amount === undefined ? available : parseAmount(stringOption(options.amount), "--amount", token.decimals);
    if (available === 0n) throw new CliError("your market balance is 0; nothing to withdraw");
    if (amount > available)
      throw new CliError(`your market balance is ${formatAmount(available, token)}, less than ${formatAmount(amount, token)}`);
    const withdrawn = await withProgress("withdrawing", json, () => connection.client.withdrawFromLedger({ amount, to }));
    return printResult(
      json,
      { account: connection.account, amount: withdrawn.amount, to: withdrawn.to, transactionHash: withdrawn.transactionHash },
      () => `Withdrew ${formatAmount(withdrawn.amount, token)} to ${withdrawn.to} (${withdrawn.transactionHash})`,
    );
  },
};
