import { randomBytes } from "node:crypto";
import { CLICKHOUSE_USERS, type ClickHouseProcess } from "../clickhouse-process";
import { TABLE_DDL, type EmulatorTables } from "./emulator-tables";

export type QueryApiAnswer = { status: 200; body: string } | { status: 400; error: string };

const INSERT_BATCH = 20_000;

/**
 * The emulator's Query API engine: its own database on a private ClickHouse, holding the
 * emulator's rows, queried by the read-only user. Several emulators can share one ClickHouse.
 */
export class ClickHouseQueryApi {
  readonly database = `emulator_${randomBytes(6).toString("hex")}`;
  private ready: Promise<void> = Promise.resolve();

  constructor(private readonly clickhouse: ClickHouseProcess) {}

  /** Replaces the tables' rows; queries wait until it is done. */
  load(tables: EmulatorTables): Promise<void> {
    const previous = this.ready.catch(() => undefined);
    this.ready = previous.then(() => this.reload(tables));
    return this.ready;
  }

  private async reload(tables: EmulatorTables): Promise<void> {
    const ch = this.clickhouse;
    await ch.query(`DROP DATABASE IF EXISTS ${this.database}`);
    await ch.query(`CREATE DATABASE ${this.database}`);
    for (const ddl of TABLE_DDL) await ch.query(ddl, { database: this.database });
    await this.insert("page_views__v3", tables.pageViews);
    await this.insert(
      "pm_click_events__v1",
      tables.clicks.map((click) => ({ ...click, timestamp: new Date(click.timestamp * 1000).toISOString().slice(0, 19).replace("T", " ") })),
    );
  }

  private async insert(table: string, rows: readonly object[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      const body = rows
        .slice(i, i + INSERT_BATCH)
        .map((row) => JSON.stringify(row))
        .join("\n");
      await this.clickhouse.query(`INSERT INTO ${table} FORMAT JSONEachRow`, { database: this.database, body });
    }
  }

  /** Runs a query as the read-only user: ClickHouse's answer, or its error text. */
  async query(sql: string): Promise<QueryApiAnswer> {
    await this.ready;
    try {
      const body = await this.clickhouse.query(sql, { user: CLICKHOUSE_USERS.reader, database: this.database });
      return { status: 200, body };
    } catch (error) {
      return { status: 400, error: (error as Error).message.replace(/^ClickHouse \d+: /, "") };
    }
  }

  async drop(): Promise<void> {
    await this.ready.catch(() => undefined);
    if (this.clickhouse.running) await this.clickhouse.query(`DROP DATABASE IF EXISTS ${this.database}`).catch(() => undefined);
  }
}
