import type { Redis } from "ioredis";
import { DEFAULT_SETTINGS } from "../../shared/settings";
import { createViewAnalytics } from "../../electron/core/export/create-view-analytics";
import { type ExportMode } from "../../electron/core/export/view-analytics";
import { JobStore } from "../../electron/core/jobs/job-store";
import { ExportQueue } from "../../electron/core/queue/export-queue";
import { ExportRunner, type ExportRunnerOptions } from "../../electron/core/queue/export-runner";
import { ExportService } from "../../electron/core/queue/export-service";
import { ResourceCatalog } from "../../electron/core/views/resource-catalog";
import { RateLimiter } from "../../electron/core/tinybird/rate-limiter";
import { TinybirdClient } from "../../electron/core/tinybird/tinybird-client";
import type { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import type { SqlClient } from "../../electron/core/views/sql-client";
import { ViewsSource } from "../../electron/core/views/views-source";
import { type TestRedisServer, testPrefix } from "./redis-server";

export interface StackOptions {
  server: TestRedisServer;
  sql: SqlClient;
  emulator: TinybirdEmulator;
  mode?: ExportMode;
  retry?: { attempts?: number; backoffMs?: number };
  tinybirdRetries?: number;
  tinybirdTimeoutMs?: number;
  /** First backoff step of a Tinybird retry (default 10 ms; production's is 250 ms). */
  tinybirdBackoffMs?: number;
}

/**
 * One test's view of the system: a fresh key prefix (job store and BullMQ), a store, a
 * queue, and a factory for runners sharing them, in the style of BullMQ's own suites.
 */
export class ExportStack {
  readonly prefix = testPrefix();
  readonly redis: Redis;
  readonly store: JobStore;
  readonly queue: ExportQueue;
  readonly runners: ExportRunner[] = [];
  private readonly limiters: RateLimiter[] = [];
  readonly logs: string[] = [];

  constructor(private readonly options: StackOptions) {
    this.redis = options.server.client();
    this.store = new JobStore(this.redis, { prefix: this.prefix });
    this.queue = new ExportQueue({
      connection: options.server.bullConnection,
      prefix: `${this.prefix}bull`,
      retry: { attempts: options.retry?.attempts ?? 3, backoffMs: options.retry?.backoffMs ?? 100 },
    });
  }

  /** The use cases over this stack's store and queue, checking resources in its database. */
  service(): ExportService {
    return new ExportService(this.store, this.queue, new ResourceCatalog(this.options.sql));
  }

  runner(overrides: Partial<ExportRunnerOptions> = {}): ExportRunner {
    const limiter = new RateLimiter({ maxConcurrent: 5, minTime: 0 });
    this.limiters.push(limiter);
    const tinybird = new TinybirdClient({
      host: this.options.emulator.url,
      token: "tb",
      limiter,
      requestTimeoutMs: this.options.tinybirdTimeoutMs ?? 2000,
      retry: { maxRetries: this.options.tinybirdRetries ?? 0, baseDelayMs: this.options.tinybirdBackoffMs ?? 10, maxDelayMs: 2000 },
    });
    const runner = new ExportRunner({
      connection: this.options.server.bullConnection,
      store: this.store,
      queue: this.queue,
      deps: { views: new ViewsSource(this.options.sql), analytics: createViewAnalytics(this.options.mode ?? "batch", tinybird) },
      csv: DEFAULT_SETTINGS.csv,
      bullPrefix: `${this.prefix}bull`,
      concurrency: 2,
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
      progressIntervalMs: 0,
      log: (line) => this.logs.push(line),
      ...overrides,
    });
    this.runners.push(runner);
    return runner;
  }

  async close(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop().catch(() => undefined)));
    await Promise.all(this.limiters.map((l) => l.stop()));
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
  }
}
