import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { newJobId } from "../../electron/core/jobs/job-id";
import { freePort, RedisProcess } from "../../electron/dev/redis-process";

export { freePort };

/**
 * A private redis-server on a free port, never the shared 6379. Tests can stop and restart it
 * (same port, same data dir) to exercise reconnects.
 */
export class TestRedisServer {
  private constructor(private readonly process: RedisProcess) {}

  /**
   * `persistent`: append-only file fsynced on every write, so data survives a SIGKILL.
   * `args`: further redis-server configuration.
   */
  static async start(options: { persistent?: boolean; args?: readonly string[] } = {}): Promise<TestRedisServer> {
    const dir = mkdtempSync(join(tmpdir(), "vec-redis-"));
    const server = new TestRedisServer(
      new RedisProcess({ port: await freePort(), dir, appendonly: options.persistent ? "always" : "no", ...(options.args ? { args: options.args } : {}) }),
    );
    await server.restart();
    return server;
  }

  get port(): number {
    return this.process.options.port;
  }

  get url(): string {
    return this.process.url;
  }

  restart(): Promise<void> {
    return this.process.start();
  }

  stop(): Promise<void> {
    return this.process.stop("SIGKILL");
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.process.options.dir, { recursive: true, force: true });
  }

  /** Connection options for BullMQ, which needs maxRetriesPerRequest: null. */
  get bullConnection(): { host: string; port: number; maxRetriesPerRequest: null } {
    return { host: "127.0.0.1", port: this.port, maxRetriesPerRequest: null };
  }

  client(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1, retryStrategy: (times) => Math.min(times * 50, 500) });
    client.on("error", () => {}); // outages are asserted through command results
    return client;
  }
}

/** A fresh key prefix per test, in the style of BullMQ's and ioredis's suites. */
export function testPrefix(): string {
  return `t-${newJobId(10)}:`;
}

/**
 * A private redis-server and one client for a whole test file: started before its first test,
 * closed after its last. `use` hands them to the file's variables.
 */
export function useTestRedis(use: (started: { server: TestRedisServer; redis: Redis }) => void): void {
  let started: { server: TestRedisServer; redis: Redis } | null = null;
  beforeAll(async () => {
    const server = await TestRedisServer.start();
    started = { server, redis: server.client() };
    use(started);
  });
  afterAll(async () => {
    started?.redis.disconnect();
    await started?.server.close();
  });
}
