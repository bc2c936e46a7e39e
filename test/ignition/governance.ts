// The Ignition deployment puts every owner power behind the timelock: for each parameters file,
// a real deployment through `ignition/modules/Hashwork.ts` on a fresh in-process chain leaves the
// market, the dispute module and the token owned by the HashworkTimelock, with a delay within
// the bound computed from the market, the governor as its only proposer, anyone as executor, the
// guardian as a canceller, and no role left to the deployer.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import hre from "hardhat";
import { getAddress, zeroAddress, type Address } from "viem";

import { TIMELOCK_ROLES } from "../../ignition/modules/governance.ts";
import { IGNITION_PARAMETERS_DIR, deployHashwork, readIgnitionParameters } from "../../scripts/lib/ignition.ts";
import { hashworkDeployments } from "../../sdk/src/index.ts";
import {
  hashworkDisputesAbi,
  hashworkGovernorAbi,
  hashworkMarketAbi,
  hashworkTimelockAbi,
  hashworkTokenAbi,
} from "../../sdk/src/abi/index.ts";

const GUARDIAN: Address = "0x000000000000000000000000000000000000bEEF";

type Deployed = Awaited<ReturnType<typeof deployFresh>>;

async function deployFresh(file: string | undefined, extra: Record<string, `0x${string}`> = {}) {
  const connection = await hre.network.create();
  const dir = await mkdtemp(join(tmpdir(), "hashwork-gov-"));
  const raw = file ? await readIgnitionParameters(join(IGNITION_PARAMETERS_DIR, file)) : {};
  const parameters = { ...raw, $global: { ...(raw.$global ?? {}), ...extra } };
  const deployment = await deployHashwork({ hre, provider: connection.provider, parameters, deploymentDir: join(dir, "test") });
  const client = await connection.viem.getPublicClient();
  const [deployer] = await connection.viem.getWalletClients();
  const close = async () => {
    await connection.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { deployment, client, deployer: getAddress(deployer!.account.address), parameters, close };
}

function hasRole(d: Deployed, role: keyof typeof TIMELOCK_ROLES, account: Address) {
  return d.client.readContract({
    address: d.deployment.timelock!,
    abi: hashworkTimelockAbi,
    functionName: "hasRole",
    args: [TIMELOCK_ROLES[role] as `0x${string}`, account],
  });
}

describe("The Ignition deployment's governance (ignition/modules/governance.ts)", function () {
  this.timeout(120_000);

  for (const file of ["remote.json", "localhost.json", "demo.json"]) {
    describe(`with ${file}`, function () {
      let d: Deployed;
      before(async () => {
        d = await deployFresh(file, { guardian: GUARDIAN });
      });
      after(async () => d?.close());

      it("makes the timelock the owner of the market, the dispute module and the token", async () => {
        const owner = (address: Address, abi: typeof hashworkMarketAbi | typeof hashworkDisputesAbi | typeof hashworkTokenAbi) =>
          d.client.readContract({ address, abi, functionName: "owner" });
        expect(await owner(d.deployment.market, hashworkMarketAbi)).to.equal(d.deployment.timelock);
        expect(await owner(d.deployment.disputes!, hashworkDisputesAbi)).to.equal(d.deployment.timelock);
        expect(await owner(d.deployment.token!, hashworkTokenAbi)).to.equal(d.deployment.timelock);
        const pending = await d.client.readContract({ address: d.deployment.market, abi: hashworkMarketAbi, functionName: "pendingOwner" });
        expect(pending).to.equal(zeroAddress);
      });

      it("sets the file's delay, at least the bound computed from the market", async () => {
        const delay = await d.client.readContract({
          address: d.deployment.timelock!,
          abi: hashworkTimelockAbi,
          functionName: "getMinDelay",
        });
        const bound = await d.client.readContract({
          address: d.deployment.timelock!,
          abi: hashworkTimelockAbi,
          functionName: "minDelayBound",
        });
        const g = d.parameters.$global as Record<string, unknown>;
        expect(delay).to.equal(BigInt(g.timelockDelay as number));
        expect(delay >= bound).to.equal(true);
        const c = await d.client.readContract({ address: d.deployment.market, abi: hashworkMarketAbi, functionName: "config" });
        const dispute = await d.client.readContract({
          address: d.deployment.market,
          abi: hashworkMarketAbi,
          functionName: "maxDisputeDuration",
        });
        expect(bound).to.equal(BigInt(c.unbondingPeriod + c.maxClaimDelay + c.maxExecutionTime + c.maxChallengeWindow + dispute));
      });

      it("gives the governor the proposer and canceller roles, anyone the executor role, the guardian only the canceller role", async () => {
        const governor = d.deployment.governor!;
        expect([await hasRole(d, "proposer", governor), await hasRole(d, "canceller", governor)]).to.deep.equal([true, true]);
        expect(await hasRole(d, "executor", zeroAddress)).to.equal(true);
        expect(
          await Promise.all((["admin", "proposer", "executor", "canceller"] as const).map((r) => hasRole(d, r, GUARDIAN))),
        ).to.deep.equal([false, false, false, true]);
      });

      it("leaves the deployer no role in the timelock", async () => {
        expect(
          await Promise.all((["admin", "proposer", "executor", "canceller"] as const).map((r) => hasRole(d, r, d.deployer))),
        ).to.deep.equal([false, false, false, false]);
      });

      it("points the governor at the token and the timelock with the file's voting settings", async () => {
        const read = <F extends "token" | "timelock" | "votingDelay" | "votingPeriod" | "proposalThreshold" | "CLOCK_MODE">(
          functionName: F,
        ) =>
          d.client.readContract({ address: d.deployment.governor!, abi: hashworkGovernorAbi, functionName } as never) as Promise<unknown>;
        const g = d.parameters.$global as Record<string, unknown>;
        expect(await read("token")).to.equal(d.deployment.token);
        expect(await read("timelock")).to.equal(d.deployment.timelock);
        expect(await read("votingDelay")).to.equal(BigInt(g.votingDelay as number));
        expect(await read("votingPeriod")).to.equal(BigInt(g.votingPeriod as number));
        expect(await read("proposalThreshold")).to.equal(BigInt(g.proposalThreshold as bigint));
        expect(await read("CLOCK_MODE")).to.equal("mode=timestamp");
        const quorum = await d.client.readContract({
          address: d.deployment.governor!,
          abi: hashworkGovernorAbi,
          functionName: "quorumNumerator",
        });
        expect(quorum).to.equal(BigInt(g.quorumPercent as number));
      });
    });
  }

  describe("with the module's defaults", function () {
    let d: Deployed;
    before(async () => {
      d = await deployFresh(undefined);
    });
    after(async () => d?.close());

    it("makes the deployer the guardian: a canceller and nothing else", async () => {
      expect(
        await Promise.all((["admin", "proposer", "executor", "canceller"] as const).map((r) => hasRole(d, r, d.deployer))),
      ).to.deep.equal([false, false, false, true]);
    });

    it("deploys to the addresses of the SDK's 31337 registry entry", () => {
      const { fromBlock: _a, ...registry } = hashworkDeployments[31337]!;
      const { fromBlock: _b, ...deployed } = d.deployment;
      expect(deployed).to.deep.equal(registry);
    });
  });
});
