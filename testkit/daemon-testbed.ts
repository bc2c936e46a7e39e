/**
 * The shared setup of the daemon's end-to-end tests, as mocha hooks: a `hardhat node` (or
 * `anvil`) child with 1 s interval mining, the system deployed, the given accounts registered and staked as
 * providers, the given verifier accounts bonded in the verifier pool, a temp dir and a requester
 * content server; optionally the audit lottery off (`auditLottery: false`). `committeeConfigs` writes
 * the daemon configs of a dispute scene (a lying provider, a watcher that challenges everything,
 * verifiers). Daemons started through `daemons`
 * are killed after each test (their output printed if it failed); everything else after the
 * suite.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Abi } from "viem";

import { DISPUTE_PARAMETERS } from "../ignition/parameters/defaults.ts";
import { hashworkDisputesAbi } from "../sdk/src/abi/hashwork-disputes.ts";
import { registerProvider } from "../sdk/src/actions/provider/register-provider.ts";
import { stake } from "../sdk/src/actions/provider/stake.ts";
import { createLocalStore } from "../sdk/src/store/local.ts";
import { createContentServer, type ContentServer } from "../sdk/src/store/server.ts";
import {
  bondVerifiers,
  deploySystem,
  startAnvilNode,
  startHardhatNode,
  type ChildHandle,
  type HardhatNode,
  type System,
  writeDaemonConfig,
} from "./local-cluster.ts";

export type Testbed = {
  node: HardhatNode;
  system: System;
  /** Temp dir for daemon data dirs and configs; `<dir>/requester` backs `server`. */
  dir: string;
  /** Serves the requester's uploaded programs and inputs. */
  server: ContentServer;
  /** Daemons the current test started; killed after it. */
  daemons: ChildHandle[];
};

export type TestbedOptions = {
  node?: "hardhat" | "anvil";
  /** Accounts to bond in the verifier pool (`bondVerifiers`), the only accounts committees can be drawn from. */
  verifiers?: number[];
  /** `false`: no random audits, so a job reaches a dispute only through a challenge. Default: on. */
  auditLottery?: boolean;
};

/** Registers the hooks and returns the testbed, filled in by `before`. */
export function useDaemonTestbed(
  name: string,
  providerIndexes: number[],
  { node = "hardhat", verifiers = [], auditLottery = true }: TestbedOptions = {},
): Testbed {
  const t = { daemons: [] as ChildHandle[] } as Testbed;

  before(async function () {
    t.node = node === "anvil" ? await startAnvilNode() : await startHardhatNode();
    t.system = await deploySystem(t.node.url);
    // Blocks every second as well as on each transaction (hardhat; anvil mines only on the
    // interval then), like a real chain: deadlines pass. Hardhat takes ms, anvil seconds.
    await t.system.publicClient.request({ method: "evm_setIntervalMining" as never, params: [node === "anvil" ? 1 : 1000] as never });
    for (const index of providerIndexes) {
      const provider = t.system.clientFor(index);
      await registerProvider(provider, { endpoint: "http://127.0.0.1/", pricePerFuel: 1n, maxFuel: 10n ** 12n });
      await stake(provider, { amount: 1_000n * 10n ** 18n, payment: "permit" });
    }
    await bondVerifiers(t.system, verifiers);
    if (!auditLottery) await setAuditRate(t.system, 0);
    t.dir = await mkdtemp(join(tmpdir(), `hashwork-daemon-${name}-`));
    t.server = createContentServer({ store: createLocalStore({ dir: join(t.dir, "requester") }) });
    await t.server.start();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") {
      for (const d of t.daemons) console.error(`--- daemon output\n${d.lines.slice(-200).join("\n")}\n${d.stderr().slice(-3000)}`);
    }
    for (const d of t.daemons.splice(0)) d.kill();
  });

  after(async () => {
    for (const d of t.daemons.splice(0)) d.kill();
    await t.server?.close();
    t.node?.kill();
    if (t.dir) await rm(t.dir, { recursive: true, force: true });
  });

  return t;
}

/** Sets the dispute module's audit rate as its owner (account 0), the rest of its config as deployed. */
export async function setAuditRate(system: System, auditRateBps: number): Promise<void> {
  const owner = system.clientFor(0);
  const hash = await owner.walletClient.writeContract({
    address: system.deployment.disputes!,
    abi: hashworkDisputesAbi as Abi,
    functionName: "setConfig",
    args: [{ ...DISPUTE_PARAMETERS, auditRateBps }],
    account: owner.walletClient.account!,
    chain: owner.walletClient.chain,
  } as never);
  await system.publicClient.waitForTransactionReceipt({ hash });
}

/**
 * The daemon configs of a dispute scene, polling every 200 ms: `provider` corrupts its results,
 * `watcher` re-executes every job (and keeps), each of `verifiers` serves only as a verifier
 * (plus `verifierOverrides(index)`). Returns the config paths.
 */
export async function committeeConfigs(
  t: Testbed,
  accounts: { provider: number; watcher: number; verifiers: readonly number[] },
  verifierOverrides: (index: number) => Record<string, unknown> = () => ({}),
): Promise<{ provider: string; watcher: string; verifiers: string[] }> {
  const config = (name: string, index: number, overrides: Record<string, unknown>) =>
    writeDaemonConfig(t.system, { dir: t.dir, name, index, overrides: { pollIntervalMs: 200, ...overrides } });
  const provider = await config("provider", accounts.provider, { roles: { provider: true }, corruptResults: true });
  const watcher = await config("watcher", accounts.watcher, {
    roles: { provider: false, watcher: true, keeper: true },
    watcher: { sampleRate: 1 },
  });
  const verifiers = await Promise.all(
    accounts.verifiers.map((v, i) => config(`verifier${i}`, v, { roles: { provider: false, verifier: true }, ...verifierOverrides(v) })),
  );
  return { provider, watcher, verifiers };
}
