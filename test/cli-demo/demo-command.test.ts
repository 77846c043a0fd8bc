import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { routeRequests } from "../helpers/route-requests";
import { routes } from "../../shared/routes";
import { PIPES } from "../../electron/core/tinybird/pipes";

const dataDir = mkdtempSync(join(tmpdir(), "vec-demo-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

const REPO_ROOT = resolve(import.meta.dirname, "../..");

/** Runs a shell command line as a person would paste it, without our own Redis, database or Tinybird variables. */
function runCommandLine(line: string) {
  const env = { ...process.env };
  for (const name of ["DATABASE_URL", "REDIS_URL", "TINYBIRD_HOST", "TINYBIRD_TOKEN", "EXPORT_MODE"]) delete env[name];
  const child = spawn("sh", ["-c", line], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stdout.resume();
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return new Promise<{ code: number | null; stderr: string }>((done) => child.once("exit", (code) => done({ code, stderr: err })));
}

function startDemo() {
  const child = spawn(process.execPath, ["--import", "tsx", "electron/dev/demo/demo-command.ts"], {
    // No DEMO_TOKEN: the demo makes its own and keeps it in the data folder.
    env: { ...process.env, DEMO_DATA_DIR: dataDir, DEMO_SCALE: "0.1", DEMO_TOKEN: undefined, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => out, errors: () => err };
}

describe("npm run demo", () => {
  it("starts the whole stack, runs an export, prints a CLI command that exports from it, keeps jobs across a restart, and leaves nothing behind on Ctrl-C", async () => {
    const first = startDemo();
    await expect.poll(first.output, { timeout: 60_000, interval: 200 }).toContain("demo is running");
    const url = /API:\s+(http:\/\/127\.0\.0\.1:\d+)\/api/.exec(first.output())![1]!;
    const [, document, team] = /try:\s+document (\S+), dataroom \S+, group \S+ of team (\S+)/.exec(first.output())!;
    const token = /Authorization: Bearer (\S+)\)/.exec(first.output())![1]!;
    expect(first.output()).toContain(`/#token=${token}`);
    expect(readFileSync(join(dataDir, "api-token"), "utf8").trim()).toBe(token);
    // how to point the CLI and another server at it: database URL, Redis URL, emulator host and token
    const databaseUrl = /^ {4}DATABASE_URL=(postgres:\/\/\S+@127\.0\.0\.1:\d+\/\S+)$/m.exec(first.output())![1]!;
    const redisUrl = /^ {4}REDIS_URL=(redis:\/\/127\.0\.0\.1:\d+)$/m.exec(first.output())![1]!;
    const tinybirdHost = /^ {4}TINYBIRD_HOST=(http:\/\/127\.0\.0\.1:\d+)$/m.exec(first.output())![1]!;
    const tinybirdToken = /^ {4}TINYBIRD_TOKEN=(\S+)$/m.exec(first.output())![1]!;
    expect(first.errors()).toContain(`private redis-server on ${redisUrl.replace("redis://", "")}`);
    expect(first.errors()).toContain(`the embedded database on ${databaseUrl}`);
    // The printed token opens the emulator, another does not: asked for a pipe's information (what the status check reads), which no rate limit refuses.
    const pipeInfo = `${tinybirdHost}/v0/pipes/${PIPES.userAgentPerViewV3}`;
    expect((await fetch(pipeInfo, { headers: { Authorization: `Bearer ${tinybirdToken}` } })).status).toBe(200);
    expect((await fetch(pipeInfo, { headers: { Authorization: "Bearer wrong" } })).status).toBe(403);
    // The whole CLI command, ready to paste.
    const exportLine = /^ {2}e\.g\. (.*npm run export -- .*)$/m.exec(first.output())![1]!;
    expect(exportLine).toBe(
      `DATABASE_URL=${databaseUrl} REDIS_URL=${redisUrl} TINYBIRD_HOST=${tinybirdHost} TINYBIRD_TOKEN=${tinybirdToken} npm run export -- --type document --team ${team} --resource ${document} --out visits.csv`,
    );
    const call = routeRequests(() => url, token);
    const created = await call(routes.createDocumentExport, { teamId: team!, resourceId: document! });
    expect(created.status).toBe(202);
    const { exportId } = (await created.json()) as { exportId: string };
    // The printed command, pasted while the demo runs its own export from the same database.
    const cliCsv = join(dataDir, "cli-visits.csv");
    const cli = await runCommandLine(exportLine.replace("--out visits.csv", `--out ${cliCsv}`));
    expect(cli.stderr).toMatch(/^done: \d+ rows written to /m);
    expect(cli.code).toBe(0);
    await expect
      .poll(async () => ((await (await call(routes.getJob, { teamId: team!, exportId })).json()) as { status: string }).status, {
        timeout: 60_000,
        interval: 250,
      })
      .toBe("COMPLETED");
    // The same visits as the demo's own export of the document, byte for byte.
    const served = await (await call(routes.downloadResult, { teamId: team!, exportId })).text();
    expect(served.split("\n").length).toBeGreaterThan(2);
    expect(readFileSync(cliCsv, "utf8")).toBe(served);
    const redisPort = Number(/private redis-server on 127\.0\.0\.1:(\d+)/.exec(first.errors())![1]);

    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    expect(await portOpen(redisPort)).toBe(false);
    expect(await portOpen(Number(new URL(databaseUrl).port))).toBe(false);

    // Same data folder: the append-only file brings the finished job back.
    const second = startDemo();
    await expect.poll(second.output, { timeout: 60_000, interval: 200 }).toContain("demo is running");
    const url2 = /API:\s+(http:\/\/127\.0\.0\.1:\d+)\/api/.exec(second.output())![1]!;
    // the same token as before the restart: old tabs and scripts keep working
    expect(/Authorization: Bearer (\S+)\)/.exec(second.output())![1]).toBe(token);
    expect(/TINYBIRD_TOKEN=(\S+)/.exec(second.output())![1]).toBe(tinybirdToken);
    const again = (await (await routeRequests(() => url2, token)(routes.getJob, { teamId: team!, exportId })).json()) as { status: string };
    expect(again.status).toBe("COMPLETED");
    second.child.kill("SIGINT");
    expect(await second.exited).toBe(0);
  }, 180_000);
});
