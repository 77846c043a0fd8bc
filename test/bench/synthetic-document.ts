import { BROWSERS, DEMO_INSERT_ORDER, DEMO_REFERENCE_DATE, FIRST_NAMES, GEO, LAST_NAMES, SYSTEMS, type DemoTables } from "../../electron/dev/demo/demo-dataset";
import type { EmulatorData } from "../../electron/dev/tinybird-emulator/emulator-data";
import type { EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { seededRandom } from "../../electron/dev/seeded-random";

/*
 * A synthetic team whose documents each have exactly N views (DOCUMENT_VIEW rows through one
 * link), with the Tinybird page-view events and user agents that match them: what the
 * throughput and memory benchmarks export. Deterministic for a seed. Shaped like the demo
 * dataset (names, emails, 10% agreements, 20% custom fields, 80% v3 / 10% v2-only / 10% no
 * user agent) but with nothing else in the way. Datarooms (optional) hold visits, each with a
 * fixed number of document views, and the visits' v3 user agents.
 */

export interface SyntheticDocumentSpec {
  id: string;
  views: number;
}

/**
 * A dataroom with `sessions` visits (DATAROOM_VIEW rows), each opening `documentViewsPerSession`
 * of its `documents` documents (DOCUMENT_VIEW rows pointing at the session), so it holds
 * sessions × documentViewsPerSession document views.
 */
export interface SyntheticDataroomSpec {
  id: string;
  sessions: number;
  documentViewsPerSession: number;
  documents: number;
}

export interface SyntheticTeam {
  teamId: string;
  tables: DemoTables;
  emulator: EmulatorData;
}

const REFERENCE_MS = Date.parse(DEMO_REFERENCE_DATE);
const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

export function syntheticTeam(teamId: string, documents: readonly SyntheticDocumentSpec[], seed = 1, datarooms: readonly SyntheticDataroomSpec[] = []): SyntheticTeam {
  const random = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const tables: DemoTables = {
    Team: [{ id: teamId, name: `Bench ${teamId}`, plan: "business", pauseStartsAt: null, pauseEndsAt: null, createdAt: iso(REFERENCE_MS - 400 * DAY_MS) }],
    Document: [],
    DocumentVersion: [],
    Dataroom: [],
    ViewerGroup: [],
    Link: [],
    View: [],
    Agreement: [{ id: `${teamId}_nda`, name: "Bench NDA", content: "https://bench.example/nda.pdf", teamId, createdAt: iso(REFERENCE_MS - 300 * DAY_MS), deletedAt: null }],
    AgreementResponse: [],
    CustomFieldResponse: [],
  };
  const emulator: EmulatorData = { pageViews: [], userAgents: [] };
  const secondVersionAt = REFERENCE_MS - 60 * DAY_MS;

  for (const spec of documents) {
    tables.Document.push({ id: spec.id, name: `Document with ${spec.views} views`, numPages: 14, teamId, createdAt: iso(REFERENCE_MS - 200 * DAY_MS) });
    tables.DocumentVersion.push(
      { id: `${spec.id}_v1`, versionNumber: 1, documentId: spec.id, numPages: 12, isPrimary: false, createdAt: iso(REFERENCE_MS - 200 * DAY_MS) },
      { id: `${spec.id}_v2`, versionNumber: 2, documentId: spec.id, numPages: 14, isPrimary: true, createdAt: iso(secondVersionAt) },
    );
    const linkId = `${spec.id}_link`;
    tables.Link.push({ id: linkId, name: "Investor link", documentId: spec.id, dataroomId: null, teamId });
    // Views spread evenly over the 120 days before the reference date, newest first.
    const step = Math.max(1, Math.floor((119 * DAY_MS) / Math.max(1, spec.views)));
    for (let i = 0; i < spec.views; i++) {
      const viewId = `${spec.id}_${String(i).padStart(6, "0")}`;
      const viewedAtMs = REFERENCE_MS - DAY_MS - i * step - int(0, Math.min(step - 1, 999));
      const first = pick(FIRST_NAMES);
      const last = pick(LAST_NAMES);
      tables.View.push({
        id: viewId,
        linkId,
        documentId: spec.id,
        dataroomId: null,
        dataroomViewId: null,
        viewerEmail: `${first}.${last}${i % 97}@example.com`.toLowerCase(),
        viewerName: random() < 0.8 ? `${first} ${last}` : null,
        verified: random() < 0.5,
        viewedAt: iso(viewedAtMs),
        downloadedAt: random() < 0.08 ? iso(viewedAtMs + int(10_000, 1_800_000)) : null,
        viewType: "DOCUMENT_VIEW",
        viewerId: null,
        groupId: null,
        isArchived: random() < 0.03,
        teamId,
      });
      if (random() < 0.1) tables.AgreementResponse.push({ id: `${viewId}_ar`, agreementId: `${teamId}_nda`, viewId, createdAt: iso(viewedAtMs - 5_000) });
      if (random() < 0.2) {
        tables.CustomFieldResponse.push({
          id: `${viewId}_cf`,
          viewId,
          createdAt: iso(viewedAtMs),
          data: [
            { identifier: "company", label: "Company", response: pick(["Blue Fund", "Northwind, LLC", "=1+1"]) },
            { identifier: "role", label: "Role", response: pick(["Partner", "Analyst"]) },
          ],
        });
      }
      const version = viewedAtMs >= secondVersionAt ? { versionNumber: 2, numPages: 14 } : { versionNumber: 1, numPages: 12 };
      let time = viewedAtMs;
      for (let page = 1, pages = int(0, version.numPages); page <= pages; page++) {
        const duration = 200 + Math.floor(random() ** 2 * 59_800);
        emulator.pageViews.push({ viewId, documentId: spec.id, versionNumber: version.versionNumber, pageNumber: page, time, duration });
        time += duration;
      }
      const roll = random();
      if (roll < 0.9) {
        const [country, city] = pick(GEO);
        const [os, device] = pick(SYSTEMS);
        emulator.userAgents.push({
          viewId,
          country,
          city,
          browser: pick(BROWSERS),
          os,
          device,
          source: roll < 0.8 ? "v3" : "v2",
          ...(roll < 0.8 ? {} : { documentId: spec.id }),
        });
      }
    }
  }

  for (const room of datarooms) {
    tables.Dataroom.push({ id: room.id, name: `Dataroom with ${room.sessions * room.documentViewsPerSession} document views`, teamId, createdAt: iso(REFERENCE_MS - 200 * DAY_MS) });
    const group = { id: `${room.id}_group`, name: "Investors", dataroomId: room.id, teamId };
    tables.ViewerGroup.push(group);
    const linkId = `${room.id}_link`;
    tables.Link.push({ id: linkId, name: "Dataroom link", documentId: null, dataroomId: room.id, teamId });
    const roomDocuments = Array.from({ length: room.documents }, (_, d) => `${room.id}_doc${String(d).padStart(3, "0")}`);
    for (const id of roomDocuments) {
      tables.Document.push({ id, name: `Dataroom document ${id.slice(-3)}`, numPages: 10, teamId, createdAt: iso(REFERENCE_MS - 200 * DAY_MS) });
      tables.DocumentVersion.push({ id: `${id}_v1`, versionNumber: 1, documentId: id, numPages: 10, isPrimary: true, createdAt: iso(REFERENCE_MS - 200 * DAY_MS) });
    }
    // Sessions spread evenly over the 120 days before the reference date, newest first.
    const step = Math.max(1, Math.floor((119 * DAY_MS) / Math.max(1, room.sessions)));
    for (let s = 0; s < room.sessions; s++) {
      const sessionId = `${room.id}_s${String(s).padStart(6, "0")}`;
      const sessionAtMs = REFERENCE_MS - DAY_MS - s * step - int(0, Math.min(step - 1, 999));
      const first = pick(FIRST_NAMES);
      const last = pick(LAST_NAMES);
      const visitor = {
        linkId,
        dataroomId: room.id,
        viewerEmail: `${first}.${last}${s % 97}@example.com`.toLowerCase(),
        viewerName: random() < 0.8 ? `${first} ${last}` : null,
        verified: random() < 0.5,
        viewerId: null,
        groupId: group.id,
        isArchived: false,
        teamId,
      };
      tables.View.push({ ...visitor, id: sessionId, documentId: null, dataroomViewId: null, viewType: "DATAROOM_VIEW", viewedAt: iso(sessionAtMs), downloadedAt: null });
      if (random() < 0.1) tables.AgreementResponse.push({ id: `${sessionId}_ar`, agreementId: `${teamId}_nda`, viewId: sessionId, createdAt: iso(sessionAtMs - 5_000) });
      // Dataroom rows take the session's user agent (v3 only).
      if (random() < 0.9) {
        const [country, city] = pick(GEO);
        const [os, device] = pick(SYSTEMS);
        emulator.userAgents.push({ viewId: sessionId, country, city, browser: pick(BROWSERS), os, device, source: "v3" });
      }
      let documentAtMs = sessionAtMs;
      for (let d = 0; d < room.documentViewsPerSession; d++) {
        documentAtMs += int(1_000, 60_000);
        const documentId = pick(roomDocuments);
        const viewId = `${sessionId}_d${d}`;
        tables.View.push({ ...visitor, id: viewId, documentId, dataroomViewId: sessionId, viewType: "DOCUMENT_VIEW", viewedAt: iso(documentAtMs), downloadedAt: null });
        let time = documentAtMs;
        for (let page = 1, pages = int(0, 10); page <= pages; page++) {
          const duration = 200 + Math.floor(random() ** 2 * 59_800);
          emulator.pageViews.push({ viewId, documentId, dataroomId: room.id, versionNumber: 1, pageNumber: page, time, duration });
          time += duration;
        }
      }
    }
  }
  return { teamId, tables, emulator };
}

/** Inserts the team's rows, parents first. */
export async function seedSyntheticTeam(db: Pick<EmbeddedPostgres, "insert">, team: SyntheticTeam): Promise<void> {
  for (const table of DEMO_INSERT_ORDER) await db.insert(table, team.tables[table]);
}
