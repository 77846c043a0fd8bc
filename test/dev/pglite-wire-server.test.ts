import { connect } from "node:net";
import { once } from "node:events";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { MAX_MESSAGE_LENGTH, type PgliteWireServer } from "../../electron/dev/pglite-wire-server";
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

function client(url = server.url): pg.Client {
  const connection = new pg.Client(url);
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

  it("reads messages that come in many pieces: a startup packet byte by byte, a query with an 8 MiB parameter", async () => {
    const raw = await rawClient();
    raw.socket.setNoDelay(true);
    for (const byte of startupMessage()) await new Promise<void>((resolve) => raw.socket.write(Buffer.from([byte]), () => resolve()));
    await raw.until((received) => received.subarray(-6).equals(Buffer.from([0x5a, 0, 0, 0, 5, 0x49]))); // ReadyForQuery, idle
    raw.socket.destroy();
    const connection = client();
    await connection.connect();
    try {
      const text = "x".repeat(8 * 1024 * 1024 - 1) + "y";
      expect((await connection.query<{ n: number; last: string }>("SELECT length($1::text)::int AS n, right($1::text, 2) AS last", [text])).rows).toEqual([{ n: text.length, last: "xy" }]);
    } finally {
      await connection.end();
    }
  });

  describe("refuses a malformed or oversized message: closes that connection and goes on serving the others", () => {
    const PROTOCOL_3 = 196608;
    const startupHeader = (length: number, code: number) => {
      const header = Buffer.alloc(8);
      header.writeInt32BE(length, 0);
      header.writeInt32BE(code, 4);
      return header;
    };
    const messageHeader = (type: string, length: number) => {
      const header = Buffer.alloc(5);
      header.write(type, 0, "latin1");
      header.writeInt32BE(length, 1);
      return header;
    };

    it.each([
      ["a startup packet shorter than its own length and code", 4, startupHeader(4, 0)],
      ["a startup packet with a negative length", -1, startupHeader(-1, PROTOCOL_3)],
      ["a startup packet longer than the cap (refused before its bytes come)", MAX_MESSAGE_LENGTH + 1, startupHeader(MAX_MESSAGE_LENGTH + 1, PROTOCOL_3)],
    ])("%s", async (_, length, bytes) => {
      const raw = await rawClient();
      raw.socket.write(bytes);
      expect(errorResponse(await raw.closed)).toEqual({ S: "FATAL", V: "FATAL", C: "08P01", M: `invalid length of startup packet: ${length}` });
      expect(await teamsOverTcp()).toBe(200);
      expect(await count()).toBe(200);
    });

    it.each([
      ["a message whose length is -1", -1, messageHeader("Q", -1)],
      ["a message whose length is shorter than the length field itself", 3, messageHeader("Q", 3)],
      ["a message longer than the cap (refused before its bytes come)", MAX_MESSAGE_LENGTH + 1, messageHeader("Q", MAX_MESSAGE_LENGTH + 1)],
    ])("%s", async (_, length, bytes) => {
      const raw = await rawClient();
      raw.socket.write(startupMessage());
      await raw.until((received) => received.subarray(-6).equals(Buffer.from([0x5a, 0, 0, 0, 5, 0x49]))); // ReadyForQuery, idle
      const answeredBefore = raw.received().length;
      raw.socket.write(bytes);
      expect(errorResponse((await raw.closed).subarray(answeredBefore))).toEqual({ S: "FATAL", V: "FATAL", C: "08P01", M: `invalid message length: ${length}` });
      expect(await teamsOverTcp()).toBe(200);
      expect(await count()).toBe(200);
    });
  });

  it("rolls back and disconnects a client idle inside a transaction for longer than the limit, and frees the database for the others", async () => {
    const logged: string[] = [];
    const strict = await db.serve({ idleInTransactionTimeoutMs: 200, log: (line) => logged.push(line) });
    // Idle as long, but outside a transaction: it holds nothing, so it stays connected.
    const bystander = client(strict.url);
    const idler = client(strict.url);
    try {
      await bystander.connect();
      await idler.connect();
      const terminated = once(idler, "error") as Promise<[Error & { code?: string }]>;
      await idler.query("BEGIN");
      await idler.query(`INSERT INTO "Team" ("id", "name", "plan") VALUES ('team_idle', 'Idle', 'free')`);
      // Queued behind the idle transaction: it runs once the server gives up on it.
      const inProcess = count(`"id" = 'team_idle'`);
      const [error] = await terminated;
      expect(error.message).toBe("terminating connection due to idle-in-transaction timeout");
      expect(error.code).toBe("25P03");
      expect(await inProcess).toBe(0);
      expect(logged).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+: terminating connection due to idle-in-transaction timeout \(idle for more than 200 ms while holding the database\)$/)]);
      expect((await bystander.query(`SELECT count(*)::int AS n FROM "Team"`)).rows).toEqual([{ n: 200 }]);
    } finally {
      await bystander.end();
      await idler.end().catch(() => undefined);
      await strict.close();
    }
  });
});

/** The startup message of protocol 3.0 for user postgres. */
function startupMessage(): Buffer {
  const parameters = Buffer.from("user\0postgres\0database\0postgres\0\0", "latin1");
  const message = Buffer.alloc(8 + parameters.length);
  message.writeInt32BE(message.length, 0);
  message.writeInt32BE(196608, 4);
  parameters.copy(message, 8);
  return message;
}

/** A TCP client that writes raw bytes and keeps everything the server sends until it closes the connection. */
async function rawClient() {
  const socket = connect(server.port, "127.0.0.1");
  await once(socket, "connect");
  let received = Buffer.alloc(0);
  const waiting = new Set<() => void>();
  socket.on("data", (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    for (const check of waiting) check();
  });
  socket.on("error", () => {});
  const closed = once(socket, "close").then(() => received);
  return {
    socket,
    received: () => received,
    closed,
    /** Resolves once what the server sent so far satisfies the test. */
    until: (test: (received: Buffer) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!test(received)) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      }),
  };
}

/** The fields of the one ErrorResponse the bytes hold (by field code: S, V, C, M…). */
function errorResponse(bytes: Buffer): Record<string, string> {
  expect(bytes.subarray(0, 1).toString("latin1")).toBe("E");
  expect(bytes.readInt32BE(1)).toBe(bytes.length - 1);
  const fields: Record<string, string> = {};
  let offset = 5;
  while (bytes[offset] !== 0) {
    const end = bytes.indexOf(0, offset + 1);
    fields[String.fromCharCode(bytes[offset]!)] = bytes.toString("utf8", offset + 1, end);
    offset = end + 1;
  }
  return fields;
}

/** A fresh `pg` connection's count of teams: the server still answers. */
async function teamsOverTcp(): Promise<number> {
  const connection = client();
  await connection.connect();
  try {
    return (await connection.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Team"`)).rows[0]!.n;
  } finally {
    await connection.end();
  }
}
