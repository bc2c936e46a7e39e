/**
 * Child processes a script owns (a `hardhat node`, daemons): each runs in its own process group
 * (`ChildHandle` from the daemon's test helpers), and the registry stops every group it holds —
 * gracefully with `stopAll()`, and with SIGKILL when the script exits for any reason (normal
 * end, uncaught error, Ctrl-C, SIGTERM). Nothing outlives the script.
 */
import type { ChildHandle } from "../../testkit/local-cluster.ts";

export type ProcessRegistry = {
  /** Registers a child; returns it. */
  add<T extends ChildHandle>(child: T): T;
  /**
   * SIGTERM to every group (newest first), waits up to `graceMs` for each to exit, then
   * SIGKILL to whatever is left. Resolves with the exit codes by registration order.
   */
  stopAll(options?: { graceMs?: number }): Promise<(number | null)[]>;
  /** SIGKILL to every group at once (synchronous; safe in an `exit` handler). */
  killAll(): void;
  /** Every child registered so far. */
  readonly children: readonly ChildHandle[];
};

/**
 * A registry that kills its children when the process exits, and turns SIGINT / SIGTERM into
 * `onSignal` (default: exit 130 / 143, which runs the `exit` hook).
 *
 * @example
 * const processes = createProcessRegistry()
 * const node = processes.add(await startHardhatNode())
 * try { … } finally { await processes.stopAll() }
 */
export function createProcessRegistry({ onSignal }: { onSignal?: (signal: NodeJS.Signals) => void } = {}): ProcessRegistry {
  const children: ChildHandle[] = [];
  const killAll = () => {
    for (const c of children) c.kill("SIGKILL");
  };
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (onSignal) onSignal(signal);
      else process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
  return {
    children,
    add(child) {
      children.push(child);
      return child;
    },
    async stopAll({ graceMs = 5_000 } = {}) {
      const newestFirst = [...children].reverse();
      for (const c of newestFirst) c.kill("SIGTERM");
      await Promise.all(
        newestFirst.map(async (c) => {
          const timer = new Promise<"timeout">((resolve) => setTimeout(resolve, graceMs, "timeout").unref());
          if ((await Promise.race([c.exited, timer])) === "timeout") c.kill("SIGKILL");
        }),
      );
      const codes = await Promise.all(children.map((c) => c.exited));
      killAll(); // a group may hold grandchildren that outlived their parent
      return codes;
    },
    killAll,
  };
}
