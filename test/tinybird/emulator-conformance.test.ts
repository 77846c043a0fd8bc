import { Tinybird } from "@chronark/zod-bird";
import { createTinybirdApi, TinybirdApiError } from "@tinybirdco/sdk/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { clickUserAgentsSql, pageViewStatsSql } from "../../electron/core/tinybird/enrichment-sql";
import { PIPES } from "../../electron/core/tinybird/pipes";
import { RateLimiter } from "../../electron/core/tinybird/rate-limiter";
import { TinybirdClient } from "../../electron/core/tinybird/tinybird-client";
import { QUERY_API_PATH, TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { smallEmulatorData } from "../fixtures/small-dataset";
import { clickhouseAvailable, TestClickHouse } from "../helpers/clickhouse-server";

/*
 * The emulator checked with real clients: every pipe the exporter reads through Papermark's
 * own Tinybird client library (@chronark/zod-bird) with the parameter and row schemas
 * Papermark declares for it (lib/tinybird/pipes.ts), and the Query API through Tinybird's
 * official SDK, whose sql() posts the SQL as a raw text/plain body.
 */

const TOKEN = "tb-conformance";

/** The pipes as Papermark declares them (parameters and rows), the way its code builds them. */
function papermarkPipes(tb: Tinybird) {
  const userAgent = z.object({ country: z.string(), city: z.string(), browser: z.string(), os: z.string(), device: z.string() });
  return {
    getViewPageDuration: tb.buildPipe({
      pipe: PIPES.pageDurationPerView,
      parameters: z.object({ documentId: z.string(), viewId: z.string(), since: z.number(), until: z.number().optional() }),
      data: z.object({ pageNumber: z.string(), sum_duration: z.number() }),
    }),
    getViewUserAgent: tb.buildPipe({
      pipe: PIPES.userAgentPerViewV3,
      parameters: z.object({ viewId: z.string() }),
      data: userAgent,
    }),
    getViewUserAgent_v2: tb.buildPipe({
      pipe: PIPES.userAgentPerViewV2,
      parameters: z.object({ documentId: z.string(), viewId: z.string(), since: z.number() }),
      data: userAgent,
    }),
    getDataroomViewDocumentStats: tb.buildPipe({
      pipe: PIPES.dataroomViewDocumentStats,
      parameters: z.object({ viewIds: z.string().describe("Comma separated viewIds") }),
      data: z.object({ viewId: z.string(), documentId: z.string(), sum_duration: z.number(), pages_viewed: z.number() }),
    }),
    getViewCompletionStats: tb.buildPipe({
      pipe: PIPES.viewCompletionStats,
      parameters: z.object({ documentId: z.string(), excludedViewIds: z.string().describe("Comma separated viewIds"), since: z.number() }),
      data: z.object({ viewId: z.string(), versionNumber: z.number().int(), pages_viewed: z.number() }),
    }),
  };
}

describe("every emulated pipe through @chronark/zod-bird with Papermark's schemas", () => {
  let emulator: TinybirdEmulator;
  let pipes: ReturnType<typeof papermarkPipes>;
  beforeAll(async () => {
    emulator = new TinybirdEmulator({ token: TOKEN, data: smallEmulatorData });
    await emulator.start();
    pipes = papermarkPipes(new Tinybird({ token: TOKEN, baseUrl: emulator.url }));
  });
  afterAll(() => emulator.stop());

  it("get_page_duration_per_view__v5: pageNumber a String, pages ordered as Tinybird orders strings", async () => {
    const answer = await pipes.getViewPageDuration({ documentId: "d1", viewId: "w1", since: 0 });
    expect(answer.data).toEqual([
      { pageNumber: "1", sum_duration: 1800 },
      { pageNumber: "2", sum_duration: 700 },
    ]);
    expect(answer.meta).toEqual([
      { name: "pageNumber", type: "String" },
      { name: "sum_duration", type: "UInt64" },
    ]);
  });

  it("get_useragent_per_view__v3 and __v2", async () => {
    expect((await pipes.getViewUserAgent({ viewId: "w1" })).data).toEqual([{ country: "US", city: "New York", browser: "Chrome", os: "macOS", device: "Desktop" }]);
    expect((await pipes.getViewUserAgent({ viewId: "w4" })).data).toEqual([]);
    expect((await pipes.getViewUserAgent_v2({ documentId: "d1", viewId: "w2", since: 0 })).data).toEqual([{ country: "DE", city: "Berlin", browser: "Firefox", os: "Windows", device: "Desktop" }]);
  });

  it("get_dataroom_view_document_stats__v1 and get_view_completion_stats__v1", async () => {
    const stats = await pipes.getDataroomViewDocumentStats({ viewIds: "dv1,dv2,nope" });
    expect(stats.data).toEqual([
      { viewId: "dv1", documentId: "d1", sum_duration: 2000, pages_viewed: 4 },
      { viewId: "dv2", documentId: "d3", sum_duration: 1300, pages_viewed: 4 },
    ]);
    const completion = await pipes.getViewCompletionStats({ documentId: "d1", excludedViewIds: "w3", since: 0 });
    expect(completion.data).toEqual(
      expect.arrayContaining([
        { viewId: "w1", versionNumber: 1, pages_viewed: 2 },
        { viewId: "dv1", versionNumber: 1, pages_viewed: 4 },
      ]),
    );
    expect(completion.data.map((row) => row.viewId)).not.toContain("w3");
  });

  it("refuses a wrong token the way the library expects (403)", async () => {
    const wrong = papermarkPipes(new Tinybird({ token: "wrong", baseUrl: emulator.url }));
    await expect(wrong.getViewUserAgent({ viewId: "w1" })).rejects.toThrow("Unauthorized");
  });
});

describe.runIf(clickhouseAvailable())("the Query API through @tinybirdco/sdk (raw text/plain body)", () => {
  let clickhouse: TestClickHouse;
  let emulator: TinybirdEmulator;
  let limiter: RateLimiter;
  beforeAll(async () => {
    clickhouse = await TestClickHouse.start();
    emulator = new TinybirdEmulator({ token: TOKEN, data: smallEmulatorData, clickhouse: clickhouse.process });
    await emulator.start();
    limiter = new RateLimiter({ maxConcurrent: 2, minTime: 0 });
  });
  afterAll(async () => {
    await limiter?.stop();
    await emulator?.stop();
    await clickhouse?.close();
  });

  it("answers the SDK's sql() with Tinybird's JSON, the same rows our client gets with the form field", async () => {
    const api = createTinybirdApi({ baseUrl: emulator.url, token: TOKEN });
    const ours = new TinybirdClient({ host: emulator.url, token: TOKEN, limiter });
    const views = [
      { viewId: "w1", documentId: "d1" },
      { viewId: "w2", documentId: "d1" },
      { viewId: "dv2", documentId: "d3" },
    ];
    for (const sql of [pageViewStatsSql(views), clickUserAgentsSql(["w1", "p1", "s1", "w4"])]) {
      emulator.log.length = 0;
      const answer = (await api.sql(sql)) as unknown as { meta: { name: string; type: string }[]; data: Record<string, unknown>[]; rows: number; statistics: Record<string, number> };
      expect(emulator.log).toHaveLength(1);
      expect(emulator.log[0]).toMatchObject({ pipe: QUERY_API_PATH, status: 200, params: { q: sql } });
      expect(answer.rows).toBe(answer.data.length);
      expect(answer.statistics).toMatchObject({ elapsed: expect.any(Number), rows_read: expect.any(Number) });
      expect(answer.meta.map((column) => column.name)).toEqual(Object.keys(answer.data[0]!));
      const sortById = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => String(a.viewId).localeCompare(String(b.viewId)));
      expect(sortById(await ours.sql(sql, z.record(z.string(), z.unknown())))).toEqual(sortById(answer.data));
    }
    const stats = (await api.sql(pageViewStatsSql(views))) as unknown as { data: { viewId: string; sum_duration: unknown; pages_viewed: unknown }[] };
    expect(stats.data.find((row) => row.viewId === "w1")).toMatchObject({ sum_duration: 2500, pages_viewed: 2 }); // numbers, not quoted strings
  });

  it("gives the SDK Tinybird's errors: 400 with the SQL error, 403 without SQL rights", async () => {
    const api = createTinybirdApi({ baseUrl: emulator.url, token: TOKEN });
    const bad = await api.sql("SELECT nope FROM page_views__v3 FORMAT JSON").catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(TinybirdApiError);
    expect(bad).toMatchObject({ statusCode: 400, message: expect.stringMatching(/nope/) });
    emulator.queryApiAllowed = false;
    try {
      expect(await api.sql("SELECT 1 FORMAT JSON").catch((error: unknown) => error)).toMatchObject({ statusCode: 403 });
    } finally {
      emulator.queryApiAllowed = true;
    }
  });
});
