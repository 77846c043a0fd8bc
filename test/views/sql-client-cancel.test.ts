import { afterAll, describe, expect, it } from "vitest";
import { pgClient } from "../../electron/core/views/sql-client";
import { newJobId } from "../../electron/core/jobs/job-id";
import { ADMIN_URL } from "../helpers/postgres-database";

/*
 * The PostgreSQL server (127.0.0.1:5432): an abort must stop the query on the server, not only
 * in the client. Without pg_cancel_backend the sleep would hold the query (and the test) for 5 min.
 */

const sql = pgClient(ADMIN_URL, { max: 3 });
afterAll(() => sql.close());

const running = (marker: string) =>
  sql.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()", [`%${marker}%`]).then((rows) => rows[0]!.n);

describe("pgClient cancel", () => {
  it("an aborted pg_sleep(300) rejects with the abort reason and leaves no active query on the server", async () => {
    const marker = `cancel_${newJobId(8).replace(/[^a-z0-9]/gi, "x")}`;
    const controller = new AbortController();
    const query = sql.query(`SELECT pg_sleep(300) AS ${marker}`, [], controller.signal);
    query.catch(() => undefined);
    await expect.poll(() => running(marker), { timeout: 5000, interval: 20 }).toBe(1);
    const reason = new Error("stopped by the test");
    controller.abort(reason);
    await expect(query).rejects.toBe(reason);
    await expect.poll(() => running(marker), { timeout: 5000, interval: 20 }).toBe(0);
  });
});
