// suggestReward's weighting alone (no chain): what a Sybil must hold to move the suggestion.
import { expect } from "chai";

import { suggestReward } from "./suggest-reward.ts";

type P = { floor: bigint; feesPaid: bigint; free: bigint; excluded?: "fuel" | "stake" };
const takes = (p: P, reward: bigint) => p.excluded === undefined && p.floor <= reward;
const levels = (ps: P[]) => [...new Set(ps.map((p) => p.floor))].sort((a, b) => (a < b ? -1 : 1));
const honest: P[] = [
  { floor: 100n, feesPaid: 10n, free: 1_000n },
  { floor: 200n, feesPaid: 10n, free: 1_000n },
];
const fakes = (n: number, fee = 0n): P[] => Array.from({ length: n }, () => ({ floor: 1n, feesPaid: fee, free: 100n }));

describe("suggestReward", function () {
  it("weights by fees paid: any number of fakes without fees leaves the honest providers' price", function () {
    const ps = [...honest, ...fakes(1000)];
    expect(suggestReward(ps, levels(ps), takes)).to.deep.equal({ reward: 100n, weightedBy: "fees" });
  });

  it("moves only when the fakes paid as much in fees as the honest providers", function () {
    const below = [...honest, ...fakes(19, 1n)];
    expect(suggestReward(below, levels(below), takes).reward).to.equal(100n);
    const matched = [...honest, ...fakes(20, 1n)];
    expect(suggestReward(matched, levels(matched), takes).reward).to.equal(1n);
  });

  it("weights by free stake while nobody paid fees: moving it takes as much stake as the honest providers hold", function () {
    const fresh = honest.map((p) => ({ ...p, feesPaid: 0n }));
    const nineteen = [...fresh, ...fakes(19)];
    expect(suggestReward(nineteen, levels(nineteen), takes)).to.deep.equal({ reward: 100n, weightedBy: "stake" });
    const twenty = [...fresh, ...fakes(20)];
    expect(suggestReward(twenty, levels(twenty), takes).reward).to.equal(1n);
  });

  it("one fake that paid a single small fee in a new market does not take the weighting over", function () {
    const fresh = honest.map((p) => ({ ...p, feesPaid: 0n }));
    const ps = [...fresh, ...fakes(1, 1n)];
    expect(suggestReward(ps, levels(ps), takes)).to.deep.equal({ reward: 100n, weightedBy: "stake" });
  });

  it("counts only willing providers, and suggests nothing when none takes the job", function () {
    const ps: P[] = [{ floor: 1n, feesPaid: 1_000n, free: 1n, excluded: "stake" }, ...honest];
    expect(suggestReward(ps, levels(ps.filter((p) => !p.excluded)), takes).reward).to.equal(100n);
    expect(suggestReward([], [], takes)).to.deep.equal({ reward: undefined, weightedBy: "stake" });
  });
});
