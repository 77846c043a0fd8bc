import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ID_PATTERN } from "../../shared/ids";
import { stringSink } from "../../electron/core/csv/csv-writer";
import { DEFAULT_SETTINGS } from "../../shared/settings";
import { DEMO_INSERT_ORDER, generateDemoDataset, seedDemoDatabase, type DemoDataset, type DemoView } from "../../electron/dev/demo/demo-dataset";
import { exportVisits, type ExportRequest } from "../../electron/core/export/export-visits";
import { createViewAnalytics } from "../../electron/core/export/create-view-analytics";
import { ENRICHMENT_MODES } from "../../electron/core/export/view-analytics";
import { RateLimiter } from "../../electron/core/tinybird/rate-limiter";
import { TinybirdClient } from "../../electron/core/tinybird/tinybird-client";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { ViewsSource } from "../../electron/core/views/views-source";
import { clickhouseAvailable, TestClickHouse } from "../helpers/clickhouse-server";

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Columns that hold an id (own or foreign) in the generated tables. */
const ID_COLUMNS = ["id", "teamId", "documentId", "dataroomId", "dataroomViewId", "groupId", "linkId", "agreementId", "viewId"];
const TIME_COLUMNS = ["createdAt", "viewedAt", "downloadedAt", "pauseStartsAt", "pauseEndsAt"];

const dataset = generateDemoDataset({ seed: 7 });
const { tables } = dataset;
const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((row) => [row.id, row]));

function inPauseWindow(view: DemoView, data: DemoDataset): boolean {
  const team = data.tables.Team.find((t) => t.id === view.teamId)!;
  return team.pauseStartsAt !== null && team.pauseEndsAt !== null && view.viewedAt >= team.pauseStartsAt && view.viewedAt <= team.pauseEndsAt;
}

describe("generateDemoDataset", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    expect(JSON.stringify(generateDemoDataset({ seed: 7 }))).toBe(JSON.stringify(dataset));
    expect(JSON.stringify(generateDemoDataset({ seed: 8 }).tables.View)).not.toBe(JSON.stringify(tables.View));
  });

  it("uses valid ids, unique per table, and ISO-8601 UTC timestamps with ms", () => {
    for (const table of DEMO_INSERT_ORDER) {
      const rows: Record<string, unknown>[] = tables[table];
      expect(rows.length, table).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.id)).size, table).toBe(rows.length);
      for (const row of rows) {
        for (const column of ID_COLUMNS) if (row[column] != null) expect(row[column], `${table}.${column}`).toMatch(ID_PATTERN);
        for (const column of TIME_COLUMNS) if (row[column] != null) expect(row[column], `${table}.${column}`).toMatch(ISO_MS);
      }
    }
  });

  it("has the variety the exports need", () => {
    expect(tables.Team.map((t) => t.plan)).toEqual(expect.arrayContaining([expect.stringContaining("pro"), "business", "datarooms-plus"]));
    const paused = tables.Team.filter((t) => t.pauseStartsAt && t.pauseEndsAt);
    expect(paused).toHaveLength(1);
    expect(paused[0]!.pauseEndsAt! < dataset.summary.referenceDate).toBe(true);
    expect(tables.DocumentVersion.some((v) => v.numPages === null)).toBe(true);
    expect(tables.Link.some((l) => l.name === null)).toBe(true);
    expect(tables.View.some((v) => v.isArchived)).toBe(true);
    expect(tables.View.some((v) => v.viewType === "DOCUMENT_VIEW" && v.dataroomId && !v.dataroomViewId)).toBe(true);
    const names = tables.View.map((v) => `${v.viewerName ?? ""} ${v.viewerEmail ?? ""}`);
    for (const start of ["=", "+", "-", "@"]) expect(tables.View.some((v) => v.viewerName?.startsWith(start) || v.viewerEmail?.startsWith(start)), start).toBe(true);
    expect(names.some((n) => n.includes(","))).toBe(true);
    expect(names.some((n) => n.includes('"'))).toBe(true);
    const share = tables.CustomFieldResponse.length / tables.View.filter((v) => v.dataroomViewId === null).length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
    for (const response of tables.CustomFieldResponse) {
      expect(response.data.length).toBeGreaterThan(0);
      for (const field of response.data) expect(Object.keys(field).sort()).toEqual(["identifier", "label", "response"]);
    }
    const viewTimes = tables.View.map((v) => Date.parse(v.viewedAt));
    const reference = Date.parse(dataset.summary.referenceDate);
    expect(Math.max(...viewTimes)).toBeLessThan(reference);
    expect(Math.min(...viewTimes)).toBeGreaterThan(reference - 121 * 86_400_000);
  });

  it("keeps every foreign key consistent", () => {
    const teams = byId(tables.Team);
    const documents = byId(tables.Document);
    const datarooms = byId(tables.Dataroom);
    const groups = byId(tables.ViewerGroup);
    const links = byId(tables.Link);
    const views = byId(tables.View);
    const agreements = byId(tables.Agreement);
    for (const d of tables.Document) expect(teams.has(d.teamId)).toBe(true);
    for (const v of tables.DocumentVersion) expect(documents.has(v.documentId)).toBe(true);
    for (const d of tables.Dataroom) expect(teams.has(d.teamId)).toBe(true);
    for (const g of tables.ViewerGroup) expect(datarooms.get(g.dataroomId)?.teamId).toBe(g.teamId);
    for (const l of tables.Link) {
      expect((l.documentId === null) !== (l.dataroomId === null)).toBe(true);
      if (l.documentId) expect(documents.get(l.documentId)?.teamId).toBe(l.teamId);
      if (l.dataroomId) expect(datarooms.get(l.dataroomId)?.teamId).toBe(l.teamId);
    }
    for (const v of tables.View) {
      const link = links.get(v.linkId)!;
      expect(link.teamId).toBe(v.teamId);
      if (v.documentId) expect(documents.get(v.documentId)?.teamId).toBe(v.teamId);
      if (v.dataroomId) expect(datarooms.get(v.dataroomId)?.teamId).toBe(v.teamId);
      if (v.groupId) expect(groups.get(v.groupId)?.dataroomId).toBe(v.dataroomId);
      if (v.viewType === "DATAROOM_VIEW") {
        expect(v.documentId).toBeNull();
        expect(v.groupId).not.toBeNull();
        expect(link.dataroomId).toBe(v.dataroomId);
      } else {
        expect(v.documentId).not.toBeNull();
      }
    }
    for (const r of tables.AgreementResponse) {
      expect(views.get(r.viewId)?.teamId).toBe(agreements.get(r.agreementId)?.teamId);
    }
    for (const r of tables.CustomFieldResponse) expect(views.has(r.viewId)).toBe(true);
  });

  it("points every document view with a dataroomViewId at a session of the same dataroom and group", () => {
    const views = byId(tables.View);
    const inSessions = tables.View.filter((v) => v.dataroomViewId !== null);
    expect(inSessions.length).toBeGreaterThan(500);
    for (const view of inSessions) {
      expect(view.viewType).toBe("DOCUMENT_VIEW");
      const session = views.get(view.dataroomViewId!);
      expect(session?.viewType).toBe("DATAROOM_VIEW");
      expect(session?.dataroomId).toBe(view.dataroomId);
      expect(session?.groupId).toBe(view.groupId);
      expect(view.viewedAt > session!.viewedAt).toBe(true);
    }
    const perSession = new Map<string, number>();
    for (const view of inSessions) perSession.set(view.dataroomViewId!, (perSession.get(view.dataroomViewId!) ?? 0) + 1);
    expect(Math.max(...perSession.values())).toBeLessThanOrEqual(5);
    expect(perSession.size).toBeLessThan(tables.View.filter((v) => v.viewType === "DATAROOM_VIEW").length); // some sessions have none
  });

  it("gives emulator data that matches the views", () => {
    const views = byId(tables.View);
    const versionsOf = new Map<string, typeof tables.DocumentVersion>();
    for (const v of tables.DocumentVersion) versionsOf.set(v.documentId, [...(versionsOf.get(v.documentId) ?? []), v]);
    for (const versions of versionsOf.values()) versions.sort((a, b) => b.versionNumber - a.versionNumber);
    const documents = byId(tables.Document);
    for (const event of dataset.emulator.pageViews) {
      const view = views.get(event.viewId)!;
      expect(view.viewType).toBe("DOCUMENT_VIEW");
      expect(event.documentId).toBe(view.documentId);
      const newestFirst = versionsOf.get(event.documentId)!;
      const version = newestFirst.find((v) => v.createdAt <= view.viewedAt) ?? newestFirst[0]!;
      expect(event.versionNumber).toBe(version.versionNumber);
      expect(event.pageNumber).toBeGreaterThanOrEqual(1);
      expect(event.pageNumber).toBeLessThanOrEqual(version.numPages ?? documents.get(event.documentId)!.numPages!);
      expect(event.duration).toBeGreaterThanOrEqual(200);
      expect(event.duration).toBeLessThanOrEqual(60_000);
    }
    const agents = new Map(dataset.emulator.userAgents.map((ua) => [ua.viewId, ua]));
    expect(agents.size).toBe(dataset.emulator.userAgents.length);
    const documentViews = tables.View.filter((v) => v.viewType === "DOCUMENT_VIEW");
    const share = (source: "v3" | "v2" | null) => documentViews.filter((v) => (agents.get(v.id)?.source ?? null) === source).length / documentViews.length;
    expect(share("v3")).toBeGreaterThan(0.7);
    expect(share("v2")).toBeGreaterThan(0.05);
    expect(share("v2")).toBeLessThan(0.15);
    expect(share(null)).toBeGreaterThan(0.05);
    expect(share(null)).toBeLessThan(0.15);
    for (const ua of dataset.emulator.userAgents.filter((a) => a.source === "v2")) expect(ua.documentId).toBe(views.get(ua.viewId)!.documentId);
    for (const session of tables.View.filter((v) => v.viewType === "DATAROOM_VIEW")) expect(agents.get(session.id)?.source).toBe("v3");
  });

  it("scales the number of views linearly", () => {
    expect(tables.View.length).toBeGreaterThan(2500);
    expect(tables.View.length).toBeLessThan(3600);
    const double = generateDemoDataset({ seed: 7, scale: 2 }).tables.View.length;
    const fifth = generateDemoDataset({ seed: 7, scale: 0.2 }).tables.View.length;
    expect(double / tables.View.length).toBeGreaterThan(1.85);
    expect(double / tables.View.length).toBeLessThan(2.15);
    expect(fifth / tables.View.length).toBeGreaterThan(0.17);
    expect(fifth / tables.View.length).toBeLessThan(0.23);
  });

  it("rejects options that make no sense", () => {
    expect(() => generateDemoDataset({ scale: 0 })).toThrow(/scale/);
    expect(() => generateDemoDataset({ seed: 1.5 })).toThrow(/seed/);
  });
});

describe("demo dataset end to end (PGlite + Tinybird emulator)", () => {
  const small = generateDemoDataset({ scale: 0.2 });
  let db: EmbeddedPostgres;
  let emulator: TinybirdEmulator;
  let limiter: RateLimiter;
  let tinybird: TinybirdClient;
  /** sql mode runs on the emulator's Query API, on a real ClickHouse. */
  const withClickHouse = clickhouseAvailable();
  const modes = ENRICHMENT_MODES.filter((mode) => withClickHouse || mode !== "sql");
  let clickhouse: TestClickHouse | undefined;

  beforeAll(async () => {
    db = await startEmbeddedPostgres();
    await seedDemoDatabase(db, small);
    clickhouse = withClickHouse ? await TestClickHouse.start() : undefined;
    emulator = new TinybirdEmulator({ token: "demo", data: small.emulator, clickhouse: clickhouse?.process });
    await emulator.start();
    limiter = new RateLimiter({ maxConcurrent: 10, minTime: 0 });
    tinybird = new TinybirdClient({ host: emulator.url, token: "demo", limiter });
  });
  afterAll(async () => {
    await limiter?.stop();
    await emulator?.stop();
    await clickhouse?.close();
    await db?.sql.close();
  });

  it("stores every row", async () => {
    for (const table of DEMO_INSERT_ORDER) {
      const [row] = await db.sql.query<{ count: number | string }>(`SELECT count(*) AS "count" FROM "${table}"`, []);
      expect(Number(row!.count), table).toBe(small.tables[table].length);
    }
  });

  const { teamId, documentId, dataroomId, groupId } = small.summary;
  const requests: ExportRequest[] = [
    { type: "document", teamId, resourceId: documentId },
    { type: "dataroom", teamId, resourceId: dataroomId },
    { type: "dataroom-group", teamId, resourceId: dataroomId, groupId },
  ];

  it.each(requests)("exports $type identically in every mode", async (request) => {
    const csvs: string[] = [];
    for (const mode of modes) {
      const { sink, text } = stringSink();
      const outcome = await exportVisits({ views: new ViewsSource(db.sql), analytics: createViewAnalytics(mode, tinybird) }, request, sink, { csv: DEFAULT_SETTINGS.csv });
      expect(outcome.rows).toBeGreaterThan(0);
      csvs.push(text());
    }
    const [perView, ...others] = csvs;
    expect(perView!.split("\n").length).toBeGreaterThan(1);
    expect(others).toHaveLength(modes.length - 1);
    for (const csv of others) expect(csv).toBe(perView);
    if (request.type === "document") {
      const views = small.tables.View.filter((v) => v.documentId === documentId);
      const exported = views.filter((v) => !inPauseWindow(v, small));
      expect(exported.length).toBeLessThan(views.length); // the pause window really drops some
      expect(perView!.split("\n").length - 1).toBe(exported.length);
      expect(perView).toMatch(/,'[=+\-@]/); // injection payloads were neutralised
    }
  });
});
