/**
 * The shared setup of the daemon's end-to-end tests, as mocha hooks: a `hardhat node` (or
 * `anvil`) child with 1 s interval mining, the system deployed, the given accounts registered and staked as
 * providers, the given verifier accounts bonded in the verifier pool, a temp dir and a requester
 * content server. Daemons started through `daemons`
 * are killed after each test (their output printed if it failed); everything else after the
 * suite.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

/**
 * Registers the hooks and returns the testbed, filled in by `before`. `verifiers`: accounts to
 * bond in the verifier pool (`bondVerifiers`), the only accounts committees can be drawn from.
 */
export function useDaemonTestbed(
  name: string,
  providerIndexes: number[],
  { node = "hardhat", verifiers = [] }: { node?: "hardhat" | "anvil"; verifiers?: number[] } = {},
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
