import { z } from "zod";
import { AppError } from "../../../shared/errors";
import type { EmulatorData, PageViewEvent, ViewUserAgent } from "../tinybird-emulator/emulator-data";
import type { EmbeddedPostgres } from "../embedded-postgres";
import { SeededRandom } from "../seeded-random";

/*
 * A realistic, deterministic Papermark-shaped dataset for the demo and for tests at scale:
 * teams on each kind of plan, documents with several versions, datarooms with viewer groups,
 * a few thousand views (document views, dataroom sessions and the document views inside
 * them) and Tinybird page-view events and user agents that match those views. Rows use the
 * column names of PAPERMARK_SCHEMA_SQL; timestamps are ISO-8601 UTC strings with ms.
 */

/** Views are spread over the DAYS_OF_VIEWS days before this instant (never "now": determinism). */
export const DEMO_REFERENCE_DATE = "2026-11-01T00:00:00.000Z";
const DAYS_OF_VIEWS = 120;

export type DemoTeam = { id: string; name: string; plan: string; pauseStartsAt: string | null; pauseEndsAt: string | null; createdAt: string };
export type DemoDocument = { id: string; name: string; numPages: number | null; teamId: string; createdAt: string };
export type DemoDocumentVersion = { id: string; versionNumber: number; documentId: string; numPages: number | null; isPrimary: boolean; createdAt: string };
export type DemoDataroom = { id: string; name: string; teamId: string; createdAt: string };
export type DemoViewerGroup = { id: string; name: string; dataroomId: string; teamId: string };
export type DemoLink = { id: string; name: string | null; documentId: string | null; dataroomId: string | null; teamId: string };
export type DemoView = {
  id: string;
  linkId: string;
  documentId: string | null;
  dataroomId: string | null;
  dataroomViewId: string | null;
  viewerEmail: string | null;
  viewerName: string | null;
  verified: boolean;
  viewedAt: string;
  downloadedAt: string | null;
  viewType: "DOCUMENT_VIEW" | "DATAROOM_VIEW";
  viewerId: string | null;
  groupId: string | null;
  isArchived: boolean;
  teamId: string;
};
export type DemoAgreement = { id: string; name: string; content: string; teamId: string; createdAt: string; deletedAt: string | null };
export type DemoAgreementResponse = { id: string; agreementId: string; viewId: string; createdAt: string };
export type CustomFieldEntry = { identifier: string; label: string; response: string };
export type DemoCustomFieldResponse = { id: string; data: CustomFieldEntry[]; viewId: string; createdAt: string };

export interface DemoTables {
  Team: DemoTeam[];
  Document: DemoDocument[];
  DocumentVersion: DemoDocumentVersion[];
  Dataroom: DemoDataroom[];
  ViewerGroup: DemoViewerGroup[];
  Link: DemoLink[];
  View: DemoView[];
  Agreement: DemoAgreement[];
  AgreementResponse: DemoAgreementResponse[];
  CustomFieldResponse: DemoCustomFieldResponse[];
}

/** Parents before children, so every foreign key points at a row that is already there. */
export const DEMO_INSERT_ORDER = [
  "Team",
  "Document",
  "DocumentVersion",
  "Dataroom",
  "ViewerGroup",
  "Link",
  "View",
  "Agreement",
  "AgreementResponse",
  "CustomFieldResponse",
] as const satisfies readonly (keyof DemoTables)[];

/** Ids worth showing in a demo or using in a test (all have views at scale >= 0.1). */
export interface DemoSummary {
  referenceDate: string;
  teamIds: string[];
  /** The first team (business plan, with a past pause window). */
  teamId: string;
  documentId: string;
  dataroomId: string;
  groupId: string;
  counts: { views: number; documentViews: number; sessions: number; pageViews: number; userAgents: number };
}

export interface DemoDataset {
  tables: DemoTables;
  emulator: EmulatorData;
  summary: DemoSummary;
}

const demoOptionsSchema = z.object({
  seed: z.number().int().default(1),
  /** 1 gives about 3000 views; the view count grows linearly with it. */
  scale: z.number().positive().max(100).default(1),
});
export type DemoOptions = z.input<typeof demoOptionsSchema>;

interface TeamSpec {
  key: string;
  name: string;
  plan: string;
  pause?: { startsAt: string; endsAt: string };
  documents: string[];
  datarooms: { name: string; groups: [string, string] }[];
}

const TEAM_SPECS: readonly TeamSpec[] = [
  {
    key: "acme",
    name: "Acme Ventures",
    plan: "business",
    pause: { startsAt: "2026-08-10T00:00:00.000Z", endsAt: "2026-08-20T00:00:00.000Z" },
    documents: ["Pitch Deck", 'Q3 Financials, "Final"', "Term Sheet Draft", "Product Roadmap"],
    datarooms: [
      { name: "Series B Data Room", groups: ["Investors", "Advisors"] },
      { name: "Board Materials", groups: ["Board", "Auditors"] },
    ],
  },
  {
    key: "globex",
    name: "Globex Capital",
    plan: "pro",
    documents: ["Fund Overview", "LP Quarterly Letter", "Portfolio Summary", "Fee Schedule"],
    datarooms: [{ name: "LP Due Diligence", groups: ["Limited Partners", "Legal"] }],
  },
  {
    key: "initech",
    name: "Initech Holdings",
    plan: "datarooms-plus",
    documents: ["Acquisition Memo", "Customer Contracts", "IP Portfolio", "Management Presentation"],
    datarooms: [
      { name: "M&A Data Room", groups: ["Buyers", "Bankers"] },
      { name: "Vendor Due Diligence", groups: ["Vendors", "Counsel"] },
    ],
  },
];

/** Visitors whose names or emails a spreadsheet would run as formulas, or that need quoting. */
const TRICKY_VISITORS: readonly Visitor[] = [
  { name: '=HYPERLINK("https://evil.example","Open")', email: "mallory@evil.example" },
  { name: "+SUM(1,2)", email: "+mallory@evil.example" },
  { name: "-10+20", email: "trent@example.com" },
  { name: "@import", email: "@attacker.example" },
  { name: "Smith, John", email: "john.smith@example.com" },
  { name: 'Dwayne "The Rock" Johnson', email: "dwayne@example.com" },
  { name: "O'Connor, Siobhán", email: "siobhan@example.ie" },
];

export const FIRST_NAMES = ["Alice", "Bruno", "Chen", "Dana", "Elif", "Farah", "Gustavo", "Hana", "Ivan", "Jonas", "Keiko", "Liam", "Maya", "Nikolai", "Olivia", "Priya"];
export const LAST_NAMES = ["Andersen", "Baker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Huang", "Ito", "Jensen", "Kowalski", "Larsen"];
const EMAIL_DOMAINS = ["example.com", "fund.example", "capital.example", "partners.example"];
const LINK_NAMES = ["Investor link", "Website", "Email campaign", "Partner share", "Conference"];
export const GEO = [
  ["US", "New York"],
  ["US", "San Francisco"],
  ["US", "Washington, D.C."],
  ["GB", "London"],
  ["DE", "Berlin"],
  ["FR", "Paris"],
  ["CH", "Zürich"],
  ["BR", "São Paulo"],
  ["SG", "Singapore"],
  ["JP", "Tokyo"],
] as const;
export const BROWSERS = ["Chrome", "Safari", "Firefox", "Edge"];
export const SYSTEMS = [
  ["macOS", "Desktop"],
  ["Windows", "Desktop"],
  ["Linux", "Desktop"],
  ["iOS", "Mobile"],
  ["Android", "Mobile"],
  ["iPadOS", "Tablet"],
] as const;
const CUSTOM_FIELDS = [
  { identifier: "company", label: "Company", responses: ["Sequoia Example", "Blue Fund", "=1+1", "Northwind, LLC"] },
  { identifier: "role", label: "Role", responses: ["Partner", "Analyst", "Associate", ""] },
  { identifier: "phone", label: "Phone number", responses: ["+1 415 555 0100", "+44 20 7946 0958", "030 901820"] },
  { identifier: "ticket_size", label: "Ticket size", responses: ["1-5M", "-", "10M+", "@later"] },
] as const;

interface Visitor {
  name: string | null;
  email: string | null;
}

interface DocumentInfo {
  document: DemoDocument;
  /** Newest first. */
  versions: DemoDocumentVersion[];
  links: DemoLink[];
}

interface DataroomInfo {
  dataroom: DemoDataroom;
  groups: DemoViewerGroup[];
  links: DemoLink[];
  documents: DocumentInfo[];
}

const DAY_MS = 86_400_000;
const REFERENCE_MS = Date.parse(DEMO_REFERENCE_DATE);
const iso = (ms: number) => new Date(ms).toISOString();


export function generateDemoDataset(options: DemoOptions = {}): DemoDataset {
  const { seed, scale } = parseOptions(options);
  const random = new SeededRandom(seed);
  const tables: DemoTables = {
    Team: [],
    Document: [],
    DocumentVersion: [],
    Dataroom: [],
    ViewerGroup: [],
    Link: [],
    View: [],
    Agreement: [],
    AgreementResponse: [],
    CustomFieldResponse: [],
  };
  const emulator: EmulatorData = { pageViews: [], userAgents: [] };
  const visitors = [...generatedVisitors(random), ...TRICKY_VISITORS];

  const teams = TEAM_SPECS.map((spec) => buildTeam(spec, random, tables));
  let viewNumber = 0;
  const nextViewId = () => `view_${String(++viewNumber).padStart(6, "0")}`;

  const addView = (view: Omit<DemoView, "id" | "viewerId">): DemoView => {
    const row: DemoView = { id: nextViewId(), viewerId: null, ...view };
    tables.View.push(row);
    addAgreementAndFields(row, random, tables);
    return row;
  };

  const addDocumentView = (info: DocumentInfo, view: Omit<DemoView, "id" | "viewerId" | "documentId" | "viewType" | "isArchived">): void => {
    const row = addView({ ...view, documentId: info.document.id, viewType: "DOCUMENT_VIEW", isArchived: random.chance(0.04) });
    addPageViews(row, info, random, emulator);
    addDocumentUserAgent(row, random, emulator);
  };

  const visitorFields = () => {
    const visitor = random.pick(visitors);
    return { viewerName: visitor.name, viewerEmail: visitor.email, verified: visitor.email !== null && random.chance(0.5) };
  };

  // Document views through the documents' own links.
  for (let i = 0; i < Math.round(1600 * scale); i++) {
    const team = random.pickSkewed(teams);
    const info = random.pickSkewed(team.documents);
    const viewedAtMs = randomViewTime(random);
    addDocumentView(info, {
      linkId: random.pick(info.links).id,
      dataroomId: null,
      dataroomViewId: null,
      groupId: null,
      teamId: team.team.id,
      viewedAt: iso(viewedAtMs),
      downloadedAt: maybeDownload(random, viewedAtMs),
      ...visitorFields(),
    });
  }

  // Document views inside a dataroom without a session (older Papermark data has these).
  for (let i = 0; i < Math.round(60 * scale); i++) {
    const team = random.pick(teams);
    const room = random.pick(team.datarooms);
    const viewedAtMs = randomViewTime(random);
    addDocumentView(random.pick(room.documents), {
      linkId: random.pick(room.links).id,
      dataroomId: room.dataroom.id,
      dataroomViewId: null,
      groupId: null,
      teamId: team.team.id,
      viewedAt: iso(viewedAtMs),
      downloadedAt: maybeDownload(random, viewedAtMs),
      ...visitorFields(),
    });
  }

  // Dataroom sessions, each with the document views the visitor opened in it.
  const allDatarooms = teams.flatMap((team) => team.datarooms.map((room) => ({ team, room })));
  for (let i = 0; i < Math.round(400 * scale); i++) {
    const { team, room } = random.pickSkewed(allDatarooms);
    const sessionAtMs = randomViewTime(random);
    const shared = {
      linkId: random.pick(room.links).id,
      dataroomId: room.dataroom.id,
      groupId: random.pick(room.groups).id,
      teamId: team.team.id,
      ...visitorFields(),
    };
    const session = addView({
      ...shared,
      documentId: null,
      dataroomViewId: null,
      viewType: "DATAROOM_VIEW",
      isArchived: false,
      viewedAt: iso(sessionAtMs),
      downloadedAt: random.chance(0.05) ? iso(sessionAtMs + random.int(60_000, 3_600_000)) : null,
    });
    emulator.userAgents.push(userAgent(session.id, undefined, "v3", random));
    let documentAtMs = sessionAtMs;
    for (let d = random.int(0, 5); d > 0; d--) {
      documentAtMs += random.int(5_000, 600_000);
      addDocumentView(random.pick(room.documents), {
        ...shared,
        dataroomViewId: session.id,
        viewedAt: iso(documentAtMs),
        downloadedAt: maybeDownload(random, documentAtMs),
      });
    }
  }

  const [firstTeam] = teams;
  const firstRoom = firstTeam!.datarooms[0]!;
  const sessions = tables.View.filter((v) => v.viewType === "DATAROOM_VIEW").length;
  return {
    tables,
    emulator,
    summary: {
      referenceDate: DEMO_REFERENCE_DATE,
      teamIds: teams.map((t) => t.team.id),
      teamId: firstTeam!.team.id,
      documentId: firstTeam!.documents[0]!.document.id,
      dataroomId: firstRoom.dataroom.id,
      groupId: firstRoom.groups[0]!.id,
      counts: {
        views: tables.View.length,
        documentViews: tables.View.length - sessions,
        sessions,
        pageViews: emulator.pageViews.length,
        userAgents: emulator.userAgents.length,
      },
    },
  };
}

/** Inserts every table, parents first, through EmbeddedPostgres or any `insert`. */
export async function seedDemoDatabase(db: Pick<EmbeddedPostgres, "insert">, dataset: DemoDataset): Promise<void> {
  for (const table of DEMO_INSERT_ORDER) await db.insert(table, dataset.tables[table]);
}

function parseOptions(options: DemoOptions): z.output<typeof demoOptionsSchema> {
  const parsed = demoOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("BAD_INPUT", `demo dataset option ${issue?.path.join(".") || "?"}: ${issue?.message}`);
  }
  return parsed.data;
}

function generatedVisitors(random: SeededRandom): Visitor[] {
  const visitors: Visitor[] = [];
  for (let i = 0; i < 36; i++) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const email = `${first}.${last}${i}@${random.pick(EMAIL_DOMAINS)}`.toLowerCase();
    // Papermark links may not ask for a name, or for an email either.
    if (i % 9 === 8) visitors.push({ name: null, email: null });
    else if (i % 4 === 3) visitors.push({ name: null, email });
    else visitors.push({ name: `${first} ${last}`, email });
  }
  return visitors;
}

function buildTeam(spec: TeamSpec, random: SeededRandom, tables: DemoTables): { team: DemoTeam; documents: DocumentInfo[]; datarooms: DataroomInfo[] } {
  const createdAtMs = REFERENCE_MS - 400 * DAY_MS - random.int(0, 60 * DAY_MS);
  const team: DemoTeam = {
    id: `team_${spec.key}`,
    name: spec.name,
    plan: spec.plan,
    pauseStartsAt: spec.pause?.startsAt ?? null,
    pauseEndsAt: spec.pause?.endsAt ?? null,
    createdAt: iso(createdAtMs),
  };
  tables.Team.push(team);

  const documents = spec.documents.map((name, index) => buildDocument(team, name, index + 1, createdAtMs, random, tables));
  const datarooms = spec.datarooms.map((roomSpec, index): DataroomInfo => {
    const number = index + 1;
    const dataroom: DemoDataroom = { id: `dr_${spec.key}_${number}`, name: roomSpec.name, teamId: team.id, createdAt: iso(createdAtMs + random.int(1, 30) * DAY_MS) };
    tables.Dataroom.push(dataroom);
    const groups = roomSpec.groups.map((groupName): DemoViewerGroup => ({
      id: `grp_${spec.key}_${number}_${groupName.toLowerCase().replace(/[^a-z0-9]+/g, "_")}`,
      name: groupName,
      dataroomId: dataroom.id,
      teamId: team.id,
    }));
    tables.ViewerGroup.push(...groups);
    const links = ["a", "b"].map((suffix): DemoLink => ({
      id: `link_${dataroom.id}_${suffix}`,
      name: random.chance(0.3) ? null : `${roomSpec.name} ${suffix === "a" ? "main link" : "link"}`,
      documentId: null,
      dataroomId: dataroom.id,
      teamId: team.id,
    }));
    tables.Link.push(...links);
    // The first room holds the first three documents, the next ones overlap by two.
    return { dataroom, groups, links, documents: documents.slice(index, index + 3) };
  });

  tables.Agreement.push({
    id: `agr_${spec.key}_nda`,
    name: `${spec.name} NDA`,
    content: `https://${spec.key}.example/legal/nda.pdf`,
    teamId: team.id,
    createdAt: iso(createdAtMs + DAY_MS),
    deletedAt: null,
  });
  return { team, documents, datarooms };
}

function buildDocument(team: DemoTeam, name: string, number: number, teamCreatedAtMs: number, random: SeededRandom, tables: DemoTables): DocumentInfo {
  const documentId = `doc_${team.id.replace(/^team_/, "")}_${number}`;
  const createdAtMs = teamCreatedAtMs + random.int(2, 100) * DAY_MS + random.int(0, DAY_MS - 1);
  // v1 long before the views; later versions land inside the viewing period, so the
  // version in force (and its page count) changes from view to view.
  const versionTimes = [createdAtMs, REFERENCE_MS - random.int(50, 110) * DAY_MS, REFERENCE_MS - random.int(5, 45) * DAY_MS];
  const versionCount = random.int(1, 3);
  let pages = random.int(6, 30);
  let lastKnownPages = pages;
  const oldestFirst: DemoDocumentVersion[] = [];
  for (let v = 1; v <= versionCount; v++) {
    if (v > 1) pages = Math.max(1, pages + random.int(-3, 6));
    // Some versions were never processed: no page count.
    const numPages = v > 1 && random.chance(0.3) ? null : pages;
    if (numPages !== null) lastKnownPages = numPages;
    oldestFirst.push({
      id: `${documentId}_v${v}`,
      versionNumber: v,
      documentId,
      numPages,
      isPrimary: v === versionCount,
      createdAt: iso(versionTimes[v - 1]! + random.int(0, 999)),
    });
  }
  const document: DemoDocument = { id: documentId, name, numPages: lastKnownPages, teamId: team.id, createdAt: iso(createdAtMs) };
  tables.Document.push(document);
  tables.DocumentVersion.push(...oldestFirst);
  const links = ["a", "b"].map((suffix): DemoLink => ({
    id: `link_${documentId}_${suffix}`,
    name: random.chance(0.35) ? null : random.pick(LINK_NAMES),
    documentId,
    dataroomId: null,
    teamId: team.id,
  }));
  tables.Link.push(...links);
  return { document, versions: [...oldestFirst].reverse(), links };
}

/** A time within the viewing period, at least a day before the reference date, ms precision. */
function randomViewTime(random: SeededRandom): number {
  return REFERENCE_MS - DAY_MS - Math.floor(random.next() * (DAYS_OF_VIEWS - 1) * DAY_MS);
}

function maybeDownload(random: SeededRandom, viewedAtMs: number): string | null {
  return random.chance(0.08) ? iso(viewedAtMs + random.int(10_000, 1_800_000)) : null;
}

/** Papermark's rule: the newest version created at or before the view, else the newest. */
function versionInForce(info: DocumentInfo, viewedAt: string): DemoDocumentVersion | undefined {
  return info.versions.find((v) => v.createdAt <= viewedAt) ?? info.versions[0];
}

function addPageViews(view: DemoView, info: DocumentInfo, random: SeededRandom, emulator: EmulatorData): void {
  const version = versionInForce(info, view.viewedAt);
  const pageCount = version?.numPages || info.document.numPages || 0;
  // Readers start at page 1 and drop off; some go back to a page they already saw.
  const pagesRead = random.int(0, pageCount);
  const pageNumbers = Array.from({ length: pagesRead }, (_, i) => i + 1);
  if (pagesRead > 0 && random.chance(0.2)) pageNumbers.push(random.int(1, pagesRead));
  let time = Date.parse(view.viewedAt);
  for (const pageNumber of pageNumbers) {
    const duration = 200 + Math.floor(random.next() ** 2 * 59_800);
    const event: PageViewEvent = { viewId: view.id, documentId: info.document.id, versionNumber: version?.versionNumber ?? 1, pageNumber, time, duration };
    if (view.dataroomId) event.dataroomId = view.dataroomId;
    emulator.pageViews.push(event);
    time += duration;
  }
}

/** Most views are known to the current pipe, some only to the older v2 one, some to neither. */
function addDocumentUserAgent(view: DemoView, random: SeededRandom, emulator: EmulatorData): void {
  const roll = random.next();
  if (roll < 0.8) emulator.userAgents.push(userAgent(view.id, undefined, "v3", random));
  else if (roll < 0.9) emulator.userAgents.push(userAgent(view.id, view.documentId ?? undefined, "v2", random));
}

function userAgent(viewId: string, documentId: string | undefined, source: ViewUserAgent["source"], random: SeededRandom): ViewUserAgent {
  const [country, city] = random.pick(GEO);
  const [os, device] = random.pick(SYSTEMS);
  const agent: ViewUserAgent = { viewId, country, city, browser: random.pick(BROWSERS), os, device, source };
  if (documentId) agent.documentId = documentId;
  return agent;
}

/** Agreements are accepted on visits through a link (not on document views inside a session). */
function addAgreementAndFields(view: DemoView, random: SeededRandom, tables: DemoTables): void {
  if (view.dataroomViewId !== null) return;
  const viewedAtMs = Date.parse(view.viewedAt);
  if (random.chance(0.15)) {
    tables.AgreementResponse.push({
      id: `ar_${view.id}`,
      agreementId: `agr_${view.teamId.replace(/^team_/, "")}_nda`,
      viewId: view.id,
      createdAt: iso(viewedAtMs - random.int(1_000, 60_000)),
    });
  }
  if (random.chance(0.3)) {
    const data = CUSTOM_FIELDS.filter(() => random.chance(0.6)).map((field) => ({
      identifier: field.identifier,
      // Labels get renamed over time: the export shows the last one seen.
      label: field.identifier === "company" && random.chance(0.2) ? "Company name" : field.label,
      response: random.pick(field.responses),
    }));
    if (data.length === 0) data.push({ identifier: "company", label: "Company", response: random.pick(CUSTOM_FIELDS[0].responses) });
    tables.CustomFieldResponse.push({ id: `cfr_${view.id}`, data, viewId: view.id, createdAt: view.viewedAt });
  }
}
