import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { infiniteLoop, okProgram } from "../../../testkit/wat-programs.ts";
import { DEFAULT_LIMITS } from "../executor/abi.ts";
import { createInstrumenter, type Instrumenter } from "../executor/instrumenter.ts";
import { createInstrumentedStore } from "./instrumented-store.ts";

const refusing: Instrumenter = {
  instrument: () => Promise.reject(new Error("binaryen used")),
  warm: () => {
    throw new Error("binaryen booted");
  },
  close: async () => {},
};

/** `inner` with its calls counted. */
function counting(inner: Instrumenter) {
  const calls = { instrument: 0, warm: 0 };
  const wrapped: Instrumenter = {
    instrument: (wasm, limits) => {
      calls.instrument++;
      return inner.instrument(wasm, limits);
    },
    warm: () => {
      calls.warm++;
      inner.warm();
    },
    close: () => inner.close(),
  };
  return { wrapped, calls };
}

describe("daemon instrumented-program store (binaryen's output kept across restarts)", function () {
  this.timeout(60_000);
  let dir: string;
  const binaryen = createInstrumenter();
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hashwork-instrumented-"));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));
  after(() => binaryen.close());

  it("gives a restarted daemon its programs without binaryen, the same bytes, and does not boot binaryen for them", async function () {
    const wasm = okProgram();
    const first = counting(binaryen);
    const before = createInstrumentedStore({ dir, inner: first.wrapped });
    before.warm(); // empty folder: binaryen is wanted soon
    expect(first.calls.warm).to.equal(1);
    const instrumented = await before.instrument(wasm, DEFAULT_LIMITS);
    expect(first.calls.instrument).to.equal(1);
    expect(Buffer.from(instrumented)).to.deep.equal(Buffer.from(await binaryen.instrument(wasm, DEFAULT_LIMITS)));

    // "Restart": a new store on the same folder, whose binaryen must not be used.
    const refuse: Instrumenter = {
      instrument: () => Promise.reject(new Error("binaryen used")),
      warm: () => {
        throw new Error("binaryen booted");
      },
      close: async () => {},
    };
    const after = createInstrumentedStore({ dir, inner: refuse });
    after.warm();
    expect(Buffer.from(await after.instrument(wasm, DEFAULT_LIMITS))).to.deep.equal(Buffer.from(instrumented));
    expect(after.hits).to.equal(1);
    // Other limits baked into the code are another module.
    await after.instrument(wasm, { ...DEFAULT_LIMITS, maxMemoryPages: DEFAULT_LIMITS.maxMemoryPages - 1 }).then(
      () => expect.fail("instrumented from the wrong file"),
      (error: Error) => expect(error.message).to.equal("binaryen used"),
    );
  });

  it("never runs a torn file: it is deleted and the program instrumented again", async function () {
    const wasm = okProgram();
    const first = counting(binaryen);
    const store = createInstrumentedStore({ dir, inner: first.wrapped });
    const instrumented = await store.instrument(wasm, DEFAULT_LIMITS);
    const [file] = (await readdir(dir)).filter((f) => f.endsWith(".wasm"));
    const bytes = await readFile(join(dir, file!));
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(join(dir, file!), bytes);
    expect(Buffer.from(await store.instrument(wasm, DEFAULT_LIMITS))).to.deep.equal(Buffer.from(instrumented));
    expect(first.calls.instrument).to.equal(2);
    expect(store.hits).to.equal(0);
    // Rewritten whole: the next read is a hit.
    await store.instrument(wasm, DEFAULT_LIMITS);
    expect(store.hits).to.equal(1);
  });

  it("deletes another key's modules (an upgraded instrumenter) and files a kill left, and boots binaryen when only those were there", async function () {
    const wasm = okProgram();
    const store = createInstrumentedStore({ dir, inner: binaryen });
    await store.instrument(wasm, DEFAULT_LIMITS);
    const [current] = await readdir(dir);
    // What an older instrumenter (another code fingerprint) and a kill -9 mid-write leave behind.
    const stale = current!.replace(/\.code-[0-9a-f]+\.wasm$/, ".code-0123456789abcdef.wasm");
    await writeFile(join(dir, stale), await readFile(join(dir, current!)));
    await writeFile(join(dir, `${current}.123.tmp`), "torn");
    await rm(join(dir, current!));

    const next = counting(binaryen);
    const restarted = createInstrumentedStore({ dir, inner: next.wrapped });
    expect(await readdir(dir)).to.deep.equal([]);
    restarted.warm();
    expect(next.calls.warm).to.equal(1);
    await restarted.instrument(wasm, DEFAULT_LIMITS);
    expect(next.calls.instrument).to.equal(1);
  });

  it("keeps the folder under its byte budget, the least recently used module out first", async function () {
    const a = okProgram();
    const b = infiniteLoop();
    const store = createInstrumentedStore({ dir, inner: binaryen });
    await store.instrument(a, DEFAULT_LIMITS);
    const [fileA] = await readdir(dir);
    await store.instrument(b, DEFAULT_LIMITS);
    const fileB = (await readdir(dir)).find((f) => f !== fileA)!;
    const size = (await stat(join(dir, fileA!))).size + (await stat(join(dir, fileB))).size;
    // a written before b (mtime order is what a restart sees): one byte short of both, so a goes.
    await utimes(join(dir, fileA!), new Date(1000), new Date(1000));
    const small = createInstrumentedStore({ dir, inner: refusing, maxBytes: size - 1 });
    expect(await readdir(dir)).to.deep.equal([fileB]);
    expect(small.hits).to.equal(0);
    await small.instrument(b, DEFAULT_LIMITS);
    expect(small.hits).to.equal(1);
  });
});
