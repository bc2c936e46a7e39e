import { expect } from "chai";
import { AbiCoder, keccak256 as ethersKeccak256 } from "ethers";
import { network } from "hardhat";
import type { Hex } from "viem";

import { hashworkDisputesAbi } from "../../abi/hashwork-disputes.ts";
import { MissingDeploymentAddressError } from "../../deployments.ts";
import { DisputeSeedNotReadyError } from "../../errors/contract-errors.ts";
import { decodeContractError } from "../../errors/decode.ts";
import { expectRejection } from "../../../../testkit/assertions.ts";
import { CHALLENGER_HASH, createSdkFixtures } from "../../../../testkit/fixtures.ts";
import {
  computeChallengeCommitment,
  computeVoteCommitment,
  getDisputesAddress,
  getVerifierPoolAddress,
  randomSalt,
  simulatingPending,
} from "./disputes.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture, mine } = connection.networkHelpers;

describe("dispute helpers", function () {
  describe("getDisputesAddress", function () {
    it("uses the deployment's disputes address", async function () {
      const d = await loadFixture(fixtures.deployed);
      expect(await getDisputesAddress(d.reader)).to.equal(d.deployment.disputes);
    });

    it("falls back to the module installed in the market", async function () {
      const d = await loadFixture(fixtures.deployed);
      const { disputes, ...marketOnly } = d.deployment;
      expect(marketOnly).to.not.have.property("disputes");
      expect(await getDisputesAddress({ publicClient: d.publicClient, deployment: marketOnly })).to.equal(disputes);
    });

    it("throws MissingDeploymentAddressError naming `disputes` when the market has no module either", async function () {
      const d = await loadFixture(fixtures.deployed);
      const bare = await d.deployBareMarket();
      const deployment = { chainId: d.deployment.chainId, market: bare };
      const error = await expectRejection(getDisputesAddress({ publicClient: d.publicClient, deployment }), MissingDeploymentAddressError);
      expect(error.field).to.equal("disputes");
      expect(error.chainId).to.equal(d.deployment.chainId);
      expect(error.shortMessage).to.contain("`disputes`");
      expect(error.details).to.contain(bare);
    });
  });

  describe("getVerifierPoolAddress", function () {
    it("uses the deployment's verifierPool address", async function () {
      const d = await loadFixture(fixtures.deployed);
      const deployment = { ...d.deployment, verifierPool: "0x000000000000000000000000000000000000dEaD" as const };
      expect(await getVerifierPoolAddress({ publicClient: d.publicClient, deployment })).to.equal(deployment.verifierPool);
    });

    it("falls back to the dispute module's verifierPool(), found through the market if need be", async function () {
      const d = await loadFixture(fixtures.deployed);
      const { disputes: _, verifierPool, ...marketOnly } = d.deployment;
      expect(await getVerifierPoolAddress({ publicClient: d.publicClient, deployment: marketOnly })).to.equal(verifierPool);
    });

    it("reads the module's pool once and then answers from its cache", async function () {
      const d = await loadFixture(fixtures.deployed);
      const { verifierPool, ...withoutPool } = d.deployment;
      const first = await getVerifierPoolAddress({ publicClient: d.publicClient, deployment: withoutPool });
      let reads = 0;
      const counting = {
        ...d.publicClient,
        readContract: ((args: never) => {
          reads++;
          return d.publicClient.readContract(args);
        }) as typeof d.publicClient.readContract,
      };
      expect(await getVerifierPoolAddress({ publicClient: counting, deployment: withoutPool })).to.equal(first);
      expect(first).to.equal(verifierPool);
      expect(reads).to.equal(0);
    });

    it("throws MissingDeploymentAddressError naming `disputes` when there is no module to ask", async function () {
      const d = await loadFixture(fixtures.deployed);
      const bare = await d.deployBareMarket();
      const deployment = { chainId: d.deployment.chainId, market: bare };
      const error = await expectRejection(
        getVerifierPoolAddress({ publicClient: d.publicClient, deployment }),
        MissingDeploymentAddressError,
      );
      expect(error.field).to.equal("disputes");
    });
  });

  describe("computeChallengeCommitment", function () {
    it("is keccak256(abi.encode(uint256 jobId, bytes32 challengerHash, address challenger, bytes32 salt))", function () {
      const salt = randomSalt();
      const challenger = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
      const expected = ethersKeccak256(
        AbiCoder.defaultAbiCoder().encode(["uint256", "bytes32", "address", "bytes32"], [42n, CHALLENGER_HASH, challenger, salt]),
      );
      expect(computeChallengeCommitment({ jobId: 42n, challengerHash: CHALLENGER_HASH, challenger, salt })).to.equal(expected);
    });

    it("binds the challenger: another address gives another commitment", function () {
      const salt = randomSalt();
      const of = (challenger: `0x${string}`) =>
        computeChallengeCommitment({ jobId: 1n, challengerHash: CHALLENGER_HASH, challenger, salt });
      expect(of("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")).to.not.equal(of("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"));
    });
  });

  describe("computeVoteCommitment", function () {
    it("is keccak256(abi.encode(bytes32 resultHash, bytes32 salt, address verifier))", function () {
      const salt = randomSalt();
      const verifier = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
      const expected = ethersKeccak256(
        AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32", "address"], [CHALLENGER_HASH, salt, verifier]),
      );
      expect(computeVoteCommitment({ resultHash: CHALLENGER_HASH, salt, verifier })).to.equal(expected);
    });

    it("binds the verifier: another address gives another commitment", function () {
      const salt = randomSalt();
      const a = computeVoteCommitment({ resultHash: CHALLENGER_HASH, salt, verifier: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });
      const b = computeVoteCommitment({ resultHash: CHALLENGER_HASH, salt, verifier: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" });
      expect(a).to.not.equal(b);
    });
  });

  it("randomSalt gives 32 fresh random bytes each time", function () {
    const salts = new Set<Hex>(Array.from({ length: 64 }, () => randomSalt()));
    expect(salts.size).to.equal(64);
    for (const s of salts) expect(s).to.match(/^0x[0-9a-f]{64}$/);
  });

  describe("simulatingPending", function () {
    it("simulates a draw in the block it will land in, which 'latest' (the seed block itself) refuses", async function () {
      const d = await loadFixture(fixtures.challengedJob);
      await mine(1);
      const { seedBlock } = await d.disputesRead<{ seedBlock: number }>("getDispute", [d.jobId]);
      expect(await d.publicClient.getBlockNumber()).to.equal(BigInt(seedBlock));
      const call = {
        address: d.deployment.disputes!,
        abi: hashworkDisputesAbi,
        functionName: "drawCommittee",
        args: [d.jobId, d.terms],
        account: d.address.keeper,
      } as const;
      const atLatest = await d.publicClient.simulateContract(call).then(
        () => undefined,
        (e: unknown) => decodeContractError(e),
      );
      expect(atLatest).to.be.instanceOf(DisputeSeedNotReadyError);
      const { result } = await simulatingPending(d.clients.keeper).publicClient.simulateContract(call);
      expect(result).to.equal(true);
    });

    it("still reports a revert as the module's verdict", async function () {
      const d = await loadFixture(fixtures.challengedJob);
      const call = {
        address: d.deployment.disputes!,
        abi: hashworkDisputesAbi,
        functionName: "drawCommittee",
        args: [d.jobId, d.terms],
        account: d.address.keeper,
      } as const;
      const error = await simulatingPending(d.clients.keeper)
        .publicClient.simulateContract(call)
        .then(
          () => undefined,
          (e: unknown) => decodeContractError(e),
        );
      expect(error).to.be.instanceOf(DisputeSeedNotReadyError);
    });
  });
});
