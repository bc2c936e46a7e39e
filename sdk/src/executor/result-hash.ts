import { encodeAbiParameters, keccak256, type Hex } from "viem";

/**
 * Outcome of a program run. Every status is a deterministic, verifiable result; the numeric
 * values are part of the result commitment, so they never change.
 */
export const ExecutionStatus = {
  Ok: 0,
  OutOfFuel: 1,
  Trapped: 2,
  OutputTooLarge: 3,
} as const;
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];

/**
 * The commitment a provider submits on-chain:
 * `keccak256(abi.encode(bytes32 outputHash, uint64 fuelUsed, uint8 status))`.
 *
 * @example
 * const resultHash = computeResultHash(keccak256(output), 12_345n, ExecutionStatus.Ok)
 */
export function computeResultHash(outputHash: Hex, fuelUsed: bigint, status: ExecutionStatus): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint64" }, { type: "uint8" }],
      [outputHash, fuelUsed, status],
    ),
  );
}
