import { spawn, spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseExportArgs } from "../../electron/headless/cli/export-args";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { EXPECTED_DOCUMENT } from "../fixtures/small-dataset-expected";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres-database";

/*
 * Issue 10 item 1 and 12: the export CLI's target file and its command line. A target
 * that exists and is not a regular file is refused before any export work (no Tinybird
 * request, nothing written beside it); SIGTERM cleans up like Ctrl-C. FIFOs and
 * directories in a temp folder stand in for devices: never a real device.
 */

const REPO = resolve(fileURLToPath(import.meta.url), "../../..");
const TOKEN = "tb-cli-target";

let database: TestDatabase;
let emulator: TinybirdEmulator;
let outDir: string;

beforeAll(async () => {
  database = await createTestDatabase("cli_target", seedSmallDataset);
  emulator = new TinybirdEmulator({ token: TOKEN, data: smallEmulatorData });
  await emulator.start();
});
afterAll(async () => {
  await emulator?.stop();
  await database?.drop();
});
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), "vec-cli-target-"));
  emulator.log.length = 0;
});
afterEach(() => {
  emulator.latencyMs = 0;
  rmSync(outDir, { recursive: true, force: true });
});

interface CliRun {
  code: number | null;
  stderr: string;
}

function runCli(args: string[], onStderr?: (text: string, signal: (name: NodeJS.Signals) => void) => void): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url, TINYBIRD_HOST: emulator.url, TINYBIRD_TOKEN: TOKEN };
  delete env.REDIS_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "electron/headless/cli/export-command.ts", ...args], { cwd: REPO, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    onStderr?.(stderr, (name) => child.kill(name));
  });
  return new Promise((resolvePromise, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolvePromise({ code, stderr }));
  });
}

const documentArgs = (out: string) => ["--type", "document", "--team", "t1", "--resource", "d1", "--out", out, "--min-time", "0"];
const errorLines = (run: CliRun) => run.stderr.split("\n").filter((line) => line.startsWith("error:"));

function makeFifo(path: string): void {
  const made = spawnSync("mkfifo", [path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr.toString()}`);
}

describe("export CLI target file", () => {
  it("refuses a FIFO at --out before any export work and leaves it a FIFO", async () => {
    const fifo = join(outDir, "pipe.csv");
    makeFifo(fifo);
    const run = await runCli(documentArgs(fifo));
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([`error: ${fifo} is a FIFO, not a regular file: choose a new file name or an existing regular file`]);
    expect(emulator.log).toEqual([]);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(outDir)).toEqual(["pipe.csv"]);
  });

  it("refuses a symlink to a FIFO and leaves both as they were", async () => {
    const fifo = join(outDir, "pipe");
    const link = join(outDir, "link.csv");
    makeFifo(fifo);
    symlinkSync(fifo, link);
    const run = await runCli(documentArgs(link));
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([`error: ${link} is a FIFO, not a regular file: choose a new file name or an existing regular file`]);
    expect(emulator.log).toEqual([]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(outDir).sort()).toEqual(["link.csv", "pipe"]);
  });

  it("fails at once on an existing directory, with no Tinybird request", async () => {
    const directory = join(outDir, "exports");
    mkdirSync(directory);
    const run = await runCli(documentArgs(directory));
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([`error: ${directory} is a directory, not a regular file: choose a new file name or an existing regular file`]);
    expect(emulator.log).toEqual([]);
    expect(readdirSync(outDir)).toEqual(["exports"]);
    expect(readdirSync(directory)).toEqual([]);
  });

  it("still replaces an existing regular file with the complete CSV", async () => {
    const out = join(outDir, "old.csv");
    writeFileSync(out, "yesterday's export\n");
    const run = await runCli(documentArgs(out));
    expect(errorLines(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(EXPECTED_DOCUMENT);
  });

  it("cleans up on SIGTERM like on Ctrl-C: exit 143, no file at --out, no partial file", async () => {
    emulator.latencyMs = 5000; // the export is mid-way when the signal comes
    const out = join(outDir, "terminated.csv");
    let sent = false;
    let partialSeen = false;
    const run = await runCli(documentArgs(out), (text, signal) => {
      if (!sent && text.includes("exporting document")) {
        sent = true;
        setTimeout(() => {
          partialSeen = readdirSync(outDir).some((name) => name.endsWith(".partial"));
          signal("SIGTERM");
        }, 300);
      }
    });
    expect(sent).toBe(true);
    expect(partialSeen).toBe(true);
    expect(run.code).toBe(143);
    expect(run.stderr).toMatch(/^interrupted: .* was not written$/m);
    expect(readdirSync(outDir)).toEqual([]);
  });
});

describe("export CLI command line", () => {
  const ENV = { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/papermark", TINYBIRD_TOKEN: "p.token" };
  const DOCUMENT = ["--type", "document", "--team", "t1", "--resource", "d1", "--out", "visits.csv"];

  it("says a negative --max-concurrent is below the minimum, not that the argument is ambiguous", () => {
    expect(parseExportArgs([...DOCUMENT, "--max-concurrent", "-1"], ENV)).toEqual({ kind: "usage-error", message: "--max-concurrent must be at least 1" });
    expect(parseExportArgs([...DOCUMENT, "--min-time", "-5"], ENV)).toEqual({ kind: "usage-error", message: "--min-time must be at least 0" });
  });

  it("still asks for a value when an option is followed by another option", () => {
    const result = parseExportArgs(["--type", "document", "--team", "t1", "--resource", "d1", "--out", "--bom"], ENV);
    expect(result).toEqual({ kind: "usage-error", message: "--out needs a value" });
  });

  it("refuses an option given twice instead of silently using the last", () => {
    expect(parseExportArgs([...DOCUMENT, "--out", "b.csv"], ENV)).toEqual({ kind: "usage-error", message: "--out is given more than once" });
    expect(parseExportArgs([...DOCUMENT, "--bom", "--bom"], ENV)).toEqual({ kind: "usage-error", message: "--bom is given more than once" });
    expect(parseExportArgs(["--type=document", ...DOCUMENT.slice(2), "--type", "dataroom"], ENV)).toEqual({ kind: "usage-error", message: "--type is given more than once" });
  });
});
