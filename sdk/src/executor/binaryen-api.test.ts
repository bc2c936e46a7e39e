import { readFileSync } from "node:fs";

import { expect } from "chai";

import { ExpressionId, Operation, binaryen } from "./binaryen-api.ts";
import { RELAXED_OPERATION_NAMES } from "./features.ts";
import { NAN_OPERATION_NAMES } from "./nan-canonicalization.ts";

// The instrumenter leans on parts of binaryen.js that its typings omit. These tests pin them, so
// a binaryen upgrade that renames or renumbers anything fails here rather than mis-instrumenting.
describe("binaryen API used by the instrumenter", function () {
  it("has every raw C API function the facade declares", function () {
    const source = readFileSync(new URL("./binaryen-api.ts", import.meta.url), "utf8");
    const names = [...new Set(source.match(/_Binaryen\w+/g))];
    expect(names.length).to.be.greaterThan(100);
    const missing = names.filter((name) => typeof (binaryen as unknown as Record<string, unknown>)[name] !== "function");
    expect(missing).to.deep.equal([]);
  });

  it("has every expression id and operation the executor names", function () {
    for (const [name, id] of Object.entries(ExpressionId)) expect(id, name).to.be.a("number");
    expect(ExpressionId.Nop).to.not.equal(ExpressionId.Block);
    const opNames = [...Object.values(NAN_OPERATION_NAMES).flat(), ...Object.values(RELAXED_OPERATION_NAMES).flat()];
    const missing = opNames.filter((name) => typeof Operation[name] !== "number");
    expect(missing).to.deep.equal([]);
  });
});
