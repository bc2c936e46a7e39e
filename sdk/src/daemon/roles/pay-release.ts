import type { Address, TransactionReceipt } from "viem";

import { getPendingPay } from "../../actions/auditor/get-pending-pay.ts";
import { releasePay } from "../../actions/provider/release-pay.ts";
import type { HashworkBaseClient } from "../../utils/client.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { TxQueue } from "../tx-queue.ts";

export type CreatePayReleaserParameters = {
  client: HashworkBaseClient;
  me: Address;
  queue: TxQueue;
  logger: Logger;
  metrics: Metrics;
  /** Least time between two reads of the pay buckets. */
  checkEveryMs: number;
};

export type PayReleaser = {
  /** On a provider tick: releases matured buckets when nothing else will soon (`busy` false). */
  tick(busy: boolean): void;
  stop(): Promise<void>;
};

/**
 * Deferred pay for the provider's own fast-path jobs (IPayBuckets): they are paid per bucket,
 * not finalized. The provider's next fast-path transaction releases its matured buckets anyway;
 * when it is idle (no job in its pipeline, none ready to claim) this sends `releasePay(self)` for
 * a matured bucket, at most one read every `checkEveryMs`. The journal key is the bucket's
 * maturity (`release:<bucket>:<maturesAt>`, job id 0), so a bucket is released once.
 *
 * @example
 * const releaser = createPayReleaser({ client, me, queue, logger, metrics, checkEveryMs: 5_000 })
 * releaser.tick(active.size > 0)
 */
export function createPayReleaser({ client, me, queue, logger, metrics, checkEveryMs }: CreatePayReleaserParameters): PayReleaser {
  const released = metrics.counter("hashwork_pay_released_total", "Own pay buckets released by this provider, by status");
  let lastCheck = 0;
  let running: Promise<void> | undefined;

  async function check(): Promise<void> {
    const pending = await getPendingPay(client, { provider: me });
    const ripe = pending.buckets.find((b) => b.releasable);
    if (!ripe) return;
    const outcome = await queue.run<{ receipt: TransactionReceipt }>(
      { jobId: 0n, action: `release:${ripe.index}:${ripe.maturesAt}` },
      (c) => releasePay(c, { provider: me }),
    );
    released.inc({ status: outcome.status });
    if (outcome.status === "confirmed") logger.info("pay released", { jobs: ripe.jobs, payout: ripe.payout.toString() });
    else logger.debug("pay not released", { status: outcome.status });
  }

  return {
    tick(busy) {
      if (busy || running || Date.now() - lastCheck < checkEveryMs) return;
      lastCheck = Date.now();
      running = check()
        .catch((error: unknown) => logger.debug("pay release check failed", { error: String(error) }))
        .finally(() => (running = undefined));
    },
    async stop() {
      await running;
    },
  };
}
