import {
  HttpRequestError,
  NonceTooHighError,
  NonceTooLowError,
  SocketClosedError,
  TimeoutError,
  TransactionReceiptNotFoundError,
  WaitForTransactionReceiptTimeoutError,
  WebSocketRequestError,
  type Hex,
} from "viem";

import { HashworkError } from "../errors/base.ts";
import { ContractRevertError } from "../errors/contract-revert.ts";
import { TransactionRevertedError } from "../errors/sdk.ts";
import { ContentUnavailableError } from "../store/errors.ts";

/**
 * A journaled transaction will not be mined as signed: the node forgot it (a reorg removed it, it
 * was evicted, or it was never delivered) or the daemon cancelled it after a reorg moved the
 * chain's clock back. Its intent is decided again from the chain's state; retryable, so a role
 * looks at the job again soon.
 */
export class TransactionAbandonedError extends HashworkError {
  override name = "TransactionAbandonedError";
  readonly transactionHash: Hex;
  constructor(hash: Hex, reason: string) {
    super(`Transaction ${hash} abandoned: ${reason}`);
    this.transactionHash = hash;
  }
}

export type ErrorClass = {
  /** Trying again later may succeed (the RPC or a content server was unreachable, a nonce raced). */
  retryable: boolean;
  /** The local nonce is out of step with the chain: re-read it before the next transaction. */
  nonceDesync: boolean;
  /** One line for logs and the journal. */
  message: string;
};

const TRANSIENT_TEXT = /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|other side closed|network error/i;
const NONCE_TEXT = /nonce too (low|high)|nonce has already been used|replacement transaction underpriced|already known/i;

function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 16; depth++) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

/** One line describing an error (its `shortMessage` when it has one). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const short = (error as { shortMessage?: unknown }).shortMessage;
    return `${error.name}: ${typeof short === "string" ? short : error.message.split("\n")[0]}`;
  }
  return String(error);
}

/**
 * Retryable vs non-retryable. Contract reverts (decoded or mined) are final: the chain said
 * no, and retrying would say no again until the state changes. Transport failures, timeouts,
 * unavailable content (per its `retryable` flag) and nonce races are retryable.
 */
export function classifyError(error: unknown): ErrorClass {
  const message = errorMessage(error);
  const links = chain(error);
  if (links.some((e) => e instanceof ContractRevertError || e instanceof TransactionRevertedError)) {
    return { retryable: false, nonceDesync: false, message };
  }
  if (links.some((e) => e instanceof TransactionAbandonedError)) return { retryable: true, nonceDesync: false, message };
  const nonceDesync = links.some(
    (e) => e instanceof NonceTooLowError || e instanceof NonceTooHighError || (e instanceof Error && NONCE_TEXT.test(e.message)),
  );
  if (nonceDesync) return { retryable: true, nonceDesync, message };
  const unavailable = links.find((e) => e instanceof ContentUnavailableError) as ContentUnavailableError | undefined;
  if (unavailable) return { retryable: unavailable.retryable, nonceDesync: false, message };
  const transient = links.some(
    (e) =>
      e instanceof HttpRequestError ||
      e instanceof TimeoutError ||
      e instanceof SocketClosedError ||
      e instanceof WebSocketRequestError ||
      e instanceof WaitForTransactionReceiptTimeoutError ||
      e instanceof TransactionReceiptNotFoundError ||
      (e instanceof Error && TRANSIENT_TEXT.test(e.message)),
  );
  return { retryable: transient, nonceDesync: false, message };
}

/** Exponential back-off with full jitter: a random delay in [0, base × 2^(attempt−1)], capped. */
export function backoffMs(attempt: number, baseMs: number, capMs = 30_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
