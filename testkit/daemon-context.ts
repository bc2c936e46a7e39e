import { parseConfig, type DaemonConfig } from "../sdk/src/daemon/config.ts";
import { createDaemonContext, type DaemonContext } from "../sdk/src/daemon/context.ts";
import { createLogger, type LogFields } from "../sdk/src/daemon/logger.ts";

/** A daemon context for unit tests: config from `overrides`, logs kept in `records`. */
export function testContext(overrides: Record<string, unknown> = {}): {
  context: DaemonContext;
  config: DaemonConfig;
  records: LogFields[];
  stop(): void;
} {
  const config = parseConfig({ rpcUrl: "http://127.0.0.1:1", key: { env: "UNUSED" }, dataDir: "/tmp/unused", ...overrides });
  const records: LogFields[] = [];
  const logger = createLogger({ level: "debug", write: (line) => void records.push(JSON.parse(line) as LogFields) });
  const { context, stop } = createDaemonContext({ config, logger });
  return { context, config, records, stop };
}
