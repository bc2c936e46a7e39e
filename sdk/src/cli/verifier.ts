import type { Address } from "viem";

import type { VerifierDetails } from "../actions/auditor/get-verifier.ts";
import { verifierPoolAbi } from "../abi/verifier-pool.ts";
import { getVerifierPoolAddress } from "../actions/shared/disputes.ts";
import type { Command } from "./args.ts";
import { confirm, yesOption } from "./confirm.ts";
import { connect, connectWithAmount, connectionOptions, jsonOption, writeOptions, type Connection, type TokenInfo } from "./connect.ts";
import { CliError } from "./errors.ts";
import { keyOptions, loadAccount } from "./keys.ts";
import { formatAmount, formatFields, formatTime, printJson, printLine, printResult, withProgress } from "./output.ts";
import { parseAddress, stringOption } from "./values.ts";
import { withPreflightErrors } from "./preflight-errors.ts";

/** The share `weight / total` as a percentage with two decimals. */
function share(weight: bigint, total: bigint): string {
  if (total === 0n) return "0%";
  return `${(Number((weight * 10_000n) / total) / 100).toFixed(2)}%`;
}

export function verifierFields(
  verifier: Address,
  v: VerifierDetails & { minimumBond: bigint },
  token: TokenInfo,
): [string, string | undefined][] {
  return [
    ["verifier", verifier],
    ["bonded", formatAmount(v.bonded, token)],
    ["locked", formatAmount(v.locked, token)],
    ["pending", v.pending === 0n ? "0" : `${formatAmount(v.pending, token)} (withdrawable from ${formatTime(v.unlockAt)})`],
    [
      "weight",
      `${formatAmount(v.weight, token)} of ${formatAmount(v.totalWeight, token)} (${share(v.weight, v.totalWeight)} per seat drawn)`,
    ],
    ["minimum bond", formatAmount(v.minimumBond, token)],
  ];
}

/** `getVerifier` plus the pool's minimum bond, read at the same block. */
async function readVerifier(connection: Connection, verifier: Address) {
  const { client } = connection;
  const blockNumber = await client.publicClient.getBlockNumber();
  const pool = await getVerifierPoolAddress(client);
  const [details, minimumBond] = await Promise.all([
    client.getVerifier({ verifier, blockNumber }),
    client.publicClient.readContract({ address: pool, abi: verifierPoolAbi, functionName: "minimumBond", blockNumber }),
  ]);
  return { pool, blockNumber, details: { ...details, minimumBond } };
}

/** `hashwork verifier bond --amount AMOUNT` */
export const verifierBond: Command = {
  path: ["verifier", "bond"],
  summary: "Bond tokens from your wallet in the verifier pool (your weight in committee draws)",
  options: {
    amount: { type: "string", required: true, placeholder: "AMOUNT", description: "tokens to bond, e.g. 100 (or base units: 100wei)" },
    ...yesOption,
    ...writeOptions,
    ...jsonOption,
  },
  notes: `Committees are drawn from the verifier pool, weighted by bond, as it stood when each dispute
opened; your bond must reach the minimum bond (the market's minimum stake). It is separate from
any provider stake. Approves exactly the amount first when the allowance is short.`,
  async run(options) {
    const json = options.json === true;
    const { connection, token, amount } = await connectWithAmount(options);
    await confirm(
      options,
      `Bond ${formatAmount(amount, token)} from ${connection.account} in the verifier pool? Silent or minority votes are slashed`,
    );
    const bonded = await withProgress("bonding", json, () =>
      withPreflightErrors(token, { lower: "lower --amount" }, () => connection.client.bondVerifier({ amount })),
    );
    return printResult(
      json,
      {
        verifier: connection.account,
        amount,
        bonded: bonded.bonded,
        approvalTransactionHash: bonded.approvalTransactionHash,
        transactionHash: bonded.transactionHash,
      },
      () =>
        `Bonded ${formatAmount(amount, token)}; your verifier bond is ${formatAmount(bonded.bonded, token)} (${bonded.transactionHash})`,
    );
  },
};

/** `hashwork verifier withdraw-request --amount AMOUNT` */
export const verifierWithdrawRequest: Command = {
  path: ["verifier", "withdraw-request"],
  summary: "Take part of your verifier bond out of the draws (withdraw it after the pool's delay)",
  options: {
    amount: { type: "string", required: true, placeholder: "AMOUNT", description: "bond to take out, e.g. 50" },
    ...writeOptions,
    ...jsonOption,
  },
  notes: `The amount stops counting for disputes opened from the next block on; it still answers for the
committee seats you hold, and can leave with \`hashwork verifier withdraw\` after the pool's
withdrawal delay. What stays bonded must be zero or at least the minimum bond.`,
  async run(options) {
    const json = options.json === true;
    const { connection, token, amount } = await connectWithAmount(options);
    const { details } = await readVerifier(connection, connection.account!);
    if (amount > details.bonded) {
      throw new CliError(`only ${formatAmount(details.bonded, token)} is bonded (asked to take out ${formatAmount(amount, token)})`);
    }
    const rest = details.bonded - amount;
    if (rest !== 0n && rest < details.minimumBond) {
      throw new CliError(
        `${formatAmount(rest, token)} would stay bonded, below the minimum bond of ${formatAmount(details.minimumBond, token)}: take out all of it or less`,
      );
    }
    const requested = await withProgress("requesting the withdrawal", json, () => connection.client.requestVerifierWithdrawal({ amount }));
    return printResult(
      json,
      {
        verifier: connection.account,
        amount: requested.amount,
        bonded: requested.bonded,
        unlockAt: requested.unlockAt,
        transactionHash: requested.transactionHash,
      },
      () =>
        `Took ${formatAmount(requested.amount, token)} out of your bond (${formatAmount(requested.bonded, token)} stays); withdraw it with \`hashwork verifier withdraw\` from ${formatTime(requested.unlockAt)}`,
    );
  },
};

/** `hashwork verifier withdraw` */
export const verifierWithdraw: Command = {
  path: ["verifier", "withdraw"],
  summary: "Send your requested verifier withdrawal to your wallet once its delay is over",
  options: {
    to: { type: "string", placeholder: "ADDR", description: "recipient (default: you)" },
    ...writeOptions,
    ...jsonOption,
  },
  async run(options) {
    const json = options.json === true;
    const to = options.to === undefined ? undefined : parseAddress(stringOption(options.to), "--to");
    const connection = await connect(options, { sign: true });
    const { client } = connection;
    const { details } = await readVerifier(connection, connection.account!);
    if (details.pending === 0n)
      throw new CliError("nothing to withdraw: no bond is pending (start with `hashwork verifier withdraw-request`)");
    const now = (await client.publicClient.getBlock({ blockTag: "latest" })).timestamp;
    if (now < details.unlockAt) throw new CliError(`the withdrawal waits until ${formatTime(details.unlockAt)}`);
    const lockedInPending = details.locked > details.bonded ? details.locked - details.bonded : 0n;
    if (lockedInPending >= details.pending)
      throw new CliError("nothing to withdraw yet: all of it still answers for committee seats you hold");
    const withdrawn = await withProgress("withdrawing", json, () => client.withdrawVerifierBond({ to }));
    if (json) {
      printJson({ verifier: connection.account, amount: withdrawn.amount, to: withdrawn.to, transactionHash: withdrawn.transactionHash });
      return 0;
    }
    printLine(`Withdrew ${formatAmount(withdrawn.amount, await connection.token())} to ${withdrawn.to} (${withdrawn.transactionHash})`);
    return 0;
  },
};

/** `hashwork verifier show [ADDR]` */
export const verifierShow: Command = {
  path: ["verifier", "show"],
  summary: "Show a verifier's bond, locks, pending withdrawal and draw weight (default: your own)",
  args: [{ name: "ADDR", description: "the verifier (default: the account of your key)", optional: true }],
  options: { ...connectionOptions, ...keyOptions, ...jsonOption },
  async run(options, args) {
    const verifier = args.ADDR !== undefined ? parseAddress(args.ADDR, "ADDR") : (await loadAccount(options)).address;
    const connection = await connect(options);
    const { pool, blockNumber, details } = await readVerifier(connection, verifier);
    if (options.json === true) {
      printJson({ verifier, pool, blockNumber, ...details });
      return 0;
    }
    printLine(formatFields(verifierFields(verifier, details, await connection.token())));
    return 0;
  },
};
