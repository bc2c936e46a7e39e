import type { Address, Hash, Hex, TransactionReceipt } from "viem";

import type { JobStateName } from "../abi/enums.ts";
import { HashworkError } from "./base.ts";

/** A write action was called on a client created without a `walletClient`. */
export class MissingWalletClientError extends HashworkError {
  override name = "MissingWalletClientError";
  readonly action: string;
  constructor({ action }: { action: string }) {
    super(`${action} sends a transaction and needs a walletClient`, {
      details: "Pass `walletClient` to createHashworkClient (or to the action's client argument).",
    });
    this.action = action;
  }
}

/** The wallet client has no account and the action was not given one. */
export class MissingAccountError extends HashworkError {
  override name = "MissingAccountError";
  readonly action: string;
  constructor({ action }: { action: string }) {
    super(`${action} needs an account to send from`, {
      details: "Create the wallet client with an `account`, or pass `account` to the action.",
    });
    this.action = action;
  }
}

/** A parameter is missing or out of range; nothing was sent. */
export class InvalidParameterError extends HashworkError {
  override name = "InvalidParameterError";
  readonly parameter: string;
  constructor({ parameter, reason }: { parameter: string; reason: string }) {
    super(`Invalid parameter \`${parameter}\`: ${reason}`);
    this.parameter = parameter;
  }
}

/**
 * A job's reward or collateral is outside what the market accepts (its `config()`: `minReward`,
 * `minCollateralPct`, `maxCollateralPct`); nothing was sent. `field` says which value to change
 * and `minimum`/`maximum` the range it must land in (`maximum` is `undefined` for the reward).
 */
export class JobValueOutOfBoundsError extends InvalidParameterError {
  override name = "JobValueOutOfBoundsError";
  readonly field: "reward" | "collateralPct";
  readonly value: bigint;
  readonly minimum: bigint;
  readonly maximum: bigint | undefined;
  constructor({
    parameter,
    field,
    value,
    minimum,
    maximum,
  }: {
    parameter: string;
    field: "reward" | "collateralPct";
    value: bigint | number;
    minimum: bigint | number;
    maximum?: bigint | number | undefined;
  }) {
    super({
      parameter,
      reason:
        field === "reward"
          ? `${value} is below the market's minimum reward ${minimum} (token base units): raise the reward to at least ${minimum}`
          : `${value} is outside the market's collateral bounds: set collateralPct between ${minimum} and ${maximum} (percent of the reward)`,
    });
    this.field = field;
    this.value = BigInt(value);
    this.minimum = BigInt(minimum);
    this.maximum = maximum === undefined ? undefined : BigInt(maximum);
  }
}

/**
 * The payer cannot cover a payment: its wallet balance plus what the market's ledger holds for it
 * (when the payment may use the ledger) is below `needed`; nothing was sent, no approve either.
 * Amounts in token base units.
 */
export class InsufficientFundsError extends HashworkError {
  override name = "InsufficientFundsError";
  readonly action: string;
  readonly payer: Address;
  /** Wallet balance plus usable ledger balance. */
  readonly available: bigint;
  readonly needed: bigint;
  constructor({ action, payer, available, needed }: { action: string; payer: Address; available: bigint; needed: bigint }) {
    super(`${action}: you have ${available}, need ${needed} (token base units): get ${needed - available} more tokens first`, {
      metaMessages: [`Payer: ${payer}`],
    });
    this.action = action;
    this.payer = payer;
    this.available = available;
    this.needed = needed;
  }
}

/**
 * Pre-flight: a job names content a provider could not fetch (`file://` without `allowLocal`,
 * an unreachable URL, or bytes that do not hash to the job's hash); nothing was sent. `cause` is
 * the store's error (`UnsupportedUriError`, `ContentUnavailableError`, `ContentHashMismatchError`…);
 * `local` is true when the URI is a `file://` one refused because `allowLocal` was not given.
 */
export class JobContentUnavailableError extends InvalidParameterError {
  override name = "JobContentUnavailableError";
  readonly uri: string;
  readonly hash: Hex;
  readonly local: boolean;
  constructor({
    parameter,
    uri,
    hash,
    reason,
    local,
    cause,
  }: { parameter: string; uri: string; hash: Hex; reason: string; local: boolean; cause?: unknown }) {
    super({ parameter, reason: `${uri}: ${reason}` });
    this.uri = uri;
    this.hash = hash;
    this.local = local;
    if (cause !== undefined) Object.defineProperty(this, "cause", { value: cause });
  }
}

/**
 * Pre-flight: no registered provider's published profile (`ProviderProfileUpdated`) would take
 * the job: `field` "fuelLimit" when the fuel limit is above every provider's `maxFuel`
 * (`limit` is the largest), "reward" when the reward is below every provider's price floor for
 * that fuel, `pricePerFuel * fuelLimit` (`limit` is the lowest floor). Nothing was sent.
 */
export class JobUnmatchedByProvidersError extends InvalidParameterError {
  override name = "JobUnmatchedByProvidersError";
  readonly field: "fuelLimit" | "reward";
  readonly value: bigint;
  readonly limit: bigint;
  readonly providers: number;
  constructor({
    parameter,
    field,
    value,
    limit,
    providers,
  }: { parameter: string; field: "fuelLimit" | "reward"; value: bigint; limit: bigint; providers: number }) {
    super({
      parameter,
      reason:
        field === "fuelLimit"
          ? `${value} is above the largest maxFuel any of the ${providers} registered providers publishes (${limit}): lower the fuel limit to at most ${limit}`
          : `${value} is below every registered provider's price for this fuel limit (the cheapest of ${providers} asks ${limit} token base units): raise the reward to at least ${limit}`,
    });
    this.field = field;
    this.value = value;
    this.limit = limit;
    this.providers = providers;
  }
}

/** Waiting for an on-chain outcome took longer than the caller allowed. */
export class WaitTimeoutError extends HashworkError {
  override name = "WaitTimeoutError";
  readonly timeout: number;
  constructor({ what, timeout }: { what: string; timeout: number }) {
    super(`Timed out after ${timeout} ms waiting for ${what}`);
    this.timeout = timeout;
  }
}

/** A transaction was mined but reverted (its receipt has status "reverted"). */
export class TransactionRevertedError extends HashworkError {
  override name = "TransactionRevertedError";
  readonly transactionHash: Hash;
  readonly receipt: TransactionReceipt;
  constructor({ receipt, functionName }: { receipt: TransactionReceipt; functionName: string }) {
    super(`Transaction calling ${functionName} reverted`, {
      metaMessages: [`Transaction: ${receipt.transactionHash}`, `Block: ${receipt.blockNumber}`],
    });
    this.transactionHash = receipt.transactionHash;
    this.receipt = receipt;
  }
}

/** A job ended in a state where the awaited outcome can no longer happen. */
export class JobEndedError extends HashworkError {
  override name = "JobEndedError";
  readonly jobId: bigint;
  readonly state: JobStateName;
  constructor({ jobId, state, waitingFor }: { jobId: bigint; state: JobStateName; waitingFor: string }) {
    super(`Job ended as ${state} before ${waitingFor}`, { metaMessages: [`Job: ${jobId}`] });
    this.jobId = jobId;
    this.state = state;
  }
}

/** No `ResultSubmitted` event exists for the job (it was never submitted, or the log range misses it). */
export class JobResultNotFoundError extends HashworkError {
  override name = "JobResultNotFoundError";
  readonly jobId: bigint;
  readonly state: JobStateName;
  constructor({ jobId, state }: { jobId: bigint; state: JobStateName }) {
    super(`No submitted result found for job in state ${state}`, {
      metaMessages: [`Job: ${jobId}`],
      details: "If the job was submitted, check the deployment's `fromBlock`: logs before it are not searched.",
    });
    this.jobId = jobId;
    this.state = state;
  }
}

/** The fetched output does not match the result the provider committed on-chain. */
export class ResultHashMismatchError extends HashworkError {
  override name = "ResultHashMismatchError";
  readonly jobId: bigint;
  readonly expected: Hex;
  readonly actual: Hex;
  constructor({ jobId, expected, actual }: { jobId: bigint; expected: Hex; actual: Hex }) {
    super("The output does not match the committed result hash", {
      metaMessages: [`Job: ${jobId}`, `Committed: ${expected}`, `Computed: ${actual}`],
    });
    this.jobId = jobId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** No deployment is known for the chain, and none was passed explicitly. */
export class DeploymentNotFoundError extends HashworkError {
  override name = "DeploymentNotFoundError";
  readonly chainId: number;
  constructor({ chainId, details }: { chainId: number; details?: string }) {
    super(`No Hashwork deployment known for chain ${chainId}`, { details });
    this.chainId = chainId;
  }
}

/** A client is connected to a different chain than the deployment it was given. */
export class ChainMismatchError extends HashworkError {
  override name = "ChainMismatchError";
  readonly expected: number;
  readonly actual: number;
  constructor({ expected, actual, client }: { expected: number; actual: number; client: string }) {
    super(`The ${client} is on chain ${actual} but the deployment is for chain ${expected}`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** An address expected to hold a contract holds no code. */
export class ContractNotDeployedError extends HashworkError {
  override name = "ContractNotDeployedError";
  readonly address: Address;
  constructor({ address, contract }: { address: Address; contract: string }) {
    super(`No ${contract} contract at ${address}`);
    this.address = address;
  }
}
