import type { Address, Hex } from "viem";

import { HashworkError } from "./base.ts";

/** Where a revert happened and what it carried; every field is optional. */
export type ContractRevertDetails = {
  /** The viem error the revert was decoded from. */
  cause?: unknown;
  /** The raw revert data (selector and ABI-encoded arguments). */
  data?: Hex;
  /** The contract that was called. */
  contractAddress?: Address;
  /** The function that was called. */
  functionName?: string;
};

/** The parts of a custom error's ABI item the message needs. */
export type ErrorAbiItem = {
  readonly type: "error";
  readonly name: string;
  readonly inputs: readonly { readonly name?: string; readonly type: string }[];
};

export type ContractRevertErrorOptions = ContractRevertDetails & {
  /** The custom error's name, when it is known. */
  errorName?: string;
  /** The decoded arguments, in ABI order. */
  args?: readonly unknown[];
  /** The error's ABI item, used to label the arguments in the message. */
  abiItem?: ErrorAbiItem;
  /** The reason of an `Error(string)` revert or the meaning of a `Panic(uint256)` code. */
  reason?: string;
};

/**
 * A contract call reverted. Every custom error the SDK knows has its own subclass with typed
 * fields (generated in `contract-errors.ts`, e.g. `MarketUnexpectedJobStateError`); a plain
 * `ContractRevertError` means a revert the SDK could not name (a reason string, a panic, an
 * unknown selector or no data at all).
 *
 * @example
 * try { await claimJob(client, { jobId }) } catch (e) {
 *   if (e instanceof MarketUnexpectedJobStateError) console.log(e.jobId, e.current)
 *   else if (e instanceof ContractRevertError) console.log(e.errorName ?? e.reason, e.data)
 * }
 */
export class ContractRevertError extends HashworkError {
  override name = "ContractRevertError";
  /** The custom error's name (`undefined` when it could not be decoded). */
  readonly errorName?: string;
  /** The decoded arguments in ABI order (empty when there were none or they were unknown). */
  readonly args: readonly unknown[];
  /** The raw revert data. */
  readonly data?: Hex;
  /** The first four bytes of `data`. */
  readonly selector?: Hex;
  /** The reason of an `Error(string)` revert or the meaning of a `Panic` code. */
  readonly reason?: string;
  readonly contractAddress?: Address;
  readonly functionName?: string;

  constructor(shortMessage: string, options: ContractRevertErrorOptions = {}) {
    const args = options.args ?? [];
    const meta: string[] = [];
    if (options.errorName) {
      const inputs = options.abiItem?.inputs ?? [];
      meta.push(`Error: ${options.errorName}(${inputs.map((p) => `${p.type} ${p.name ?? ""}`.trim()).join(", ")})`);
      for (const [i, value] of args.entries()) meta.push(`  ${inputs[i]?.name || `arg${i}`}: ${formatValue(value)}`);
    } else if (options.reason) {
      meta.push(`Reason: ${options.reason}`);
    } else if (options.data && options.data !== "0x") {
      meta.push(`Data: ${options.data}`);
    }
    if (options.contractAddress) meta.push(`Contract: ${options.contractAddress}`);
    if (options.functionName) meta.push(`Function: ${options.functionName}`);
    super(shortMessage, { cause: options.cause, metaMessages: meta });
    this.errorName = options.errorName;
    this.args = args;
    this.data = options.data;
    this.selector = options.data && options.data.length >= 10 ? (options.data.slice(0, 10) as Hex) : undefined;
    this.reason = options.reason;
    this.contractAddress = options.contractAddress;
    this.functionName = options.functionName;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "object" && value !== null) {
    return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));
  }
  return String(value);
}
