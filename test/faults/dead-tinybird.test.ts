import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobChange } from "../../shared/job";
import { subscribeToJobChanges } from "../../electron/core/jobs/job-events";
import { DEFAULT_CIRCUIT } from "../../electron/core/tinybird/circuit-breaker";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import { ExportStack } from "../helpers/export-stack";
import { TestRedisServer } from "../helpers/redis-server";

let server: TestRedisServer;
let db: EmbeddedPostgres;
let emulator: TinybirdEmulator;

beforeAll(async () => {
  server = await TestRedisServer.start();
  db = await startEmbeddedPostgres();
  await seedSmallDataset(db);
  // Tinybird is down: every request answers 500.
  emulator = new TinybirdEmulator({ token: "tb", data: smallEmulatorData, faultMix: { probability: 1, faults: [{ kind: "status", status: 500 }] } });
  await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
  await db.sql.close();
  await server.close();
});

describe.each(["per-view", "batch"] as const)("a dead Tinybird (%s)", (mode) => {
  it("costs a few requests per export attempt: the circuit opens and the attempt fails fast with the last error", async () => {
    const attempts = 3;
    // Production retry policy for each request (5 retries): without the breaker, every query
    // of every window retries against the dead upstream.
    const stack = new ExportStack({ server, sql: db.sql, emulator, mode, tinybirdRetries: 5, retry: { attempts, backoffMs: 50 } });
    const service = stack.service();
    const changes: JobChange[] = [];
    const subscription = await subscribeToJobChanges(stack.redis, stack.store.keys, (change) => changes.push(change));
    emulator.log.length = 0;
    try {
      await stack.runner().start();
      const job = await service.create({ type: "document", teamId: "t1", resourceId: "d1" }, "u1", null);
      await expect.poll(async () => (await stack.store.getSummary(job.id))?.status, { timeout: 30_000, interval: 50 }).toBe("FAILED");
      const failed = (await stack.store.get(job.id))!.job;
      expect(failed.attempts).toBe(attempts);
      // Every attempt ran (PROCESSING with its attempt number)...
      const started = changes.filter((c) => c.id === job.id && c.status === "PROCESSING" && c.progress === 0);
      expect(started.length).toBeGreaterThanOrEqual(attempts);
      // ...and all of them together cost at most one open circuit's worth of requests per
      // attempt: the threshold plus what was already in flight (5).
      expect(emulator.log.length).toBeGreaterThanOrEqual(DEFAULT_CIRCUIT.threshold);
      expect(emulator.log.length).toBeLessThanOrEqual(attempts * (DEFAULT_CIRCUIT.threshold + 5));
      expect(emulator.log.every((entry) => entry.status === 500)).toBe(true);
      expect(failed.error).toMatch(/Tinybird looks down \(\d+ failed requests in a row\).*last error: HTTP 500/);
    } finally {
      await subscription.close();
      await stack.close();
    }
  });
});
