import { join } from "node:path";

import { getAddress } from "viem";
import { z } from "zod";

import { createAddressPolicy } from "../store/address-policy.ts";
import { LOG_LEVELS, type LogLevel } from "./logger.ts";

/**
 * The daemon's config file as one zod schema: the checks, the defaults, the TypeScript types
 * (`config.ts` derives `DaemonConfig` from it) and the JSON Schema editors use
 * (`daemonConfigJsonSchema`, committed as `sdk/schema/daemon-config.schema.json`) all come from
 * here. Paths stay as written; `parseConfig` resolves them against the config file's folder.
 * `docs/provider-daemon.md` is the reference.
 */

/**
 * Audit seeds: `blockhash(n)` is readable until block n + 256, after which the dispute module
 * only knows a pinned one (an unpinned seed then selects the job for an audit). A pin is sent
 * `pinAfterBlocks` after the submission block — only jobs still in their window then need one —
 * leaving the rest of the 256 blocks for it to land.
 */
const DEFAULT_PIN_AFTER_BLOCKS = 200;
const MAX_PIN_AFTER_BLOCKS = 250;

/** Collateral a provider accepts by default: twice the reward (a job may ask up to 300%). */
const DEFAULT_MAX_COLLATERAL_PCT = 200;
/** The market's hard bound on `collateralPct` (`MAX_COLLATERAL_PCT`): a larger setting means nothing. */
const MAX_COLLATERAL_PCT = 1_000;

/** An input as a message quotes it: `(got "150")`. */
function got(input: unknown): string {
  return JSON.stringify(input) ?? String(input);
}

/**
 * One message for every issue a setting's schema raises (wrong type, out of range, bad format),
 * so the error reads the same whichever check failed; a missing required setting "is required".
 */
function says(problem: (input: unknown) => string) {
  return {
    error: (issue: { input?: unknown }) => (issue.input === undefined ? "is required" : problem(issue.input)),
  };
}

const integerIn = (min: number, max: number) => {
  const e = says((v) => `must be an integer from ${min} to ${max} (got ${got(v)})`);
  return z.int(e).min(min, e).max(max, e);
};
const integer = (min: number, max: number, fallback: number) => integerIn(min, max).default(fallback);

const boolean = (fallback: boolean) => z.boolean(says((v) => `must be true or false (got ${got(v)})`)).default(fallback);

const nonEmpty = () => {
  const e = says(() => "must be a non-empty string");
  return z.string(e).min(1, e);
};

/** A non-negative amount of base units: a decimal string (or a safe integer), read as a bigint. */
const amount = () => {
  const e = says((v) => `must be a non-negative integer as a decimal string (got ${got(v)})`);
  return z.union([z.string(e).regex(/^\d{1,78}$/, e), z.int(e).min(0, e)], e).transform((v) => BigInt(v));
};

/** A 20-byte hex address in any case, read checksummed. */
const address = () => {
  const e = says((v) => `must be a 20-byte hex address (got ${got(v)})`);
  return z
    .string(e)
    .regex(/^0x[0-9a-fA-F]{40}$/, e)
    .transform((v) => getAddress(v));
};

/** A URL with one of the given protocols (`["http:", "https:"]`). */
const urlOf = (protocols: string[], what: string) =>
  nonEmpty().refine(
    (v) => URL.canParse(v) && protocols.includes(new URL(v).protocol),
    says((v) => `must be ${what} URL (got ${got(v)})`),
  );

/** A settings group: unknown keys refused, and absent means all defaults. */
const section = <Shape extends z.core.$ZodLooseShape>(shape: Shape, description: string) => {
  const group = z.strictObject(
    shape,
    says(() => "must be an object"),
  );
  // `{}` is valid input for every section (each setting has a default); TypeScript cannot see that through `Shape`.
  return group.prefault({} as z.input<typeof group>).describe(description);
};

const shareError = says((v) => `must be a number from 0 to 1 (got ${got(v)})`);

const hostError = says((v) => `must be a host name, IP address or CIDR range (got ${got(v)})`);
/** `fetch.allowHosts`: host names, IP addresses, CIDR ranges (checked as the fetcher compiles them). */
const hostList = z
  .array(
    z.string(hostError).refine((v) => v.trim() !== "", hostError),
    says(() => "must be an array of host names, IP addresses or CIDR ranges"),
  )
  .superRefine((hosts, ctx) => {
    try {
      createAddressPolicy({ allowHosts: hosts });
    } catch (error) {
      ctx.addIssue({ code: "custom", input: hosts, message: (error as Error).message.replace(/^allowHosts: /, "") });
    }
  });

/**
 * `key`: exactly one of `env` and `file`. One object with both optional (not a union of two),
 * so a bad `key.env` is reported as such; the JSON Schema says "one of" for editors.
 */
const keySchema = z
  .strictObject(
    {
      env: nonEmpty()
        .regex(
          /^[A-Za-z_][A-Za-z0-9_]*$/,
          says(() => "must be an environment variable name"),
        )
        .optional()
        .describe("the name of an environment variable holding the hex private key"),
      file: nonEmpty().optional().describe("a file holding the hex private key (relative: to the config file's folder)"),
    },
    says(() => "must be an object"),
  )
  .refine(
    (k) => (k.env === undefined) !== (k.file === undefined),
    says(() => 'must have exactly one of "env" or "file"'),
  )
  .transform((k): { env: string } | { file: string } => (k.env !== undefined ? { env: k.env } : { file: k.file! }))
  .meta({
    description: 'The signing key: { "env": "VAR" } or { "file": "path" }. It is never logged.',
    oneOf: [{ required: ["env"] }, { required: ["file"] }],
  });

/**
 * The config file's schema. `z.input` is what a file may hold (amounts as strings, sections
 * optional); `z.output` is the checked config with defaults filled in, before paths are resolved.
 */
export const daemonConfigSchema = z
  .strictObject(
    {
      $schema: z.string().optional().describe("the JSON Schema editors check this file against; ignored by the daemon"),
      rpcUrl: urlOf(["http:", "https:"], "an http(s)").describe("HTTP(S) JSON-RPC endpoint: every request and transaction goes here"),
      wsUrl: urlOf(["ws:", "wss:"], "a ws(s)")
        .optional()
        .describe(
          'WebSocket endpoint of the same node (ws://, wss://). New heads are announced by an eth_subscribe("newHeads") subscription (reconnected with back-off) and acted on at once; rpcUrl still carries every request, and the head is polled over it only when no head was announced for pollIntervalMs. Absent: HTTP polling only.',
        ),
      deployment: z
        .strictObject(
          {
            market: address(),
            token: address().optional(),
            disputes: address().optional(),
            verifierPool: address().optional().describe("default: the dispute module's verifierPool()"),
            fromBlock: amount().optional().describe("the block the market was deployed in (logs are read from it)"),
          },
          says(() => "must be an object"),
        )
        .optional()
        .describe("Where the contracts are. Default: the SDK's known deployment for the RPC's chain id."),
      key: keySchema,
      dataDir: nonEmpty().describe("holds daemon.sqlite (the journal) and, by default, store/ (relative: to the config file's folder)"),
      confirmations: integer(0, 1000, 2).describe(
        "blocks a block must be buried under before the daemon acts on it; 0 (act on the head) for local chains",
      ),
      pollIntervalMs: integer(10, 3_600_000, 2000).describe(
        "head polling interval (with wsUrl: the longest wait for an announced head before the head is polled over HTTP)",
      ),
      http: section(
        {
          host: nonEmpty().default("127.0.0.1"),
          port: integer(0, 65535, 8700).describe("0: any free port"),
          publicUrl: urlOf(["http:", "https:"], "an http(s)")
            .transform((v) => v.replace(/\/+$/, ""))
            .optional()
            .describe("base URL others fetch outputs from (set it behind a proxy); default: the bound URL"),
        },
        "The content server (outputs, /health, /metrics).",
      ),
      roles: section(
        { provider: boolean(true), keeper: boolean(false), verifier: boolean(false), watcher: boolean(false) },
        "Which roles run (any combination; one account per daemon).",
      ),
      watcher: section(
        {
          sampleRate: z
            .number(shareError)
            .min(0, shareError)
            .max(1, shareError)
            .default(0.1)
            .describe("the share (0–1) of other providers' results the watcher re-executes"),
        },
        "Watcher role.",
      ),
      keeper: section(
        {
          audits: boolean(true).describe("start the audits the lottery selects (paid from the market's audit reserve)"),
          pinSeeds: boolean(true).describe(
            "pin the audit seeds of submission blocks whose jobs are still in their challenge window pinAfterBlocks blocks later",
          ),
          pinAfterBlocks: integer(1, MAX_PIN_AFTER_BLOCKS, DEFAULT_PIN_AFTER_BLOCKS),
          finalizeGraceS: integer(0, 86_400, 30).describe(
            "seconds past a challenge window the finalization is left to the job's own provider",
          ),
        },
        "Keeper role: audits, audit seed pins, finalization.",
      ),
      provider: section(
        {
          pinSeeds: boolean(true).describe(
            "pin the audit seeds of its own submission blocks while those jobs are still in their challenge window pinAfterBlocks blocks later",
          ),
          pinAfterBlocks: integer(1, MAX_PIN_AFTER_BLOCKS, DEFAULT_PIN_AFTER_BLOCKS),
        },
        "Provider role: audit seed pins (an unpinned seed that ages out selects the job for an audit).",
      ),
      verifier: section(
        {
          bond: amount()
            .prefault("0")
            .describe(
              "the bond in the verifier pool to keep (base units): at start the difference is bonded from the wallet; 0: the operator bonds with the CLI",
            ),
        },
        "Verifier role.",
      ),
      claimPolicy: section(
        {
          minPricePerFuel: amount().prefault("0").describe("least reward per unit of fuel limit accepted (base units, may be 0)"),
          maxFuel: amount().prefault("1000000000").describe("largest fuel limit accepted"),
          concurrency: integer(1, 10_000, 4).describe("jobs claimed and not yet submitted at once"),
          fastPathMaxFuel: amount()
            .prefault("10000000")
            .describe(
              "jobs whose fuel limit is at most this are run before claiming, then claimed and submitted in one transaction (claimAndSubmit: losing a race costs the run, at most this much fuel — about 1 ms of metered compute at the default — never collateral); longer ones are claimed first. 0: always claim first",
            ),
          minFreeStake: amount().prefault("0").describe("free stake to keep after locking a job's collateral (base units)"),
          maxCollateralPct: integer(1, MAX_COLLATERAL_PCT, DEFAULT_MAX_COLLATERAL_PCT).describe(
            "largest collateral accepted, in percent of the reward (the market allows minCollateralPct..maxCollateralPct, 100..300 by default)",
          ),
          allowRequesters: z
            .array(
              address(),
              says(() => "must be an array of addresses"),
            )
            .default([])
            .describe("when non-empty, only these requesters' jobs are claimed"),
          denyRequesters: z
            .array(
              address(),
              says(() => "must be an array of addresses"),
            )
            .default([]),
        },
        "Which jobs the provider claims.",
      ),
      executor: section(
        { threads: integer(1, 256, 1), timeoutMs: integer(1, Number.MAX_SAFE_INTEGER, 60_000).describe("wall-clock guard per run") },
        "The WebAssembly worker pool.",
      ),
      storeDir: nonEmpty().optional().describe("where program, input and output blobs are kept; default: <dataDir>/store"),
      journalRetentionHours: integer(0, 1_000_000, 24).describe(
        "finished intents, their transactions and vote/challenge secrets last changed longer ago than this, of jobs no longer tracked, are deleted from the journal (hourly, and once after start); 0 keeps everything",
      ),
      storeRetentionHours: integer(0, 1_000_000, 168).describe(
        "blobs last written longer ago than this and named by no job still open are deleted (hourly); 0 keeps everything",
      ),
      outputGraceSeconds: integer(0, 1_000_000_000, 86_400).describe(
        "a finalized job's outputs are deleted this long after the daemon saw it finalized, unless a job still open names them; 0 leaves outputs to storeRetentionHours",
      ),
      fetch: section(
        {
          allowFileUris: boolean(false).describe("read file: program and input URIs (never for URIs strangers post)"),
          allowPrivateNetworks: boolean(false).describe("fetch from any address, loopback and private included (local development only)"),
          allowHosts: hostList.default([]).describe("hosts fetched from although not public: host names, IP addresses, CIDR ranges"),
          maxBytes: integer(1, Number.MAX_SAFE_INTEGER, 64 * 1024 * 1024),
          timeoutMs: integer(1, Number.MAX_SAFE_INTEGER, 30_000).describe("covers the whole request, redirects and body included"),
          maxRedirects: integer(0, 20, 5),
          concurrency: integer(1, 1_000, 32).describe("jobs prepared (fetched, verified, compiled) at once before a claim"),
          concurrencyPerRequester: integer(1, 1_000, 8).describe("of those, how many may be one requester's"),
        },
        "Fetching job content. By default only http(s) URIs on public addresses are fetched.",
      ),
      content: section(
        {
          ipfsGateways: z
            .array(
              urlOf(["http:", "https:"], "an http(s)").refine(
                (v) => !new URL(v).search && !new URL(v).hash,
                says((v) => `must be a gateway base URL without query or fragment (got ${got(v)})`),
              ),
              says(() => "must be an array of gateway URLs"),
            )
            .default([])
            .describe(
              "trustless IPFS gateways for ipfs:// job URIs, tried in order (e.g. a local IPFS node's http://127.0.0.1:8080, a requester's hashwork content serve, https://trustless-gateway.link); every block is checked against its CID and the bytes against the job's keccak256, so a gateway is trusted for availability only; their own hosts are reached even when private. Empty: ipfs:// jobs are refused",
            ),
        },
        "Job content named by ipfs:// CIDs.",
      ),
      refusals: section(
        {
          rememberMs: integer(0, Number.MAX_SAFE_INTEGER, 3_600_000).describe("how long refused content is remembered"),
          maxPerRequester: integer(0, 1_000_000, 3).describe(
            "failed preparations within windowMs after which a requester is skipped for skipMs; 0: never",
          ),
          windowMs: integer(1, Number.MAX_SAFE_INTEGER, 600_000),
          skipMs: integer(0, Number.MAX_SAFE_INTEGER, 3_600_000),
        },
        "Jobs whose content could not be prepared: remembered, and their requesters throttled.",
      ),
      tx: section(
        {
          receiptTimeoutMs: integer(1, Number.MAX_SAFE_INTEGER, 60_000).describe(
            "wait for a receipt before the fee of a stuck transaction is bumped",
          ),
          maxAttempts: integer(1, 1000, 8).describe("attempts for retryable failures before anything was signed"),
          baseBackoffMs: integer(1, Number.MAX_SAFE_INTEGER, 250),
          batchesInFlight: integer(1, 64, 1).describe(
            "batched transactions of one kind (claims, submissions, finalizations) out at once, each awaiting its receipt; 1 measured best on a CPU-bound machine (docs/provider-daemon.md, Throughput)",
          ),
        },
        "Transactions.",
      ),
      logLevel: z
        .enum(
          LOG_LEVELS as [LogLevel, ...LogLevel[]],
          says(() => `must be one of ${LOG_LEVELS.join(", ")}`),
        )
        .default("info"),
      corruptResults: boolean(false).describe(
        "TEST AND DEMO ONLY: the provider commits a wrong result so the dispute path can be shown. Refused unless the chain id is a local one (31337, 1337).",
      ),
    },
    { error: () => "the file must hold a JSON object" },
  )
  .transform(({ $schema: _, ...config }) => ({ ...config, storeDir: config.storeDir ?? join(config.dataDir, "store") }))
  .meta({
    title: "Hashwork provider daemon config",
    description:
      "hashwork provider start --config FILE. Relative paths are resolved against this file's folder; token amounts are decimal strings of base units. See docs/provider-daemon.md.",
  });

/** What a config file may hold (amounts as strings, every section optional). */
export type DaemonConfigInput = z.input<typeof daemonConfigSchema>;

/** The JSON Schema of a config file, for editors (`"$schema"` in the file). */
export function daemonConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(daemonConfigSchema, { io: "input", target: "draft-07" }) as Record<string, unknown>;
}

/** Where the JSON Schema is committed (`npm run generate:config-schema` writes it). */
export const DAEMON_CONFIG_SCHEMA_FILE = new URL("../../schema/daemon-config.schema.json", import.meta.url);

/** The text of `sdk/schema/daemon-config.schema.json` as it should be committed. */
export function daemonConfigJsonSchemaText(): string {
  return `${JSON.stringify(daemonConfigJsonSchema(), null, 2)}\n`;
}
