import { connect } from "node:net";
import { once } from "node:events";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import type { PgliteWireServer } from "../../electron/dev/pglite-wire-server";
import { pgClient } from "../../electron/core/views/sql-client";

// The demo's embedded database served to `pg` clients in other processes (the CLI, worker,
// serve) while the demo keeps querying it in-process: one PGlite session shared by all.
let db: EmbeddedPostgres;
let server: PgliteWireServer;

const count = async (where = "TRUE") => Number((await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Team" WHERE ${where}`, []))[0]!.n);

beforeAll(async () => {
  db = await startEmbeddedPostgres();
  await db.insert(
    "Team",
    Array.from({ length: 200 }, (_, index) => ({ id: `team_${index}`, name: `Team ${index}`, plan: "free" })),
  );
  server = await db.serve();
});
afterAll(async () => {
  await server.close();
  await db.sql.close();
});

function client(): pg.Client {
  const connection = new pg.Client(server.url);
  connection.on("error", () => {}); // a test that cuts the connection expects it
  return connection;
}

describe("the embedded database over TCP", () => {
  it("answers a pool of connections and in-process queries at once, each with its own parameters", async () => {
    expect(server.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const pool = pgClient(server.url, { max: 4 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          index % 4 === 0
            ? db.sql.query<{ n: number; tag: string }>(`SELECT count(*)::int AS n, $2::text AS tag FROM "Team" WHERE "name" > $1`, [`Team ${index}`, `in-process ${index}`])
            : pool.query<{ n: number; tag: string }>(`SELECT count(*)::int AS n, $2::text AS tag FROM "Team" WHERE "name" > $1`, [`Team ${index}`, `socket ${index}`]),
        ),
      );
      const expected = await Promise.all(Array.from({ length: 40 }, (_, index) => count(`"name" > 'Team ${index}'`)));
      expect(answers.map((rows) => rows[0]!.n)).toEqual(expected);
      expect(answers.map((rows) => rows[0]!.tag)).toEqual(Array.from({ length: 40 }, (_, index) => `${index % 4 === 0 ? "in-process" : "socket"} ${index}`));
    } finally {
      await pool.close();
    }
  });

  it("reports a bad query as an error and goes on serving the connection", async () => {
    const connection = client();
    await connection.connect();
    try {
      await expect(connection.query(`SELECT "nope" FROM "Team"`)).rejects.toThrow('column "nope" does not exist');
      expect((await connection.query(`SELECT count(*)::int AS n FROM "Team"`)).rows).toEqual([{ n: 200 }]);
    } finally {
      await connection.end();
    }
  });

  it("keeps other clients and the demo's own queries out of a transaction until it ends", async () => {
    const connection = client();
    await connection.connect();
    try {
      await connection.query("BEGIN");
      await connection.query(`INSERT INTO "Team" ("id", "name", "plan") VALUES ('team_uncommitted', 'Uncommitted', 'free')`);
      // Asked for before the transaction's next statement: in the one session PGlite has,
      // it would see the uncommitted row if it ran between the transaction's statements.
      const inProcess = count();
      expect((await connection.query(`SELECT count(*)::int AS n FROM "Team"`)).rows).toEqual([{ n: 201 }]);
      await connection.query("ROLLBACK");
      expect(await inProcess).toBe(200);
    } finally {
      await connection.end();
    }
  });

  it("rolls back the transaction of a client that goes away in the middle of it", async () => {
    const connection = client();
    await connection.connect();
    await connection.query("BEGIN");
    await connection.query(`INSERT INTO "Team" ("id", "name", "plan") VALUES ('team_abandoned', 'Abandoned', 'free')`);
    const inProcess = count(`"id" = 'team_abandoned'`);
    (connection as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect(await inProcess).toBe(0);
    expect(await count()).toBe(200);
  });

  it("answers a request for TLS with no, then serves the connection in plain text", async () => {
    const socket = connect(server.port, "127.0.0.1");
    await once(socket, "connect");
    const sslRequest = Buffer.alloc(8);
    sslRequest.writeInt32BE(8, 0);
    sslRequest.writeInt32BE(80877103, 4);
    socket.write(sslRequest);
    const [answer] = (await once(socket, "data")) as [Buffer];
    expect(answer.toString()).toBe("N");
    socket.destroy();
    const connection = new pg.Client({ connectionString: server.url, ssl: false });
    await connection.connect();
    expect((await connection.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    await connection.end();
  });
});
