import type { EmulatorData } from "./emulator-data";

/**
 * The emulator's two data sources, row for row as Papermark declares them
 * (`lib/tinybird/datasources/`): the JavaScript pipes answer from these rows and the same rows
 * are loaded into ClickHouse for the Query API, so the two implementations read one truth.
 */
export interface PageViewRow {
  id: string;
  linkId: string;
  documentId: string;
  viewId: string;
  dataroomId: string | null;
  versionNumber: number;
  /** Unix ms. */
  time: number;
  duration: number;
  /** Tinybird's column is a String (LowCardinality(String)). */
  pageNumber: string;
  country: string;
  city: string;
  browser: string;
  os: string;
  device: string;
}

export interface ClickRow {
  /** Unix seconds (DateTime here; DateTime64(3) on Tinybird). */
  timestamp: number;
  click_id: string;
  view_id: string;
  link_id: string;
  document_id: string | null;
  dataroom_id: string | null;
  country: string;
  city: string;
  browser: string;
  os: string;
  device: string;
}

export interface EmulatorTables {
  pageViews: PageViewRow[];
  clicks: ClickRow[];
}

const CLICKS_START_S = 1_700_000_000;
const padded = (prefix: string, index: number) => `${prefix}_${String(index).padStart(8, "0")}`;

/**
 * Rows of `page_views__v3` and `pm_click_events__v1` for the seeded data. A "v3" user agent is
 * a click event of the view; a "v2" one is recorded on the view's page-view events (of its
 * document, when it names one), which is where the older pipe reads it. Ids and click times
 * follow the input order, so "earliest" is well defined and the same in both engines.
 */
export function emulatorTables(data: EmulatorData): EmulatorTables {
  const olderAgents = new Map(data.userAgents.filter((ua) => ua.source === "v2").map((ua) => [ua.viewId, ua]));
  const pageViews = data.pageViews.map((event, index): PageViewRow => {
    const older = olderAgents.get(event.viewId);
    const ua = older && (!older.documentId || older.documentId === event.documentId) ? older : undefined;
    return {
      id: padded("pv", index),
      linkId: "",
      documentId: event.documentId,
      viewId: event.viewId,
      dataroomId: event.dataroomId ?? null,
      versionNumber: event.versionNumber,
      time: event.time,
      duration: event.duration,
      pageNumber: String(event.pageNumber),
      country: ua?.country ?? "",
      city: ua?.city ?? "",
      browser: ua?.browser ?? "",
      os: ua?.os ?? "",
      device: ua?.device ?? "",
    };
  });
  const clicks = data.userAgents
    .filter((ua) => ua.source === "v3")
    .map(
      (ua, index): ClickRow => ({
        timestamp: CLICKS_START_S + index,
        click_id: padded("click", index),
        view_id: ua.viewId,
        link_id: "",
        document_id: ua.documentId ?? null,
        dataroom_id: null,
        country: ua.country,
        city: ua.city,
        browser: ua.browser,
        os: ua.os,
        device: ua.device,
      }),
    );
  return { pageViews, clicks };
}

/**
 * The data sources' columns as Papermark declares them, with the two types ClickHouse 18.16
 * lacks replaced: DateTime64(3) by DateTime and LowCardinality(String) by String.
 */
export const TABLE_DDL = [
  `CREATE TABLE page_views__v3 (
    id String, linkId String, documentId String, viewId String, dataroomId Nullable(String),
    versionNumber UInt16, time Int64, duration UInt32, pageNumber String,
    country String, city String, region String, latitude String, longitude String, ua String,
    browser String, browser_version String, engine String, engine_version String, os String,
    os_version String, device String, device_vendor String, device_model String,
    cpu_architecture String, bot UInt8, referer String, referer_url String
  ) ENGINE = MergeTree ORDER BY (linkId, documentId, viewId, versionNumber, pageNumber, time, id)`,
  `CREATE TABLE pm_click_events__v1 (
    timestamp DateTime, click_id String, view_id String, link_id String,
    document_id Nullable(String), dataroom_id Nullable(String), continent String, country String,
    city String, region String, latitude String, longitude String, device String,
    device_model String, device_vendor String, browser String, browser_version String, os String,
    os_version String, engine String, engine_version String, cpu_architecture String, ua String,
    bot UInt8, referer String, referer_url String, ip_address Nullable(String)
  ) ENGINE = MergeTree ORDER BY (timestamp, view_id, link_id, click_id)`,
] as const;
