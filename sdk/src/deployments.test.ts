import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { HardhatArtifactResolver } from "@nomicfoundation/hardhat-ignition/helpers";
import { deploy, DeploymentResultType } from "@nomicfoundation/ignition-core";
import { expect } from "chai";
import hre, { network } from "hardhat";
import { getAddress, type Address } from "viem";

import HashworkModule from "../../ignition/modules/Hashwork.ts";
import { hashworkDisputesAbi } from "./abi/hashwork-disputes.ts";
import { hashworkMarketAbi } from "./abi/hashwork-market.ts";
import { defineDeployment, getDeployment, hashworkDeployments, loadIgnitionDeployment } from "./deployments.ts";
import { DeploymentNotFoundError, InvalidParameterError } from "./errors/sdk.ts";
import { expectRejection } from "../../testkit/assertions.ts";

/** Deploys `ignition/modules/Hashwork.ts` for real, writing Ignition's files into `dir`. */
async function ignitionDeploy(dir: string) {
  const connection = await network.create();
  const accounts = (await connection.provider.request({ method: "eth_accounts" })) as string[];
  const result = await deploy({
    artifactResolver: new HardhatArtifactResolver(hre.artifacts),
    provider: connection.provider,
    deploymentDir: join(dir, "chain-31337"),
    ignitionModule: HashworkModule,
    deploymentParameters: {},
    accounts,
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) throw new Error(`Ignition failed: ${result.type}`);
  const publicClient = await connection.viem.getPublicClient();
  return { connection, publicClient, contracts: result.contracts };
}

describe("deployments", function () {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "hashwork-ignition-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  describe("loadIgnitionDeployment", function () {
    it("reads the addresses and deployment block Ignition wrote for the Hashwork module", async function () {
      const { publicClient, contracts } = await ignitionDeploy(dir);
      const deployment = await loadIgnitionDeployment({ chainId: 31337, deploymentsDir: dir });
      expect(deployment.market).to.equal(getAddress(contracts["Hashwork#HashworkMarket"]!.address));
      expect(deployment.token).to.equal(getAddress(contracts["Hashwork#HashworkToken"]!.address));
      expect(deployment.disputes).to.equal(getAddress(contracts["Hashwork#HashworkDisputes"]!.address));
      expect(deployment.verifierPool).to.equal(getAddress(contracts["Hashwork#VerifierPool"]!.address));
      // The pool is the one the dispute module created and draws from.
      const pool = await publicClient.readContract({
        address: deployment.disputes!,
        abi: hashworkDisputesAbi,
        functionName: "verifierPool",
      });
      expect(pool).to.equal(deployment.verifierPool);
      // The module installs itself in the market (the Ignition module's setDisputeModule call).
      const installed = await publicClient.readContract({
        address: deployment.market,
        abi: hashworkMarketAbi,
        functionName: "disputeModule",
      });
      expect(installed).to.equal(deployment.disputes);
      const served = await publicClient.readContract({ address: deployment.disputes!, abi: hashworkDisputesAbi, functionName: "market" });
      expect(served).to.equal(deployment.market);
      // The block is where the market's code appeared.
      expect(deployment.fromBlock).to.be.a("bigint");
      const at = deployment.fromBlock!;
      expect(await publicClient.getCode({ address: deployment.market, blockNumber: at })).to.not.equal(undefined);
      expect(await publicClient.getCode({ address: deployment.market, blockNumber: at - 1n })).to.equal(undefined);
      const token = await publicClient.readContract({ address: deployment.market, abi: hashworkMarketAbi, functionName: "token" });
      expect(token).to.equal(deployment.token);
    });

    it("matches the 31337 registry entry, since a fresh chain gives Ignition fixed addresses", async function () {
      await ignitionDeploy(dir);
      const deployment = await loadIgnitionDeployment({ chainId: 31337, deploymentsDir: dir });
      expect(hashworkDeployments[31337]!.market).to.equal(deployment.market);
      expect(hashworkDeployments[31337]!.token).to.equal(deployment.token);
      expect(hashworkDeployments[31337]!.disputes).to.equal(deployment.disputes);
      expect(hashworkDeployments[31337]!.verifierPool).to.equal(deployment.verifierPool);
    });

    it("works without a journal (no fromBlock) and for a market-only module (no token)", async function () {
      const market: Address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
      const disputes: Address = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
      await writeFile(
        join(dir, "deployed_addresses.json"),
        JSON.stringify({
          "HashworkMarket#HashworkMarket": market.toLowerCase(),
          "HashworkMarket#HashworkDisputes": disputes.toLowerCase(),
        }),
      );
      const deployment = await loadIgnitionDeployment({ chainId: 5, deploymentsDir: dir, deploymentId: ".", moduleId: "HashworkMarket" });
      expect(deployment).to.deep.equal({ chainId: 5, market, disputes });
    });

    it("leaves `disputes` out when the module has no dispute module future", async function () {
      const market: Address = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
      await writeFile(join(dir, "deployed_addresses.json"), JSON.stringify({ "HashworkMarket#HashworkMarket": market }));
      const deployment = await loadIgnitionDeployment({ chainId: 5, deploymentsDir: dir, deploymentId: ".", moduleId: "HashworkMarket" });
      expect(deployment).to.deep.equal({ chainId: 5, market });
    });

    it("throws DeploymentNotFoundError when there is no deployment, or no market in it", async function () {
      await expectRejection(loadIgnitionDeployment({ chainId: 31337, deploymentsDir: dir }), DeploymentNotFoundError);
      await writeFile(
        join(dir, "deployed_addresses.json"),
        JSON.stringify({ "Other#Thing": "0x5FbDB2315678afecb367f032d93F642f64180aa3" }),
      );
      const error = await expectRejection(
        loadIgnitionDeployment({ chainId: 7, deploymentsDir: dir, deploymentId: "." }),
        DeploymentNotFoundError,
      );
      expect(error.details).to.contain("Hashwork#HashworkMarket");
      expect(await readFile(join(dir, "deployed_addresses.json"), "utf8")).to.contain("Other#Thing");
    });
  });

  describe("getDeployment / defineDeployment", function () {
    it("finds a registered chain and names a missing one", function () {
      expect(getDeployment(31337)).to.equal(hashworkDeployments[31337]);
      const error = (() => {
        try {
          getDeployment(999);
        } catch (e) {
          return e;
        }
      })();
      expect(error).to.be.instanceOf(DeploymentNotFoundError);
      expect((error as DeploymentNotFoundError).chainId).to.equal(999);
    });

    it("accepts an explicit registry", function () {
      const mine = defineDeployment({ chainId: 10, market: "0x0000000000000000000000000000000000000001" });
      expect(getDeployment(10, { deployments: { 10: mine } })).to.equal(mine);
    });

    it("checksums addresses and refuses bad input", function () {
      const d = defineDeployment({ chainId: 1, market: "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512", fromBlock: 3n });
      expect(d).to.deep.equal({ chainId: 1, market: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", fromBlock: 3n });
      expect(() => defineDeployment({ chainId: 0, market: d.market })).to.throw(InvalidParameterError);
      expect(() => defineDeployment({ chainId: 1, market: "0x1234" })).to.throw(InvalidParameterError);
      expect(() => defineDeployment({ chainId: 1, market: d.market, fromBlock: -1n })).to.throw(InvalidParameterError);
      const withDisputes = defineDeployment({ chainId: 1, market: d.market, disputes: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0" });
      expect(withDisputes.disputes).to.equal("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0");
      expect(() => defineDeployment({ chainId: 1, market: d.market, disputes: "0xdead" })).to.throw(InvalidParameterError);
      const withPool = defineDeployment({ chainId: 1, market: d.market, verifierPool: "0x75537828f2ce51be7289709686a69cbfdbb714f1" });
      expect(withPool.verifierPool).to.equal("0x75537828f2ce51be7289709686A69CbFDbB714F1");
      expect(() => defineDeployment({ chainId: 1, market: d.market, verifierPool: "0xdead" })).to.throw(InvalidParameterError);
    });
  });
});
