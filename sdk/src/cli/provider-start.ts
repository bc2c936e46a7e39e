import { ConfigError, loadConfig, type DaemonConfig } from "../daemon/config.ts";
import { startDaemon } from "../daemon/daemon.ts";
import type { Command } from "./args.ts";

/** `hashwork provider start --config FILE`: runs the daemon until SIGINT/SIGTERM, then exits 0. */
export const providerStart: Command = {
  path: ["provider", "start"],
  summary: "Run the provider daemon (provider, verifier, watcher, keeper roles) until SIGINT or SIGTERM",
  options: {
    config: { type: "string", required: true, placeholder: "FILE", description: "JSON config file (see docs/provider-daemon.md)" },
  },
  async run(options) {
    let config: DaemonConfig;
    try {
      config = await loadConfig(String(options.config));
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`hashwork: ${error.shortMessage}\n`);
        return 2;
      }
      throw error;
    }
    const daemon = await startDaemon({ config }).catch((error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`hashwork: ${error.shortMessage}\n`);
        return undefined;
      }
      throw error;
    });
    if (!daemon) return 2;
    // `on`, not `once`: a Ctrl-C reaches both the bin shim and this process, and the shim
    // forwards it, so a second signal must not fall through to the default (kill) handler.
    const onSignal = (signal: NodeJS.Signals) => void daemon.stop(signal);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    await daemon.done;
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    return 0;
  },
};
