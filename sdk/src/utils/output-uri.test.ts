import { expect } from "chai";
import { keccak256, stringToBytes } from "viem";

import { InvalidParameterError } from "../errors/sdk.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";
import { expectRejection } from "../../../testkit/assertions.ts";
import { decodeOutputUri, encodeOutputUri } from "./output-uri.ts";

const OUTCOME = { outputHash: keccak256(stringToBytes("out")), fuelUsed: 1234n, status: ExecutionStatus.OutOfFuel };

describe("encodeOutputUri / decodeOutputUri", function () {
  it("round-trip, replacing an existing fragment", function () {
    const uri = encodeOutputUri("http://p.example/content/x#old", OUTCOME);
    expect(uri).to.equal(`http://p.example/content/x#hashwork-outcome=${OUTCOME.outputHash}.1234.1`);
    expect(decodeOutputUri(uri)).to.deep.equal({ uri: "http://p.example/content/x", outcome: OUTCOME });
  });

  it("keep the largest uint64 fuel", function () {
    const max = { ...OUTCOME, fuelUsed: (1n << 64n) - 1n };
    expect(decodeOutputUri(encodeOutputUri("", max)).outcome).to.deep.equal(max);
  });

  it("decode no outcome from a URI without one, or with a malformed one", function () {
    expect(decodeOutputUri("http://p.example/a")).to.deep.equal({ uri: "http://p.example/a", outcome: undefined });
    expect(decodeOutputUri("http://p.example/a#other=1").outcome).to.equal(undefined);
    expect(decodeOutputUri(`x#hashwork-outcome=${OUTCOME.outputHash}.1.9`).outcome).to.equal(undefined); // no status 9
    expect(decodeOutputUri(`x#hashwork-outcome=${OUTCOME.outputHash}.${1n << 64n}.0`).outcome).to.equal(undefined);
  });

  it("carry an ABI v2 exit code for Exited, and only then", async function () {
    const exited = { ...OUTCOME, status: ExecutionStatus.Exited, exitCode: 3 };
    const uri = encodeOutputUri("x", exited);
    expect(uri).to.equal(`x#hashwork-outcome=${OUTCOME.outputHash}.1234.4.3`);
    expect(decodeOutputUri(uri).outcome).to.deep.equal(exited);
    expect(decodeOutputUri(`x#hashwork-outcome=${OUTCOME.outputHash}.1234.4`).outcome).to.equal(undefined); // Exited needs a code
    expect(decodeOutputUri(`x#hashwork-outcome=${OUTCOME.outputHash}.1234.4.0`).outcome).to.equal(undefined); // exit 0 is Ok
    expect(decodeOutputUri(`x#hashwork-outcome=${OUTCOME.outputHash}.1234.0.3`).outcome).to.equal(undefined); // Ok has none
    expect(decodeOutputUri(`x#hashwork-outcome=${OUTCOME.outputHash}.1234.4.4294967296`).outcome).to.equal(undefined);
    await expectRejection(
      Promise.resolve().then(() => encodeOutputUri("x", { ...OUTCOME, status: ExecutionStatus.Exited })),
      InvalidParameterError,
    );
    await expectRejection(
      Promise.resolve().then(() => encodeOutputUri("x", { ...OUTCOME, exitCode: 2 })),
      InvalidParameterError,
    );
  });

  it("refuse to encode an invalid outcome", async function () {
    const bad = () => encodeOutputUri("x", { ...OUTCOME, fuelUsed: -1n });
    await expectRejection(Promise.resolve().then(bad), InvalidParameterError);
  });
});
