import type { Command } from "./args.ts";
import { connect, jsonOption, writeOptions } from "./connect.ts";
import { CliError } from "./errors.ts";
import { formatAmount, formatTime, printResult, withProgress } from "./output.ts";
import { parseAddress, stringOption } from "./values.ts";

/** `hashwork provider release [--provider ADDR]`: pays out matured pay buckets (fast-path jobs). */
export const providerRelease: Command = {
  path: ["provider", "release"],
  summary: "Release your matured deferred pay (fast-path jobs are paid per bucket, not per finalize)",
  options: {
    provider: { type: "string", placeholder: "ADDR", description: "whose buckets to release (default: you; anyone may)" },
    ...writeOptions,
    ...jsonOption,
  },
  async run(options) {
    const json = options.json === true;
    const connection = await connect(options, { sign: true });
    const { client } = connection;
    const provider = options.provider === undefined ? connection.account! : parseAddress(stringOption(options.provider), "--provider");
    const pending = await client.getPendingPay({ provider });
    if (pending.releasable === 0n) {
      const next = pending.buckets.filter((b) => b.jobs > 0).map((b) => b.maturesAt);
      throw new CliError(
        next.length === 0
          ? "nothing to release: no fast-path job is waiting for pay"
          : `nothing to release yet: the next bucket matures after ${formatTime(Math.min(...next.map(Number)))}`,
      );
    }
    const released = await withProgress("releasing pay", json, () => client.releasePay({ provider }));
    const token = await connection.token();
    const jobs = released.buckets.reduce((sum, b) => sum + b.jobs, 0n);
    return printResult(
      json,
      { provider, paid: released.paid, jobs, buckets: released.buckets, transactionHash: released.transactionHash },
      () => `Released ${formatAmount(released.paid, token)} for ${jobs} jobs into ${provider}'s stake (${released.transactionHash})`,
    );
  },
};
