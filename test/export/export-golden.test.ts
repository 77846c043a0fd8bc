import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../shared/errors";
import { stringSink, type CsvOptions } from "../../electron/core/csv/csv-writer";
import { DEFAULT_SETTINGS } from "../../shared/settings";
import { exportVisits, type ExportOutcome, type ExportRequest } from "../../electron/core/export/export-visits";
import { createViewAnalytics } from "../../electron/core/export/create-view-analytics";
import { type EnrichmentMode } from "../../electron/core/export/view-analytics";
import { RateLimiter } from "../../electron/core/tinybird/rate-limiter";
import { TinybirdClient } from "../../electron/core/tinybird/tinybird-client";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { ViewsSource } from "../../electron/core/views/views-source";
import { clickhouseAvailable, TestClickHouse } from "../helpers/clickhouse-server";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import {
  DATAROOM_HEADER,
  DOCUMENT_HEADER,
  EXPECTED_DATAROOM,
  EXPECTED_DOCUMENT,
  S1_ROWS,
  S2_PLACEHOLDER,
  customFieldHeader,
  lines,
} from "../fixtures/small-dataset-expected";

/** sql runs on the emulator's Query API, on a real ClickHouse. */
const WITH_CLICKHOUSE = clickhouseAvailable();
const MODES: EnrichmentMode[] = WITH_CLICKHOUSE ? ["per-view", "batch", "sql"] : ["per-view", "batch"];

let clickhouse: TestClickHouse | undefined;
let db: EmbeddedPostgres;
let emulator: TinybirdEmulator;
let limiter: RateLimiter;
let tinybird: TinybirdClient;

beforeAll(async () => {
  db = await startEmbeddedPostgres();
  await seedSmallDataset(db);
  clickhouse = WITH_CLICKHOUSE ? await TestClickHouse.start() : undefined;
  emulator = new TinybirdEmulator({ token: "tb", data: smallEmulatorData, clickhouse: clickhouse?.process });
  await emulator.start();
  limiter = new RateLimiter({ maxConcurrent: 5, minTime: 0 });
  tinybird = new TinybirdClient({ host: emulator.url, token: "tb", limiter });
});
afterAll(async () => {
  await limiter.stop();
  await emulator.stop();
  await clickhouse?.close();
  await db.sql.close();
});

async function run(request: ExportRequest, mode: EnrichmentMode = "per-view", csv: CsvOptions = DEFAULT_SETTINGS.csv, pageSize?: number) {
  const { sink, text } = stringSink();
  const progress: [number, number][] = [];
  const outcome: ExportOutcome = await exportVisits(
    { views: new ViewsSource(db.sql, pageSize), analytics: createViewAnalytics(mode, tinybird) },
    request,
    sink,
    { csv, onProgress: (done, total) => progress.push([done, total]), window: 2 },
  );
  return { csv: text(), outcome, progress };
}

describe.each(MODES)("golden CSVs (%s)", (mode) => {
  it("document: every column rule, pause window, dataroom and archived views, injection", async () => {
    const { csv, outcome } = await run({ type: "document", teamId: "t1", resourceId: "d1" }, mode);
    expect(csv).toBe(EXPECTED_DOCUMENT);
    expect(outcome).toMatchObject({ resourceName: "Pitch Deck", total: 5, rows: 5, warnings: [] });
  });

  it("document on a pro plan: no Country, City or custom fields", async () => {
    const { csv } = await run({ type: "document", teamId: "t2", resourceId: "d2" }, mode);
    expect(csv).toBe(lines(DOCUMENT_HEADER, "2026-01-05T00:00:00.000Z,Pat,NaN,Pro link,1.0,50.00%,1,NaN,No,NaN,NaN,NaN,NaN,No,Edge,Windows,Desktop"));
  });

  it("dataroom: sessions newest first, their document views, placeholder rows, orphans dropped", async () => {
    const { csv, outcome } = await run({ type: "dataroom", teamId: "t1", resourceId: "dr1" }, mode);
    expect(csv).toBe(EXPECTED_DATAROOM);
    expect(outcome.resourceName).toBe("Series A Room");
    expect(outcome.total).toBe(4); // 2 sessions + 2 document views
    // w2 (in the dataroom, but outside any session) and dv4 (its session is gone)
    expect(outcome.warnings).toEqual([expect.stringMatching(/^2 document view\(s\) were left out/)]);
  });

  it("dataroom group: only the group's sessions", async () => {
    const investors = await run({ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g1" }, mode);
    expect(investors.csv).toBe(lines(`${DATAROOM_HEADER},Custom Field 1 Label,Custom Field 1 Value`, ...S1_ROWS));
    expect(investors.outcome.resourceName).toBe("Series A Room - Investors");
    expect(investors.outcome.warnings).toEqual([expect.stringMatching(/^1 document view\(s\)/)]); // dv4
    const advisors = await run({ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g2" }, mode);
    expect(advisors.csv).toBe(lines(DATAROOM_HEADER, S2_PLACEHOLDER));
    expect(advisors.outcome.warnings).toEqual([]);
  });
});

describe("export options and errors", () => {
  it("gives byte-identical CSV in every mode, also across page boundaries", async () => {
    for (const request of [
      { type: "document", teamId: "t1", resourceId: "d1" },
      { type: "dataroom", teamId: "t1", resourceId: "dr1" },
    ] as const) {
      const perView = await run(request, "per-view", DEFAULT_SETTINGS.csv, 2);
      for (const mode of MODES.slice(1)) expect((await run(request, mode, DEFAULT_SETTINGS.csv, 2)).csv).toBe(perView.csv);
    }
  });

  it("batch mode makes fewer Tinybird calls", async () => {
    emulator.log.length = 0;
    await run({ type: "document", teamId: "t1", resourceId: "d1" }, "per-view");
    const perViewCalls = emulator.log.length;
    emulator.log.length = 0;
    await run({ type: "document", teamId: "t1", resourceId: "d1" }, "batch");
    expect(emulator.log.length).toBeLessThan(perViewCalls);
  });

  it("leaves formulas alone when neutralising is off, and can start with a BOM", async () => {
    const { csv } = await run({ type: "document", teamId: "t1", resourceId: "d1" }, "per-view", { neutraliseFormulas: false, bom: true });
    expect(csv.startsWith("\uFEFFViewed at,")).toBe(true);
    expect(csv).toContain(`,"=HYPERLINK(""http://evil"")",`);
    expect(csv).toContain(",Budget,-5,");
    expect(csv).toContain(",Firm,+1 Corp,");
  });

  it("reports progress up to the total", async () => {
    const { progress } = await run({ type: "document", teamId: "t1", resourceId: "d1" });
    expect(progress.at(-1)).toEqual([5, 5]);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
  });

  it("fails with NOT_FOUND for unknown or other teams' resources and NO_VIEWS when there is nothing", async () => {
    const code = async (request: ExportRequest) =>
      ((await run(request).then(
        () => null,
        (e: unknown) => e,
      )) as AppError).code;
    expect(await code({ type: "document", teamId: "t1", resourceId: "nope" })).toBe("NOT_FOUND");
    expect(await code({ type: "document", teamId: "t2", resourceId: "d1" })).toBe("NOT_FOUND");
    expect(await code({ type: "dataroom", teamId: "t2", resourceId: "dr1" })).toBe("NOT_FOUND");
    expect(await code({ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "nope" })).toBe("NOT_FOUND");
    expect(await code({ type: "document", teamId: "nope", resourceId: "d1" })).toBe("NOT_FOUND");
    expect(await code({ type: "document", teamId: "t1", resourceId: "d4" })).toBe("NO_VIEWS"); // its one view is paused
  });

  it("says which range had no views", async () => {
    await expect(run({ type: "document", teamId: "t1", resourceId: "d1", since: "2027-01-01" })).rejects.toThrow(/document d1 has no views to export from 2027-01-01$/);
    await expect(run({ type: "dataroom", teamId: "t1", resourceId: "dr1", since: "2026-01-01", until: "2026-01-31" })).rejects.toThrow(
      /dataroom dr1 has no views to export from 2026-01-01 to 2026-01-31$/,
    );
  });
});

/** n empty cells after a value (the spreadsheet profile's missing values). */
const empties = (n: number) => ",".repeat(n);

describe.each(["per-view", "batch"] as const)("spreadsheet profile (%s)", (mode) => {
  const spreadsheet = (request: Omit<ExportRequest, "profile">) => run({ ...request, profile: "spreadsheet" }, mode);

  it("document: a BOM, empty cells instead of NaN, Yes/No flags; formulas still neutralised, numbers and phones not", async () => {
    const { csv } = await spreadsheet({ type: "document", teamId: "t1", resourceId: "d1" });
    expect(csv).toBe(
      "\uFEFF" +
        lines(
          `${DOCUMENT_HEADER},Country,City,${customFieldHeader(4)}`,
          `2026-04-02T00:00:00.000Z,"Bob, Jr.",bob@example.com,"Link, with ""quotes""",0.0,0.00%,3,,No,No,,,,No,,,,,,Budget,-5,,,Phone,+1 415 555 0100,,`,
          `2026-02-20T08:30:00.000Z,,"'=HYPERLINK(""http://evil"")",,5.0,25.00%,2,,No,No,,,,Yes,Firefox,Windows,Desktop,DE,Berlin,,,Firm,'+1 Corp,,,,`,
          `2026-02-10T09:01:00.000Z,Dana,dana@fund.com,DR link,2.0,20.00%,2,,Yes,No,,,,Yes${empties(13)}`,
          `2026-01-15T10:00:00.123Z,Alice,alice@example.com,Investor link,2.5,20.00%,1,2026-01-15T10:05:00.000Z,Yes,Yes,NDA,https://nda.example/1,2026-01-15T09:59:59.999Z,No,Chrome,macOS,Desktop,US,New York,,,Company,Acme,,,Role,`,
          `2025-12-31T23:59:59.000Z,Carol,,Investor link,1.2,30.00%,3,,No,No,,,,No${empties(13)}`,
        ),
    );
    expect(csv).not.toContain("NaN");
  });

  it("dataroom group: Verified and Agreement Accepted are Yes/No, a visit without documents has empty document cells", async () => {
    const { csv } = await spreadsheet({ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g2" });
    expect(csv).toBe("\uFEFF" + lines(DATAROOM_HEADER, `2026-02-12T15:00:00.000Z,,,eve@example.org,DR link,No,No${empties(14)}`));
  });

  it("the Papermark profile is the default and stays byte for byte", async () => {
    const { csv } = await run({ type: "document", teamId: "t1", resourceId: "d1", profile: "papermark" }, mode);
    expect(csv).toBe(EXPECTED_DOCUMENT);
  });
});

describe.each(["per-view", "batch"] as const)("date range (%s)", (mode) => {
  it("runs in a zone far from UTC, so a local-time reading of a bound would show", () => {
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe("Pacific/Auckland");
  });

  it("document: both bounds inclusive, whole UTC days; custom fields over the range only", async () => {
    // 2026-01-15T10:00 (first day) and 2026-02-20T08:30 (last day) are in; 2025-12-31 and 2026-04-02 are out.
    const { csv, outcome } = await run({ type: "document", teamId: "t1", resourceId: "d1", since: "2026-01-15", until: "2026-02-20" }, mode);
    expect(csv).toBe(
      lines(
        `${DOCUMENT_HEADER},Country,City,${customFieldHeader(2)}`,
        `2026-02-20T08:30:00.000Z,NaN,"'=HYPERLINK(""http://evil"")",NaN,5.0,25.00%,2,NaN,No,NaN,NaN,NaN,NaN,Yes,Firefox,Windows,Desktop,DE,Berlin,Firm,'+1 Corp,NaN,NaN`,
        `2026-02-10T09:01:00.000Z,Dana,dana@fund.com,DR link,2.0,20.00%,2,NaN,Yes,NaN,NaN,NaN,NaN,Yes,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN`,
        `2026-01-15T10:00:00.123Z,Alice,alice@example.com,Investor link,2.5,20.00%,1,2026-01-15T10:05:00.000Z,Yes,Yes,NDA,https://nda.example/1,2026-01-15T09:59:59.999Z,No,Chrome,macOS,Desktop,US,New York,Company,Acme,Role,NaN`,
      ),
    );
    expect(outcome.total).toBe(3);
  });

  it("a view one second before midnight UTC belongs to its UTC day (already the next day in Auckland), and Tinybird events after the last day do not count", async () => {
    // Carol's view is 2025-12-31T23:59:59Z; two of its three page events fall on 2026-01-01.
    const lastDay = await run({ type: "document", teamId: "t1", resourceId: "d1", until: "2025-12-31" }, mode);
    expect(lastDay.csv).toBe(lines(DOCUMENT_HEADER + ",Country,City", "2025-12-31T23:59:59.000Z,Carol,NaN,Investor link,0.4,10.00%,3,NaN,No,NaN,NaN,NaN,NaN,No,NaN,NaN,NaN,NaN,NaN"));
    const nextDay = await run({ type: "document", teamId: "t1", resourceId: "d1", since: "2026-01-01", until: "2026-01-15" }, mode);
    expect(nextDay.csv).toBe(
      lines(
        `${DOCUMENT_HEADER},Country,City,${customFieldHeader(2)}`,
        `2026-01-15T10:00:00.123Z,Alice,alice@example.com,Investor link,2.5,20.00%,1,2026-01-15T10:05:00.000Z,Yes,Yes,NDA,https://nda.example/1,2026-01-15T09:59:59.999Z,No,Chrome,macOS,Desktop,US,New York,Company,Acme,Role,NaN`,
      ),
    );
  });

  it("dataroom: the range picks visits, their document views go with them; left-out document views in the range are counted", async () => {
    const untilTenth = await run({ type: "dataroom", teamId: "t1", resourceId: "dr1", until: "2026-02-10" }, mode);
    expect(untilTenth.csv).toBe(lines(`${DATAROOM_HEADER},Custom Field 1 Label,Custom Field 1 Value`, ...S1_ROWS));
    expect(untilTenth.outcome.warnings).toEqual([]);
    const fromEleventh = await run({ type: "dataroom", teamId: "t1", resourceId: "dr1", since: "2026-02-11" }, mode);
    expect(fromEleventh.csv).toBe(lines(DATAROOM_HEADER, S2_PLACEHOLDER));
    // w2 (2026-02-20, outside any visit) and dv4 (2026-02-11, its visit is gone); dv1 and dv2 are before the range.
    expect(fromEleventh.outcome.warnings).toEqual([expect.stringMatching(/^2 document view\(s\) were left out/)]);
  });
});
