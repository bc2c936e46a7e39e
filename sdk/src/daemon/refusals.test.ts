import { expect } from "chai";

import { createRefusalMemory } from "./refusals.ts";

describe("refusal memory (refused content, throttled requesters)", function () {
  const settings = { rememberMs: 60_000, maxPerRequester: 3, windowMs: 10_000, skipMs: 30_000 };

  it("remembers refused content by key until rememberMs has passed", function () {
    let now = 1_000_000;
    const memory = createRefusalMemory(settings, () => now);
    memory.remember("uri:0xabc@http://10.0.0.1/x", "ContentUriRefusedError: Content URI refused");
    expect(memory.known(["hash:0x1", "uri:0xabc@http://10.0.0.1/x"])).to.match(/refused/);
    expect(memory.known(["uri:0xdef@http://10.0.0.1/x"])).to.equal(undefined);
    now += 60_001;
    expect(memory.known(["uri:0xabc@http://10.0.0.1/x"])).to.equal(undefined);
  });

  it("skips a requester once (one skipped=true) after maxPerRequester failures within the window, then lets it back", function () {
    let now = 1_000_000;
    const memory = createRefusalMemory(settings, () => now);
    const requester = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    expect(memory.failed(requester)).to.deep.equal({ skipped: false, count: 1 });
    now += 11_000; // the first one left the window
    expect(memory.failed(requester).count).to.equal(1);
    expect(memory.failed(requester).count).to.equal(2);
    expect(memory.skippedUntil(requester)).to.equal(undefined);
    expect(memory.failed(requester.toLowerCase())).to.deep.equal({ skipped: true, count: 3 });
    expect(memory.skippedUntil(requester)).to.equal(now + 30_000);
    // Failures while skipped (jobs already being prepared) do not log the skip again.
    expect(memory.failed(requester).skipped).to.equal(false);
    expect(memory.skippedUntil("0x0000000000000000000000000000000000000001")).to.equal(undefined);
    now += 30_001;
    expect(memory.skippedUntil(requester)).to.equal(undefined);
  });

  it("never skips with maxPerRequester 0", function () {
    const memory = createRefusalMemory({ ...settings, maxPerRequester: 0 });
    for (let i = 0; i < 10; i++) expect(memory.failed("0x01").skipped).to.equal(false);
    expect(memory.skippedUntil("0x01")).to.equal(undefined);
  });
});
