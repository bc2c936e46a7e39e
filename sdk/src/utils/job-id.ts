import { getAddress, type Address } from "viem";

import { InvalidParameterError } from "../errors/sdk.ts";

const NONCE_BITS = 96n;
const NONCE_MASK = (1n << NONCE_BITS) - 1n;
/** Nonces are stored as uint64 on-chain, so a real job id never has a larger nonce. */
const MAX_NONCE = (1n << 64n) - 1n;

/** The two parts of a job id. */
export type DecodedJobId = {
  /** The account that posted the job. */
  requester: Address;
  /** The requester's job counter at the time of posting (0 for its first job). */
  nonce: bigint;
};

/**
 * Builds a job id the way the market does: `uint256(uint160(requester)) << 96 | nonce`. The id of
 * a requester's next job is `encodeJobId({ requester, nonce: <jobs posted so far> })`.
 *
 * @example
 * const jobId = encodeJobId({ requester: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", nonce: 0n })
 */
export function encodeJobId({ requester, nonce }: { requester: Address; nonce: bigint | number }): bigint {
  const n = BigInt(nonce);
  if (n < 0n || n > MAX_NONCE) {
    throw new InvalidParameterError({ parameter: "nonce", reason: `must be between 0 and 2^64 - 1, got ${n}` });
  }
  return (BigInt(getAddress(requester)) << NONCE_BITS) | n;
}

/**
 * Splits a job id into the requester that posted it and the requester's nonce.
 *
 * @example
 * const { requester, nonce } = decodeJobId(jobId)
 */
export function decodeJobId(jobId: bigint): DecodedJobId {
  if (jobId < 0n || jobId >> 256n !== 0n) {
    throw new InvalidParameterError({ parameter: "jobId", reason: "must be a uint256" });
  }
  const requesterBits = jobId >> NONCE_BITS; // < 2^160, since jobId < 2^256
  const nonce = jobId & NONCE_MASK;
  if (nonce > MAX_NONCE) {
    throw new InvalidParameterError({ parameter: "jobId", reason: "has a nonce above 2^64 - 1 (nonces are uint64)" });
  }
  return { requester: getAddress(`0x${requesterBits.toString(16).padStart(40, "0")}`), nonce };
}
