import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClickHouseProcess, CLICKHOUSE_INSTALL_HINT, findClickHouseServer } from "../../electron/dev/clickhouse-process";
import { freePort } from "../../electron/dev/redis-process";

/**
 * Whether the tests that need a real ClickHouse can run. Without clickhouse-server they are
 * skipped with a visible reason, except under CI=true, where a missing ClickHouse fails.
 */
export function clickhouseAvailable(): boolean {
  if (findClickHouseServer()) return true;
  if (process.env.CI === "true") throw new Error(`CI=true and ${CLICKHOUSE_INSTALL_HINT}`);
  console.warn(`SKIPPED: ${CLICKHOUSE_INSTALL_HINT}`);
  return false;
}

/** A private clickhouse-server on free ports with a temporary data folder. */
export class TestClickHouse {
  private constructor(
    readonly process: ClickHouseProcess,
    private readonly dir: string,
  ) {}

  static async start(): Promise<TestClickHouse> {
    const dir = mkdtempSync(join(tmpdir(), "vec-clickhouse-"));
    const httpPort = await freePort();
    let tcpPort = await freePort();
    while (tcpPort === httpPort) tcpPort = await freePort();
    const server = new TestClickHouse(new ClickHouseProcess({ httpPort, tcpPort, dir }), dir);
    await server.process.start();
    return server;
  }

  async close(): Promise<void> {
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
