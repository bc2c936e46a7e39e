// A committee dispute over an ABI v2 (WASI) result, end to end with real processes: one
// `hardhat node`, the system deployed, a provider daemon with `corruptResults` on, a watcher
// daemon (also the keeper) that re-executes every result, and two bonded verifier daemons (a
// committee of three seats drawn with replacement). The program is an ordinary WASI command that
// reads its args, draws from `random_get` (seeded by the job id, so only the right job id gives
// the honest hash) and writes a file in `/out`: every verifier must re-execute it the same way.
// A second job's program imports a function outside WASI preview 1: the provider refuses it
// before claiming, and its log names the import.
import { join } from "node:path";

import { expect } from "chai";
import { getAddress, type Address, type Hex } from "viem";
import { getProvider } from "../actions/auditor/get-provider.ts";
import { postJobs } from "../actions/requester/post-jobs.ts";
import { uploadJobContent } from "../actions/requester/upload-job-content.ts";
import { createExecutor } from "../executor/executor.ts";
import { ExecutionStatus } from "../executor/result-hash.ts";
import { encodeBundle } from "../executor/wasi-bundle.ts";
import { decodeOutput } from "../executor/wasi-out.ts";
import { createLocalStore } from "../store/local.ts";
import { readJobState } from "../utils/results.ts";
import { disputeEvents, hdAccount, logRecords, marketEvents, startDaemonProcess, waitFor } from "../../../testkit/local-cluster.ts";
import { committeeConfigs, useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";
import { wasiProgram } from "../../../testkit/wasi-programs.ts";
import { wat } from "../../../testkit/wat-programs.ts";

const TOKEN = 10n ** 18n;
const REQUESTER = 1;
const PROVIDER = 2;
const WATCHER = 3;
const VERIFIERS = [4, 5];
const REWARD = 10n * TOKEN;
const COLLATERAL = REWARD; // collateralPct 100
const FUEL = 100_000_000n;

const address = (index: number): Address => getAddress(hdAccount(index).address);

/** `_start`: writes 32 bytes of `random_get` to `out/random.bin` and `argc` to stdout. */
const program = () =>
  wasiProgram(
    `(drop (call $args_sizes_get (i32.const 2016) (i32.const 2020)))
     (call $emit (i32.load (i32.const 2016)))
     (call $emit (call $random_get (i32.const 4096) (i32.const 32)))
     (call $emit (call $path_open (i32.const 3) (i32.const 0) (i32.const 2048) (i32.const 14) (i32.const 1)
       (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 2024)))
     (i32.store (i32.const 2000) (i32.const 4096)) (i32.store (i32.const 2004) (i32.const 32))
     (call $emit (call $fd_write (i32.load (i32.const 2024)) (i32.const 2000) (i32.const 1) (i32.const 2028)))`,
    ["args_sizes_get", "random_get", "path_open"],
    `(data (i32.const 2048) "out/random.bin")`,
  );

/** A WASI command that also imports a function outside preview 1: refused before claiming. */
const outsideProfile = () =>
  wat(`(module (import "wasi_snapshot_preview1" "sock_open" (func (param i32 i32 i32) (result i32)))
    (memory (export "memory") 1) (func (export "_start")))`);

describe("a committee dispute over an ABI v2 result (hardhat node + four daemon child processes)", function () {
  this.timeout(150_000);
  // No audit lottery: the job must reach its dispute through the watcher's challenge.
  const t = useDaemonTestbed("dispute-wasi", [PROVIDER], { verifiers: VERIFIERS, auditLottery: false });
  const run = {} as {
    jobId: bigint;
    honest: Hex;
    honestOutput: Uint8Array;
    honestStatus: number;
    providerHash: Hex;
    disputeEvents: Awaited<ReturnType<typeof disputeEvents>>;
    marketEvents: Awaited<ReturnType<typeof marketEvents>>;
    stakedBefore: bigint;
    stakedAfter: bigint;
    disputesLost: number;
    badJobId: bigint;
    refusal: Record<string, unknown> | undefined;
    badState: string;
  };

  before(async function () {
    const { system } = t;
    const configs = await committeeConfigs(t, { provider: PROVIDER, watcher: WATCHER, verifiers: VERIFIERS });
    t.daemons.push(...configs.verifiers.map((f) => startDaemonProcess(f)), startDaemonProcess(configs.watcher));
    const provider = startDaemonProcess(configs.provider);
    t.daemons.push(provider);

    const wasm = program();
    const input = encodeBundle({ args: ["--seeded-by", "job-id"] });
    const requester = system.clientFor(REQUESTER);
    const content = await uploadJobContent(requester, { store: createLocalStore({ dir: join(t.dir, "requester") }), program: wasm, input });
    run.stakedBefore = (await getProvider(requester, { provider: address(PROVIDER), includeProfile: false })).staked;
    const { jobIds } = await postJobs(requester, {
      jobs: [
        {
          programHash: content.programHash,
          inputHash: content.inputHash,
          programURI: t.server.uriFor(content.programHash),
          inputURI: t.server.uriFor(content.inputHash),
          fuelLimit: FUEL,
          reward: REWARD,
          collateralPct: 100,
          executionTime: 120,
          challengeWindow: 30,
        },
      ],
    });
    run.jobId = jobIds[0]!;
    // A second job whose program imports outside the profile: the provider must refuse it unclaimed.
    const bad = await uploadJobContent(requester, {
      store: createLocalStore({ dir: join(t.dir, "requester") }),
      program: outsideProfile(),
      input,
    });
    const posted = await postJobs(requester, {
      jobs: [
        {
          programHash: bad.programHash,
          inputHash: bad.inputHash,
          programURI: t.server.uriFor(bad.programHash),
          inputURI: t.server.uriFor(bad.inputHash),
          fuelLimit: FUEL,
          reward: REWARD,
          collateralPct: 100,
          executionTime: 120,
          challengeWindow: 30,
        },
      ],
    });
    run.badJobId = posted.jobIds[0]!;

    // The honest result, computed here with the job's id, independently of every daemon.
    const executor = createExecutor({ threads: 1 });
    const honest = await executor.run({ wasm, input, fuelLimit: FUEL, jobId: run.jobId }).finally(() => executor.close());
    [run.honest, run.honestOutput, run.honestStatus] = [honest.resultHash, honest.output, honest.status];

    await waitFor(
      "the job overturned",
      async () => ((await readJobState(requester, run.jobId)) === "Overturned" ? true : undefined),
      100_000,
      250,
    );
    run.marketEvents = await marketEvents(system);
    run.disputeEvents = await disputeEvents(system);
    run.providerHash = (run.marketEvents.find((l) => l.eventName === "ResultSubmitted")!.args as { resultHash: Hex }).resultHash;
    const after = await getProvider(requester, { provider: address(PROVIDER), includeProfile: false });
    [run.stakedAfter, run.disputesLost] = [after.staked, after.reputation.disputesLost];
    expect(logRecords(provider).some((r) => r.msg === "corruptResults is on: committing a wrong result")).to.equal(true);
    run.refusal = await waitFor(
      "the refusal of the out-of-profile program",
      () => logRecords(provider).find((r) => r.msg === "job refused" && String(r.job_id) === String(run.badJobId)),
      30_000,
    );
    run.badState = await readJobState(requester, run.badJobId);
  });

  const events = (name: string) => run.disputeEvents.filter((l) => l.eventName === name);

  it("the honest result is a v2 output with a file from /out, seeded by the job id", function () {
    expect(run.honestStatus).to.equal(ExecutionStatus.Ok);
    const { stdout, files } = decodeOutput(run.honestOutput);
    expect(new DataView(stdout.buffer, stdout.byteOffset).getInt32(0, true)).to.equal(3); // argc
    expect(files.get("random.bin")).to.have.length(32);
  });

  it("a v2 module importing outside the profile was refused before claiming, with an error naming the import", function () {
    expect(run.badState).to.equal("Open");
    const error = run.refusal!.error as { name: string; message: string };
    expect(error.name).to.equal("ForbiddenImportError");
    expect(error.message).to.contain("sock_open");
  });

  it("the provider committed a wrong result; the watcher challenged it with the honest hash", function () {
    expect(run.providerHash).to.not.equal(run.honest);
    const opened = events("DisputeOpened");
    expect(opened).to.have.length(1);
    expect(opened[0]!.args).to.include({
      jobId: run.jobId,
      challenger: address(WATCHER),
      providerHash: run.providerHash,
      challengerHash: run.honest,
    });
  });

  it("the committee re-executed the v2 program, every seat revealed the honest hash, and the provider was slashed", function () {
    expect(events("CommitteeDrawn")).to.have.length(1);
    const reveals = events("VoteRevealed").map((l) => (l.args as { resultHash: Hex }).resultHash);
    expect(reveals.length).to.be.greaterThan(0);
    expect(new Set(reveals)).to.deep.equal(new Set([run.honest]));
    const resolved = events("DisputeResolved");
    expect(resolved).to.have.length(1);
    expect(resolved[0]!.args).to.include({ providerRight: false, challengerRight: true, winningHash: run.honest });
    expect(run.stakedBefore - run.stakedAfter).to.equal(COLLATERAL);
    expect(run.disputesLost).to.equal(1);
  });
});
