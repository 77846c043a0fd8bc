import { Redis } from "ioredis";
import { AppError } from "../../shared/errors";
import { FAIL_FAST_OPTIONS } from "./redis/connection-options";
import type { ConnectionStatus } from "../../shared/connection-status";
import type { JobChange } from "../../shared/job";
import type { Settings } from "../../shared/settings";
import { createViewAnalytics } from "./export/create-view-analytics";
import { subscribeToJobChanges, type JobChangeSubscription } from "./jobs/job-events";
import { JobStore } from "./jobs/job-store";
import { ExportQueue } from "./queue/export-queue";
import { ExportRunner } from "./queue/export-runner";
import { ExportService } from "./queue/export-service";
import { RateLimiter } from "./tinybird/rate-limiter";
import { TinybirdCallCounter } from "./tinybird/call-counter";
import { TinybirdStatusCheck } from "./tinybird/status-check";
import { TinybirdClient } from "./tinybird/tinybird-client";
import { ResourceCatalog } from "./views/resource-catalog";
import { pgClient, type SqlClient } from "./views/sql-client";
import { ViewsSource } from "./views/views-source";

export interface ConsoleCoreOptions {
  /** Start a queue runner in this process (the console and `worker` do; a pure API may not). */
  runner: boolean;
  /** Use this SQL client instead of connecting to settings.databaseUrl (the demo's PGlite). */
  sql?: SqlClient;
  demo?: boolean;
  /** Key prefixes, for tests: job store keys and BullMQ keys. */
  prefix?: string;
  bullPrefix?: string;
  log?: (line: string) => void;
}

export interface ConsoleCore {
  readonly settings: Settings;
  readonly store: JobStore;
  readonly service: ExportService;
  readonly runner: ExportRunner | null;
  status(): Promise<ConnectionStatus>;
  onChange(listener: (change: JobChange) => void): () => void;
  stop(): Promise<void>;
}

function bullConnection(redisUrl: string) {
  // BullMQ's blocking connections must retry forever instead of failing commands.
  return new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
}

/**
 * Wires the Electron-free core from settings: Redis job store, BullMQ queue and runner,
 * Postgres views source, clustered Tinybird limiter and client, change subscription.
 * The desktop main process, `worker`, `serve` and `demo` all start it the same way.
 */
export async function startConsoleCore(settings: Settings, options: ConsoleCoreOptions): Promise<ConsoleCore> {
  const log = options.log ?? (() => {});
  const redis = new Redis(settings.redisUrl, FAIL_FAST_OPTIONS);
  redis.on("error", () => {}); // reported through status() and command errors
  await redis.connect().catch((error: unknown) => {
    redis.disconnect();
    throw new AppError("UNAVAILABLE", `Redis at ${new URL(settings.redisUrl).host} is unreachable: ${(error as Error).message}`);
  });
  const queueConnection = bullConnection(settings.redisUrl);
  const workerConnection = bullConnection(settings.redisUrl);
  for (const connection of [queueConnection, workerConnection]) connection.on("error", () => {});
  const store = new JobStore(redis, { prefix: options.prefix ?? "", ttlSeconds: settings.jobTtlSeconds });
  const queue = new ExportQueue({
    connection: queueConnection,
    prefix: options.bullPrefix,
    retry: { attempts: settings.runner.attempts, backoffMs: settings.runner.backoffMs },
  });
  const sql = options.sql ?? pgClient(settings.databaseUrl);
  const service = new ExportService(store, queue, new ResourceCatalog(sql));
  // One limit for every process on this Redis: the limiter is clustered through it.
  const limiter = new RateLimiter({
    ...settings.limiter,
    redis,
    id: `${options.prefix ?? ""}tinybird`,
    expirationMs: settings.tinybirdTimeoutMs + 5000,
    onRecovered: (reason) => log(`rate limiter rebuilt after: ${reason}`),
    onLimitsChanged: (change) =>
      log(
        `rate limit now ${change.maxConcurrent} in flight, ${change.minTime} ms apart: set by ${change.by}, started ${new Date(change.setAt).toISOString()} (the most recently started runner's limit applies to all)`,
      ),
    onHold: ({ until }) => log(`Tinybird asked for a pause: no runner sends a request until ${new Date(until).toISOString()}`),
  });
  log(
    `rate limit ${limiter.limits.maxConcurrent} in flight, ${limiter.limits.minTime} ms apart, now applied by every runner on this Redis (the most recently started runner's limit wins)`,
  );
  const callCounter = new TinybirdCallCounter(redis, options.prefix ?? "");
  const tinybird = new TinybirdClient({
    callCounter,
    host: settings.tinybirdHost,
    token: settings.tinybirdToken,
    limiter,
    requestTimeoutMs: settings.tinybirdTimeoutMs,
    circuit: {
      onChange: (circuit) =>
        log(
          circuit.state === "open"
            ? `Tinybird circuit open after ${circuit.consecutiveFailures} failed requests in a row: no requests until ${circuit.retryAt} (last error: ${circuit.lastError})`
            : `Tinybird circuit ${circuit.state}`,
        ),
    },
  });
  const tinybirdStatus = new TinybirdStatusCheck({ host: settings.tinybirdHost, token: settings.tinybirdToken });

  const runner = options.runner
    ? new ExportRunner({
        connection: workerConnection,
        store,
        queue,
        deps: { views: new ViewsSource(sql), analytics: createViewAnalytics(settings.mode, tinybird) },
        csv: settings.csv,
        concurrency: settings.runner.concurrency,
        timeoutMs: settings.runner.timeoutMs,
        lockDurationMs: settings.runner.lockDurationMs,
        stalledIntervalMs: settings.runner.lockDurationMs,
        bullPrefix: options.bullPrefix,
        log,
      })
    : null;

  const listeners = new Set<(change: JobChange) => void>();
  let subscription: JobChangeSubscription | null = null;
  try {
    await redis.ping();
    subscription = await subscribeToJobChanges(
      redis,
      store.keys,
      (change) => listeners.forEach((listener) => listener(change)),
      (reason) => log(reason),
      (error) => log(`change subscription: ${error.message}`),
    );
    await runner?.start();
  } catch (error) {
    await subscription?.close();
    redis.disconnect();
    queueConnection.disconnect();
    workerConnection.disconnect();
    throw error;
  }

  const check = async (probeFn: () => Promise<unknown>) => {
    try {
      await probeFn();
      return { ok: true };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  };

  return {
    settings,
    store,
    service,
    runner,
    status: async () => ({
      redis: await check(() => redis.ping()),
      postgres: await check(() => sql.query("SELECT 1", [])),
      tinybird: await tinybirdStatus.check(),
      demo: options.demo ?? false,
      tinybirdCircuit: tinybird.circuit,
      ...(await callCounter.today().then(
        (today) => ({ tinybirdCallsToday: today }),
        () => ({}),
      )),
    }),
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {
      await runner?.stop();
      await subscription?.close();
      await queue.close().catch(() => undefined);
      await limiter.stop();
      if (!options.sql) await sql.close().catch(() => undefined);
      redis.disconnect();
      queueConnection.disconnect();
      workerConnection.disconnect();
    },
  };
}
