import { PAPERMARK_SCHEMA_SQL } from "./papermark-schema";
import { pgliteClient, type PGliteLike, type SqlClient } from "../core/views/sql-client";
import { servePgliteOverTcp, type PGliteWire, type PgliteWireServer, type WireServerOptions } from "./pglite-wire-server";

export interface EmbeddedPostgres {
  sql: SqlClient;
  /** Runs statements that change data (seeding). The views source itself never writes. */
  exec(statements: string): Promise<void>;
  insert(table: string, rows: Record<string, unknown>[]): Promise<void>;
  /** Serves it to `pg` clients in other processes on 127.0.0.1 (see servePgliteOverTcp). */
  serve(options?: WireServerOptions): Promise<PgliteWireServer>;
}

/**
 * PGlite (Postgres compiled to WASM) with Papermark's schema, for the demo and the tests.
 * `dataDir` keeps the database on disk; without it, it lives in memory.
 */
export async function startEmbeddedPostgres(dataDir?: string): Promise<EmbeddedPostgres> {
  const { PGlite } = await import("@electric-sql/pglite");
  const db = new PGlite(dataDir) as unknown as PGliteLike & PGliteWire;
  const [exists] = (await db.query<{ found: boolean }>(`SELECT to_regclass('"View"') IS NOT NULL AS found`)).rows;
  if (!exists?.found) await db.exec(PAPERMARK_SCHEMA_SQL);
  return {
    sql: pgliteClient(db),
    exec: async (statements) => {
      await db.exec(statements);
    },
    insert: (table, rows) => insertRows((text, params) => db.query(text, params), table, rows),
    serve: (options) => servePgliteOverTcp(db, options),
  };
}

/** Multi-row INSERTs in batches, columns quoted as Prisma names them. */
export async function insertRows(
  run: (text: string, params: unknown[]) => Promise<unknown>,
  table: string,
  rows: Record<string, unknown>[],
  batchSize = 500,
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const params: unknown[] = [];
    const tuples = batch.map((row) => `(${columns.map((column) => `$${params.push(toParam(row[column]))}`).join(", ")})`);
    await run(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${tuples.join(", ")}`, params);
  }
}

function toParam(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === "object" && !(value instanceof Date)) return JSON.stringify(value);
  return value;
}
