import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../shared/errors";
import type { EmulatorData } from "../../electron/dev/tinybird-emulator/emulator-data";
import { PIPES, pageDurationRow, userAgentRow } from "../../electron/core/tinybird/pipes";
import { RateLimiter, type LimitsChange } from "../../electron/core/tinybird/rate-limiter";
import { TinybirdClient } from "../../electron/core/tinybird/tinybird-client";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { TestRedisServer, testPrefix } from "../helpers/redis-server";
import { rejection } from "../helpers/rejection";

const TOKEN = "test-token";
const data: EmulatorData = {
  pageViews: [
    { viewId: "v1", documentId: "d1", versionNumber: 1, pageNumber: 1, time: 1000, duration: 1500 },
    { viewId: "v1", documentId: "d1", versionNumber: 1, pageNumber: 2, time: 2000, duration: 700 },
    { viewId: "v1", documentId: "d1", versionNumber: 1, pageNumber: 1, time: 3000, duration: 300 },
  ],
  userAgents: [{ viewId: "v1", country: "DE", city: "Berlin", browser: "Firefox", os: "Linux", device: "Desktop", source: "v3" }],
};

let emulator: TinybirdEmulator;
const limiters: RateLimiter[] = [];

interface ClientOptions {
  maxConcurrent?: number;
  minTime?: number;
  redis?: Redis;
  id?: string;
  requestTimeoutMs?: number;
  maxRetries?: number;
  onRecovered?: (reason: string) => void;
  onHold?: (hold: { from: number; until: number }) => void;
  onLimitsChanged?: (change: LimitsChange) => void;
  refreshMs?: number;
}

function client(options: ClientOptions = {}) {
  const { maxConcurrent = 5, minTime = 0, redis, id, onRecovered, onHold, onLimitsChanged, refreshMs } = options;
  const limiter = new RateLimiter({ maxConcurrent, minTime, redis, id, onRecovered, onHold, onLimitsChanged, limitsRefreshMs: refreshMs });
  limiters.push(limiter);
  return new TinybirdClient({
    host: emulator.url,
    token: TOKEN,
    limiter,
    requestTimeoutMs: options.requestTimeoutMs ?? 2000,
    retry: { maxRetries: options.maxRetries ?? 5, baseDelayMs: 20, maxDelayMs: 3000 },
  });
}

const durations = (c: TinybirdClient, signal?: AbortSignal) =>
  c.query(PIPES.pageDurationPerView, { documentId: "d1", viewId: "v1", since: 0 }, pageDurationRow, signal);

beforeAll(async () => {
  emulator = new TinybirdEmulator({ token: TOKEN, data });
  await emulator.start();
});
afterAll(async () => {
  await emulator.stop();
});
afterEach(async () => {
  emulator.log.length = 0;
  emulator.limits = {};
  emulator.latencyMs = 0;
  await Promise.all(limiters.splice(0).map((l) => l.stop()));
});

describe("pipes", () => {
  it("answers page durations summed per page and user agents", async () => {
    const c = client();
    expect(await durations(c)).toEqual([
      { pageNumber: 1, sum_duration: 1800 },
      { pageNumber: 2, sum_duration: 700 },
    ]);
    expect(await c.query(PIPES.userAgentPerViewV3, { viewId: "v1" }, userAgentRow)).toEqual([
      { country: "DE", city: "Berlin", browser: "Firefox", os: "Linux", device: "Desktop" },
    ]);
    expect(await c.query(PIPES.userAgentPerViewV3, { viewId: "nope" }, userAgentRow)).toEqual([]);
    expect(emulator.log.map((e) => e.status)).toEqual([200, 200, 200]);
  });

  it("fails fast on a bad token (403) without retrying", async () => {
    const c = new TinybirdClient({ host: emulator.url, token: "wrong", limiter: new RateLimiter() });
    const error = await rejection(durations(c));
    expect(error.code).toBe("TINYBIRD_AUTH");
    expect(error.message).toMatch(/403/);
    expect(emulator.log).toHaveLength(1);
  });

  it("does not retry an unknown pipe (404)", async () => {
    const error = await rejection(client().query("no_such_pipe", {}, pageDurationRow));
    expect(error.code).toBe("BAD_INPUT");
    expect(error.message).toMatch(/does not exist/);
    expect(emulator.log).toHaveLength(1);
  });

  it("rejects a bad host or token in the configuration", () => {
    expect(() => new TinybirdClient({ host: "ftp://x", token: "t", limiter: new RateLimiter() })).toThrow(/http/);
    expect(() => new TinybirdClient({ host: "http://x", token: " ", limiter: new RateLimiter() })).toThrow(/token/);
  });
});

describe("retries", () => {
  it("recovers from a 5xx storm", async () => {
    emulator.queueFaults([{ kind: "status", status: 503 }, { kind: "status", status: 500 }, { kind: "status", status: 502 }]);
    const c = client();
    expect(await durations(c)).toHaveLength(2);
    expect(emulator.log.map((e) => e.status)).toEqual([503, 500, 502, 200]);
    expect(c.stats.retries).toBe(3);
  });

  it("waits what Retry-After says before the next request", async () => {
    emulator.queueFaults([{ kind: "status", status: 429, retryAfterSeconds: 1 }]);
    await durations(client());
    const [limited, next] = emulator.log;
    expect(limited!.status).toBe(429);
    expect(next!.start - limited!.end).toBeGreaterThanOrEqual(1000);
  });

  it("holds every request of the client while a Retry-After runs", async () => {
    emulator.queueFaults([{ kind: "status", status: 429, retryAfterSeconds: 1 }]);
    const c = client({ maxConcurrent: 1 });
    await Promise.all([durations(c), durations(c), durations(c)]);
    const limited = emulator.log.find((e) => e.status === 429)!;
    for (const later of emulator.log.filter((e) => e.start > limited.start)) {
      expect(later.start - limited.end).toBeGreaterThanOrEqual(1000);
    }
  });

  it("honours X-RateLimit-Reset from the emulator's QPS limit", async () => {
    emulator.limits = { qps: 2 };
    const c = client({ maxConcurrent: 5 });
    await Promise.all([1, 2, 3, 4].map(() => durations(c)));
    const limited = emulator.log.filter((e) => e.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(emulator.log.filter((e) => e.status === 200)).toHaveLength(4);
  });

  it("retries timeouts, malformed and truncated bodies", async () => {
    emulator.queueFaults([{ kind: "hang" }, { kind: "malformed" }, { kind: "truncated" }]);
    const c = client({ requestTimeoutMs: 300 });
    expect(await durations(c)).toHaveLength(2);
    expect(emulator.log).toHaveLength(4);
    expect(c.stats.retries).toBe(3);
  });

  it("gives up after its retries with a clear error", async () => {
    emulator.queueFaults(Array.from({ length: 3 }, () => ({ kind: "status" as const, status: 500 })));
    const error = await rejection(durations(client({ maxRetries: 2 })));
    expect(error.code).toBe("RETRIES_EXHAUSTED");
    expect(error.message).toMatch(/3 tries.*HTTP 500/);
    expect(emulator.log).toHaveLength(3);
  });

  it("opens its circuit on a dead upstream: a few requests, every caller fails fast with the last error, a trial closes it again", async () => {
    emulator.faultMix = { probability: 1, faults: [{ kind: "status", status: 503 }] };
    const limiter = new RateLimiter({ maxConcurrent: 3, minTime: 0 });
    limiters.push(limiter);
    const c = new TinybirdClient({ host: emulator.url, token: TOKEN, limiter, retry: { maxRetries: 5, baseDelayMs: 20, maxDelayMs: 200 }, circuit: { threshold: 4, cooldownMs: 300 } });
    try {
      const errors = await Promise.all(Array.from({ length: 30 }, () => rejection(durations(c))));
      // The threshold, plus what was already in flight when it opened.
      expect(emulator.log.length).toBeGreaterThanOrEqual(4);
      expect(emulator.log.length).toBeLessThanOrEqual(4 + 3);
      expect(errors.every((e) => e.code === "UNAVAILABLE" && /Tinybird looks down \(\d+ failed requests in a row\).*last error: HTTP 503/.test(e.message))).toBe(true);
      expect(c.circuit).toMatchObject({ state: "open", lastError: expect.stringMatching(/HTTP 503/) });
      const sent = emulator.log.length;
      // Tinybird is back: after the pause one trial request goes out and closes the circuit.
      emulator.faultMix = undefined;
      await expect.poll(() => durations(c).then(() => "answered", () => "refused"), { timeout: 5000, interval: 50 }).toBe("answered");
      expect(emulator.log.length).toBe(sent + 1);
      expect(c.circuit).toEqual({ state: "closed", consecutiveFailures: 0 });
    } finally {
      emulator.faultMix = undefined;
    }
  });

  it("stops waiting as soon as the caller aborts", async () => {
    emulator.queueFaults([{ kind: "status", status: 429, retryAfterSeconds: 10 }]);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new AppError("CANCELLED", "cancelled by test")), 200);
    const error = await rejection(durations(client(), controller.signal));
    expect(error.code).toBe("CANCELLED");
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe("rate limiter", () => {
  it("never has more than maxConcurrent in flight and spaces starts by minTime", async () => {
    emulator.latencyMs = [30, 60];
    const c = client({ maxConcurrent: 3, minTime: 25 });
    await Promise.all(Array.from({ length: 30 }, () => durations(c)));
    expect(emulator.log).toHaveLength(30);
    expect(emulator.maxInFlight()).toBeLessThanOrEqual(3);
    expect(emulator.maxInFlight()).toBeGreaterThanOrEqual(2); // it did run requests side by side
    expect(emulator.minStartGap()).toBeGreaterThanOrEqual(25);
  });

  it("validates its options", () => {
    expect(() => new RateLimiter({ maxConcurrent: 0 })).toThrow(/maxConcurrent/);
    expect(() => new RateLimiter({ minTime: -1 })).toThrow(/minTime/);
  });

  describe("clustered through Redis", () => {
    let server: TestRedisServer;
    let redis: Redis;
    beforeAll(async () => {
      server = await TestRedisServer.start();
      redis = server.client();
    });
    afterAll(async () => {
      redis.disconnect();
      await server.close();
    });

    it("shares one limit between two clients", async () => {
      emulator.latencyMs = [20, 40];
      const id = testPrefix();
      const a = client({ maxConcurrent: 2, minTime: 30, redis, id });
      const b = client({ maxConcurrent: 2, minTime: 30, redis, id });
      await Promise.all(Array.from({ length: 24 }, (_, i) => durations(i % 2 ? a : b)));
      expect(emulator.log).toHaveLength(24);
      expect(emulator.maxInFlight()).toBeLessThanOrEqual(2);
      expect(emulator.minStartGap()).toBeGreaterThanOrEqual(30);
    });

    it("after a 429 with Retry-After, no runner sharing the limit releases a request until it expires", async () => {
      emulator.latencyMs = [5, 10];
      const id = testPrefix();
      const holds: { from: number; until: number }[] = [];
      const onHold = (hold: { from: number; until: number }) => holds.push(hold);
      // Two runners on one limit; the first request (runner a's) is told to wait 1 s.
      const a = client({ maxConcurrent: 2, minTime: 50, redis, id, onHold });
      const b = client({ maxConcurrent: 2, minTime: 50, redis, id, onHold });
      emulator.queueFaults([{ kind: "status", status: 429, retryAfterSeconds: 1 }]);
      await Promise.all(Array.from({ length: 16 }, (_, i) => durations(i % 2 ? b : a)));
      const limited = emulator.log.filter((entry) => entry.status === 429);
      expect(limited).toHaveLength(1);
      const { end, retryAfterMs } = limited[0]!;
      // Seen from the emulator: nothing was released inside the window (100 ms of slack
      // at its start for the answer to reach the client).
      expect(emulator.log.filter((entry) => entry.releasedAt > end + 100 && entry.releasedAt < end + retryAfterMs!)).toEqual([]);
      // Exactly: from the moment the hold was in force (in Redis) until it expired.
      expect(holds).toHaveLength(1);
      const [hold] = holds;
      expect(hold!.until).toBeGreaterThanOrEqual(end + retryAfterMs!);
      expect(emulator.log.filter((entry) => entry.releasedAt >= hold!.from && entry.releasedAt < hold!.until)).toEqual([]);
      expect(emulator.log.filter((entry) => entry.status === 200)).toHaveLength(16);
    });

    it("a changed limit takes effect: 5/200, then every runner restarted with 20/2 on the same Redis", async () => {
      emulator.latencyMs = [40, 60];
      const id = testPrefix();
      const before = client({ maxConcurrent: 5, minTime: 200, redis, id });
      await Promise.all(Array.from({ length: 4 }, () => durations(before)));
      expect(emulator.minStartGap()).toBeGreaterThanOrEqual(200);
      expect(emulator.maxInFlight()).toBe(1);
      await limiters.pop()!.stop();
      emulator.log.length = 0;
      // Slow answers: many requests overlap even when a busy machine releases them slowly.
      emulator.latencyMs = [150, 200];
      const after = client({ maxConcurrent: 20, minTime: 2, redis, id });
      await Promise.all(Array.from({ length: 40 }, () => durations(after)));
      expect(emulator.minStartGap()).toBeGreaterThanOrEqual(2);
      // More in flight than the old limit (5) allows: 20/2 is what runs now, not 5/200.
      expect(emulator.maxInFlight()).toBeGreaterThan(5);
      expect(emulator.maxInFlight()).toBeLessThanOrEqual(20);
    });

    it("when runners disagree, the most recently started one's limit wins everywhere within seconds", async () => {
      emulator.latencyMs = [40, 60];
      const id = testPrefix();
      const changes: LimitsChange[] = [];
      const older = client({ maxConcurrent: 5, minTime: 200, redis, id, refreshMs: 200, onLimitsChanged: (change) => changes.push(change) });
      await durations(older);
      client({ maxConcurrent: 20, minTime: 2, redis, id, refreshMs: 200 });
      await expect.poll(() => changes.length, { timeout: 5000, interval: 50 }).toBe(1);
      expect(changes[0]).toMatchObject({ maxConcurrent: 20, minTime: 2 });
      emulator.log.length = 0;
      emulator.latencyMs = [150, 200];
      // The older runner, still running, now releases at the newer runner's limit.
      await Promise.all(Array.from({ length: 40 }, () => durations(older)));
      expect(emulator.minStartGap()).toBeGreaterThanOrEqual(2);
      expect(emulator.maxInFlight()).toBeGreaterThan(5);
    });

    it("recovers when its keys vanish (bottleneck + Redis 7 'ERR ' prefix) and keeps the limit", async () => {
      const id = testPrefix();
      const recoveries: string[] = [];
      const c = client({ maxConcurrent: 2, minTime: 30, redis, id, onRecovered: (reason) => recoveries.push(reason) });
      await Promise.all(Array.from({ length: 4 }, () => durations(c)));
      await redis.flushall();
      emulator.log.length = 0;
      emulator.latencyMs = [20, 40];
      await Promise.all(Array.from({ length: 12 }, () => durations(c)));
      expect(emulator.log.filter((e) => e.status === 200)).toHaveLength(12);
      expect(recoveries[0]).toMatch(/^ERR .*(SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT)/);
      expect(emulator.maxInFlight()).toBeLessThanOrEqual(2);
      expect(emulator.minStartGap()).toBeGreaterThanOrEqual(30);
    });
  });
});
