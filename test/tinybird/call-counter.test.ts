import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TinybirdCallCounter } from "../../electron/core/tinybird/call-counter";
import { PIPES, userAgentRow } from "../../electron/core/tinybird/pipes";
import { RateLimiter } from "../../electron/core/tinybird/rate-limiter";
import { TinybirdClient } from "../../electron/core/tinybird/tinybird-client";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { TestRedisServer, testPrefix } from "../helpers/redis-server";

let server: TestRedisServer;
let redis: Redis;
let emulator: TinybirdEmulator;

beforeAll(async () => {
  server = await TestRedisServer.start();
  redis = server.client();
  emulator = new TinybirdEmulator({ token: "tb", data: { pageViews: [], userAgents: [] } });
  await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
  redis.disconnect();
  await server.close();
});

describe("Tinybird calls per UTC day", () => {
  it("counts every request that leaves, from every runner on the Redis, in a key per UTC day that expires", async () => {
    const prefix = testPrefix();
    let now = Date.parse("2026-03-01T23:59:59.000Z");
    const counter = new TinybirdCallCounter(redis, prefix, () => now);
    const limiter = new RateLimiter({ maxConcurrent: 5, minTime: 0 });
    try {
      // Two runners (clients) and one retried request: 3 + 2 + 1 retry = 6 requests.
      const a = new TinybirdClient({ host: emulator.url, token: "tb", limiter, callCounter: counter });
      const b = new TinybirdClient({ host: emulator.url, token: "tb", limiter, callCounter: new TinybirdCallCounter(redis, prefix, () => now), retry: { baseDelayMs: 1 } });
      emulator.queueFaults([{ kind: "status", status: 500 }]);
      const ask = (client: TinybirdClient) => client.query(PIPES.userAgentPerViewV3, { viewId: "v" }, userAgentRow);
      await ask(b);
      await Promise.all([ask(a), ask(a), ask(a), ask(b)]);
      await expect.poll(async () => (await counter.today()).calls).toBe(6);
      expect(await counter.today()).toEqual({ day: "2026-03-01", calls: 6 });
      const ttl = await redis.ttl(`${prefix}tinybird_calls:2026-03-01`);
      expect(ttl).toBeGreaterThan(7 * 24 * 3600);
      // A new UTC day starts from zero.
      now += 1000;
      expect(await counter.today()).toEqual({ day: "2026-03-02", calls: 0 });
      await ask(a);
      await expect.poll(async () => (await counter.today()).calls).toBe(1);
    } finally {
      await limiter.stop();
    }
  });
});
