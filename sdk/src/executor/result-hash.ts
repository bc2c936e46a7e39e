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
  /** ABI v2: the program called `proc_exit` with a non-zero code (`exitCode`); its stdout is the output. */
  Exited: 4,
} as const;
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];

/**
 * The commitment a provider submits on-chain:
 * `keccak256(abi.encode(bytes32 outputHash, uint64 fuelUsed, uint8 status))`, and for `Exited`
 * (ABI v2) `keccak256(abi.encode(bytes32 outputHash, uint64 fuelUsed, uint8 status, uint32 exitCode))`,
 * so every other result hashes exactly as in ABI v1.
 *
 * @example
 * const resultHash = computeResultHash(keccak256(output), 12_345n, ExecutionStatus.Ok)
 */
export function computeResultHash(outputHash: Hex, fuelUsed: bigint, status: ExecutionStatus, exitCode = 0): Hex {
  if (status === ExecutionStatus.Exited) {
    return keccak256(
      encodeAbiParameters(
        [{ type: "bytes32" }, { type: "uint64" }, { type: "uint8" }, { type: "uint32" }],
        [outputHash, fuelUsed, status, exitCode],
      ),
    );
  }
  return keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint64" }, { type: "uint8" }], [outputHash, fuelUsed, status]));
}
