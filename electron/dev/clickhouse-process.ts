import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { AppError } from "../../shared/errors";
import { sleep } from "../core/time/sleep";

export const CLICKHOUSE_INSTALL_HINT =
  "clickhouse-server was not found on the PATH or in /usr/sbin. Install it: Debian/Ubuntu `sudo apt-get install clickhouse-server`, macOS `brew install clickhouse`.";

/** The clickhouse-server binary: from the PATH, else where Debian's package puts it; null when absent. */
export function findClickHouseServer(): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/usr/local/sbin"];
  for (const dir of dirs) {
    const candidate = join(dir, "clickhouse-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface ClickHouseProcessOptions {
  httpPort: number;
  tcpPort: number;
  /** Config, data and temporary folders go here. */
  dir: string;
}

/** Users of the private instance: one that loads the tables, one that may only read them. */
export const CLICKHOUSE_USERS = { loader: "loader", reader: "reader" } as const;

/**
 * A private clickhouse-server child process on its own ports, config file and data folder,
 * bound to 127.0.0.1 (the Tinybird emulator's SQL engine). The `reader` user runs with
 * readonly=1 and unquoted 64-bit numbers, as Tinybird's Query API answers.
 */
export class ClickHouseProcess {
  private child: ChildProcess | null = null;

  constructor(readonly options: ClickHouseProcessOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.httpPort}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error("clickhouse-server is already running");
    const binary = findClickHouseServer();
    if (!binary) throw new AppError("UNAVAILABLE", CLICKHOUSE_INSTALL_HINT);
    const configFile = this.writeConfig();
    const child = spawn(binary, [`--config-file=${configFile}`], { stdio: ["ignore", "ignore", "pipe"] });
    this.child = child;
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    let exited: number | null | undefined;
    child.once("exit", (code) => {
      exited = code;
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (exited !== undefined) {
        throw new AppError("UNAVAILABLE", `clickhouse-server exited with ${exited}: ${output.trim().split("\n").slice(-3).join(" | ")}`);
      }
      if (await this.ping()) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new AppError("UNAVAILABLE", `clickhouse-server did not answer on port ${this.options.httpPort} within 30 s`);
      }
      await sleep(50);
    }
  }

  private async ping(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/ping`, { signal: AbortSignal.timeout(1000) });
      return response.ok;
    } catch {
      return false;
    }
  }

  /** Runs one statement; throws with ClickHouse's message when it fails. */
  async query(sql: string, options: { user?: string; database?: string; body?: string } = {}): Promise<string> {
    const url = new URL(this.url);
    url.searchParams.set("user", options.user ?? CLICKHOUSE_USERS.loader);
    if (options.database) url.searchParams.set("database", options.database);
    if (options.body !== undefined) url.searchParams.set("query", sql);
    const response = await fetch(url, { method: "POST", body: options.body ?? sql });
    const text = await response.text();
    if (!response.ok) throw new Error(`ClickHouse ${response.status}: ${text.trim()}`);
    return text;
  }

  private writeConfig(): string {
    const { dir, httpPort, tcpPort } = this.options;
    for (const sub of ["data", "tmp", "user_files", "format_schemas"]) mkdirSync(join(dir, sub), { recursive: true });
    const usersFile = join(dir, "users.xml");
    writeFileSync(
      usersFile,
      `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><max_memory_usage>2000000000</max_memory_usage></default>
    <readonly>
      <readonly>1</readonly>
      <max_memory_usage>2000000000</max_memory_usage>
      <output_format_json_quote_64bit_integers>0</output_format_json_quote_64bit_integers>
    </readonly>
  </profiles>
  <users>
    <${CLICKHOUSE_USERS.loader}><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></${CLICKHOUSE_USERS.loader}>
    <${CLICKHOUSE_USERS.reader}><password></password><networks><ip>127.0.0.1</ip></networks><profile>readonly</profile><quota>default</quota></${CLICKHOUSE_USERS.reader}>
  </users>
  <quotas><default></default></quotas>
</yandex>
`,
    );
    const configFile = join(dir, "config.xml");
    writeFileSync(
      configFile,
      `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${join(dir, "data")}/</path>
  <tmp_path>${join(dir, "tmp")}/</tmp_path>
  <user_files_path>${join(dir, "user_files")}/</user_files_path>
  <format_schema_path>${join(dir, "format_schemas")}/</format_schema_path>
  <users_config>${usersFile}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <!-- Longer than Node's fetch keeps idle sockets (4 s): the client closes them first, so a
       request never lands on a socket the server is closing ("other side closed"). -->
  <keep_alive_timeout>60</keep_alive_timeout>
</yandex>
`,
    );
    return configFile;
  }

  /** Synchronous last resort for process 'exit' handlers. */
  killNow(): void {
    this.child?.kill("SIGKILL");
    this.child = null;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }
}
