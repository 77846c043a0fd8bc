import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExportJob } from "../../shared/job";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import { EXPECTED_DATAROOM, EXPECTED_DOCUMENT, EXPECTED_GROUP_G1, EXPECTED_GROUP_G2 } from "../fixtures/small-dataset-expected";
import { ExportStack } from "../helpers/export-stack";
import { TestRedisServer } from "../helpers/redis-server";

let server: TestRedisServer;
let db: EmbeddedPostgres;
let emulator: TinybirdEmulator;

beforeAll(async () => {
  server = await TestRedisServer.start();
  db = await startEmbeddedPostgres();
  await seedSmallDataset(db);
  emulator = new TinybirdEmulator({
    token: "tb",
    data: smallEmulatorData,
    seed: 2024,
    latencyMs: [5, 20],
    faultMix: {
      probability: 0.3,
      faults: [
        { kind: "status", status: 429, retryAfterSeconds: 1 },
        { kind: "status", status: 500 },
        { kind: "status", status: 503 },
        { kind: "hang" },
        { kind: "malformed" },
        { kind: "truncated" },
      ],
    },
  });
  await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
  await db.sql.close();
  await server.close();
});

const EXPECTED: [request: { type: "document" | "dataroom" | "dataroom-group"; teamId: string; resourceId: string; groupId?: string }, csv: string][] = [
  [{ type: "document", teamId: "t1", resourceId: "d1" }, EXPECTED_DOCUMENT],
  [{ type: "dataroom", teamId: "t1", resourceId: "dr1" }, EXPECTED_DATAROOM],
  [{ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g1" }, EXPECTED_GROUP_G1],
  [{ type: "dataroom-group", teamId: "t1", resourceId: "dr1", groupId: "g2" }, EXPECTED_GROUP_G2],
];

describe.each(["per-view", "batch"] as const)("a Tinybird fault mix (%s)", (mode) => {
  it("every export completes with the right bytes or fails with a clear error, and no request beats a Retry-After", async () => {
    const stack = new ExportStack({ server, sql: db.sql, emulator, mode, tinybirdRetries: 6, tinybirdTimeoutMs: 400, retry: { attempts: 3, backoffMs: 50 } });
    const service = stack.service();
    emulator.log.length = 0;
    try {
      await stack.runner({ concurrency: 2 }).start();
      const jobs = await Promise.all(EXPECTED.map(([request]) => service.create(request, "u1", null)));
      const finished: ExportJob[] = [];
      for (const job of jobs) {
        await expect.poll(async () => (await stack.store.getSummary(job.id))?.status, { timeout: 60_000, interval: 100 }).toMatch(/COMPLETED|FAILED/);
        finished.push((await stack.store.get(job.id))!.job);
      }
      finished.forEach((job, index) => {
        if (job.status === "COMPLETED") expect(job.result, job.type).toBe(EXPECTED[index]![1]);
        else expect(job.error).toMatch(/failed after \d+ tries: (HTTP 5\d\d|HTTP 429|malformed|no answer|the body)|Tinybird looks down .*last error: (HTTP 5\d\d|no answer)/);
      });
      // The mix really happened, and most exports got through it.
      const faults = emulator.log.filter((entry) => entry.status !== 200).length;
      expect(faults).toBeGreaterThanOrEqual(3);
      expect(finished.filter((job) => job.status === "COMPLETED").length).toBeGreaterThanOrEqual(3);
      // After a 429 with Retry-After, the client sent nothing until it expired (requests it had
      // already released before the answer arrived are in flight, not sent after it).
      for (const limited of emulator.log.filter((entry) => entry.status === 429)) {
        const early = emulator.log.filter((entry) => entry.releasedAt > limited.end + 5 && entry.releasedAt < limited.end + limited.retryAfterMs! - 5);
        expect(early, `requests released during the Retry-After of a 429 at ${limited.end}`).toEqual([]);
      }
    } finally {
      await stack.close();
    }
  }, 120_000);
});
