// The provider daemon in one import (`@hashwork/sdk/daemon`): start it from a parsed config.
// Needs Node 22.13 or newer (the journal is `node:sqlite`; `wsUrl` uses the global WebSocket).
export { startDaemon, type Daemon, type StartDaemonParameters } from "./daemon.ts";
export {
  checkConfigForChain,
  ConfigError,
  daemonConfigJsonSchema,
  daemonConfigSchema,
  loadConfig,
  loadPrivateKey,
  LOCAL_CHAIN_IDS,
  parseConfig,
  type DaemonConfig,
  type DaemonConfigInput,
} from "./config.ts";
// Where the config's JSON Schema is committed and its text (`npm run generate:config-schema`).
export { DAEMON_CONFIG_SCHEMA_FILE, daemonConfigJsonSchemaText } from "./config-schema.ts";
