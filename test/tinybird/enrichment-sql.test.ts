import { describe, expect, it } from "vitest";
import {
  chunkForQueries,
  clickUserAgentBytes,
  clickUserAgentsSql,
  MAX_QUERY_BYTES,
  pageViewStatsBytes,
  pageViewStatsSql,
  QUERY_API_PROBE_SQL,
  sqlString,
} from "../../electron/core/tinybird/enrichment-sql";

/** Function calls in a SQL text: name followed by "(". */
const functionsIn = (sql: string) => new Set([...sql.replace(/'[^']*'/g, "''").matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((m) => m[1]!.toLowerCase()));
/** What ClickHouse 18.16 has had for long (count in the probe), and keywords followed by "(". */
const CLICKHOUSE_18_FUNCTIONS = new Set(["sum", "sumif", "uniqexact", "uniqexactif", "argmin", "count", "in", "and", "or", "select"]);

describe("the enrichment SQL", () => {
  it("quotes only valid ids, and escapes even so", () => {
    expect(sqlString("ckv1abc_DEF-9")).toBe("'ckv1abc_DEF-9'");
    expect(sqlString("null")).toBe("'null'");
    for (const bad of ["a'b", "x' OR 1=1 --", "a\\", "", "a b", "é", "a".repeat(65), "v1,v2"]) {
      expect(() => sqlString(bad)).toThrow(/not a valid id/);
    }
    expect(() => pageViewStatsSql([{ viewId: "v1", documentId: "d1') OR (1=1" }])).toThrow(/not a valid id/);
    expect(() => clickUserAgentsSql(["v1", "v2'); DROP TABLE x; --"])).toThrow(/not a valid id/);
  });

  it("asks page_views__v3 per (view, document) as v5 and v2 do: since 0, the document filter, sums, distinct pages, earliest event", () => {
    const sql = pageViewStatsSql([
      { viewId: "v1", documentId: "d1" },
      { viewId: "v2", documentId: "d1" },
      { viewId: "v3", documentId: "d2" },
    ]);
    expect(sql).toBe(
      [
        "SELECT viewId, documentId, sum(duration) AS sum_duration, uniqExact(pageNumber) AS pages_viewed,",
        "argMin(country, (time, id)) AS country, argMin(city, (time, id)) AS city, argMin(browser, (time, id)) AS browser, argMin(os, (time, id)) AS os, argMin(device, (time, id)) AS device",
        "FROM page_views__v3",
        "WHERE time >= 0 AND ((documentId = 'd1' AND viewId IN ('v1','v2')) OR (documentId = 'd2' AND viewId IN ('v3')))",
        "GROUP BY viewId, documentId",
        "FORMAT JSON",
      ].join("\n"),
    );
  });

  it("bounds the stats by until with -If aggregates, and everything by since; times are checked", () => {
    const sql = pageViewStatsSql([{ viewId: "v1", documentId: "d1" }], { sinceMs: 1000, untilMs: 2000 });
    expect(sql).toContain("SELECT viewId, documentId, sumIf(duration, time <= 2000) AS sum_duration, uniqExactIf(pageNumber, time <= 2000) AS pages_viewed,");
    expect(sql).toContain("WHERE time >= 1000 AND (");
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => pageViewStatsSql([{ viewId: "v1", documentId: "d1" }], { sinceMs: bad })).toThrow(/not a time in ms/);
      expect(() => pageViewStatsSql([{ viewId: "v1", documentId: "d1" }], { sinceMs: 0, untilMs: bad })).toThrow(/not a time in ms/);
    }
  });

  it("asks pm_click_events__v1 for the LIMIT 1 row of each view in the data source's order", () => {
    expect(clickUserAgentsSql(["v1", "v2"])).toBe(
      [
        "SELECT view_id AS viewId,",
        "argMin(country, (timestamp, click_id)) AS country, argMin(city, (timestamp, click_id)) AS city, argMin(browser, (timestamp, click_id)) AS browser, argMin(os, (timestamp, click_id)) AS os, argMin(device, (timestamp, click_id)) AS device",
        "FROM pm_click_events__v1",
        "WHERE view_id IN ('v1','v2')",
        "GROUP BY view_id",
        "FORMAT JSON",
      ].join("\n"),
    );
  });

  it("uses only functions ClickHouse 18 has, and every query ends in FORMAT JSON", () => {
    for (const sql of [pageViewStatsSql([{ viewId: "v1", documentId: "d1" }]), pageViewStatsSql([{ viewId: "v1", documentId: "d1" }], { sinceMs: 5, untilMs: 9 }), clickUserAgentsSql(["v1"]), QUERY_API_PROBE_SQL]) {
      for (const name of functionsIn(sql)) expect(CLICKHOUSE_18_FUNCTIONS, name).toContain(name);
      expect(sql.endsWith("FORMAT JSON")).toBe(true);
    }
  });

  it("chunks by count and by size: 1,000 of the longest ids stay well under ClickHouse's 256 KiB", () => {
    const longest = (prefix: string, i: number) => `${prefix}${String(i).padStart(64 - prefix.length, "0")}`;
    // Worst case: every view on its own document.
    const views = Array.from({ length: 2500 }, (_, i) => ({ viewId: longest("v", i), documentId: longest("d", i) }));
    const chunks = chunkForQueries(views, 1000, pageViewStatsBytes);
    expect(chunks.flat()).toEqual(views);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(1000);
      expect(Buffer.byteLength(pageViewStatsSql(chunk))).toBeLessThanOrEqual(MAX_QUERY_BYTES);
    }
    expect(MAX_QUERY_BYTES).toBeLessThanOrEqual(256 * 1024 / 2);

    // The usual case: one document, short ids: 1,000 views per query.
    const oneDocument = Array.from({ length: 2500 }, (_, i) => ({ viewId: `clv${String(i).padStart(22, "0")}`, documentId: "cldoc0000000000000000000" }));
    expect(chunkForQueries(oneDocument, 1000, pageViewStatsBytes).map((chunk) => chunk.length)).toEqual([1000, 1000, 500]);
    const ids = Array.from({ length: 1001 }, (_, i) => longest("s", i));
    const clickChunks = chunkForQueries(ids, 1000, clickUserAgentBytes);
    expect(clickChunks.map((chunk) => chunk.length)).toEqual([1000, 1]);
    expect(Buffer.byteLength(clickUserAgentsSql(clickChunks[0]!))).toBeLessThan(MAX_QUERY_BYTES);
    expect(chunkForQueries([], 1000, clickUserAgentBytes)).toEqual([]);
  });
});
