import { expect } from "chai";

import { JobState } from "../abi/enums.ts";
import { InvalidParameterError } from "../errors/sdk.ts";
import { isTerminalJobState, jobStateName, jobStatesInMask, jobStateValue } from "./job-state.ts";

describe("job states", function () {
  it("name contract values and back", function () {
    expect(jobStateName(JobState.Submitted)).to.equal("Submitted");
    expect(jobStateValue("Voided")).to.equal(10);
    expect(() => jobStateName(11)).to.throw(InvalidParameterError);
  });

  it("read an expected-states mask", function () {
    const mask = (1n << BigInt(JobState.Open)) | (1n << BigInt(JobState.Claimed));
    expect(jobStatesInMask(mask)).to.deep.equal(["Open", "Claimed"]);
    expect(jobStatesInMask(0n)).to.deep.equal([]);
  });

  it("know which states are final", function () {
    expect(isTerminalJobState("Finalized")).to.equal(true);
    expect(isTerminalJobState("Disputed")).to.equal(false);
  });
});
