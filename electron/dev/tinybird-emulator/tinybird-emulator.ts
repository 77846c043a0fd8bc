import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { EmulatorData, PageViewEvent, ViewUserAgent } from "./emulator-data";
import { seededRandom } from "../seeded-random";
import { wallClockMs } from "../../core/time/wall-clock";
import { PIPES } from "../../core/tinybird/pipes";

/** A fault the emulator applies to one request. */
export type Fault =
  | { kind: "status"; status: number; retryAfterSeconds?: number }
  | { kind: "hang" } // never answers (until the client gives up)
  | { kind: "malformed" } // 200 with a body that is not JSON
  | { kind: "truncated" } // 200 with half a JSON body
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
}

export interface RequestLogEntry {
  pipe: string;
  params: Record<string, string>;
  /** Arrival at the emulator, ms since epoch (µs precision). */
  start: number;
  /** When the client's limiter released it (X-Limiter-Released-At, same machine clock), else `start`. */
  releasedAt: number;
  end: number;
  status: number;
  /** The wait this answer asked for (429), in ms. */
  retryAfterMs?: number;
}

interface ViewIndex {
  events: PageViewEvent[];
}



/**
 * A local HTTP server that speaks Tinybird's pipe API for seeded page-view data, with
 * scriptable limits and faults, and a log of every request for the tests and benchmarks.
 */
export class TinybirdEmulator {
  readonly log: RequestLogEntry[] = [];
  private server: Server | null = null;
  private readonly byView = new Map<string, ViewIndex>();
  private readonly byDocument = new Map<string, PageViewEvent[]>();
  private readonly userAgents = { v3: new Map<string, ViewUserAgent>(), v2: new Map<string, ViewUserAgent>() };
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
    this.load(options.data);
  }

  /** Replaces the data the pipes answer from. */
  load(data: EmulatorData): void {
    this.byView.clear();
    this.byDocument.clear();
    this.userAgents.v3.clear();
    this.userAgents.v2.clear();
    for (const event of data.pageViews) {
      const view = this.byView.get(event.viewId) ?? { events: [] };
      view.events.push(event);
      this.byView.set(event.viewId, view);
      const documentEvents = this.byDocument.get(event.documentId) ?? [];
      documentEvents.push(event);
      this.byDocument.set(event.documentId, documentEvents);
    }
    for (const ua of data.userAgents) this.userAgents[ua.source].set(ua.viewId, ua);
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
   * Measured at the clients' release times: arrival adds connection set-up jitter (up to
   * tens of ms for the first fetch of a process) that no client-side limiter controls.
   */
  minStartGap(entries: RequestLogEntry[] = this.log): number {
    const starts = entries.map((e) => e.releasedAt).sort((a, b) => a - b);
    let gap = Infinity;
    for (let i = 1; i < starts.length; i++) gap = Math.min(gap, starts[i]! - starts[i - 1]!);
    return gap;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = wallClockMs();
    const url = new URL(req.url ?? "/", "http://emulator");
    const pipe = /^\/v0\/pipes\/([^/]+)\.json$/.exec(url.pathname)?.[1] ?? url.pathname;
    const params = Object.fromEntries(url.searchParams);
    const claimed = Number(req.headers["x-limiter-released-at"]);
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
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(body);
    };

    if (req.method !== "GET") return send(405, JSON.stringify({ error: "only GET is supported" }));
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return send(403, JSON.stringify({ error: "invalid authentication token" }));
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

    const data = this.answer(pipe, params);
    if (data === null) return send(404, JSON.stringify({ error: `The pipe '${pipe}' does not exist` }));
    if ("error" in data) return send(400, JSON.stringify({ error: data.error }));
    const body = JSON.stringify({ meta: [], data: data.rows, rows: data.rows.length, statistics: { elapsed: 0.001, rows_read: data.rows.length, bytes_read: 0 } });
    if (fault?.kind === "malformed") return send(200, "<html>upstream error</html>");
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

  private answer(pipe: string, params: Record<string, string>): { rows: Record<string, unknown>[] } | { error: string } | null {
    const since = Number(params.since ?? 0);
    const eventsOf = (viewId: string | undefined) => (viewId ? (this.byView.get(viewId)?.events ?? []) : []);
    switch (pipe) {
      case PIPES.pageDurationPerView: {
        if (!params.documentId || !params.viewId) return { error: "documentId and viewId are required" };
        const events = eventsOf(params.viewId).filter((e) => e.documentId === params.documentId && e.time >= since);
        const byPage = new Map<number, number>();
        for (const e of events) byPage.set(e.pageNumber, (byPage.get(e.pageNumber) ?? 0) + e.duration);
        const rows = [...byPage].sort((a, b) => a[0] - b[0]).map(([pageNumber, sum]) => ({ pageNumber, sum_duration: sum }));
        return { rows };
      }
      case PIPES.userAgentPerViewV3: {
        if (!params.viewId) return { error: "viewId is required" };
        return { rows: uaRows(this.userAgents.v3.get(params.viewId)) };
      }
      case PIPES.userAgentPerViewV2: {
        if (!params.documentId || !params.viewId) return { error: "documentId and viewId are required" };
        const ua = this.userAgents.v2.get(params.viewId);
        return { rows: ua && (!ua.documentId || ua.documentId === params.documentId) ? uaRows(ua) : [] };
      }
      case PIPES.dataroomViewDocumentStats: {
        const viewIds = (params.viewIds ?? "").split(",").filter(Boolean);
        if (viewIds.length === 0) return { error: "viewIds is required" };
        const rows: Record<string, unknown>[] = [];
        for (const viewId of viewIds) {
          const byDocument = new Map<string, { sum: number; pages: Set<number> }>();
          for (const e of eventsOf(viewId)) {
            if (e.time < since) continue;
            const stats = byDocument.get(e.documentId) ?? { sum: 0, pages: new Set<number>() };
            stats.sum += e.duration;
            stats.pages.add(e.pageNumber);
            byDocument.set(e.documentId, stats);
          }
          for (const [documentId, stats] of byDocument) rows.push({ viewId, documentId, sum_duration: stats.sum, pages_viewed: stats.pages.size });
        }
        return { rows };
      }
      case PIPES.viewCompletionStats: {
        if (!params.documentId) return { error: "documentId is required" };
        const excluded = new Set((params.excludedViewIds ?? "").split(",").filter(Boolean));
        const byView = new Map<string, { versionNumber: number; pages: Set<number> }>();
        for (const e of this.byDocument.get(params.documentId) ?? []) {
          if (e.time < since || excluded.has(e.viewId)) continue;
          const stats = byView.get(e.viewId) ?? { versionNumber: e.versionNumber, pages: new Set<number>() };
          stats.pages.add(e.pageNumber);
          stats.versionNumber = Math.max(stats.versionNumber, e.versionNumber);
          byView.set(e.viewId, stats);
        }
        return { rows: [...byView].map(([viewId, s]) => ({ viewId, versionNumber: s.versionNumber, pages_viewed: s.pages.size })) };
      }
      default:
        return null;
    }
  }
}

function uaRows(ua: ViewUserAgent | undefined): Record<string, unknown>[] {
  return ua ? [{ country: ua.country, city: ua.city, browser: ua.browser, os: ua.os, device: ua.device }] : [];
}
