import { expect } from "chai";
import { network } from "hardhat";
import { BaseError, encodeAbiParameters, encodeErrorResult, type Hex } from "viem";

import { hashworkMarketAbi } from "../abi/hashwork-market.ts";
import { hashworkTokenAbi } from "../abi/hashwork-token.ts";
import { JobState } from "../abi/enums.ts";
import { createSdkFixtures } from "../../../testkit/fixtures.ts";
import { encodeJobId } from "../utils/job-id.ts";
import { HashworkError } from "./base.ts";
import { ERC20InsufficientAllowanceError, MarketUnexpectedJobStateError, RegistryNotProviderError } from "./contract-errors.ts";
import { ContractRevertError } from "./contract-revert.ts";
import { decodeContractError, decodeRevertData, throwDecoded } from "./decode.ts";

const connection = await network.create();
const fixtures = createSdkFixtures(connection);
const { loadFixture } = connection.networkHelpers;

describe("decodeContractError", function () {
  describe("on errors from a real chain", function () {
    it("decodes a simulation revert into the subclass with typed fields", async function () {
      const d = await loadFixture(fixtures.staked);
      const jobId = encodeJobId({ requester: d.address.requester, nonce: 3n });
      const error = await d.publicClient
        .simulateContract({
          address: d.deployment.market,
          abi: hashworkMarketAbi,
          functionName: "claimJob",
          args: [jobId],
          account: d.address.provider,
        })
        .catch((e: unknown) => e);
      const decoded = decodeContractError(error);
      expect(decoded).to.be.instanceOf(MarketUnexpectedJobStateError);
      expect(decoded).to.be.instanceOf(ContractRevertError);
      expect(decoded).to.be.instanceOf(HashworkError);
      const e = decoded as MarketUnexpectedJobStateError;
      expect(e.jobId).to.equal(jobId);
      expect(e.current).to.equal(JobState.None);
      expect(e.expectedStates).to.equal(1n << BigInt(JobState.Open));
      expect(e.args).to.deep.equal([jobId, JobState.None, 1n << BigInt(JobState.Open)]);
      expect(e.functionName).to.equal("claimJob");
      expect(e.cause).to.equal(error);
      expect(e.message).to.contain(`jobId: ${jobId}`);
    });

    it("decodes a revert raised by a sent transaction (wallet client)", async function () {
      const d = await loadFixture(fixtures.staked);
      const error = await d.wallet.stranger
        .writeContract({ address: d.deployment.market, abi: hashworkMarketAbi, functionName: "claimJob", args: [1n] })
        .catch((e: unknown) => e);
      const decoded = decodeContractError(error);
      expect(decoded).to.be.instanceOf(RegistryNotProviderError);
      expect((decoded as RegistryNotProviderError).account.toLowerCase()).to.equal(d.address.stranger.toLowerCase());
    });

    it("names a token error bubbling up through the market, whose ABI does not declare it", async function () {
      const d = await loadFixture(fixtures.deployed);
      // deposit pulls from the token without an allowance: the token reverts inside the market call.
      const error = await d.publicClient
        .simulateContract({
          address: d.deployment.market,
          abi: hashworkMarketAbi,
          functionName: "deposit",
          args: [d.address.requester, 5n],
          account: d.address.requester,
        })
        .catch((e: unknown) => e);
      const decoded = decodeContractError(error) as ERC20InsufficientAllowanceError;
      expect(decoded).to.be.instanceOf(ERC20InsufficientAllowanceError);
      expect(decoded.spender).to.equal(d.deployment.market);
      expect(decoded.allowance).to.equal(0n);
      expect(decoded.needed).to.equal(5n);
    });
  });

  describe("on raw revert data", function () {
    it("decodes every known selector", function () {
      const data = encodeErrorResult({
        abi: hashworkTokenAbi,
        errorName: "ERC20InsufficientAllowance",
        args: [`0x${"11".repeat(20)}`, 1n, 2n],
      });
      const e = decodeRevertData(data) as ERC20InsufficientAllowanceError;
      expect(e).to.be.instanceOf(ERC20InsufficientAllowanceError);
      expect(e.needed).to.equal(2n);
      expect(e.selector).to.equal(ERC20InsufficientAllowanceError.selector);
      expect(e.data).to.equal(data);
    });

    it("reads Error(string) and Panic(uint256) into a generic ContractRevertError", function () {
      const reason = decodeRevertData(`0x08c379a0${encodeAbiParameters([{ type: "string" }], ["nope"]).slice(2)}` as Hex);
      expect(reason.constructor).to.equal(ContractRevertError);
      expect(reason.reason).to.equal("nope");
      const panic = decodeRevertData(`0x4e487b71${encodeAbiParameters([{ type: "uint256" }], [0x11n]).slice(2)}` as Hex);
      expect(panic.reason).to.equal("panic code 0x11");
    });

    it("keeps an unknown selector's data on a generic ContractRevertError", function () {
      const e = decodeRevertData("0xdeadbeef00");
      expect(e.constructor).to.equal(ContractRevertError);
      expect(e.errorName).to.equal(undefined);
      expect(e.data).to.equal("0xdeadbeef00");
      expect(e.shortMessage).to.equal("The contract reverted with an unknown error");
    });

    it("finds revert data nested in the cause chain of a non-viem error", function () {
      const data = encodeErrorResult({ abi: hashworkMarketAbi, errorName: "MarketZeroReward" });
      const wrapped = new Error("outer", { cause: Object.assign(new Error("provider"), { data }) });
      expect(decodeContractError(wrapped)?.constructor.name).to.equal("MarketZeroRewardError");
    });
  });

  describe("on errors that are not reverts", function () {
    it("returns undefined, and throwDecoded rethrows them unchanged", function () {
      const network = new BaseError("HTTP request failed");
      expect(decodeContractError(network)).to.equal(undefined);
      expect(decodeContractError("oops")).to.equal(undefined);
      expect(() => throwDecoded(network)).to.throw(network);
    });
  });
});
