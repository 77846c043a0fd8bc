import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../shared/errors";
import { stringSink } from "../../electron/core/csv/csv-writer";
import { DEFAULT_SETTINGS } from "../../shared/settings";
import { AutoAnalytics } from "../../electron/core/export/auto-analytics";
import { createViewAnalytics } from "../../electron/core/export/create-view-analytics";
import { exportVisits, type ExportOutcome, type ExportRequest } from "../../electron/core/export/export-visits";
import { SqlAnalytics } from "../../electron/core/export/sql-analytics";
import type { ViewAnalytics } from "../../electron/core/export/view-analytics";
import { RateLimiter } from "../../electron/core/tinybird/rate-limiter";
import { TinybirdClient } from "../../electron/core/tinybird/tinybird-client";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import type { EmulatorData, PageViewEvent } from "../../electron/dev/tinybird-emulator/emulator-data";
import { QUERY_API_PATH, TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { ViewsSource } from "../../electron/core/views/views-source";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import { EXPECTED_DATAROOM, EXPECTED_DOCUMENT } from "../fixtures/small-dataset-expected";
import { clickhouseAvailable, TestClickHouse } from "../helpers/clickhouse-server";

/*
 * sql mode against the pipes, on the emulator's two implementations over one set of events:
 * JavaScript pipes (per-view, batch) and ClickHouse SQL (sql). Every export must give the
 * same bytes; the cases are the ones where a SQL rewrite of the pipes goes wrong.
 */

const T = 1_750_000_000_000;
const ev = (viewId: string, documentId: string, pageNumber: number, duration: number, time = T): PageViewEvent => ({ viewId, documentId, versionNumber: 1, pageNumber, duration, time });
const ua = (viewId: string, browser: string, source: "v3" | "v2" = "v3", documentId?: string) => ({
  viewId,
  country: `C-${browser}`,
  city: `City ${browser}`,
  browser,
  os: `OS-${browser}`,
  device: "Desktop",
  source,
  ...(documentId ? { documentId } : {}),
});

/** Views of document d5 (team t3), by case. */
const D5_VIEWS = ["x01", "x02", "x03", "x04", "x05", "x06", "x07", "x08", "x09", "x10", "x11", "x12"];
const BIG_DOCUMENTS = { d100: 100, d1000: 1000, d1001: 1001 } as const;
const bigViewId = (documentId: string, i: number) => `${documentId}_v${String(i).padStart(4, "0")}`;

const extraEvents: PageViewEvent[] = [
  // x01: page 2 split over three events; its events on another document must not count.
  ev("x01", "d5", 1, 1000, T + 1),
  ev("x01", "d5", 2, 400, T + 2),
  ev("x01", "d5", 2, 600, T + 3),
  ev("x01", "d5", 3, 250, T + 4),
  ev("x01", "d5", 2, 50, T + 5),
  ev("x01", "d6", 1, 99_000, T + 6),
  ev("x01", "d6", 2, 99_000, T + 7),
  // x02: two click events: the first one (LIMIT 1 in the data source's order) is its user agent.
  ev("x02", "d5", 1, 2000),
  // x03: no click event: v2's user agent (earliest page view on d5), not the later one on d6.
  ev("x03", "d5", 4, 700, T + 10),
  ev("x03", "d5", 1, 300, T + 20),
  // x04: no events at all, no click. x05: a click, no events.
  // x06..x12: plain views, some without a click and without any recorded user agent.
  ...D5_VIEWS.slice(5).flatMap((id, i) => [ev(id, "d5", 1, 100 * (i + 1)), ev(id, "d5", (i % 4) + 1, 10 * (i + 1), T + 1)]),
  // dataroom dr3: document views inside sessions, and a session's own (odd) page events.
  ev("y1", "d5", 1, 1500),
  ev("y1", "d5", 1, 500, T + 1),
  ev("y1", "d6", 3, 4000),
  ev("y2", "d6", 1, 800),
  ev("y2", "d6", 2, 800, T + 1),
  ev("y2", "d5", 2, 77_000),
  ev("s5", "d5", 1, 10),
  // Inside and after a one-day date range (2026-05-01): until bounds the stats, not v2.
  ev("x06", "d5", 3, 444, Date.parse("2026-05-01T10:00:00.000Z")),
  ev("x06", "d5", 4, 555, Date.parse("2026-05-02T10:00:00.000Z")),
  ev("x09", "d5", 2, 333, Date.parse("2026-05-02T10:00:00.000Z")),
  ...Object.entries(BIG_DOCUMENTS).flatMap(([documentId, count]) =>
    Array.from({ length: count }, (_, i) => ev(bigViewId(documentId, i), documentId, (i % 3) + 1, 1000 + i, T + i)).filter((_, i) => i % 7 !== 0),
  ),
];

const data: EmulatorData = {
  pageViews: [...smallEmulatorData.pageViews, ...extraEvents],
  userAgents: [
    ...smallEmulatorData.userAgents,
    ua("x01", "Chrome"),
    ua("x02", "FirstClick"),
    ua("x02", "SecondClick"),
    ua("x03", "OlderPipe", "v2", "d5"),
    ua("x05", "Safari"),
    ...["x06", "x08", "x10", "x12"].map((id) => ua(id, `B${id}`)),
    ua("x09", "LateOlder", "v2", "d5"),
    ua("s4", "SessionBrowser"),
    // s5 is known to the older pipe only: dataroom rows never fall back to it.
    ua("s5", "NeverShown", "v2"),
    ua("s6", "LoneSession"),
    ua("y1", "DocumentViewInSession"),
    ...Object.entries(BIG_DOCUMENTS).flatMap(([documentId, count]) =>
      Array.from({ length: count }, (_, i) => i)
        .filter((i) => i % 5 !== 0)
        .map((i) => ua(bigViewId(documentId, i), `Big${i % 3}`, i % 11 === 0 ? "v2" : "v3", documentId)),
    ),
  ],
};

async function seedExtra(db: EmbeddedPostgres): Promise<void> {
  await db.insert("Team", [{ id: "t3", name: "Team Three", plan: "business", pauseStartsAt: null, pauseEndsAt: null }]);
  await db.insert("Document", [
    { id: "d5", name: "Deck Five", numPages: 4, teamId: "t3" },
    { id: "d6", name: "Annex Six", numPages: 3, teamId: "t3" },
    ...Object.keys(BIG_DOCUMENTS).map((id) => ({ id, name: `Big ${id}`, numPages: 3, teamId: "t3" })),
  ]);
  await db.insert("DocumentVersion", [
    { id: "d5v1", documentId: "d5", versionNumber: 1, numPages: 4, createdAt: "2026-01-01T00:00:00.000Z" },
    { id: "d6v1", documentId: "d6", versionNumber: 1, numPages: 3, createdAt: "2026-01-01T00:00:00.000Z" },
  ]);
  await db.insert("Dataroom", [{ id: "dr3", name: "Room Three", teamId: "t3" }]);
  await db.insert("ViewerGroup", [
    { id: "g3", name: "Group Three", dataroomId: "dr3", teamId: "t3" },
    { id: "g4", name: "Group Four", dataroomId: "dr3", teamId: "t3" },
  ]);
  await db.insert("Link", [
    { id: "l6", name: "Five link", documentId: "d5", dataroomId: null },
    { id: "l7", name: "Room link", documentId: null, dataroomId: "dr3" },
    ...Object.keys(BIG_DOCUMENTS).map((id) => ({ id: `l_${id}`, name: null, documentId: id, dataroomId: null })),
  ]);
  const view = (row: Record<string, unknown>) => ({
    documentId: null,
    dataroomId: null,
    dataroomViewId: null,
    viewerEmail: null,
    verified: false,
    downloadedAt: null,
    viewType: "DOCUMENT_VIEW",
    groupId: null,
    isArchived: false,
    ...row,
    viewerName: row.id,
  });
  const at = (minute: number) => new Date(Date.parse("2026-05-01T00:00:00.000Z") + minute * 60_000).toISOString();
  await db.insert("View", [
    ...D5_VIEWS.map((id, i) => view({ id, linkId: "l6", documentId: "d5", viewedAt: at(i) })),
    view({ id: "s4", linkId: "l7", dataroomId: "dr3", viewType: "DATAROOM_VIEW", groupId: "g3", viewedAt: at(100) }),
    view({ id: "s5", linkId: "l7", dataroomId: "dr3", viewType: "DATAROOM_VIEW", groupId: "g4", viewedAt: at(110) }),
    view({ id: "s6", linkId: "l7", dataroomId: "dr3", viewType: "DATAROOM_VIEW", groupId: "g3", viewedAt: at(120) }),
    view({ id: "y1", linkId: "l7", documentId: "d5", dataroomId: "dr3", dataroomViewId: "s4", groupId: "g3", viewedAt: at(101) }),
    view({ id: "y2", linkId: "l7", documentId: "d6", dataroomId: "dr3", dataroomViewId: "s4", groupId: "g3", viewedAt: at(102) }),
    view({ id: "y3", linkId: "l7", documentId: "d5", dataroomId: "dr3", dataroomViewId: "s5", groupId: "g4", viewedAt: at(111) }),
    ...Object.entries(BIG_DOCUMENTS).flatMap(([documentId, count]) =>
      Array.from({ length: count }, (_, i) => view({ id: bigViewId(documentId, i), linkId: `l_${documentId}`, documentId, viewedAt: at(1000 + i) })),
    ),
  ]);
}

const WITH_CLICKHOUSE = clickhouseAvailable();

describe.runIf(WITH_CLICKHOUSE)("sql mode on a real ClickHouse", () => {
  let clickhouse: TestClickHouse;
  let db: EmbeddedPostgres;
  let emulator: TinybirdEmulator;
  let limiter: RateLimiter;
  let tinybird: TinybirdClient;

  beforeAll(async () => {
    clickhouse = await TestClickHouse.start();
    db = await startEmbeddedPostgres();
    await seedSmallDataset(db);
    await seedExtra(db);
    emulator = new TinybirdEmulator({ token: "tb", data, clickhouse: clickhouse.process });
    await emulator.start();
    limiter = new RateLimiter({ maxConcurrent: 5, minTime: 0 });
    // No retries: a fault is the answer the export sees.
    tinybird = new TinybirdClient({ host: emulator.url, token: "tb", limiter, retry: { maxRetries: 0 } });
  });
  afterAll(async () => {
    await limiter?.stop();
    await emulator?.stop();
    await clickhouse?.close();
    await db?.sql.close();
  });
  afterEach(() => {
    emulator.clearFaults();
    emulator.queryApiAllowed = true;
  });

  async function run(request: ExportRequest, analytics: ViewAnalytics, pageSize?: number): Promise<{ csv: string; outcome: ExportOutcome; calls: string[] }> {
    const { sink, text } = stringSink();
    emulator.log.length = 0;
    const controller = new AbortController();
    try {
      const outcome = await exportVisits({ views: new ViewsSource(db.sql, pageSize), analytics }, request, sink, { csv: DEFAULT_SETTINGS.csv, window: 4, signal: controller.signal });
      return { csv: text(), outcome, calls: emulator.log.map((entry) => entry.pipe) };
    } finally {
      // After a failure, stop the failed query's sibling.
      controller.abort(new AppError("CANCELLED", "the test's export has ended"));
    }
  }

  /** The CSV row holding all these cells. */
  const rowOf = (csv: string, ...cells: string[]) =>
    csv
      .split("\n")
      .map((line) => line.split(","))
      .find((row) => cells.every((cell) => row.includes(cell)))!;

  const REQUESTS: ExportRequest[] = [
    { type: "document", teamId: "t3", resourceId: "d5" },
    { type: "document", teamId: "t3", resourceId: "d6" },
    { type: "dataroom", teamId: "t3", resourceId: "dr3" },
    { type: "dataroom-group", teamId: "t3", resourceId: "dr3", groupId: "g3" },
    { type: "dataroom-group", teamId: "t3", resourceId: "dr3", groupId: "g4" },
    { type: "document", teamId: "t3", resourceId: "d100" },
    // date ranges: views by viewedAt, events from since (v2 too) to until (stats only)
    { type: "document", teamId: "t3", resourceId: "d5", since: "2026-05-01", until: "2026-05-01" },
    { type: "document", teamId: "t3", resourceId: "d5", since: "2026-05-01" },
    { type: "document", teamId: "t3", resourceId: "d5", until: "2026-05-01" },
    { type: "dataroom", teamId: "t3", resourceId: "dr3", since: "2026-05-01", until: "2026-05-01" },
    // the small data set: pause window (t1) and the Pro-plan columns (t2)
    { type: "document", teamId: "t1", resourceId: "d1" },
    { type: "document", teamId: "t2", resourceId: "d2" },
    { type: "dataroom", teamId: "t1", resourceId: "dr1" },
    { type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g1" },
  ];

  it.each(REQUESTS)("per-view, batch and sql give byte-identical CSVs: $type $resourceId $groupId $since $until", async (request) => {
    const perView = await run(request, createViewAnalytics("per-view", tinybird));
    const batch = await run(request, createViewAnalytics("batch", tinybird));
    expect(batch.csv).toBe(perView.csv);
    // Chunks of 1000 (one query of each kind), of 3 and of 1 view: ids cross chunk boundaries.
    for (const idsPerQuery of [1000, 3, 1]) {
      const sql = await run(request, new SqlAnalytics(tinybird, { idsPerQuery }), 2);
      expect(sql.csv, `idsPerQuery ${idsPerQuery}`).toBe(perView.csv);
      expect(sql.outcome).toMatchObject({ mode: "sql", rows: perView.outcome.rows, total: perView.outcome.total, warnings: perView.outcome.warnings });
      expect(new Set(sql.calls)).toEqual(new Set([QUERY_API_PATH])); // never a pipe
    }
  });

  it("gives batch's CSV for 1,001 views, in queries of 1,000 and of 7 views", async () => {
    const request = { type: "document", teamId: "t3", resourceId: "d1001" } as const;
    const batch = await run(request, createViewAnalytics("batch", tinybird));
    for (const idsPerQuery of [1000, 7]) expect((await run(request, new SqlAnalytics(tinybird, { idsPerQuery }))).csv).toBe(batch.csv);
  }, 60_000);

  it("bounds the stats by the date range and v2 by its start only", async () => {
    const day = { type: "document", teamId: "t3", resourceId: "d5", since: "2026-05-01", until: "2026-05-01" } as const;
    const { csv } = await run(day, new SqlAnalytics(tinybird));
    expect(rowOf(csv, "x06").slice(4, 6)).toEqual(["0.4", "25.00%"]); // the 444 ms of 2026-05-01, not the 555 ms after
    expect(rowOf(csv, "x09").slice(4, 6)).toEqual(["0.0", "0.00%"]);
    expect(rowOf(csv, "x09")[14]).toBe("LateOlder"); // its only event from since is after until: v2 still has it
    expect(rowOf(csv, "x03")[14]).toBe("NaN"); // its events are all before since
  });

  it("matches the hand-computed values, so the modes agree on the right numbers", async () => {
    const { csv } = await run({ type: "document", teamId: "t3", resourceId: "d5" }, new SqlAnalytics(tinybird, { idsPerQuery: 5 }));
    const cells = (name: string) => {
      const row = rowOf(csv, name);
      return { duration: row[4], completion: row[5], browser: row[14], country: row[17] };
    };
    // 1000 + (400 + 600 + 50) + 250 ms on d5, pages 1, 2, 3 of 4; the 198 s on d6 do not count.
    expect(cells("x01")).toEqual({ duration: "2.3", completion: "75.00%", browser: "Chrome", country: "C-Chrome" });
    expect(cells("x02").browser).toBe("FirstClick");
    expect(cells("x03")).toEqual({ duration: "1.0", completion: "50.00%", browser: "OlderPipe", country: "C-OlderPipe" });
    expect(cells("x04")).toEqual({ duration: "0.0", completion: "0.00%", browser: "NaN", country: "NaN" });
    expect(cells("x05")).toEqual({ duration: "0.0", completion: "0.00%", browser: "Safari", country: "C-Safari" });
    expect(cells("x07").browser).toBe("NaN"); // events with no user agent recorded, no click
    const room = (await run({ type: "dataroom", teamId: "t3", resourceId: "dr3" }, new SqlAnalytics(tinybird))).csv;
    const y1 = rowOf(room, "s4", "Deck Five");
    expect(y1.slice(13, 21)).toEqual(["2.0", "25.00%", "1", "SessionBrowser", "OS-SessionBrowser", "Desktop", "C-SessionBrowser", "City SessionBrowser"]);
    // s5: only the older pipe knows it, and dataroom rows take the session's v3 agent only.
    expect(rowOf(room, "s5").slice(16, 21)).toEqual(["NaN", "NaN", "NaN", "NaN", "NaN"]);
  });

  it("costs 2 Tinybird calls for 100 and for 1,000 views in sql mode (4 for 1,001), and 3 in auto with its probe", async () => {
    const calls: Record<string, number> = {};
    for (const [documentId, count] of Object.entries(BIG_DOCUMENTS)) {
      const sql = await run({ type: "document", teamId: "t3", resourceId: documentId }, new SqlAnalytics(tinybird));
      expect(sql.outcome.rows).toBe(count);
      calls[documentId] = sql.calls.length;
    }
    expect(calls).toEqual({ d100: 2, d1000: 2, d1001: 4 });
    const auto = await run({ type: "document", teamId: "t3", resourceId: "d100" }, new AutoAnalytics(tinybird));
    expect(auto.calls).toEqual([QUERY_API_PATH, QUERY_API_PATH, QUERY_API_PATH]);
    expect(auto.outcome).toMatchObject({ mode: "sql", modeReason: "auto: the token may run SQL on the Query API" });
  });

  describe("auto", () => {
    it("probes once per instance and keeps the answer", async () => {
      const auto = new AutoAnalytics(tinybird);
      const first = await run({ type: "document", teamId: "t1", resourceId: "d1" }, auto);
      const second = await run({ type: "dataroom", teamId: "t1", resourceId: "dr1" }, auto);
      expect(first.csv).toBe(EXPECTED_DOCUMENT);
      expect(second.csv).toBe(EXPECTED_DATAROOM);
      expect(first.calls).toHaveLength(3); // probe + two queries
      expect(second.calls).toHaveLength(2);
    });

    it("lets a cancelled export go while the probe is still out, and keeps the probe for the next export", async () => {
      const auto = new AutoAnalytics(tinybird);
      emulator.queueFaults([{ kind: "latency", ms: 2000 }], QUERY_API_PATH);
      const before = emulator.log.length;
      const controller = new AbortController();
      const waiting = auto.forExport(controller.signal);
      await expect.poll(() => emulator.log.length).toBe(before + 1);
      const probe = emulator.log[before]!;
      controller.abort(new Error("Cancelled by user"));
      await expect(waiting).rejects.toThrow("Cancelled by user");
      expect(probe.status).toBe(0); // not answered yet: the export did not wait for it
      expect((await auto.forExport()).mode).toBe("sql");
      expect(emulator.log.slice(before).map((entry) => entry.pipe)).toEqual([QUERY_API_PATH]);
    });

    it("uses batch when the Query API refuses the token (403), and says so", async () => {
      emulator.queryApiAllowed = false;
      const auto = await run({ type: "document", teamId: "t1", resourceId: "d1" }, new AutoAnalytics(tinybird));
      expect(auto.csv).toBe(EXPECTED_DOCUMENT);
      expect(auto.outcome).toMatchObject({ mode: "batch", modeReason: "Query API refused (403): using batch" });
      expect(auto.calls.slice(0, 2)).toEqual([QUERY_API_PATH, "get_dataroom_view_document_stats__v1"]);
    });

    it("uses per-view when the batch pipe is not deployed either", async () => {
      emulator.queryApiAllowed = false;
      emulator.queueFaults([{ kind: "status", status: 404 }], "get_dataroom_view_document_stats__v1");
      const auto = await run({ type: "document", teamId: "t1", resourceId: "d1" }, new AutoAnalytics(tinybird));
      expect(auto.csv).toBe(EXPECTED_DOCUMENT);
      expect(auto.outcome).toMatchObject({ mode: "per-view", modeReason: "Query API refused (403), no batch pipe (404): using per-view" });
    });

    it.each([
      ["a SQL error (400)", { kind: "status", status: 400 } as const, /Query API failed during an export \(the Query API refused the enrichment query \(400\)/],
      ["a 403 during the export", { kind: "status", status: 403 } as const, /Query API failed during an export \(the Query API refused the token \(403\)/],
      ["an answer about a view it was not asked for", { kind: "body", body: { meta: [], data: [{ viewId: "intruder", documentId: "d1", sum_duration: 1, pages_viewed: 1, country: "", city: "", browser: "", os: "", device: "" }] } } as const, /unexpected page_views__v3 row/],
    ])("finishes in batch after %s, with the same CSV", async (_, fault, reason) => {
      const auto = new AutoAnalytics(tinybird);
      await auto.forExport(); // probed: sql
      emulator.queueFaults([fault], QUERY_API_PATH);
      const outcome = await run({ type: "document", teamId: "t1", resourceId: "d1" }, auto);
      expect(outcome.csv).toBe(EXPECTED_DOCUMENT);
      expect(outcome.outcome.mode).toBe("batch");
      expect(outcome.outcome.modeReason).toMatch(reason);
      expect(outcome.outcome.modeReason).toMatch(/: using batch$/);
      // and the next export starts in batch
      const next = await run({ type: "document", teamId: "t1", resourceId: "d1" }, auto);
      expect(next.outcome.mode).toBe("batch");
      expect(next.calls).not.toContain(QUERY_API_PATH);
    });
  });

  describe("sql mode fails clearly instead of writing a wrong CSV", () => {
    /** One export of d1 in sql mode against its own emulator, so no request of another test can take the fault. */
    const failure = async (fault: Parameters<TinybirdEmulator["queueFaults"]>[0][number] | "no rights") => {
      const own = new TinybirdEmulator({ token: "tb", data: smallEmulatorData, clickhouse: clickhouse.process });
      await own.start();
      const client = new TinybirdClient({ host: own.url, token: "tb", limiter, retry: { maxRetries: 0 } });
      try {
        if (fault === "no rights") own.queryApiAllowed = false;
        else own.queueFaults([fault], QUERY_API_PATH);
        const { sink } = stringSink();
        const error = await exportVisits({ views: new ViewsSource(db.sql), analytics: new SqlAnalytics(client) }, { type: "document", teamId: "t1", resourceId: "d1" }, sink, {
          csv: DEFAULT_SETTINGS.csv,
        }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(AppError);
        return error as AppError;
      } finally {
        await own.stop();
      }
    };

    it("a token without SQL rights (403): TINYBIRD_AUTH, saying what to do", async () => {
      expect(await failure("no rights")).toMatchObject({
        code: "TINYBIRD_AUTH",
        message: expect.stringMatching(/^the Query API refused the token \(403\): .*READ rights on page_views__v3 and pm_click_events__v1, or use the auto or batch mode$/),
      });
    });

    it("a SQL error (400): BAD_INPUT with ClickHouse's message", async () => {
      expect(await failure({ kind: "status", status: 400 })).toMatchObject({ code: "BAD_INPUT", message: expect.stringMatching(/^the Query API refused the enrichment query \(400\)/) });
    });

    it("rows for views it did not ask about, or the same view twice", async () => {
      const row = { viewId: "w1", documentId: "d1", sum_duration: 5, pages_viewed: 1, country: "", city: "", browser: "", os: "", device: "" };
      expect(await failure({ kind: "body", body: { data: [{ ...row, viewId: "nope" }] } })).toMatchObject({ code: "INTERNAL", message: expect.stringMatching(/unexpected page_views__v3 row/) });
      expect(await failure({ kind: "body", body: { data: [row, row] } })).toMatchObject({ code: "INTERNAL" });
      expect(await failure({ kind: "body", body: { data: [{ ...row, documentId: "d2" }] } })).toMatchObject({ code: "INTERNAL" });
    });

    it("malformed rows and bodies: RETRIES_EXHAUSTED", async () => {
      expect(await failure({ kind: "body", body: { data: [{ viewId: "w1", documentId: "d1", sum_duration: "many" }] } })).toMatchObject({ code: "RETRIES_EXHAUSTED" });
      expect(await failure({ kind: "truncated" })).toMatchObject({ code: "RETRIES_EXHAUSTED" });
    });
  });
});
