import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { stringSink } from "../../electron/core/csv/csv-writer";
import { DEFAULT_SETTINGS } from "../../shared/settings";
import { exportVisits, type ExportRequest } from "../../electron/core/export/export-visits";
import { createViewAnalytics } from "../../electron/core/export/create-view-analytics";
import { ENRICHMENT_MODES } from "../../electron/core/export/view-analytics";
import { RateLimiter } from "../../electron/core/tinybird/rate-limiter";
import { TinybirdClient } from "../../electron/core/tinybird/tinybird-client";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { pgClient, type SqlClient } from "../../electron/core/views/sql-client";
import { ViewsSource } from "../../electron/core/views/views-source";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import { createTestDatabase, type TestDatabase } from "../helpers/postgres-database";
import { DOCUMENT_HEADER, EXPECTED_DATAROOM, EXPECTED_DOCUMENT, customFieldHeader, lines } from "../fixtures/small-dataset-expected";
import { freePort, TestRedisServer } from "../helpers/redis-server";
import { clickhouseAvailable, TestClickHouse } from "../helpers/clickhouse-server";

/*
 * The export command as users run it: a child process (`node --import tsx`), a real
 * PostgreSQL server (PGlite cannot be shared with another process), the Tinybird emulator
 * in this process. The suite runs with TZ=Pacific/Auckland, which the child inherits.
 */

const REPO = resolve(fileURLToPath(import.meta.url), "../../..");
const TOKEN = "tb-cli";

let database: TestDatabase;
let databaseUrl: string;
let emulator: TinybirdEmulator;
let outDir: string;
/** The Query API (sql and auto modes) runs on a real ClickHouse. */
const WITH_CLICKHOUSE = clickhouseAvailable();
let clickhouse: TestClickHouse | undefined;

beforeAll(async () => {
  database = await createTestDatabase("cli", seedSmallDataset);
  databaseUrl = database.url;
  clickhouse = WITH_CLICKHOUSE ? await TestClickHouse.start() : undefined;
  emulator = new TinybirdEmulator({ token: TOKEN, data: smallEmulatorData, clickhouse: clickhouse?.process });
  await emulator.start();
});

afterAll(async () => {
  await emulator?.stop();
  await clickhouse?.close();
  await database?.drop();
});

beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), "vec-cli-"));
  emulator.log.length = 0;
});
afterEach(() => {
  emulator.latencyMs = 0;
  emulator.queryApiAllowed = true;
  rmSync(outDir, { recursive: true, force: true });
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment of a user who configured everything but what `overrides` changes. */
function cliEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: "Pacific/Auckland", DATABASE_URL: databaseUrl, TINYBIRD_HOST: emulator.url, TINYBIRD_TOKEN: TOKEN };
  delete env.REDIS_URL;
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

function runCli(args: string[], env: NodeJS.ProcessEnv = cliEnv(), onStderr?: (text: string, signal: (name: NodeJS.Signals) => void) => void): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", "electron/headless/cli/export-command.ts", ...args], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    onStderr?.(stderr, (name) => child.kill(name));
  });
  return new Promise((resolvePromise, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolvePromise({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

const documentArgs = (out: string, ...extra: string[]) => ["--type", "document", "--team", "t1", "--resource", "d1", "--out", out, "--min-time", "0", ...extra];
const stderrLines = (run: CliRun) => run.stderr.trim().split("\n");

describe("npm run export (child process)", () => {
  it("writes the golden document CSV, with progress on stderr, and exits 0", async () => {
    const out = join(outDir, "visits.csv");
    const run = await runCli(documentArgs(out));
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(EXPECTED_DOCUMENT);
    expect(run.stderr).toMatch(/^views 5 \/ 5$/m);
    expect(run.stderr).toMatch(/^done: 5 rows written to /m);
    expect(run.stdout).toBe("");
    expect(readdirSync(outDir)).toEqual(["visits.csv"]); // no partial file left beside it
  });

  it("exports a dataroom in batch mode through a Redis-shared rate limiter, with its warning", async () => {
    const redisServer = await TestRedisServer.start();
    const redis = redisServer.client();
    try {
      const out = join(outDir, "room.csv");
      const run = await runCli(
        ["--type", "dataroom", "--team", "t1", "--resource", "dr1", "--out", out, "--mode", "batch", "--min-time", "0", "--redis-url", redisServer.url],
      );
      expect(run.stderr).not.toMatch(/error/);
      expect(run.code).toBe(0);
      expect(readFileSync(out, "utf8")).toBe(EXPECTED_DATAROOM);
      expect(run.stderr).toMatch(/^warning: 2 document view\(s\) were left out/m);
      expect(await redis.keys("*vec-limiter:tinybird*")).not.toEqual([]); // the limiter really was clustered
    } finally {
      redis.disconnect();
      await redisServer.close();
    }
  });

  it("writes a BOM and leaves formulas alone when asked", async () => {
    const out = join(outDir, "raw.csv");
    const run = await runCli(documentArgs(out, "--bom", "--no-neutralise", "--mode", "batch"));
    expect(run.code).toBe(0);
    const csv = readFileSync(out, "utf8");
    expect(csv.startsWith("\uFEFFViewed at,")).toBe(true);
    expect(csv).toContain(`,"=HYPERLINK(""http://evil"")",`);
  });

  it("limits the export to a date range and writes the spreadsheet profile", async () => {
    const out = join(outDir, "range.csv");
    const run = await runCli(documentArgs(out, "--since", "2026-01-01", "--until", "2026-01-15", "--profile", "spreadsheet"));
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(
      "\uFEFF" +
        lines(
          `${DOCUMENT_HEADER},Country,City,${customFieldHeader(2)}`,
          "2026-01-15T10:00:00.123Z,Alice,alice@example.com,Investor link,2.5,20.00%,1,2026-01-15T10:05:00.000Z,Yes,Yes,NDA,https://nda.example/1,2026-01-15T09:59:59.999Z,No,Chrome,macOS,Desktop,US,New York,Company,Acme,Role,",
        ),
    );
  });

  it("fails with one NOT_FOUND line and no file for an unknown resource", async () => {
    const out = join(outDir, "missing.csv");
    const run = await runCli(["--type", "document", "--team", "t1", "--resource", "nope", "--out", out]);
    expect(run.code).toBe(1);
    expect(stderrLines(run)).toEqual(["error: document nope not found in team t1"]);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it("fails fast with an auth error on a wrong Tinybird token", async () => {
    const out = join(outDir, "auth.csv");
    const run = await runCli(documentArgs(out), cliEnv({ TINYBIRD_TOKEN: "wrong-token" }));
    expect(run.code).toBe(1);
    expect(stderrLines(run).filter((line) => line.startsWith("error:"))).toEqual([expect.stringMatching(/^error: Tinybird refused the token \(403\)/)]);
    expect(run.stderr).not.toContain("wrong-token");
    expect(run.ms).toBeLessThan(10_000); // no retries: startup plus one round of requests
    expect(emulator.log.every((entry) => entry.status === 403)).toBe(true);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it("says so when the shared rate limiter's Redis is unreachable", async () => {
    const run = await runCli(documentArgs(join(outDir, "x.csv"), "--redis-url", `redis://127.0.0.1:${await freePort()}`));
    expect(run.code).toBe(1);
    expect(stderrLines(run)).toEqual([expect.stringMatching(/^error: Redis at 127\.0\.0\.1:\d+ is unreachable: .*ECONNREFUSED/)]);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it("names DATABASE_URL when it is missing", async () => {
    const run = await runCli(documentArgs(join(outDir, "x.csv")), cliEnv({ DATABASE_URL: undefined }));
    expect([1, 2]).toContain(run.code);
    expect(stderrLines(run)).toEqual([expect.stringMatching(/^error: .*DATABASE_URL/)]);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it("exits 2 with one line on a bad flag, and prints usage for --help", async () => {
    const bad = await runCli([...documentArgs(join(outDir, "x.csv")), "--colour"]);
    expect(bad.code).toBe(2);
    expect(stderrLines(bad)).toEqual(["error: unknown option '--colour' (see --help)"]);
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run export -- --type document\|dataroom\|dataroom-group/);
  });

  it("rides out a storm of 5xx answers and still writes the golden CSV", async () => {
    emulator.queueFaults([
      { kind: "status", status: 503 },
      { kind: "status", status: 500 },
      { kind: "status", status: 502, retryAfterSeconds: 0 },
      { kind: "status", status: 503 },
      { kind: "status", status: 504 },
    ]);
    const out = join(outDir, "storm.csv");
    const run = await runCli(documentArgs(out));
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(EXPECTED_DOCUMENT);
    expect(emulator.log.filter((entry) => entry.status >= 500)).toHaveLength(5);
    expect(run.stderr).toMatch(/Tinybird requests, [1-9]\d* retries\)/);
  });

  it("stops on Ctrl-C: exit 130, no file at --out, no partial file", async () => {
    emulator.latencyMs = 5000; // every Tinybird answer is slow: the export is mid-way when interrupted
    const out = join(outDir, "interrupted.csv");
    let sent = false;
    let partialSeen = false;
    const run = await runCli(documentArgs(out, "--mode", "per-view"), cliEnv(), (text, signal) => {
      if (!sent && text.includes("exporting document")) {
        sent = true;
        // The temp file exists by now; give the first requests time to be in flight.
        setTimeout(() => {
          partialSeen = readdirSync(outDir).some((name) => name.endsWith(".partial"));
          signal("SIGINT");
        }, 300);
      }
    });
    expect(sent).toBe(true);
    expect(partialSeen).toBe(true);
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/^interrupted: .* was not written$/m);
    expect(run.ms).toBeLessThan(5000 + 5000); // did not wait for the slow answers
    expect(readdirSync(outDir)).toEqual([]);
  });
});

describe.runIf(WITH_CLICKHOUSE)("npm run export --mode sql|auto (child process, Query API on ClickHouse)", () => {
  const queryApiCalls = () => emulator.log.filter((entry) => entry.pipe === "/v0/sql").length;

  it("--mode sql: the golden CSVs from two Query API calls each, no pipe", async () => {
    for (const [args, expected] of [
      [documentArgs(join(outDir, "doc.csv"), "--mode", "sql"), EXPECTED_DOCUMENT],
      [["--type", "dataroom", "--team", "t1", "--resource", "dr1", "--out", join(outDir, "room.csv"), "--mode", "sql"], EXPECTED_DATAROOM],
    ] as const) {
      emulator.log.length = 0;
      const run = await runCli([...args]);
      expect(run.stderr).not.toMatch(/error/);
      expect(run.code).toBe(0);
      expect(readFileSync(args[args.indexOf("--out") + 1]!, "utf8")).toBe(expected);
      expect(run.stderr).toMatch(/ views, sql mode \(set in the configuration\)$/m);
      expect(run.stderr).toMatch(/\(2 Tinybird requests, 0 retries\)$/m);
      expect(emulator.log.map((entry) => entry.pipe)).toEqual(["/v0/sql", "/v0/sql"]);
    }
  });

  it("auto (the default, also from EXPORT_MODE) runs sql after one probe", async () => {
    const out = join(outDir, "auto.csv");
    const run = await runCli(documentArgs(out), cliEnv({ EXPORT_MODE: "auto" }));
    expect(run.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(EXPECTED_DOCUMENT);
    expect(run.stderr).toMatch(/ 5 views, sql mode \(auto: the token may run SQL on the Query API\)$/m);
    expect(queryApiCalls()).toBe(3);
    expect(emulator.log).toHaveLength(3);
  });

  it("auto falls back to batch when the Query API refuses the token, and says why", async () => {
    emulator.queryApiAllowed = false;
    const out = join(outDir, "fallback.csv");
    const run = await runCli(documentArgs(out, "--mode", "auto"));
    expect(run.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(EXPECTED_DOCUMENT);
    expect(run.stderr).toMatch(/ 5 views, batch mode \(Query API refused \(403\): using batch\)$/m);
    expect(queryApiCalls()).toBe(1);
  });

  it("--mode sql with a token that may not run SQL: exit 1, one clear line, no file", async () => {
    emulator.queryApiAllowed = false;
    const out = join(outDir, "refused.csv");
    const run = await runCli(documentArgs(out, "--mode", "sql"));
    expect(run.code).toBe(1);
    expect(stderrLines(run).at(-1)).toMatch(/^error: the Query API refused the token \(403\): .*READ rights on page_views__v3 and pm_click_events__v1, or use the auto or batch mode$/);
    expect(readdirSync(outDir)).toEqual([]);
  });
});

describe("pg against the real server (in process, TZ=Pacific/Auckland)", () => {
  let sql: SqlClient;
  let limiter: RateLimiter;
  let tinybird: TinybirdClient;

  beforeAll(() => {
    sql = pgClient(databaseUrl);
    limiter = new RateLimiter({ maxConcurrent: 5, minTime: 0 });
    tinybird = new TinybirdClient({ host: emulator.url, token: TOKEN, limiter });
  });
  afterAll(async () => {
    await limiter?.stop();
    await sql?.close();
  });

  it("runs in a time zone far from UTC", () => {
    expect(process.env.TZ).toBe("Pacific/Auckland");
    expect(new Date("2026-01-15T10:00:00.000Z").getTimezoneOffset()).toBe(-780);
  });

  it.each(ENRICHMENT_MODES.filter((mode) => WITH_CLICKHOUSE || mode !== "sql"))("reads timestamps as UTC and gives the golden CSVs (%s)", async (mode) => {
    const run = async (request: ExportRequest) => {
      const { sink, text } = stringSink();
      await exportVisits({ views: new ViewsSource(sql), analytics: createViewAnalytics(mode, tinybird) }, request, sink, { csv: DEFAULT_SETTINGS.csv });
      return text();
    };
    expect(await run({ type: "document", teamId: "t1", resourceId: "d1" })).toBe(EXPECTED_DOCUMENT);
    expect(await run({ type: "dataroom", teamId: "t1", resourceId: "dr1" })).toBe(EXPECTED_DATAROOM);
  });
});
