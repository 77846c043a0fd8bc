import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlClient } from "../../electron/core/views/sql-client";
import { ViewsSource } from "../../electron/core/views/views-source";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { seedSmallDataset } from "../fixtures/small-dataset";

let db: EmbeddedPostgres;
const statements: { sql: string; params: readonly unknown[] }[] = [];
let source: ViewsSource;

beforeAll(async () => {
  db = await startEmbeddedPostgres();
  await seedSmallDataset(db);
  // The real database, with every statement it receives recorded.
  const recording: SqlClient = {
    query: (sql, params, signal) => {
      statements.push({ sql, params });
      return db.sql.query(sql, params, signal);
    },
    close: () => db.sql.close(),
  };
  source = new ViewsSource(recording, 1);
});
afterAll(async () => {
  await db.sql.close();
});

async function collect(pages: AsyncGenerator<{ id: string }[]>): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of pages) ids.push(...page.map((row) => row.id));
  return ids;
}

describe("views queries", () => {
  it("send every value as a $n parameter, never inside the SQL text", async () => {
    statements.length = 0;
    const scope = { teamId: "t1", dataroomId: "dr1", groupId: "g1", range: { since: "2026-02-01", until: "2026-02-28" } };
    expect(await collect(source.sessions(scope))).toEqual(["s1"]);
    expect(await source.countDocumentViewsOfSessions(scope)).toEqual({ inSessions: 2, orphaned: 1 });
    expect((await source.documentViewsOfSessions(scope, ["s1"])).map((row) => row.id)).toEqual(["dv2", "dv1"]);
    expect(await collect(source.documentViews({ teamId: "t1", documentId: "d1", range: { since: "2026-02-01" } }))).not.toContain("w1");
    expect(statements.length).toBeGreaterThan(4);
    for (const { sql, params } of statements) {
      for (const value of ["t1", "dr1", "g1", "2026-02-01", "2026-02-28", "s1", "d1", "DATAROOM_VIEW", "DOCUMENT_VIEW"]) {
        expect(sql).not.toContain(`'${value}'`);
        expect(sql).not.toMatch(new RegExp(`\\b${value}\\b(?!")`));
      }
      // every placeholder has its value, and no value is left without a placeholder
      const highest = Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));
      expect(highest).toBe(params.length);
    }
  });

  it("treat a value that looks like SQL as a plain value", async () => {
    const hostile = "d1' OR '1'='1";
    expect(await source.countDocumentViews({ teamId: "t1", documentId: hostile })).toBe(0);
    expect(await source.countSessions({ teamId: "t1", dataroomId: "dr1", groupId: "g1' OR 'x'='x" })).toBe(0);
  });
});
