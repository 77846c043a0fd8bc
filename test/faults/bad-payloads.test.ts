import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTRACT, METHOD_NAMES, ipcChannel } from "../../shared/contract";
import { ERROR_CODES } from "../../shared/errors";
import { routePath, routes } from "../../shared/routes";
import { settingsSchema } from "../../shared/settings";
import { startConsoleCore, type ConsoleCore } from "../../electron/core/console-core";
import type { ContractHandlers } from "../../electron/desktop/console-app";
import { registerContractHandlers } from "../../electron/main/ipc-bridge";
import { ApiAuth } from "../../electron/headless/server/api-auth";
import { startHttpServer, type RunningServer } from "../../electron/headless/server/http-server";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import { TestRedisServer, testPrefix } from "../helpers/redis-server";
import { rawRoutePath } from "../helpers/route-requests";
import { badPayload, badSegment, badValue, seededRandom } from "./bad-payloads";

const PER_METHOD = 1000;
const TOKEN = "fuzz-token-0123456789abcdef";

let redis: TestRedisServer;
let db: EmbeddedPostgres;
let emulator: TinybirdEmulator;
let core: ConsoleCore;
let server: RunningServer;
let existing: string[];

async function snapshot(): Promise<string> {
  const client = redis.client();
  try {
    // Everything but the rate limiter's bookkeeping, whose heartbeat changes it every few seconds.
    const keys = (await client.keys("*")).filter((key) => !key.startsWith("b_vec-limiter:") && !key.startsWith("vec-limiter:")).sort();
    const parts: string[] = [];
    for (const key of keys) parts.push(`${key}=${((await client.dumpBuffer(key)) ?? Buffer.alloc(0)).toString("hex")}`);
    return parts.join("\n");
  } finally {
    client.disconnect();
  }
}

beforeAll(async () => {
  redis = await TestRedisServer.start();
  db = await startEmbeddedPostgres();
  await seedSmallDataset(db);
  emulator = new TinybirdEmulator({ token: "tb", data: smallEmulatorData });
  await emulator.start();
  const settings = settingsSchema.parse({ redisUrl: redis.url, databaseUrl: "postgres://embedded/fuzz", tinybirdHost: emulator.url, tinybirdToken: "tb" });
  const prefix = testPrefix();
  // No runner: the store must only change by what these requests do, which is nothing.
  core = await startConsoleCore(settings, { runner: false, sql: db.sql, prefix, bullPrefix: `${prefix}bull` });
  existing = [];
  for (const resourceId of ["d1", "d3", "d4"]) existing.push((await core.service.create({ type: "document", teamId: "t1", resourceId }, "u1", null)).id);
  server = await startHttpServer({
    service: core.service,
    auth: new ApiAuth({ [TOKEN]: { userId: "u1", teams: ["t1"] } }),
    settings: core.settings,
    status: () => core.status(),
    onChange: (l) => core.onChange(l),
    // Hundreds of payloads from one token: the request limit has its own test (rest-hardening).
    requestLimit: { requests: 100_000, perMs: 60_000 },
  });
}, 60_000);
afterAll(async () => {
  await server.close();
  await core.stop();
  await emulator.stop();
  await db.sql.close();
  await redis.close();
});

describe("1,000 generated bad payloads per IPC method", () => {
  it("answers every one with BAD_INPUT and never reaches the core", async () => {
    const registered = new Map<string, (event: unknown, payload: unknown) => Promise<{ ok: boolean; error?: { code: string } }>>();
    const reached: string[] = [];
    const handlers = Object.fromEntries(METHOD_NAMES.map((m) => [m, async () => void reached.push(m)])) as unknown as ContractHandlers;
    const sender = { id: 1, mainFrame: { url: "app://ok" } };
    registerContractHandlers({ handle: (channel: string, fn: never) => registered.set(channel, fn), removeHandler: () => {} } as never, handlers, () => true);
    const random = seededRandom(7);
    let sent = 0;
    for (const method of METHOD_NAMES) {
      const handler = registered.get(ipcChannel(method))!;
      for (let i = 0; i < PER_METHOD; i++) {
        const payload = badPayload(random);
        if (CONTRACT[method].input.safeParse(payload).success) continue; // valid by chance: not a bad payload
        const result = await handler({ sender, senderFrame: sender.mainFrame }, payload);
        expect(result.ok).toBe(false);
        expect(result.error!.code).toBe("BAD_INPUT");
        sent += 1;
      }
    }
    expect(sent).toBeGreaterThan(METHOD_NAMES.length * PER_METHOD * 0.9);
    expect(reached).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("1,000 generated bad requests per REST endpoint", () => {
  it("answers every one with a 4xx JSON error, keeps serving, and leaves the store unchanged", async () => {
    const before = await snapshot();
    const random = seededRandom(11);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const body = () => {
      const value = badPayload(random);
      const text = random() < 0.2 ? "{not json" : random() < 0.1 ? "x".repeat(20_000) : JSON.stringify(value === undefined ? [] : value);
      return text === "{}" ? '{"unexpected":true}' : text; // {} is the one valid body
    };
    const validId = () => pick(existing);
    // Bad segments go out as generated (raw or encoded), so routePath's encoding stays out of their way.
    const { createDocumentExport, createDataroomExport, createGroupExport, listJobs, getJob, deleteJob, cancelJob, retryJob } = routes;
    const endpoints: { name: string; make: () => { method: string; path: string; body?: string } }[] = [
      { name: "create document", make: () => ({ method: createDocumentExport.method, path: rawRoutePath(createDocumentExport, { teamId: "t1", resourceId: badSegment(random) }) }) },
      { name: "create document (bad body)", make: () => ({ method: createDocumentExport.method, path: routePath(createDocumentExport, { teamId: "t1", resourceId: "d1" }), body: body() }) },
      { name: "create dataroom", make: () => ({ method: createDataroomExport.method, path: rawRoutePath(createDataroomExport, { teamId: badSegment(random), resourceId: "dr1" }), body: body() }) },
      { name: "create group", make: () => ({ method: createGroupExport.method, path: rawRoutePath(createGroupExport, { teamId: "t1", resourceId: "dr1", groupId: badSegment(random) }) }) },
      {
        name: "list",
        make: () => {
          const name = pick(["status", "type", "limit", "offset", "search", "evil", "__proto__"]);
          // Any search text up to 200 characters is valid, so only longer ones are bad.
          const value = name === "search" ? `${String(badValue(random))}${"x".repeat(201)}` : `${String(badValue(random))}!`;
          return { method: listJobs.method, path: routePath(listJobs, { teamId: "t1" }, { [name]: value }) };
        },
      },
      { name: "status", make: () => ({ method: getJob.method, path: rawRoutePath(getJob, { teamId: "t1", exportId: badSegment(random) }) }) },
      { name: "download", make: () => ({ method: getJob.method, path: routePath(getJob, { teamId: "t1", exportId: validId() }, { download: `${String(badValue(random))}x` }) }) },
      { name: "delete", make: () => ({ method: deleteJob.method, path: rawRoutePath(deleteJob, { teamId: "t1", exportId: badSegment(random) }) }) },
      {
        name: "cancel/retry",
        make: () => {
          const route = pick([cancelJob, retryJob]);
          return { method: route.method, path: rawRoutePath(route, { teamId: pick(["t1", "t2", badSegment(random)]), exportId: badSegment(random) }) };
        },
      },
    ];
    for (const endpoint of endpoints) {
      const statuses = new Map<number, number>();
      for (let start = 0; start < PER_METHOD; start += 50) {
        await Promise.all(
          Array.from({ length: 50 }, async () => {
            const request = endpoint.make();
            const response = await fetch(`${server.url}${request.path}`, {
              method: request.method,
              headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
              body: request.body,
            });
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            const text = await response.text();
            expect(response.status, `${endpoint.name}: ${request.method} ${request.path.slice(0, 120)}`).toBeGreaterThanOrEqual(400);
            expect(response.status).toBeLessThan(500);
            if (!text.startsWith("{")) throw new Error(`${response.status} ${request.method} ${request.path.slice(0, 100)} -> ${JSON.stringify(text.slice(0, 80))}`);
            const parsed = JSON.parse(text) as { error: { code: string; message: string } };
            expect(ERROR_CODES).toContain(parsed.error.code);
          }),
        );
      }
      expect([...statuses.keys()].every((s) => s >= 400 && s < 500), endpoint.name).toBe(true);
    }
    expect((await fetch(`${server.url}${routePath(routes.listJobs, { teamId: "t1" })}`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect(await snapshot()).toBe(before);
  }, 120_000);
});
