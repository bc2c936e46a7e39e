// Real workloads as jobs end to end with real processes: the ray tracer (C) and the digit
// classifier (Rust) of sdk/programs/workloads/ built with `hashwork program build` (Debian clang
// or @yowasp/clang; Debian rustc), posted with `hashwork job post --arg --file` on a `hardhat node`,
// run by a provider daemon child process, and fetched with `hashwork job result`, which verifies
// the output against the committed result hash and shows the exit code (a bad tile is exit 2).
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { hdAccount, privateKeyOf, startDaemonProcess, waitForStates, writeDaemonConfig } from "../../../testkit/local-cluster.ts";
import { jsonOf, runCli } from "../../../testkit/cli.ts";
import { useDaemonTestbed } from "../../../testkit/daemon-testbed.ts";
import {
  classifyDigit,
  digitSamples,
  encodeDigitBatch,
  encodeDigitModel,
  trainDigitModel,
  type DigitsOutput,
} from "../../../testkit/workloads.ts";
import { decodeMandelbrotTile } from "../programs/mandelbrot.ts";

const REQUESTER = 1;
const PROVIDER = 2;
const SOURCES = fileURLToPath(new URL("../../programs/workloads/", import.meta.url));
type Result = { status: string; exitCode: number; resultHash: string; verified: boolean };

describe("daemon runs the C ray tracer and the Rust digit classifier posted with the CLI (hardhat node + daemon child process)", function () {
  this.timeout(240_000);
  const t = useDaemonTestbed("workloads", [PROVIDER]);

  it("job post → daemon → job result: a tile, a classified batch and a refused tile (exit 2), each verified", async function () {
    const raytrace = join(t.dir, "raytrace.wasm");
    const digits = join(t.dir, "digits.wasm");
    for (const [source, out] of [
      ["raytrace/raytrace.c", raytrace],
      ["digits/digits.rs", digits],
    ] as const) {
      const built = await runCli(["program", "build", join(SOURCES, source), "-o", out, "--json"]);
      expect(built.stderr, `${source} builds`).to.not.match(/apt-get|error/);
      expect(jsonOf<{ abi: number }>(built).abi).to.equal(2);
    }
    const model = trainDigitModel();
    const batch = digitSamples(200, 7);
    await writeFile(join(t.dir, "model.bin"), encodeDigitModel(model));
    await writeFile(join(t.dir, "batch.bin"), encodeDigitBatch(batch));

    t.daemons.push(startDaemonProcess(await writeDaemonConfig(t.system, { dir: t.dir, name: "provider", index: PROVIDER })));
    const chain = ["--rpc", t.node.url, "--market", t.system.deployment.market];
    const env = { HASHWORK_PRIVATE_KEY: privateKeyOf(hdAccount(REQUESTER)) };
    const post = async (program: string, bundle: string[]) =>
      jsonOf<{ jobId: string }>(
        await runCli(
          [
            "job",
            "post",
            "--program",
            program,
            ...bundle,
            "--reward",
            "2",
            "--fuel",
            "500000000",
            "--store",
            join(t.dir, "requester"),
            "--public-url",
            t.server.url!,
            "--json",
            ...chain,
          ],
          { env },
        ),
      ).jobId;
    const tile = ["96", "64", "0", "0", "48", "32"];
    const jobs = {
      tile: await post(
        raytrace,
        tile.flatMap((a) => ["--arg", a]),
      ),
      digits: await post(digits, [
        "--arg",
        "model.bin",
        "--arg",
        "batch.bin",
        "--file",
        `model.bin=${join(t.dir, "model.bin")}`,
        "--file",
        `batch.bin=${join(t.dir, "batch.bin")}`,
      ]),
      badTile: await post(
        raytrace,
        ["96", "64", "90", "0", "48", "32"].flatMap((a) => ["--arg", a]),
      ),
    };
    await waitForStates(t.system, Object.values(jobs).map(BigInt), 120_000, ["Submitted", "Finalized"]);

    const result = async (jobId: string, out: string) =>
      jsonOf<Result>(
        await runCli(["job", "result", jobId, "-o", join(t.dir, out), "--allow-hosts", "127.0.0.1", "--json", ...chain], { env }),
      );

    expect(await result(jobs.tile, "tile.bin")).to.include({ status: "Ok", exitCode: 0, verified: true });
    const decoded = decodeMandelbrotTile(new Uint8Array(await readFile(join(t.dir, "tile.bin"))));
    expect([decoded.tileWidth, decoded.tileHeight, decoded.imageWidth, decoded.imageHeight]).to.deep.equal([48, 32, 96, 64]);
    // The same bytes as a local run of the same program and arguments.
    const local = await runCli(["program", "run", raytrace, ...tile.flatMap((a) => ["--arg", a]), "-o", join(t.dir, "local.bin")]);
    expect(local.code).to.equal(0);
    expect(await readFile(join(t.dir, "local.bin"))).to.deep.equal(await readFile(join(t.dir, "tile.bin")));

    expect(await result(jobs.digits, "digits.json")).to.include({ status: "Ok", exitCode: 0, verified: true });
    const output = JSON.parse(await readFile(join(t.dir, "digits.json"), "utf8")) as DigitsOutput;
    expect(output.predicted).to.deep.equal(batch.map((s) => classifyDigit(model, s.pixels)));

    expect(await result(jobs.badTile, "bad.bin")).to.include({ status: "Exited", exitCode: 2, verified: true });
    expect(await readFile(join(t.dir, "bad.bin"), "utf8")).to.equal("");
  });
});
