import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { seedSyntheticTeam, syntheticTeam } from "../bench/synthetic-document";
import { ExportStack } from "../helpers/export-stack";
import { TestRedisServer } from "../helpers/redis-server";

/*
 * Every Tinybird request of an export shares the export's abort signal. Requests that wait
 * (for the limiter, a Retry-After, a backoff) must not each hang a listener on it: past 10,
 * Node prints "MaxListenersExceededWarning: 11 abort listeners added to [AbortSignal]" in
 * serve and CLI logs, and a long export under a rate-limiting or failing Tinybird piles up
 * hundreds.
 */

const TEAM = "listeners_team";
const DOCUMENT = "listeners_doc";
let server: TestRedisServer;
let db: EmbeddedPostgres;
let emulator: TinybirdEmulator;
const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);

beforeAll(async () => {
  process.on("warning", onWarning);
  server = await TestRedisServer.start();
  db = await startEmbeddedPostgres();
  const team = syntheticTeam(TEAM, [{ id: DOCUMENT, views: 300 }], 5);
  await seedSyntheticTeam(db, team);
  emulator = new TinybirdEmulator({ token: "tb", data: team.emulator, latencyMs: [10, 30], seed: 9 });
  await emulator.start();
}, 120_000);
afterAll(async () => {
  process.off("warning", onWarning);
  await emulator.stop();
  await db.sql.close();
  await server.close();
});

/** Runs one export until the emulator has seen `requests` requests (or the job ended), then cancels it. */
async function exportUntil(stack: ExportStack, requests: number): Promise<void> {
  const service = stack.service();
  await stack.runner({ window: 50 }).start();
  const job = await service.create({ type: "document", teamId: TEAM, resourceId: DOCUMENT }, "u1", null);
  const ended = async () => ["COMPLETED", "FAILED"].includes((await stack.store.getSummary(job.id))?.status ?? "");
  await expect.poll(async () => emulator.log.length >= requests || (await ended()), { timeout: 90_000, interval: 100 }).toBe(true);
  await service.cancel(job.id, "u1", null).catch(() => undefined);
}

describe("abort listeners on a long export's signal", () => {
  it("no MaxListenersExceededWarning while Tinybird rate-limits every few requests (429 + Retry-After)", async () => {
    emulator.log.length = 0;
    emulator.limits = { qps: 8 };
    const stack = new ExportStack({ server, sql: db.sql, emulator, mode: "per-view", tinybirdRetries: 20, tinybirdBackoffMs: 250 });
    try {
      await exportUntil(stack, 100);
    } finally {
      emulator.limits = {};
      await stack.close();
    }
    expect(emulator.log.filter((entry) => entry.status === 429).length).toBeGreaterThan(5);
    expect(warnings.filter((w) => w.includes("MaxListenersExceeded"))).toEqual([]);
  }, 120_000);

  it("no MaxListenersExceededWarning while Tinybird keeps failing (5xx, each request retried with backoff)", async () => {
    emulator.log.length = 0;
    emulator.faultMix = { probability: 0.5, faults: [{ kind: "status", status: 502 }] };
    // Production's backoff (250 ms, doubling): many requests wait side by side.
    const stack = new ExportStack({ server, sql: db.sql, emulator, mode: "per-view", tinybirdRetries: 20, tinybirdBackoffMs: 250 });
    try {
      await exportUntil(stack, 200);
    } finally {
      emulator.faultMix = undefined;
      await stack.close();
    }
    expect(emulator.log.filter((entry) => entry.status === 502).length).toBeGreaterThan(20);
    expect(warnings.filter((w) => w.includes("MaxListenersExceeded"))).toEqual([]);
  }, 120_000);
});
