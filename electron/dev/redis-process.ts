import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { AppError } from "../../shared/errors";

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

export function redisServerAvailable(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export const REDIS_INSTALL_HINT =
  "redis-server was not found on the PATH. Install it: Debian/Ubuntu `sudo apt-get install redis-server`, Fedora `sudo dnf install redis`, macOS `brew install redis`.";

export interface RedisProcessOptions {
  port: number;
  dir: string;
  /** Append-only file: jobs survive a restart (fsync: always in tests, everysec for the demo). */
  appendonly?: "no" | "everysec" | "always";
  /** Further configuration, as redis-server arguments (tests: a command renamed away, as on an older Redis). */
  args?: readonly string[];
}

/**
 * A private redis-server child process bound to 127.0.0.1 on its own port and data folder:
 * the demo's store, and the tests' (which also stop and restart it).
 */
export class RedisProcess {
  private child: ChildProcess | null = null;

  constructor(readonly options: RedisProcessOptions) {}

  get url(): string {
    return `redis://127.0.0.1:${this.options.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error("redis-server is already running");
    if (!redisServerAvailable()) throw new AppError("UNAVAILABLE", REDIS_INSTALL_HINT);
    mkdirSync(this.options.dir, { recursive: true });
    const appendonly = this.options.appendonly ?? "no";
    const persistence = appendonly === "no" ? ["--appendonly", "no"] : ["--appendonly", "yes", "--appendfsync", appendonly];
    const child = spawn("redis-server", ["--port", String(this.options.port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", this.options.dir, ...(this.options.args ?? [])], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let output = "";
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          child.stdout?.off("data", onData);
          child.stdout?.resume();
          child.off("exit", onExit);
          resolve();
        }
      };
      const onExit = (code: number | null) => {
        this.child = null;
        reject(new AppError("UNAVAILABLE", `redis-server exited with ${code}: ${output.trim().split("\n").slice(-3).join(" | ")}`));
      };
      child.stdout?.on("data", onData);
      child.once("exit", onExit);
      child.once("error", (error) => {
        this.child = null;
        reject(error);
      });
    });
    child.once("exit", () => {
      if (this.child === child) this.child = null;
    });
  }

  /** Synchronous last resort for process 'exit' handlers: never leave a redis-server behind. */
  killNow(): void {
    this.child?.kill("SIGKILL");
    this.child = null;
  }

  /** SIGKILL by default (tests of a crash); SIGTERM lets Redis flush its append-only file. */
  async stop(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill(signal);
    });
  }
}
