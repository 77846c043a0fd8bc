import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { newJobId } from "../../electron/jobs/job-id";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private redis-server on a free port, never the shared 6379. Tests can stop and restart it
 * (same port, same data dir) to exercise reconnects.
 */
export class TestRedisServer {
  private child: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), "vec-redis-"));
  private constructor(
    readonly port: number,
    private readonly persistent: boolean,
  ) {}

  /** `persistent`: append-only file fsynced on every write, so data survives a SIGKILL. */
  static async start(options: { persistent?: boolean } = {}): Promise<TestRedisServer> {
    const server = new TestRedisServer(await freePort(), options.persistent ?? false);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    if (this.child) throw new Error("redis-server is already running");
    const persistence = this.persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
    const child = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", this.dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let output = "";
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          child.stdout?.off("data", onData);
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
      child.once("error", reject);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
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
