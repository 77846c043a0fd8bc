import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { JobChange } from "../../shared/job";
import { subscribeToJobChanges, type JobChangeSubscription } from "../../electron/core/jobs/job-events";
import { JobStore } from "../../electron/core/jobs/job-store";
import { ExportQueue } from "../../electron/core/queue/export-queue";
import { ExportService } from "../../electron/core/queue/export-service";
import { ResourceCatalog } from "../../electron/core/views/resource-catalog";
import { pgClient, type SqlClient } from "../../electron/core/views/sql-client";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import { createTestDatabase, type TestDatabase } from "./postgres-database";
import { TestRedisServer } from "./redis-server";
import { startWorkerProcess, type WorkerProcess } from "./worker-process";

/**
 * Runner processes (`npm run worker`) around one private, persistent redis-server, with the
 * store, queue and service a test uses to drive them and every change event recorded. The
 * workers use the production key names, hence one redis-server per cluster.
 */
export class WorkerCluster {
  readonly changes: JobChange[] = [];
  readonly workers: WorkerProcess[] = [];

  private constructor(
    readonly redisServer: TestRedisServer,
    readonly redis: Redis,
    readonly store: JobStore,
    readonly queue: ExportQueue,
    readonly service: ExportService,
    private readonly sql: SqlClient,
    private readonly baseEnv: Record<string, string>,
    private subscription: JobChangeSubscription | null = null,
  ) {}

  /** `env`: the workers' configuration (DATABASE_URL, Tinybird, limits); REDIS_URL is added. */
  static async start(env: Record<string, string> & { DATABASE_URL: string }): Promise<WorkerCluster> {
    const redisServer = await TestRedisServer.start({ persistent: true });
    const redis = redisServer.client();
    const store = new JobStore(redis);
    const queue = new ExportQueue({ connection: redisServer.bullConnection });
    const sql = pgClient(env.DATABASE_URL, { max: 2 });
    const service = new ExportService(store, queue, new ResourceCatalog(sql));
    const cluster = new WorkerCluster(redisServer, redis, store, queue, service, sql, { ...env, REDIS_URL: redisServer.url });
    cluster.subscription = await subscribeToJobChanges(redis, store.keys, (change) => cluster.changes.push(change));
    return cluster;
  }

  startWorker(env: Record<string, string> = {}): WorkerProcess {
    const worker = startWorkerProcess({ ...this.baseEnv, ...env });
    this.workers.push(worker);
    return worker;
  }

  alive(): WorkerProcess[] {
    return this.workers.filter((w) => w.process.exitCode === null && w.process.signalCode === null);
  }

  async close(): Promise<void> {
    for (const worker of this.workers) worker.process.kill("SIGKILL");
    await this.subscription?.close();
    await this.queue.close().catch(() => undefined);
    await this.sql.close().catch(() => undefined);
    this.redis.disconnect();
    await this.redisServer.close();
  }
}

export interface WorkerClusterSuite {
  readonly database: TestDatabase;
  readonly emulator: TinybirdEmulator;
  readonly cluster: WorkerCluster;
}

/**
 * Registers the hooks of a multi-process suite: one database with the small dataset and one
 * emulator per file, a fresh cluster (own redis-server) per test. Read the parts from the
 * returned object inside tests.
 */
export function useWorkerClusterSuite(purpose: string, workerEnv: Record<string, string>): WorkerClusterSuite {
  const parts: { database?: TestDatabase; emulator?: TinybirdEmulator; cluster?: WorkerCluster } = {};
  beforeAll(async () => {
    parts.database = await createTestDatabase(purpose, seedSmallDataset);
    parts.emulator = new TinybirdEmulator({ token: "tb", data: smallEmulatorData });
    await parts.emulator.start();
  });
  afterAll(async () => {
    await parts.emulator?.stop();
    await parts.database?.drop();
  });
  beforeEach(async () => {
    parts.cluster = await WorkerCluster.start({ DATABASE_URL: parts.database!.url, TINYBIRD_HOST: parts.emulator!.url, TINYBIRD_TOKEN: "tb", ...workerEnv });
    parts.emulator!.log.length = 0;
  });
  afterEach(async () => {
    parts.emulator!.latencyMs = 0;
    await parts.cluster?.close();
  });
  return {
    get database() {
      return parts.database!;
    },
    get emulator() {
      return parts.emulator!;
    },
    get cluster() {
      return parts.cluster!;
    },
  };
}
