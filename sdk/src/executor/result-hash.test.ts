import { expect } from "chai";
import { encodeAbiParameters, keccak256, toBytes } from "viem";

import { ExecutionStatus, computeResultHash } from "./result-hash.ts";

describe("computeResultHash", function () {
  it("hashes abi.encode(outputHash, fuelUsed, status)", function () {
    const outputHash = keccak256(toBytes("hello"));
    const expected = keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint64" }, { type: "uint8" }], [outputHash, 7n, 1]));
    expect(computeResultHash(outputHash, 7n, ExecutionStatus.OutOfFuel)).to.equal(expected);
  });

  it("gives a different commitment for a different status", function () {
    const outputHash = keccak256(toBytes("hello"));
    expect(computeResultHash(outputHash, 7n, ExecutionStatus.Ok)).to.not.equal(computeResultHash(outputHash, 7n, ExecutionStatus.Trapped));
  });
});
