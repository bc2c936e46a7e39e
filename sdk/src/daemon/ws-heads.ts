import type { Hex } from "viem";

import type { BlockRef } from "./chain-input.ts";
import type { DaemonContext } from "./context.ts";
import { backoffMs, errorMessage } from "./errors.ts";

/**
 * New heads announced over a WebSocket (`eth_subscribe("newHeads")`). It only says *when* to
 * look and what the newest head is: the chain input still decides what a head means (block,
 * reorg, finalized), so polling and WebSocket share one copy of that logic.
 */
export type HeadWatcher = {
  /**
   * The newest head announced since the last call, at once if there is one; otherwise waits up
   * to `ms` for one. `undefined` when the time passed (or shutdown came) without an announcement.
   */
  next(ms: number): Promise<BlockRef | undefined>;
  /** Whether the subscription is live. */
  readonly connected: boolean;
  close(): void;
};

export type WatchHeadsParameters = {
  url: string;
  /** First reconnect delay; doubled per failed attempt (jittered), capped by `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
};

type HeadJson = { number: Hex; hash: Hex; parentHash: Hex; timestamp: Hex };
type Message = {
  id?: number;
  result?: unknown;
  error?: { message?: string };
  method?: string;
  params?: { subscription?: string; result?: HeadJson };
};

const SUBSCRIBE_ID = 1;

function toRef(head: HeadJson): BlockRef {
  return { number: BigInt(head.number), hash: head.hash, parentHash: head.parentHash, timestamp: BigInt(head.timestamp) };
}

/**
 * Subscribes to new heads and keeps the subscription up: when the socket drops (node restart,
 * network outage, proxy gone) it reconnects with exponential back-off and subscribes again,
 * logging the outage once and the recovery once. Heads missed meanwhile are not lost: the
 * chain input walks back from the next head by parent hash, and the daemon polls over HTTP
 * while no head arrives.
 *
 * @example
 * const heads = watchHeads(context, { url: "ws://127.0.0.1:8545" })
 * const head = await heads.next(config.pollIntervalMs) // then input.poll(head)
 */
export function watchHeads(context: DaemonContext, { url, baseDelayMs = 500, maxDelayMs = 5_000 }: WatchHeadsParameters): HeadWatcher {
  const log = context.logger.child({ component: "ws-heads" });
  const reconnects = context.metrics.counter("hashwork_chain_ws_reconnects_total", "WebSocket (newHeads) reconnections");
  let socket: WebSocket | undefined;
  let subscription: string | undefined;
  let connected = false;
  let closed = false;
  /** Failed connection attempts since the subscription was last live. */
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let latest: BlockRef | undefined;
  let wake: (() => void) | undefined;

  function connect() {
    retry = undefined;
    if (closed) return;
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: SUBSCRIBE_ID, method: "eth_subscribe", params: ["newHeads"] }));
    });
    ws.addEventListener("message", (event) => {
      let message: Message;
      try {
        message = JSON.parse(String(event.data)) as Message;
      } catch {
        return;
      }
      if (message.id === SUBSCRIBE_ID) {
        if (message.error || typeof message.result !== "string") {
          log.error("newHeads subscription refused", { error: message.error?.message ?? "no subscription id" });
          ws.close();
          return;
        }
        subscription = message.result;
        connected = true;
        if (failures > 0) log.info("websocket reconnected", { url, after_attempts: failures });
        else log.info("websocket subscribed to new heads", { url });
        failures = 0;
        return;
      }
      const params = message.params;
      if (message.method === "eth_subscription" && subscription !== undefined && params?.subscription === subscription && params.result) {
        latest = toRef(params.result);
        wake?.();
      }
    });
    // Node's WebSocket fires only `error` when a connection attempt fails, and `error` then
    // `close` when a live one breaks: both lead here, and only the first counts.
    const lost = (event: Event) => {
      if (socket !== ws) return;
      const wasConnected = connected;
      connected = false;
      subscription = undefined;
      socket = undefined;
      if (closed) return;
      failures++;
      const delay = backoffMs(failures, baseDelayMs, maxDelayMs);
      const error = errorMessage((event as { error?: unknown }).error ?? event.type);
      if (wasConnected) log.warn("websocket closed; reconnecting", { url, delay_ms: delay, error });
      else log.debug("websocket connection failed; retrying", { url, attempt: failures, delay_ms: delay, error });
      reconnects.inc();
      retry = setTimeout(connect, delay);
      ws.close();
    };
    ws.addEventListener("close", lost);
    ws.addEventListener("error", lost);
  }

  function close() {
    closed = true;
    if (retry) clearTimeout(retry);
    socket?.close();
    socket = undefined;
    connected = false;
    wake?.();
  }

  context.shutdown.addEventListener("abort", close, { once: true });
  connect();

  return {
    async next(ms) {
      if (!latest && !closed) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, ms);
          wake = done;
        });
      }
      const head = latest;
      latest = undefined;
      return head;
    },
    get connected() {
      return connected;
    },
    close,
  };
}
