import { existsSync } from "node:fs";
import { join } from "node:path";

import { createPublicClient, http } from "viem";

import { loadIgnitionDeployment } from "../deployments.ts";
import { UsageError, type Command } from "./args.ts";
import { jsonOption } from "./connect.ts";
import { CliError } from "./errors.ts";
import { runHardhat, REPO_ROOT } from "./hardhat.ts";
import { KEY_ENV, keyOptions, loadPrivateKeyHex } from "./keys.ts";
import { dedupeIgnitionBatches } from "./ignition-output.ts";
import { formatFields, printJson, printLine } from "./output.ts";
import { stringOption } from "./values.ts";

const DEPLOYMENTS_DIR = join(REPO_ROOT, "ignition", "deployments");
/** hardhat.config.ts's `localhost` network. */
const LOCALHOST_RPC = "http://127.0.0.1:8545";

/** The chain id of `url`, or undefined when nothing answers there. */
function chainIdAt(url: string): Promise<number | undefined> {
  return createPublicClient({ transport: http(url, { retryCount: 0 }) })
    .getChainId()
    .catch(() => undefined);
}

/** `hashwork deploy`: the Ignition deployment of token, market and dispute module. */
export const deploy: Command = {
  path: ["deploy"],
  summary: "Deploy token, market and dispute module with Hardhat Ignition (ignition/modules/Hashwork.ts)",
  options: {
    network: { type: "string", placeholder: "NAME", description: "a network of hardhat.config.ts: localhost (default) or remote" },
    rpc: {
      type: "string",
      placeholder: "URL",
      description: "deploy to this JSON-RPC URL instead (signs with your key; the `remote` network)",
    },
    ...keyOptions,
    "deployment-id": { type: "string", placeholder: "ID", description: "Ignition deployment id (default chain-<chain id>)" },
    parameters: { type: "string", placeholder: "FILE", description: "Ignition parameters file (owner, treasury, fees, …)" },
    "build-profile": {
      type: "string",
      placeholder: "NAME",
      description: "Hardhat build profile (default: default, whose artifacts the tests and tasks share; production is identical)",
    },
    yes: { type: "boolean", description: "do not ask for confirmation on a non-local chain" },
    ...jsonOption,
  },
  notes: `Examples:
  hashwork chain &                      # a local node on 127.0.0.1:8545
  hashwork deploy --network localhost
  HASHWORK_PRIVATE_KEY=0x… hashwork deploy --rpc https://rpc.example --yes
Addresses are written to ignition/deployments/<id>/deployed_addresses.json; the other commands find
chain 31337's there or in the SDK, else pass --deployment DIR or --market ADDR.`,
  async run(options) {
    const json = options.json === true;
    const network = stringOption(options.network);
    const rpc = stringOption(options.rpc);
    if (network !== undefined && rpc !== undefined) throw new UsageError("pass --network or --rpc, not both");
    if (network !== undefined && !/^[A-Za-z0-9_-]+$/.test(network))
      throw new UsageError(`--network must be a network name, got "${network}"`);
    const env: NodeJS.ProcessEnv = { ...process.env };
    let chainId: number | undefined;
    if (rpc !== undefined) {
      try {
        if (!/^https?:$/.test(new URL(rpc).protocol)) throw new Error();
      } catch {
        throw new UsageError(`--rpc must be an http(s) URL, got "${rpc}"`);
      }
      // Hardhat's `remote` network reads the key from the environment.
      env[KEY_ENV] = await loadPrivateKeyHex(options);
      try {
        chainId = await createPublicClient({ transport: http(rpc, { retryCount: 0 }) }).getChainId();
      } catch {
        throw new CliError(`cannot reach a JSON-RPC node at ${rpc}`);
      }
      env.HASHWORK_RPC_URL = rpc;
    }
    if (options.yes === true) {
      env.HARDHAT_IGNITION_CONFIRM_DEPLOYMENT = "1";
      env.HARDHAT_IGNITION_CONFIRM_RESET = "1";
    }
    const profile = stringOption(options["build-profile"]) ?? "default";
    if (!/^[A-Za-z0-9_-]+$/.test(profile)) throw new UsageError(`--build-profile must be a profile name, got "${profile}"`);
    // Ignition builds with the production profile unless told otherwise; its compilation cache is
    // apart from the default profile's (same settings), so building with the default one reuses
    // the existing artifacts instead of compiling everything again (docs/compile-time.md).
    const args = [
      "--build-profile",
      profile,
      "ignition",
      "deploy",
      "ignition/modules/Hashwork.ts",
      "--network",
      rpc !== undefined ? "remote" : (network ?? "localhost"),
    ];
    let deploymentId = stringOption(options["deployment-id"]);
    if (deploymentId !== undefined && !/^[A-Za-z0-9_-]+$/.test(deploymentId))
      throw new UsageError(`--deployment-id may hold letters, digits, - and _ only, got "${deploymentId}"`);
    // Ignition's default id is chain-<chain id>; naming it explicitly tells which folder holds the
    // addresses, also when a second run has nothing new to deploy and rewrites no file.
    if (deploymentId === undefined && chainId === undefined && (network ?? "localhost") === "localhost") {
      chainId = await chainIdAt(LOCALHOST_RPC);
      if (chainId === undefined) throw new CliError(`cannot reach a JSON-RPC node at ${LOCALHOST_RPC} (start one with \`hashwork chain\`)`);
    }
    if (deploymentId === undefined && chainId !== undefined) deploymentId = `chain-${chainId}`;
    if (deploymentId === undefined)
      throw new UsageError(`cannot tell the chain of --network ${network}: pass --deployment-id ID (or --rpc URL)`);
    args.push("--deployment-id", deploymentId);
    const parameters = stringOption(options.parameters);
    if (parameters !== undefined) args.push("--parameters", parameters);
    // With --json, Hardhat's progress goes to stderr so stdout holds only the JSON document.
    const progressTo = json ? process.stderr : process.stdout;
    // Ignition redraws its batches in place on a terminal; elsewhere each redraw would repeat them.
    const code = await runHardhat(args, {
      env,
      stdio: ["inherit", json ? process.stderr : "inherit", "inherit"],
      stdout: progressTo.isTTY ? undefined : { through: dedupeIgnitionBatches(), to: progressTo },
    });
    if (code !== 0) throw new CliError(`hardhat ignition deploy failed (exit code ${code})`);
    const dir = join(DEPLOYMENTS_DIR, deploymentId);
    if (!existsSync(join(dir, "deployed_addresses.json")))
      throw new CliError(`the deployment finished but ${join(dir, "deployed_addresses.json")} is missing`);
    const fromName = /^chain-(\d+)$/.exec(dir.split(/[\\/]/).pop() ?? "")?.[1];
    const id = chainId ?? (fromName ? Number(fromName) : 31337);
    const deployment = await loadIgnitionDeployment({
      chainId: id,
      deploymentsDir: join(dir, ".."),
      deploymentId: dir.split(/[\\/]/).pop()!,
    });
    if (json) {
      printJson({ ...deployment, deploymentDir: dir });
      return 0;
    }
    printLine();
    printLine(
      formatFields([
        ["chain", String(deployment.chainId)],
        ["market", deployment.market],
        ["token", deployment.token],
        ["disputes", deployment.disputes],
        ["from block", deployment.fromBlock?.toString()],
        ["addresses", join(dir, "deployed_addresses.json")],
      ]),
    );
    return 0;
  },
};
