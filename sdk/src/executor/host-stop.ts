/** Why a host function ended the run. */
export type StopReason = "trap" | "fuel" | "output" | "exit";

/**
 * Thrown by a host function to end the run; `runInstrumented` classifies it (docs/program-abi.md,
 * "Statuses"). `code` is the exit code of `proc_exit` (ABI v2).
 */
export class HostStop {
  readonly reason: StopReason;
  readonly code: number;
  constructor(reason: StopReason, code = 0) {
    this.reason = reason;
    this.code = code;
  }
}
