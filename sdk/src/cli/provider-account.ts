import type { ProviderDetails } from "../actions/auditor/get-provider.ts";
import { UsageError, type Command, type OptionValues } from "./args.ts";
import { confirm, yesOption } from "./confirm.ts";
import { connect, connectWithAmount, connectionOptions, jsonOption, writeOptions, type Connection, type TokenInfo } from "./connect.ts";
import { CliError } from "./errors.ts";
import { keyOptions, loadAccount } from "./keys.ts";
import { formatAmount, formatFields, formatTime, printJson, printLine, withProgress, printResult } from "./output.ts";
import { parseAddress, parseAmount, parseInteger, stringOption } from "./values.ts";
import { withPreflightErrors } from "./preflight-errors.ts";
import { daemonOption, fetchSkipped, formatSkipped } from "./skipped.ts";

export function providerFields(p: ProviderDetails, token: TokenInfo): [string, string | undefined][] {
  const r = p.reputation;
  return [
    ["provider", p.address],
    ["registered", p.registered ? `yes (id ${p.providerId})` : "no"],
    ["staked", formatAmount(p.staked, token)],
    ["locked", formatAmount(p.locked, token)],
    ["free", formatAmount(p.free, token)],
    [
      "unbonding",
      p.unbonding.amount === 0n
        ? "0"
        : `${formatAmount(p.unbonding.amount, token)} (withdrawable from ${formatTime(p.unbonding.unlockAt)})`,
    ],
    ["completed", r.completed.toString()],
    ["timed out", r.timedOut.toString()],
    ["disputes won/lost", `${r.disputesWon} / ${r.disputesLost}`],
    ["fees paid", formatAmount(r.feesPaid, token)],
    ["score", p.scoreFor ? `${p.scoreFor.score} / 10000 for a ${formatAmount(p.scoreFor.reward, token)} job` : undefined],
    ["endpoint", p.profile?.endpoint],
    ["price per fuel", p.profile ? `${p.profile.pricePerFuel} base units` : undefined],
    ["max fuel", p.profile?.maxFuel.toString()],
  ];
}

/** `hashwork provider stake --amount AMOUNT` */
export const providerStake: Command = {
  path: ["provider", "stake"],
  summary: "Add tokens from your wallet to your provider stake (registers you if new)",
  options: {
    amount: { type: "string", required: true, placeholder: "AMOUNT", description: "tokens to stake, e.g. 500 (or base units: 500wei)" },
    permit: { type: "boolean", description: "pay with an EIP-2612 permit instead of an approve transaction" },
    ...yesOption,
    ...writeOptions,
    ...jsonOption,
  },
  async run(options) {
    const json = options.json === true;
    const { connection, token, amount } = await connectWithAmount(options);
    await confirm(
      options,
      `Stake ${formatAmount(amount, token)} from ${connection.account}? Stake backs your jobs and is slashed if you lie`,
    );
    const staked = await withProgress("staking", json, () =>
      withPreflightErrors(token, { lower: "lower --amount" }, () =>
        connection.client.stake({ amount, payment: options.permit === true ? "permit" : "approve" }),
      ),
    );
    return printResult(
      json,
      {
        provider: connection.account,
        amount,
        totalStaked: staked.totalStaked,
        providerId: staked.providerId,
        registered: staked.registered,
        transactionHash: staked.transactionHash,
      },
      () =>
        `Staked ${formatAmount(amount, token)}; total stake ${formatAmount(staked.totalStaked, token)} (provider id ${staked.providerId}, ${staked.transactionHash})`,
    );
  },
};

/** `hashwork provider unstake --amount AMOUNT` */
export const providerUnstake: Command = {
  path: ["provider", "unstake"],
  summary: "Start unbonding free stake (withdraw it after the unbonding period)",
  options: {
    amount: { type: "string", required: true, placeholder: "AMOUNT", description: "free stake to unbond, e.g. 50" },
    ...writeOptions,
    ...jsonOption,
  },
  async run(options) {
    const json = options.json === true;
    const { connection, token, amount } = await connectWithAmount(options);
    const me = await connection.client.getProvider({ provider: connection.account!, includeProfile: false });
    if (amount > me.free)
      throw new CliError(`only ${formatAmount(me.free, token)} of your stake is free (asked to unbond ${formatAmount(amount, token)})`);
    const requested = await withProgress("requesting unstake", json, () => connection.client.requestUnstake({ amount }));
    return printResult(
      json,
      { provider: connection.account, amount: requested.amount, unlockAt: requested.unlockAt, transactionHash: requested.transactionHash },
      () =>
        `Unbonding ${formatAmount(requested.amount, token)}; withdraw with \`hashwork provider withdraw\` from ${formatTime(requested.unlockAt)}`,
    );
  },
};

/** `hashwork provider withdraw` */
export const providerWithdraw: Command = {
  path: ["provider", "withdraw"],
  summary: "Send your unbonded stake to your wallet once the unbonding period is over",
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
    const me = await client.getProvider({ provider: connection.account!, includeProfile: false });
    if (me.unbonding.amount === 0n)
      throw new CliError("nothing to withdraw: no stake is unbonding (start with `hashwork provider unstake`)");
    const now = (await client.publicClient.getBlock({ blockTag: "latest" })).timestamp;
    if (now < me.unbonding.unlockAt) throw new CliError(`still unbonding until ${formatTime(me.unbonding.unlockAt)}`);
    const withdrawn = await withProgress("withdrawing", json, () => client.withdrawUnstaked({ to }));
    if (json) {
      printJson({ provider: connection.account, amount: withdrawn.amount, to: withdrawn.to, transactionHash: withdrawn.transactionHash });
      return 0;
    }
    printLine(`Withdrew ${formatAmount(withdrawn.amount, await connection.token())} to ${withdrawn.to} (${withdrawn.transactionHash})`);
    return 0;
  },
};

/** `hashwork provider register --endpoint URL …` */
export const providerRegister: Command = {
  path: ["provider", "register"],
  summary: "Register as a provider and publish (or update) your profile",
  options: {
    endpoint: { type: "string", required: true, placeholder: "URL", description: "base URL where your daemon serves outputs" },
    "price-per-fuel": { type: "string", placeholder: "N", description: "asking price per fuel unit, in token base units (default 0)" },
    "max-fuel": { type: "string", placeholder: "N", description: "largest fuel limit you accept (default 1000000000)" },
    ...writeOptions,
    ...jsonOption,
  },
  async run(options) {
    const json = options.json === true;
    const endpoint = String(options.endpoint);
    try {
      const url = new URL(endpoint);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error();
    } catch {
      throw new UsageError(`--endpoint must be an http(s) URL, got "${endpoint}"`);
    }
    const pricePerFuel = parseInteger(stringOption(options["price-per-fuel"]) ?? "0", "--price-per-fuel");
    const maxFuel = parseInteger(stringOption(options["max-fuel"]) ?? "1000000000", "--max-fuel", { min: 1n, max: (1n << 64n) - 1n });
    const connection = await connect(options, { sign: true });
    const registered = await withProgress("registering", json, () =>
      connection.client.registerProvider({ endpoint, pricePerFuel, maxFuel }),
    );
    return printResult(
      json,
      {
        provider: connection.account,
        providerId: registered.providerId,
        newlyRegistered: registered.registered,
        endpoint,
        pricePerFuel,
        maxFuel,
        transactionHash: registered.transactionHash,
      },
      () =>
        `${registered.registered ? "Registered" : "Updated the profile of"} provider ${connection.account} (id ${registered.providerId}, ${registered.transactionHash})`,
    );
  },
};

/** `--reward AMOUNT` of the commands that show a provider: the job reward to score it for. */
export const scoreRewardOption = {
  reward: {
    type: "string",
    placeholder: "AMOUNT",
    description: "also show the provider's score (0-10000) for a job paying this reward, e.g. 10 (or 500wei)",
  },
} as const;

/** Explains the score, for the notes of the commands that show one. */
export const SCORE_NOTES = `A provider's score is relative to a job's reward: 10000 * fees / (fees + reward * (1 + 2 * timed out
+ 5 * disputes lost)), where fees are the protocol fees it paid on completed jobs. A newcomer scores 0
for every job, so it can only claim jobs with --min-reputation 0.`;

/** Parses `--reward` once the token's decimals are known (its shape is checked first, offline, by `checkScoreReward`). */
export async function scoreReward(options: OptionValues, connection: Connection): Promise<bigint | undefined> {
  const text = stringOption(options.reward);
  return text === undefined ? undefined : parseAmount(text, "--reward", (await connection.token()).decimals);
}

/** Checks the shape of `--reward` before connecting. */
export function checkScoreReward(options: OptionValues): void {
  const text = stringOption(options.reward);
  if (text !== undefined) parseAmount(text, "--reward", 36);
}

/** `hashwork provider status [ADDR]` */
export const providerStatus: Command = {
  path: ["provider", "status"],
  summary: "Show a provider's stake, reputation and profile (default: your own)",
  args: [{ name: "ADDR", description: "the provider (default: the account of your key)", optional: true }],
  options: { ...connectionOptions, ...keyOptions, ...scoreRewardOption, ...daemonOption, ...jsonOption },
  notes: `${SCORE_NOTES}
With --daemon, the open jobs your daemon is not taking are listed with the reason: price (reward below
claimPolicy.minPricePerFuel times the fuel limit), fuel (above claimPolicy.maxFuel), content (not served,
or not matching its hash), reputation, collateral, stake or policy.`,
  async run(options, args) {
    const provider = args.ADDR !== undefined ? parseAddress(args.ADDR, "ADDR") : (await loadAccount(options)).address;
    checkScoreReward(options);
    const daemon = stringOption(options.daemon);
    const connection = await connect(options);
    const [details, skipped] = await Promise.all([
      connection.client.getProvider({ provider, reward: await scoreReward(options, connection) }),
      daemon === undefined ? undefined : fetchSkipped(daemon),
    ]);
    if (options.json === true) {
      printJson(skipped === undefined ? details : { ...details, skipped });
      return 0;
    }
    printLine(formatFields(providerFields(details, await connection.token())));
    if (skipped !== undefined) printLine(`\n${formatSkipped(skipped)}`);
    return 0;
  },
};
