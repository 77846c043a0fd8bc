import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ClickHouseProcess } from "../clickhouse-process";
import type { EmulatorData } from "./emulator-data";
import { ClickHouseQueryApi } from "./clickhouse-query-api";
import { emulatorTables, type ClickRow, type PageViewRow } from "./emulator-tables";
import { seededRandom } from "../seeded-random";
import { wallClockMs } from "../../core/time/wall-clock";
import { PIPES } from "../../core/tinybird/pipes";
import { EMULATOR_HEADER, RELEASE_TIME_HEADER } from "../../core/tinybird/tinybird-client";

/** A fault the emulator applies to one request. */
export type Fault =
  | { kind: "status"; status: number; retryAfterSeconds?: number }
  | { kind: "hang" } // never answers (until the client gives up)
  | { kind: "malformed" } // 200 with a body that is not JSON
  | { kind: "truncated" } // 200 with half a JSON body
  | { kind: "body"; body: unknown } // 200 with this JSON body instead of the answer
  | { kind: "latency"; ms: number };

export interface EmulatorLimits {
  /** Requests started per rolling second before answering 429. */
  qps?: number;
  /** Requests in flight before answering 429. */
  maxConcurrent?: number;
}

export interface EmulatorOptions {
  token: string;
  data: EmulatorData;
  limits?: EmulatorLimits;
  /** Latency of every answer: a fixed ms or a [min, max] range. */
  latencyMs?: number | [number, number];
  /** Random faults: each request gets one of `faults` with this probability. */
  faultMix?: { probability: number; faults: Fault[] };
  /** Deterministic randomness for latency and the fault mix. */
  seed?: number;
  /**
   * The engine of the Query API (`/v0/sql`). Without it `/v0/sql` answers 403, as Tinybird
   * does for a token without SQL rights.
   */
  clickhouse?: ClickHouseProcess;
}

/** The Query API's path; also the `pipe` of its log entries. */
export const QUERY_API_PATH = "/v0/sql";

/** Largest SQL body the emulator reads (Tinybird's own limit is about this order). */
const MAX_SQL_BYTES = 8 * 1024 * 1024;

export interface RequestLogEntry {
  /** The pipe's name, or QUERY_API_PATH for the Query API (params.q then holds the SQL). */
  pipe: string;
  params: Record<string, string>;
  /** Arrival at the emulator, ms since epoch (µs precision). */
  start: number;
  /**
   * When the client's limiter released it (RELEASE_TIME_HEADER, same machine clock), else
   * `start`. Our client sends that header only once an answer told it this is the emulator
   * (EMULATOR_HEADER), never to Tinybird.
   */
  releasedAt: number;

  end: number;
  status: number;
  /** The wait this answer asked for (429), in ms. */
  retryAfterMs?: number;
}

/**
 * A local HTTP server that speaks Tinybird's pipe API for seeded page-view data, with
 * scriptable limits and faults, and a log of every request for the tests and benchmarks.
 */
export class TinybirdEmulator {
  readonly log: RequestLogEntry[] = [];
  private server: Server | null = null;
  private readonly byView = new Map<string, PageViewRow[]>();
  private readonly byDocument = new Map<string, PageViewRow[]>();
  /** The first click event of each view: what `LIMIT 1` reads in the data source's order. */
  private readonly firstClick = new Map<string, ClickRow>();
  private readonly queryApi: ClickHouseQueryApi | null;
  /** False: `/v0/sql` answers 403 as for a token without SQL rights, even with ClickHouse. */
  queryApiAllowed = true;
  private loaded: Promise<void>;
  private readonly queued: { fault: Fault; pipe?: string }[] = [];
  private readonly random: () => number;
  private readonly recentStarts: number[] = [];
  private inFlight = 0;
  private readonly hanging = new Set<ServerResponse>();
  limits: EmulatorLimits;
  latencyMs: number | [number, number];
  faultMix: EmulatorOptions["faultMix"];
  private token: string;

  constructor(options: EmulatorOptions) {
    this.token = options.token;
    this.limits = options.limits ?? {};
    this.latencyMs = options.latencyMs ?? 0;
    this.faultMix = options.faultMix;
    this.random = seededRandom(options.seed ?? 42);
    this.queryApi = options.clickhouse ? new ClickHouseQueryApi(options.clickhouse) : null;
    this.loaded = this.load(options.data);
  }

  /** True when `/v0/sql` runs on ClickHouse. */
  get hasQueryApi(): boolean {
    return this.queryApi !== null;
  }

  /**
   * Replaces the data the pipes and the Query API answer from (the pipes at once; the
   * promise settles when ClickHouse holds the same rows).
   */
  load(data: EmulatorData): Promise<void> {
    const tables = emulatorTables(data);
    this.byView.clear();
    this.byDocument.clear();
    this.firstClick.clear();
    const append = (index: Map<string, PageViewRow[]>, key: string, row: PageViewRow) => {
      const rows = index.get(key);
      if (rows) rows.push(row);
      else index.set(key, [row]);
    };
    for (const row of tables.pageViews) {
      append(this.byView, row.viewId, row);
      append(this.byDocument, row.documentId, row);
    }
    for (const click of tables.clicks) {
      const first = this.firstClick.get(click.view_id);
      if (!first || click.timestamp < first.timestamp || (click.timestamp === first.timestamp && click.click_id < first.click_id)) this.firstClick.set(click.view_id, click);
    }
    this.loaded = this.queryApi?.load(tables) ?? Promise.resolve();
    // start() and the Query API report a failed load; no unhandled rejection meanwhile.
    this.loaded.catch(() => undefined);
    return this.loaded;
  }

  setToken(token: string): void {
    this.token = token;
  }

  /** The next requests (of `pipe`, when given) get these faults, one each, in order. */
  queueFaults(faults: Fault[], pipe?: string): void {
    for (const fault of faults) this.queued.push({ fault, pipe });
  }

  clearFaults(): void {
    this.queued.length = 0;
  }

  async start(port = 0, host = "127.0.0.1"): Promise<string> {
    await this.loaded;
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error("the emulator is not running");
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.queryApi?.drop();
  }

  /** Largest number of requests that were in flight at the same time, from the log. */
  maxInFlight(entries: RequestLogEntry[] = this.log): number {
    const edges = entries.flatMap((e) => [
      { t: e.start, d: 1 },
      { t: e.end, d: -1 },
    ]);
    edges.sort((a, b) => a.t - b.t || a.d - b.d);
    let current = 0;
    let max = 0;
    for (const edge of edges) max = Math.max(max, (current += edge.d));
    return max;
  }

  /**
   * Smallest gap between two consecutive request starts, ms (Infinity for < 2 requests).
   * Measured at the clients' release times where they reported them (every request after a
   * client's first answer), else at arrival. An arrival is later than the release by the
   * transit and, on a new connection, the set-up (up to tens of ms for the first fetch of a
   * process), which no client-side limiter controls: the gap after a request measured at
   * arrival is not counted.
   */
  minStartGap(entries: RequestLogEntry[] = this.log): number {
    const sorted = [...entries].sort((a, b) => a.releasedAt - b.releasedAt);
    let gap = Infinity;
    // An arrival time (no release header: a process's first request) lags its release by the
    // connection set-up, so it can land just after another process's later release: gaps on
    // either side of one say nothing about the limiter.
    const measuredAtArrival = (entry: RequestLogEntry) => entry.releasedAt === entry.start;
    for (let i = 1; i < sorted.length; i++) {
      const previous = sorted[i - 1]!;
      const current = sorted[i]!;
      if (measuredAtArrival(previous) || measuredAtArrival(current)) continue;
      gap = Math.min(gap, current.releasedAt - previous.releasedAt);
    }
    return gap;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = wallClockMs();
    const url = new URL(req.url ?? "/", "http://emulator");
    const isQueryApi = url.pathname === QUERY_API_PATH;
    const pipe = /^\/v0\/pipes\/([^/]+)\.json$/.exec(url.pathname)?.[1] ?? url.pathname;
    const params = Object.fromEntries(url.searchParams);
    const claimed = Number(req.headers[RELEASE_TIME_HEADER.toLowerCase()]);
    const releasedAt = Number.isFinite(claimed) && Math.abs(claimed - start) < 60_000 ? claimed : start;
    const entry: RequestLogEntry = { pipe, params, start, releasedAt, end: start, status: 0 };
    this.log.push(entry);
    this.inFlight += 1;
    res.once("close", () => {
      this.inFlight -= 1;
      this.hanging.delete(res);
      entry.end = wallClockMs();
    });
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, { "Content-Type": "application/json", [EMULATOR_HEADER]: "1", ...headers });
      res.end(body);
    };

    if (req.method !== "GET" && !(isQueryApi && req.method === "POST")) return send(405, JSON.stringify({ error: "only GET is supported" }));
    if (isQueryApi && req.method === "POST") {
      const sql = await readSql(req);
      if (sql === null) return send(413, JSON.stringify({ error: "the query is too large" }));
      if (sql !== "") entry.params = { ...params, q: sql };
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return send(403, JSON.stringify({ error: "invalid authentication token" }));
    }

    // Pipe information (the Pipes REST API, not a query): what the status check asks.
    const info = /^\/v0\/pipes\/([^/.]+)$/.exec(url.pathname)?.[1];
    if (info !== undefined && req.method === "GET") {
      if (!(Object.values(PIPES) as string[]).includes(info)) return send(404, JSON.stringify({ error: `Pipe "${info}" not found` }));
      return send(200, JSON.stringify({ id: `t_${info}`, name: info, type: "endpoint", nodes: [] }));
    }

    const limited = this.rateLimit(start);
    if (limited) {
      entry.retryAfterMs = limited.retryAfterSeconds * 1000;
      return send(429, JSON.stringify({ error: limited.reason }), {
        "Retry-After": String(limited.retryAfterSeconds),
        "X-RateLimit-Limit": String(limited.limit),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": String(limited.retryAfterSeconds),
      });
    }

    const fault = this.nextFault(pipe);
    await this.delay(fault);
    if (res.destroyed) return;
    if (fault?.kind === "hang") {
      this.hanging.add(res);
      entry.status = -1;
      return;
    }
    if (fault?.kind === "status") {
      if (fault.retryAfterSeconds !== undefined) entry.retryAfterMs = fault.retryAfterSeconds * 1000;
      return send(
        fault.status,
        JSON.stringify({ error: `emulated ${fault.status}` }),
        fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {},
      );
    }

    let body: string;
    if (isQueryApi) {
      if (!this.queryApi || !this.queryApiAllowed) {
        return send(403, JSON.stringify({ error: "Not enough permissions to run SQL queries: the token needs READ rights on the data sources" }));
      }
      const sql = entry.params.q ?? "";
      if (sql.trim() === "") return send(400, JSON.stringify({ error: "the q parameter (the SQL query) is required" }));
      const answer = await this.queryApi.query(sql);
      if (res.destroyed) return;
      if (answer.status === 400) return send(400, JSON.stringify({ error: answer.error }));
      body = answer.body;
    } else {
      const data = this.answer(pipe, params);
      if (data === null) return send(404, JSON.stringify({ error: `The pipe '${pipe}' does not exist` }));
      if ("error" in data) return send(400, JSON.stringify({ error: data.error }));
      body = JSON.stringify({ meta: data.meta, data: data.rows, rows: data.rows.length, statistics: { elapsed: 0.001, rows_read: data.rows.length, bytes_read: 0 } });
    }
    if (fault?.kind === "malformed") return send(200, "<html>upstream error</html>");
    if (fault?.kind === "body") return send(200, JSON.stringify(fault.body));
    if (fault?.kind === "truncated") return send(200, body.slice(0, Math.floor(body.length / 2)));
    send(200, body);
  }

  private rateLimit(now: number): { reason: string; retryAfterSeconds: number; limit: number } | null {
    const { qps, maxConcurrent } = this.limits;
    if (maxConcurrent !== undefined && this.inFlight > maxConcurrent) {
      return { reason: "too many concurrent requests", retryAfterSeconds: 1, limit: maxConcurrent };
    }
    if (qps !== undefined) {
      while (this.recentStarts.length && this.recentStarts[0]! <= now - 1000) this.recentStarts.shift();
      if (this.recentStarts.length >= qps) {
        const waitMs = this.recentStarts[0]! + 1000 - now;
        return { reason: "too many requests per second", retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), limit: qps };
      }
      this.recentStarts.push(now);
    }
    return null;
  }

  private nextFault(pipe: string): Fault | undefined {
    const index = this.queued.findIndex((q) => !q.pipe || q.pipe === pipe);
    if (index >= 0) return this.queued.splice(index, 1)[0]!.fault;
    const mix = this.faultMix;
    if (mix && mix.faults.length && this.random() < mix.probability) return mix.faults[Math.floor(this.random() * mix.faults.length)];
    return undefined;
  }

  private async delay(fault: Fault | undefined): Promise<void> {
    const latency = this.latencyMs;
    let ms = typeof latency === "number" ? latency : latency[0] + this.random() * (latency[1] - latency[0]);
    if (fault?.kind === "latency") ms += fault.ms;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** A pipe's rows and their Tinybird column types, computed as Papermark's pipe SQL does. */
  private answer(pipe: string, params: Record<string, string>): { meta: Column[]; rows: Record<string, unknown>[] } | { error: string } | null {
    const since = Number(params.since ?? 0);
    // Papermark's v5 pipe takes an optional `until` (inclusive); the batch pipes here take it too.
    const until = params.until === undefined ? Number.POSITIVE_INFINITY : Number(params.until);
    const inBounds = (time: number) => time >= since && time <= until;
    const eventsOf = (viewId: string | undefined) => (viewId ? (this.byView.get(viewId) ?? []) : []);
    switch (pipe) {
      case PIPES.pageDurationPerView: {
        if (!params.documentId || !params.viewId) return { error: "documentId and viewId are required" };
        const byPage = new Map<string, number>();
        for (const e of eventsOf(params.viewId)) {
          if (e.documentId === params.documentId && inBounds(e.time)) byPage.set(e.pageNumber, (byPage.get(e.pageNumber) ?? 0) + e.duration);
        }
        // ORDER BY pageNumber ASC on a String column: "10" before "2".
        const rows = [...byPage].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([pageNumber, sum]) => ({ pageNumber, sum_duration: sum }));
        return { meta: [column("pageNumber", "String"), column("sum_duration", "UInt64")], rows };
      }
      case PIPES.userAgentPerViewV3: {
        if (!params.viewId) return { error: "viewId is required" };
        const click = this.firstClick.get(params.viewId);
        return { meta: USER_AGENT_META, rows: click ? [userAgentOf(click)] : [] };
      }
      case PIPES.userAgentPerViewV2: {
        if (!params.documentId || !params.viewId) return { error: "documentId and viewId are required" };
        let earliest: PageViewRow | undefined;
        for (const e of eventsOf(params.viewId)) {
          if (e.documentId !== params.documentId || e.time < since) continue;
          if (!earliest || e.time < earliest.time || (e.time === earliest.time && e.id < earliest.id)) earliest = e;
        }
        return { meta: USER_AGENT_META, rows: earliest ? [userAgentOf(earliest)] : [] };
      }
      case PIPES.dataroomViewDocumentStats: {
        const viewIds = (params.viewIds ?? "").split(",").filter(Boolean);
        if (viewIds.length === 0) return { error: "viewIds is required" };
        const rows: Record<string, unknown>[] = [];
        for (const viewId of new Set(viewIds)) {
          const byDocument = new Map<string, { sum: number; pages: Set<string> }>();
          for (const e of eventsOf(viewId)) {
            if (!inBounds(e.time)) continue;
            const stats = byDocument.get(e.documentId) ?? { sum: 0, pages: new Set<string>() };
            stats.sum += e.duration;
            stats.pages.add(e.pageNumber);
            byDocument.set(e.documentId, stats);
          }
          for (const [documentId, stats] of byDocument) rows.push({ viewId, documentId, sum_duration: stats.sum, pages_viewed: stats.pages.size });
        }
        return { meta: [column("viewId", "String"), column("documentId", "String"), column("sum_duration", "UInt64"), column("pages_viewed", "UInt64")], rows };
      }
      case PIPES.viewCompletionStats: {
        if (!params.documentId) return { error: "documentId is required" };
        const excluded = new Set((params.excludedViewIds ?? "").split(",").filter(Boolean));
        // GROUP BY viewId, versionNumber
        const groups = new Map<string, { viewId: string; versionNumber: number; pages: Set<string> }>();
        for (const e of this.byDocument.get(params.documentId) ?? []) {
          if (!inBounds(e.time) || excluded.has(e.viewId)) continue;
          const key = `${e.viewId}\u0000${e.versionNumber}`;
          const group = groups.get(key) ?? { viewId: e.viewId, versionNumber: e.versionNumber, pages: new Set<string>() };
          group.pages.add(e.pageNumber);
          groups.set(key, group);
        }
        return {
          meta: [column("viewId", "String"), column("versionNumber", "UInt16"), column("pages_viewed", "UInt64")],
          rows: [...groups.values()].map((g) => ({ viewId: g.viewId, versionNumber: g.versionNumber, pages_viewed: g.pages.size })),
        };
      }
      default:
        return null;
    }
  }
}

interface Column {
  name: string;
  type: string;
}

const column = (name: string, type: string): Column => ({ name, type });
const USER_AGENT_META = ["country", "city", "browser", "os", "device"].map((name) => column(name, "String"));

function userAgentOf(row: { country: string; city: string; browser: string; os: string; device: string }): Record<string, unknown> {
  return { country: row.country, city: row.city, browser: row.browser, os: row.os, device: row.device };
}

/** The SQL of a Query API POST: form field `q`, or the raw body (what `@tinybirdco/sdk` sends). Null when too large. */
async function readSql(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_SQL_BYTES) return null;
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  return type === "application/x-www-form-urlencoded" ? (new URLSearchParams(text).get("q") ?? "") : text;
}
