/**
 * The SDK's pre-flight errors as one CLI line naming the option to change: exit 2 for what the
 * command line itself got wrong (a `file://` URI without `--allow-local`), exit 1 for what the
 * chain or the content said no to (too little money, no provider takes the fuel or the reward,
 * content not served).
 */
import { ERC20InsufficientBalanceError } from "../errors/contract-errors.ts";
import { InsufficientFundsError, JobContentUnavailableError, JobUnmatchedByProvidersError } from "../errors/sdk.ts";
import { UsageError } from "./args.ts";
import type { TokenInfo } from "./connect.ts";
import { CliError } from "./errors.ts";
import { formatAmount } from "./output.ts";

/** What to tell the user to change when the money falls short (e.g. "lower --reward"). */
export type PaymentHint = { lower: string };

/** "you have X, need Y" for a short wallet (the SDK's check, or the token's own revert). */
function fundsLine(available: bigint, needed: bigint, token: TokenInfo, hint: PaymentHint): CliError {
  return new CliError(
    `you have ${formatAmount(available, token)}, need ${formatAmount(needed, token)}: get ${formatAmount(needed - available, token)} more or ${hint.lower}`,
  );
}

/** The one-line CLI error for a pre-flight or funding error, or `undefined` for any other error. */
export function explainPreflightError(error: unknown, token: TokenInfo, hint: PaymentHint): Error | undefined {
  if (error instanceof InsufficientFundsError) return fundsLine(error.available, error.needed, token, hint);
  if (error instanceof ERC20InsufficientBalanceError) {
    return fundsLine(error.balance, error.needed, token, hint);
  }
  if (error instanceof JobContentUnavailableError) {
    const what = error.parameter.endsWith("programURI") ? "program" : "input";
    if (error.local) {
      return new UsageError(
        `the job's ${what} URI ${error.uri} is a local file no provider elsewhere can read: serve it (--public-url, HASHWORK_PUBLIC_URL or a content server --store) or pass --allow-local`,
      );
    }
    const reason = error.shortMessage.replace(/^Invalid parameter `[^`]*`: /, "").replace(`${error.uri}: `, "");
    return new CliError(`the job's ${what} is not available at ${error.uri} (${reason}): serve it there before posting`);
  }
  if (error instanceof JobUnmatchedByProvidersError) {
    const n = `${error.providers} registered provider${error.providers === 1 ? "" : "s"}`;
    return error.field === "fuelLimit"
      ? new CliError(
          `--fuel ${error.value} is above the max fuel of every one of ${n} (largest ${error.limit}): lower --fuel to at most ${error.limit}`,
        )
      : new CliError(
          `--reward ${formatAmount(error.value, token)} is below the price of every one of ${n} for this fuel limit (cheapest ${formatAmount(error.limit, token)}): raise --reward to at least that, or use --reward auto`,
        );
  }
  return undefined;
}

/** Runs `fn`, turning pre-flight and funding errors into one-line CLI errors. */
export async function withPreflightErrors<T>(token: TokenInfo, hint: PaymentHint, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw explainPreflightError(error, token, hint) ?? error;
  }
}
