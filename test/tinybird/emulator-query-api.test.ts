import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PIPES } from "../../electron/core/tinybird/pipes";
import { generateDemoDataset } from "../../electron/dev/demo/demo-dataset";
import type { EmulatorData } from "../../electron/dev/tinybird-emulator/emulator-data";
import { QUERY_API_PATH, TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { clickhouseAvailable, TestClickHouse } from "../helpers/clickhouse-server";

const TOKEN = "tb";
const auth = { Authorization: `Bearer ${TOKEN}` };

const data: EmulatorData = {
  pageViews: [
    { viewId: "v1", documentId: "d1", versionNumber: 1, pageNumber: 2, time: 1000, duration: 700 },
    { viewId: "v1", documentId: "d1", versionNumber: 1, pageNumber: 10, time: 2000, duration: 300 },
    { viewId: "v1", documentId: "d1", versionNumber: 1, pageNumber: 2, time: 3000, duration: 300 },
    { viewId: "v1", documentId: "d9", versionNumber: 1, pageNumber: 1, time: 500, duration: 5000 },
    { viewId: "v2", documentId: "d1", versionNumber: 2, pageNumber: 1, time: 10, duration: 4_000_000_000 },
  ],
  userAgents: [
    { viewId: "v1", country: "DE", city: "Berlin", browser: "Firefox", os: "Linux", device: "Desktop", source: "v3" },
    { viewId: "v1", country: "FR", city: "Paris", browser: "Safari", os: "macOS", device: "Desktop", source: "v3" },
    { viewId: "v2", documentId: "d1", country: "JP", city: "Tokyo", browser: "Edge", os: "Windows", device: "Desktop", source: "v2" },
  ],
};

async function pipe(emulator: TinybirdEmulator, name: string, params: Record<string, string | number>) {
  const url = new URL(`${emulator.url}/v0/pipes/${name}.json`);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
  const response = await fetch(url, { headers: auth });
  return { status: response.status, body: (await response.json()) as { meta: { name: string; type: string }[]; data: Record<string, unknown>[] } };
}

async function sql(emulator: TinybirdEmulator, query: string, how: "form" | "text" | "get" = "form", token = TOKEN) {
  const headers = { Authorization: `Bearer ${token}` };
  const response =
    how === "get"
      ? await fetch(`${emulator.url}${QUERY_API_PATH}?q=${encodeURIComponent(query)}`, { headers })
      : await fetch(`${emulator.url}${QUERY_API_PATH}`, {
          method: "POST",
          headers: { ...headers, "Content-Type": how === "form" ? "application/x-www-form-urlencoded" : "text/plain" },
          body: how === "form" ? new URLSearchParams({ q: query }).toString() : query,
        });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("the pipes carry Tinybird's column types", () => {
  let emulator: TinybirdEmulator;
  beforeAll(async () => {
    emulator = new TinybirdEmulator({ token: TOKEN, data });
    await emulator.start();
  });
  afterAll(() => emulator.stop());

  it("pageNumber is a String, ordered as strings, several events per page summed", async () => {
    const { body } = await pipe(emulator, PIPES.pageDurationPerView, { documentId: "d1", viewId: "v1", since: 0 });
    expect(body.meta).toEqual([
      { name: "pageNumber", type: "String" },
      { name: "sum_duration", type: "UInt64" },
    ]);
    expect(body.data).toEqual([
      { pageNumber: "10", sum_duration: 300 },
      { pageNumber: "2", sum_duration: 1000 },
    ]);
  });

  it("v3 reads the first click event of the view, v2 the earliest page view on that document", async () => {
    expect((await pipe(emulator, PIPES.userAgentPerViewV3, { viewId: "v1" })).body.data).toEqual([{ country: "DE", city: "Berlin", browser: "Firefox", os: "Linux", device: "Desktop" }]);
    expect((await pipe(emulator, PIPES.userAgentPerViewV2, { documentId: "d1", viewId: "v2", since: 0 })).body.data).toEqual([
      { country: "JP", city: "Tokyo", browser: "Edge", os: "Windows", device: "Desktop" },
    ]);
    expect((await pipe(emulator, PIPES.userAgentPerViewV2, { documentId: "d9", viewId: "v2", since: 0 })).body.data).toEqual([]);
  });

  it("answers 403 on the Query API without ClickHouse, as for a token without SQL rights", async () => {
    const answer = await sql(emulator, "SELECT 1 FORMAT JSON");
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatch(/permissions/);
  });
});

describe.runIf(clickhouseAvailable())("the Query API on a real ClickHouse", () => {
  let clickhouse: TestClickHouse;
  let emulator: TinybirdEmulator;
  beforeAll(async () => {
    clickhouse = await TestClickHouse.start();
    emulator = new TinybirdEmulator({ token: TOKEN, data, clickhouse: clickhouse.process });
    await emulator.start();
  });
  afterAll(async () => {
    await emulator?.stop();
    await clickhouse?.close();
  });

  it("answers Tinybird's JSON: meta, data, rows, statistics, 64-bit numbers unquoted; form field, raw body and GET alike", async () => {
    const query = "SELECT viewId, sum(duration) AS total, uniqExact(pageNumber) AS pages FROM page_views__v3 WHERE documentId = 'd1' GROUP BY viewId ORDER BY viewId FORMAT JSON";
    const answers = await Promise.all((["form", "text", "get"] as const).map((how) => sql(emulator, query, how)));
    for (const { status, body } of answers) {
      expect(status).toBe(200);
      expect(body.meta).toEqual([
        { name: "viewId", type: "String" },
        { name: "total", type: "UInt64" },
        { name: "pages", type: "UInt64" },
      ]);
      expect(body.data).toEqual([
        { viewId: "v1", total: 1300, pages: 2 },
        { viewId: "v2", total: 4_000_000_000, pages: 1 },
      ]);
      expect(body.rows).toBe(2);
      expect(body.statistics).toMatchObject({ rows_read: expect.any(Number), bytes_read: expect.any(Number), elapsed: expect.any(Number) });
    }
    expect(emulator.log.filter((e) => e.pipe === QUERY_API_PATH).map((e) => e.params.q)).toEqual([query, query, query]);
  });

  it("holds Papermark's tables with their column names and the same rows as the pipes", async () => {
    const columns = await sql(emulator, "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'pm_click_events__v1' AND name IN ('timestamp', 'view_id', 'dataroom_id') ORDER BY name FORMAT JSON");
    expect(columns.body.data).toEqual([
      { name: "dataroom_id", type: "Nullable(String)" },
      { name: "timestamp", type: "DateTime" },
      { name: "view_id", type: "String" },
    ]);
    const pages = await sql(emulator, "SELECT pageNumber, toTypeName(pageNumber) AS type, count() AS events FROM page_views__v3 GROUP BY pageNumber ORDER BY pageNumber FORMAT JSON");
    expect(pages.body.data).toEqual([
      { pageNumber: "1", type: "String", events: 2 },
      { pageNumber: "10", type: "String", events: 1 },
      { pageNumber: "2", type: "String", events: 2 },
    ]);
  });

  it("answers 400 with {error} for bad SQL and refuses writes (readonly)", async () => {
    const bad = await sql(emulator, "SELEC 1 FORMAT JSON");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/Syntax error/);
    const write = await sql(emulator, "INSERT INTO page_views__v3 (id) VALUES ('x')");
    expect(write.status).toBe(400);
    expect(write.body.error).toMatch(/readonly/);
    const setting = await sql(emulator, "SELECT 1 SETTINGS readonly = 0 FORMAT JSON");
    expect(setting.status).toBe(400);
    const count = await sql(emulator, "SELECT count() AS n FROM page_views__v3 FORMAT JSON");
    expect(count.body.data).toEqual([{ n: data.pageViews.length }]);
  });

  it("checks the token, and can act as a token without SQL rights", async () => {
    expect((await sql(emulator, "SELECT 1 FORMAT JSON", "form", "wrong")).status).toBe(403);
    emulator.queryApiAllowed = false;
    try {
      expect((await sql(emulator, "SELECT 1 FORMAT JSON")).status).toBe(403);
    } finally {
      emulator.queryApiAllowed = true;
    }
  });

  it("reloads ClickHouse with the pipes' data", async () => {
    const other = new TinybirdEmulator({ token: TOKEN, data: { pageViews: [], userAgents: [] }, clickhouse: clickhouse.process });
    await other.start();
    try {
      expect((await sql(other, "SELECT count() AS n FROM page_views__v3 FORMAT JSON")).body.data).toEqual([{ n: 0 }]);
      await other.load(data);
      expect((await sql(other, "SELECT count() AS n FROM pm_click_events__v1 FORMAT JSON")).body.data).toEqual([{ n: 2 }]);
    } finally {
      await other.stop();
    }
  });

  it("JavaScript pipes and ClickHouse agree on the demo data set (two implementations, one set of events)", async () => {
    const dataset = generateDemoDataset({ seed: 3, scale: 0.1 });
    await emulator.load(dataset.emulator);
    try {
      const documentViews = dataset.tables.View.filter((v) => v.viewType === "DOCUMENT_VIEW");
      const sessions = dataset.tables.View.filter((v) => v.viewType === "DATAROOM_VIEW");
      // Independent SQL, written the way Papermark's pipes are.
      const durations = await sql(
        emulator,
        "SELECT viewId, documentId, pageNumber, sum(duration) AS sum_duration FROM page_views__v3 GROUP BY viewId, documentId, pageNumber ORDER BY viewId, documentId, pageNumber FORMAT JSON",
      );
      const expectedDurations = new Map<string, { pageNumber: string; sum_duration: number }[]>();
      for (const row of durations.body.data as { viewId: string; documentId: string; pageNumber: string; sum_duration: number }[]) {
        const key = `${row.viewId}/${row.documentId}`;
        expectedDurations.set(key, [...(expectedDurations.get(key) ?? []), { pageNumber: row.pageNumber, sum_duration: row.sum_duration }]);
      }
      const clicks = await sql(emulator, "SELECT view_id, country, city, browser, os, device FROM pm_click_events__v1 ORDER BY timestamp, click_id FORMAT JSON");
      const firstClick = new Map<string, unknown>();
      for (const { view_id, ...ua } of clicks.body.data as { view_id: string }[]) if (!firstClick.has(view_id)) firstClick.set(view_id, ua);
      const older = await sql(
        emulator,
        "SELECT viewId, documentId, country, city, browser, os, device FROM page_views__v3 ORDER BY time, id FORMAT JSON",
      );
      const earliest = new Map<string, unknown>();
      for (const { viewId, documentId, ...ua } of older.body.data as { viewId: string; documentId: string }[]) if (!earliest.has(`${viewId}/${documentId}`)) earliest.set(`${viewId}/${documentId}`, ua);

      for (const view of documentViews) {
        const key = `${view.id}/${view.documentId}`;
        expect((await pipe(emulator, PIPES.pageDurationPerView, { documentId: view.documentId!, viewId: view.id, since: 0 })).body.data).toEqual(expectedDurations.get(key) ?? []);
        expect((await pipe(emulator, PIPES.userAgentPerViewV2, { documentId: view.documentId!, viewId: view.id, since: 0 })).body.data).toEqual(earliest.has(key) ? [earliest.get(key)] : []);
      }
      for (const view of [...documentViews, ...sessions]) {
        expect((await pipe(emulator, PIPES.userAgentPerViewV3, { viewId: view.id })).body.data).toEqual(firstClick.has(view.id) ? [firstClick.get(view.id)] : []);
      }
      expect(documentViews.length).toBeGreaterThan(100);
    } finally {
      await emulator.load(data);
    }
  });
});
