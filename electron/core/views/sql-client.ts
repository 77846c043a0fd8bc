import pg from "pg";
import { AppError } from "../../../shared/errors";
import { parseInput } from "../../../shared/parse-input";
import { databaseUrlSchema } from "../../../shared/settings";

/**
 * The slice of a SQL client the views source needs. Implemented by `pg` (a real server) and
 * by PGlite (the embedded engine for tests and the demo), which run the same SQL.
 */
export interface SqlClient {
  query<Row>(sql: string, params: readonly unknown[], signal?: AbortSignal): Promise<Row[]>;
  close(): Promise<void>;
}

/** `pg` pool. An abort cancels the running statement on the server (pg_cancel_backend). */
export function pgClient(connectionString: string, options: { max?: number } = {}): SqlClient {
  parseInput(databaseUrlSchema, connectionString, "DATABASE_URL");
  const pool = new pg.Pool({ connectionString, max: options.max ?? 4, connectionTimeoutMillis: 10_000 });
  pool.on("error", () => {}); // idle-client errors surface on the next query
  return {
    async query<Row>(sql: string, params: readonly unknown[], signal?: AbortSignal): Promise<Row[]> {
      signal?.throwIfAborted();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw new AppError("UNAVAILABLE", `PostgreSQL is unreachable: ${(error as Error).message}`, { cause: error });
      }
      const pid = (client as unknown as { processID: number }).processID;
      const cancel = () => void pool.query("SELECT pg_cancel_backend($1)", [pid]).catch(() => {});
      signal?.addEventListener("abort", cancel, { once: true });
      try {
        const result = await client.query(sql, params as unknown[]);
        return result.rows as Row[];
      } catch (error) {
        signal?.throwIfAborted();
        throw error;
      } finally {
        signal?.removeEventListener("abort", cancel);
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** The slice of PGlite we use (kept structural so the core does not load it unless asked). */
export interface PGliteLike {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  exec(sql: string): Promise<unknown>;
  close(): Promise<void>;
}

/** PGlite runs in-process: a query cannot be interrupted, so the signal is checked around it. */
export function pgliteClient(db: PGliteLike): SqlClient {
  return {
    async query<Row>(sql: string, params: readonly unknown[], signal?: AbortSignal): Promise<Row[]> {
      signal?.throwIfAborted();
      const result = await db.query<Row>(sql, [...params]);
      signal?.throwIfAborted();
      return result.rows;
    },
    close: () => db.close(),
  };
}
