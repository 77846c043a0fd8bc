import { describe, expect, it } from "vitest";
import { parseExportArgs, type ParsedExportArgs } from "../../electron/headless/cli/export-args";
import { DEFAULT_TINYBIRD_HOST } from "../../shared/settings";

const ENV = { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/papermark", TINYBIRD_TOKEN: "p.token" };
const DOCUMENT = ["--type", "document", "--team", "t1", "--resource", "d1", "--out", "visits.csv"];

function settingsOf(result: ParsedExportArgs) {
  if (result.kind !== "run") throw new Error(`expected settings, got ${JSON.stringify(result)}`);
  return result.settings;
}

function errorOf(result: ParsedExportArgs, kind: "usage-error" | "config-error"): string {
  if (result.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(result)}`);
  return result.message;
}

describe("parseExportArgs", () => {
  it("reads a document export with defaults from the environment", () => {
    expect(settingsOf(parseExportArgs(DOCUMENT, ENV))).toEqual({
      request: { type: "document", teamId: "t1", resourceId: "d1" },
      outFile: "visits.csv",
      mode: "auto",
      rateLimit: {},
      databaseUrl: ENV.DATABASE_URL,
      tinybird: { host: DEFAULT_TINYBIRD_HOST, token: "p.token" },
      csv: { neutraliseFormulas: true, bom: false },
    });
  });

  it("reads every option, flags winning over the environment", () => {
    const settings = settingsOf(
      parseExportArgs(
        [
          "--type=dataroom-group",
          "--team",
          "team_acme",
          "--resource",
          "dr_acme_1",
          "--group",
          "grp-1",
          "--out",
          "/tmp/out.csv",
          "--mode",
          "batch",
          "--max-concurrent",
          "10",
          "--min-time",
          "0",
          "--database-url",
          "postgresql://u:p@db:5432/x",
          "--tinybird-host",
          "http://127.0.0.1:7181",
          "--tinybird-token",
          "flag-token",
          "--redis-url",
          "redis://127.0.0.1:6390",
          "--no-neutralise",
          "--bom",
        ],
        { ...ENV, TINYBIRD_HOST: "https://api.us-east.tinybird.co", REDIS_URL: "redis://elsewhere:6379" },
      ),
    );
    expect(settings).toEqual({
      request: { type: "dataroom-group", teamId: "team_acme", resourceId: "dr_acme_1", groupId: "grp-1" },
      outFile: "/tmp/out.csv",
      mode: "batch",
      rateLimit: { maxConcurrent: 10, minTime: 0 },
      databaseUrl: "postgresql://u:p@db:5432/x",
      tinybird: { host: "http://127.0.0.1:7181", token: "flag-token" },
      redisUrl: "redis://127.0.0.1:6390",
      csv: { neutraliseFormulas: false, bom: true },
    });
  });

  it("reads the date range and the CSV profile", () => {
    const settings = settingsOf(parseExportArgs([...DOCUMENT, "--since", "2026-01-01", "--until=2026-01-31", "--profile", "spreadsheet"], ENV));
    expect(settings.request).toEqual({ type: "document", teamId: "t1", resourceId: "d1", since: "2026-01-01", until: "2026-01-31", profile: "spreadsheet" });
    expect(settingsOf(parseExportArgs([...DOCUMENT, "--since", "2026-01-01", "--until", "2026-01-01"], ENV)).request).toMatchObject({ since: "2026-01-01", until: "2026-01-01" });
  });

  it("takes the mode from --mode, else EXPORT_MODE, else auto", () => {
    for (const mode of ["per-view", "batch", "sql", "auto"] as const) {
      expect(settingsOf(parseExportArgs([...DOCUMENT, "--mode", mode], { ...ENV, EXPORT_MODE: "per-view" })).mode).toBe(mode);
      expect(settingsOf(parseExportArgs(DOCUMENT, { ...ENV, EXPORT_MODE: mode })).mode).toBe(mode);
    }
    expect(settingsOf(parseExportArgs(DOCUMENT, { ...ENV, EXPORT_MODE: " " })).mode).toBe("auto");
    expect(errorOf(parseExportArgs(DOCUMENT, { ...ENV, EXPORT_MODE: "fast" }), "config-error")).toBe("EXPORT_MODE must be per-view, batch, sql or auto");
  });

  it("takes the Tinybird host and Redis URL from the environment", () => {
    const settings = settingsOf(parseExportArgs(DOCUMENT, { ...ENV, TINYBIRD_HOST: "http://localhost:7181", REDIS_URL: "rediss://cache:6380" }));
    expect(settings.tinybird.host).toBe("http://localhost:7181");
    expect(settings.redisUrl).toBe("rediss://cache:6380");
  });

  it("asks for help", () => {
    expect(parseExportArgs(["--help"], {})).toEqual({ kind: "help" });
    expect(parseExportArgs(["-h"], {})).toEqual({ kind: "help" });
    expect(parseExportArgs([...DOCUMENT, "--help"], {})).toEqual({ kind: "help" });
  });

  it.each([
    [["--bogus"], /unknown option '--bogus'/i],
    [[...DOCUMENT, "extra"], /unexpected argument 'extra'/i],
    [[...DOCUMENT, "--bom=yes"], /--bom/],
    [["--type", "document", "--team", "t1", "--out", "x.csv"], /^missing --resource$/],
    [["--team", "t1", "--resource", "d1", "--out", "x.csv"], /^missing --type$/],
    [[...DOCUMENT.slice(0, 6), "--out"], /--out/],
    [["--type", "folder", ...DOCUMENT.slice(2)], /^--type must be document, dataroom or dataroom-group$/],
    [["--type", "document", "--team", "t:1", "--resource", "d1", "--out", "x.csv"], /^--team must be 1-64 characters/],
    [["--type", "document", "--team", "t1", "--resource", "../d1", "--out", "x.csv"], /^--resource must be 1-64/],
    [[...DOCUMENT, "--group", "g1"], /^--group is only allowed for a dataroom-group export$/],
    [["--type", "dataroom-group", "--team", "t1", "--resource", "dr1", "--out", "x.csv"], /^--group is required for a dataroom-group export$/],
    [[...DOCUMENT, "--mode", "fast"], /^--mode must be per-view, batch, sql or auto$/],
    [[...DOCUMENT, "--max-concurrent", "0"], /^--max-concurrent must be at least 1$/],
    [[...DOCUMENT, "--max-concurrent", "2.5"], /^--max-concurrent must be a whole number$/],
    [[...DOCUMENT, "--min-time", "-1"], /^--min-time must be at least 0$/],
    [[...DOCUMENT, "--min-time", "60001"], /^--min-time must be at most 60000$/],
    [[...DOCUMENT, "--database-url", "mysql://db/x"], /^--database-url must be a URL like postgres:\/\//],
    [[...DOCUMENT, "--tinybird-host", "api.tinybird.co"], /^--tinybird-host must be a URL like https:\/\//],
    [[...DOCUMENT, "--tinybird-token", "two words"], /^--tinybird-token must not contain white space$/],
    [[...DOCUMENT, "--redis-url", "http://redis"], /^--redis-url must be a URL like redis:\/\//],
    [[...DOCUMENT.slice(0, 6), "--out", ""], /^--out must not be empty$/],
    [[...DOCUMENT, "--since", "2026-02-30"], /^--since must be an ISO date \(YYYY-MM-DD\)$/],
    [[...DOCUMENT, "--until", "31/01/2026"], /^--until must be an ISO date/],
    [[...DOCUMENT, "--since", "2026-02-01", "--until", "2026-01-31"], /^--since is after --until \(2026-01-31\)$/],
    [[...DOCUMENT, "--profile", "excel"], /^--profile must be papermark or spreadsheet$/],
  ])("refuses %j", (argv, message) => {
    expect(errorOf(parseExportArgs(argv, ENV), "usage-error")).toMatch(message);
  });

  it("names the missing or bad configuration", () => {
    expect(errorOf(parseExportArgs(DOCUMENT, { TINYBIRD_TOKEN: "t" }), "config-error")).toMatch(/DATABASE_URL/);
    expect(errorOf(parseExportArgs(DOCUMENT, { DATABASE_URL: ENV.DATABASE_URL }), "config-error")).toMatch(/TINYBIRD_TOKEN/);
    expect(errorOf(parseExportArgs(DOCUMENT, { ...ENV, DATABASE_URL: "  " }), "config-error")).toMatch(/DATABASE_URL/);
    expect(errorOf(parseExportArgs(DOCUMENT, { ...ENV, DATABASE_URL: "not a url" }), "config-error")).toMatch(/^DATABASE_URL must be a URL/);
    expect(errorOf(parseExportArgs(DOCUMENT, { ...ENV, TINYBIRD_HOST: "ftp://x" }), "config-error")).toMatch(/^TINYBIRD_HOST must be/);
    expect(errorOf(parseExportArgs(DOCUMENT, { ...ENV, REDIS_URL: "localhost:6379" }), "config-error")).toMatch(/^REDIS_URL must be/);
    // A flag makes a bad environment value irrelevant.
    expect(parseExportArgs([...DOCUMENT, "--database-url", ENV.DATABASE_URL], { ...ENV, DATABASE_URL: "bad" }).kind).toBe("run");
  });

  it("never echoes the token in an error", () => {
    const message = errorOf(parseExportArgs(DOCUMENT, { ...ENV, TINYBIRD_TOKEN: "secret with space" }), "config-error");
    expect(message).not.toContain("secret");
  });
});
