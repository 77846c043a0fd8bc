import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../shared/errors";
import { DEFAULT_CSV_OPTIONS, stringSink, type CsvOptions } from "../../electron/csv/csv-writer";
import { exportVisits, type ExportOutcome, type ExportRequest } from "../../electron/export/export-visits";
import { createViewAnalytics, type EnrichmentMode } from "../../electron/export/view-analytics";
import { RateLimiter } from "../../electron/tinybird/rate-limiter";
import { TinybirdClient } from "../../electron/tinybird/tinybird-client";
import { TinybirdEmulator } from "../../electron/tinybird/tinybird-emulator";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/views/embedded-postgres";
import { ViewsSource } from "../../electron/views/views-source";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";

let db: EmbeddedPostgres;
let emulator: TinybirdEmulator;
let limiter: RateLimiter;
let tinybird: TinybirdClient;

beforeAll(async () => {
  db = await startEmbeddedPostgres();
  await seedSmallDataset(db);
  emulator = new TinybirdEmulator({ token: "tb", data: smallEmulatorData });
  await emulator.start();
  limiter = new RateLimiter({ maxConcurrent: 5, minTime: 0 });
  tinybird = new TinybirdClient({ host: emulator.url, token: "tb", limiter });
});
afterAll(async () => {
  await limiter.stop();
  await emulator.stop();
  await db.sql.close();
});

async function run(request: ExportRequest, mode: EnrichmentMode = "per-view", csv: CsvOptions = DEFAULT_CSV_OPTIONS, pageSize?: number) {
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

const lines = (...rows: string[]) => rows.join("\n");

const DOCUMENT_HEADER =
  "Viewed at,Name,Email,Link Name,Total View Duration (s),Total Document Completion (%),Document version,Downloaded at,Verified,Agreement Accepted,Agreement Name,Agreement Content,Agreement Accepted At,Viewed from dataroom,Browser,OS,Device";

const EXPECTED_DOCUMENT = lines(
  `${DOCUMENT_HEADER},Country,City,Custom Field 1 Label,Custom Field 1 Value,Custom Field 2 Label,Custom Field 2 Value,Custom Field 3 Label,Custom Field 3 Value`,
  `2026-04-02T00:00:00.000Z,"Bob, Jr.",bob@example.com,"Link, with ""quotes""",0.0,0.00%,3,NaN,No,NaN,NaN,NaN,NaN,No,NaN,NaN,NaN,NaN,NaN,Budget,'-5,NaN,NaN,NaN,NaN`,
  `2026-02-20T08:30:00.000Z,NaN,"'=HYPERLINK(""http://evil"")",NaN,5.0,25.00%,2,NaN,No,NaN,NaN,NaN,NaN,Yes,Firefox,Windows,Desktop,DE,Berlin,NaN,NaN,Firm,'+1 Corp,NaN,NaN`,
  `2026-02-10T09:01:00.000Z,Dana,dana@fund.com,DR link,2.0,20.00%,2,NaN,Yes,NaN,NaN,NaN,NaN,Yes,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN`,
  `2026-01-15T10:00:00.123Z,Alice,alice@example.com,Investor link,2.5,20.00%,1,2026-01-15T10:05:00.000Z,Yes,Yes,NDA,https://nda.example/1,2026-01-15T09:59:59.999Z,No,Chrome,macOS,Desktop,US,New York,NaN,NaN,Company,Acme,Role,NaN`,
  `2025-12-31T23:59:59.000Z,Carol,NaN,Investor link,1.2,30.00%,3,NaN,No,NaN,NaN,NaN,NaN,No,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN`,
);

const DATAROOM_HEADER =
  "Dataroom Viewed At,Dataroom Downloaded At,Visitor Name,Visitor Email,Link Name,Verified,Agreement Accepted,Agreement Name,Agreement Content,Agreement Accepted At,Document Name,Document Viewed At,Document Downloaded At,Total Visit Duration (s),Total Document Completion (%),Document Version,Browser,OS,Device,Country,City";
const SESSION_1 = "2026-02-10T09:00:00.000Z,2026-02-10T09:30:00.000Z,Dana,dana@fund.com,DR link,Yes,Yes,NDA,https://nda.example/1,2026-02-10T08:59:00.000Z";
const S1_ROWS = [
  `${SESSION_1},Financials,2026-02-10T09:05:00.000Z,2026-02-10T09:06:00.000Z,1.3,100.00%,1,Safari,iOS,Mobile,GB,London,Fund,Alpha`,
  `${SESSION_1},Pitch Deck,2026-02-10T09:01:00.000Z,NaN,2.0,20.00%,2,Safari,iOS,Mobile,GB,London,Fund,Alpha`,
];
const S2_PLACEHOLDER = "2026-02-12T15:00:00.000Z,NaN,NaN,eve@example.org,DR link,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN,NaN";

const EXPECTED_DATAROOM = lines(`${DATAROOM_HEADER},Custom Field 1 Label,Custom Field 1 Value`, `${S2_PLACEHOLDER},NaN,NaN`, ...S1_ROWS);

describe.each(["per-view", "batch"] as const)("golden CSVs (%s)", (mode) => {
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
  it("gives byte-identical CSV in per-view and batch mode, also across page boundaries", async () => {
    for (const request of [
      { type: "document", teamId: "t1", resourceId: "d1" },
      { type: "dataroom", teamId: "t1", resourceId: "dr1" },
    ] as const) {
      const perView = await run(request, "per-view", DEFAULT_CSV_OPTIONS, 2);
      const batch = await run(request, "batch", DEFAULT_CSV_OPTIONS, 2);
      expect(batch.csv).toBe(perView.csv);
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
});
