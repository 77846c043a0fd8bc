import { rmSync } from "node:fs";
import { join } from "node:path";
import { settingsSchema, type Settings } from "../../../shared/settings";
import { ClickHouseProcess, findClickHouseServer } from "../clickhouse-process";
import { freePort, RedisProcess } from "../redis-process";
import { TinybirdEmulator } from "../tinybird-emulator/tinybird-emulator";
import { startEmbeddedPostgres } from "../embedded-postgres";
import type { SqlClient } from "../../core/views/sql-client";
import { keptSecret } from "./kept-secret";
import { generateDemoDataset, seedDemoDatabase, type DemoSummary } from "./demo-dataset";

export interface DemoStackOptions {
  /** Where Redis's append-only file and the embedded database live. */
  dataDir: string;
  /** Demo data size (1 = about 3000 views). */
  scale?: number;
  /**
   * Also serve the embedded database to other processes on 127.0.0.1 (no password) and put
   * its URL in settings.databaseUrl. `npm run demo` does, for the CLI, worker and serve; the
   * desktop app does not: it reads the database in-process and opens no port for it.
   */
  serveDatabase?: boolean;
  log?: (line: string) => void;
}

export interface DemoStack {
  settings: Settings;
  sql: SqlClient;
  summary: DemoSummary;
  emulator: TinybirdEmulator;
  redis: RedisProcess;
  /** The emulator's Query API engine, when clickhouse-server is installed (else auto uses batch). */
  clickhouse: ClickHouseProcess | null;
  stop(): Promise<void>;
  /** Kills the private redis-server synchronously (for process 'exit'). */
  killNow(): void;
}

/** settings.databaseUrl when the database is not served: the console reads it in-process, not from a server. */
export const DEMO_DATABASE_URL = "postgres://embedded-demo/papermark";

/**
 * The embedded default: a private redis-server (append-only file on, so jobs survive a
 * restart), an embedded Postgres with seeded Papermark-shaped data, and a Tinybird emulator
 * with matching page-view events and a realistic rate limit. No credentials needed.
 * The console reads the embedded Postgres in-process; with serveDatabase, settings.databaseUrl
 * serves it to the CLI, `worker` and `serve` in other processes while the demo runs.
 */
export async function startDemoStack(options: DemoStackOptions): Promise<DemoStack> {
  const log = options.log ?? (() => {});
  const redis = new RedisProcess({ port: await freePort(), dir: join(options.dataDir, "redis"), appendonly: "everysec" });
  await redis.start();
  log(`private redis-server on 127.0.0.1:${redis.options.port} (data in ${join(options.dataDir, "redis")})`);
  const stopped: (() => Promise<void>)[] = [() => redis.stop("SIGTERM")];
  let clickhouse: ClickHouseProcess | null = null;
  const stopAll = async () => {
    for (const stop of stopped.reverse()) await stop().catch(() => undefined);
  };
  try {
    // The data set is deterministic: the emulator's events always match the seeded views.
    const dataset = generateDemoDataset({ seed: 1, scale: options.scale ?? 1 });
    const db = await startEmbeddedPostgres(join(options.dataDir, "postgres"));
    stopped.push(() => db.sql.close());
    const [seeded] = await db.sql.query<{ count: string | number }>(`SELECT count(*) AS "count" FROM "Team"`, []);
    if (Number(seeded?.count ?? 0) === 0) {
      log(`seeding the embedded database with ${dataset.summary.counts.views} views…`);
      await seedDemoDatabase(db, dataset);
      // Fresh tables have no statistics: without them the keyset pages plan badly.
      await db.exec("ANALYZE");
    }
    let databaseUrl = DEMO_DATABASE_URL;
    if (options.serveDatabase) {
      const wire = await db.serve({ log: (line) => log(`the embedded database closed ${line}`) });
      stopped.push(() => wire.close());
      log(`the embedded database on ${wire.url} (for the CLI, worker and serve)`);
      databaseUrl = wire.url;
    }
    if (findClickHouseServer()) {
      const dir = join(options.dataDir, "clickhouse");
      // Its tables are loaded from the data set on every start: nothing in it is worth keeping.
      rmSync(dir, { recursive: true, force: true });
      clickhouse = new ClickHouseProcess({ httpPort: await freePort(), tcpPort: await freePort(), dir });
      await clickhouse.start();
      stopped.push(() => clickhouse!.stop());
      log(`private clickhouse-server on 127.0.0.1:${clickhouse.options.httpPort} (the emulator's Query API)`);
    } else {
      log("clickhouse-server not found: the emulator's Query API answers 403 and exports use batch mode");
    }
    const token = keptSecret(options.dataDir, "tinybird-token", "demo_");
    const emulator = new TinybirdEmulator({ token, data: dataset.emulator, latencyMs: [30, 80], limits: { qps: 10, maxConcurrent: 10 }, clickhouse: clickhouse ?? undefined });
    await emulator.start();
    stopped.push(() => emulator.stop());
    // The default mode (auto): sql on the Query API when ClickHouse runs, else batch.
    const settings = settingsSchema.parse({ redisUrl: redis.url, databaseUrl, tinybirdHost: emulator.url, tinybirdToken: token });
    return {
      settings,
      sql: db.sql,
      summary: dataset.summary,
      emulator,
      redis,
      clickhouse,
      stop: stopAll,
      killNow: () => {
        redis.killNow();
        clickhouse?.killNow();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
