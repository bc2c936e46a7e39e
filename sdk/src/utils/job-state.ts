import { JobState, jobStateNames, type JobStateName } from "../abi/enums.ts";
import { InvalidParameterError } from "../errors/sdk.ts";

/** States a job never leaves. */
export const terminalJobStates = [
  "Finalized",
  "Cancelled",
  "Expired",
  "TimedOut",
  "Overturned",
  "Voided",
] as const satisfies readonly JobStateName[];

/** States reached only after a provider committed a result (its `ResultSubmitted` event exists). */
export const resultJobStates = ["Submitted", "Disputed", "Finalized", "Overturned", "Voided"] as const satisfies readonly JobStateName[];

/**
 * The name of a `JobState` value as returned by the contract.
 *
 * @example
 * jobStateName(3) // "Submitted"
 */
export function jobStateName(state: number): JobStateName {
  const name = jobStateNames[state];
  if (name === undefined) throw new InvalidParameterError({ parameter: "state", reason: `unknown JobState ${state}` });
  return name;
}

/**
 * The states whose bits are set in a mask such as `MarketUnexpectedJobStateError.expectedStates`
 * (bit `uint8(state)` set for every acceptable state).
 *
 * @example
 * jobStatesInMask(error.expectedStates) // ["Open"]
 */
export function jobStatesInMask(mask: bigint): JobStateName[] {
  return jobStateNames.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

/** The numeric value of a state name. */
export function jobStateValue(name: JobStateName): JobState {
  return JobState[name];
}

export function isTerminalJobState(name: JobStateName): boolean {
  return (terminalJobStates as readonly JobStateName[]).includes(name);
}
