import { randomBytes } from "node:crypto";
import pg from "pg";
import { insertRows, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { PAPERMARK_SCHEMA_SQL } from "../../electron/dev/papermark-schema";

export const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database with Papermark's schema on the machine's PostgreSQL server, for tests
 * whose child processes need the same data (PGlite lives inside one process). Fails with a
 * clear message when the server is not there; never skips.
 */
export async function createTestDatabase(purpose: string, seed: (db: Pick<EmbeddedPostgres, "insert" | "exec">) => Promise<void>): Promise<TestDatabase> {
  const name = `vec_${purpose}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`these tests need the PostgreSQL server at ${ADMIN_URL} (user postgres, trust auth; override with TEST_POSTGRES_URL): ${(error as Error).message}`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    await client.query(PAPERMARK_SCHEMA_SQL);
    await seed({
      exec: async (statements) => {
        await client.query(statements);
      },
      insert: (table, rows) => insertRows((text, params) => client.query(text, params), table, rows),
    });
  } finally {
    await client.end();
  }
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
