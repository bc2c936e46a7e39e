import {
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  RawContractError,
  decodeErrorResult,
  isHex,
  type Address,
  type Hex,
} from "viem";

import { contractErrorsBySelector, contractErrorsAbi } from "./contract-errors.ts";
import { ContractRevertError, type ContractRevertDetails } from "./contract-revert.ts";

const ERROR_STRING_SELECTOR = "0x08c379a0"; // Error(string)
const PANIC_SELECTOR = "0x4e487b71"; // Panic(uint256)

type ErrorClass = new (args: readonly unknown[], details: ContractRevertDetails) => ContractRevertError;

/**
 * Turns a revert, however deeply viem wrapped it, into a typed error: the generated subclass
 * for a known custom error (`MarketUnexpectedJobStateError` with its `jobId`, `current` and
 * `expectedStates` fields), or a plain `ContractRevertError` for a reason string, a panic or an
 * unknown selector. Custom errors are looked up by selector across every Hashwork contract and
 * the token, so a token error bubbling up through the market is still named.
 *
 * Returns `undefined` when `error` is not a revert (a network failure, a rejected signature):
 * callers rethrow those unchanged.
 *
 * @example
 * try {
 *   await walletClient.writeContract({ address: market, abi: hashworkMarketAbi, functionName: "claimJob", args: [jobId] })
 * } catch (e) {
 *   const revert = decodeContractError(e)
 *   if (revert instanceof MarketUnexpectedJobStateError) console.log(revert.jobId, revert.current)
 *   throw revert ?? e
 * }
 */
export function decodeContractError(error: unknown): ContractRevertError | undefined {
  if (error instanceof ContractRevertError) return error;
  const found = findRevert(error);
  if (!found) return undefined;
  const details: ContractRevertDetails = {
    cause: error,
    data: found.data,
    contractAddress: found.contractAddress,
    functionName: found.functionName,
  };
  return fromData(found.data, details, found.errorName, found.args, found.reason);
}

/** Decodes raw revert data (`0x` + selector + arguments) into a typed error. */
export function decodeRevertData(data: Hex, details: Omit<ContractRevertDetails, "data"> = {}): ContractRevertError {
  return fromData(data, { ...details, data });
}

/** Throws the typed revert inside `error` if there is one, otherwise `error` itself. */
export function throwDecoded(error: unknown): never {
  throw decodeContractError(error) ?? error;
}

function fromData(
  data: Hex | undefined,
  details: ContractRevertDetails,
  errorName?: string,
  args?: readonly unknown[],
  reason?: string,
): ContractRevertError {
  if (data && data.length >= 10) {
    const selector = data.slice(0, 10).toLowerCase();
    const known = (contractErrorsBySelector as Record<string, unknown>)[selector] as ErrorClass | undefined;
    if (known) {
      try {
        const decoded = decodeErrorResult({ abi: contractErrorsAbi, data });
        return new known(decoded.args ?? [], details);
      } catch {
        // Selector clash with malformed arguments: fall through to the generic error.
      }
    }
    if (selector === ERROR_STRING_SELECTOR || selector === PANIC_SELECTOR) {
      try {
        const decoded = decodeErrorResult({ data });
        const why =
          decoded.errorName === "Error" ? String(decoded.args[0]) : `panic code 0x${BigInt(decoded.args[0] as bigint).toString(16)}`;
        return new ContractRevertError(`The contract reverted: ${why}`, { ...details, reason: why, args: decoded.args });
      } catch {
        // fall through
      }
    }
  }
  if (errorName) {
    // Decoded by viem with an ABI the SDK does not generate errors for.
    return new ContractRevertError(`The contract reverted with ${errorName}`, { ...details, errorName, args });
  }
  if (reason) return new ContractRevertError(`The contract reverted: ${reason}`, { ...details, reason });
  return new ContractRevertError(
    data && data !== "0x" ? "The contract reverted with an unknown error" : "The contract reverted without a reason",
    details,
  );
}

type FoundRevert = {
  data?: Hex;
  errorName?: string;
  args?: readonly unknown[];
  reason?: string;
  contractAddress?: Address;
  functionName?: string;
};

/** Walks the `cause` chain for revert data and the call it came from. */
function findRevert(error: unknown): FoundRevert | undefined {
  let found: FoundRevert | undefined;
  let contractAddress: Address | undefined;
  let functionName: string | undefined;
  const seen = new Set<unknown>();
  for (let e: unknown = error; e && typeof e === "object" && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (e instanceof ContractFunctionExecutionError) {
      contractAddress ??= e.contractAddress;
      functionName ??= e.functionName;
    }
    if (e instanceof ContractFunctionRevertedError) {
      found ??= {};
      found.data ??= e.raw;
      found.errorName ??= e.data?.errorName;
      found.args ??= e.data?.args;
      found.reason ??= e.reason;
      if (found.data) break;
      continue;
    }
    const data = revertDataOf(e);
    if (data) {
      found = { ...found, data };
      break;
    }
    if (e instanceof RawContractError) found ??= {};
  }
  if (!found) return undefined;
  return { ...found, contractAddress, functionName };
}

/** Revert data carried by an RPC or provider error (`data` as hex, or `{ data: hex }`). */
function revertDataOf(e: object): Hex | undefined {
  const data = (e as { data?: unknown }).data;
  if (typeof data === "string" && isHex(data) && data.length >= 10) return data;
  if (data && typeof data === "object") {
    const inner = (data as { data?: unknown }).data;
    if (typeof inner === "string" && isHex(inner) && inner.length >= 10) return inner;
  }
  return undefined;
}
