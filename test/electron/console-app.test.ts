import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobChange } from "../../shared/job";
import { ConsoleApp } from "../../electron/desktop/console-app";
import { SettingsStore } from "../../electron/desktop/settings-store";
import { JobStore } from "../../electron/core/jobs/job-store";
import { DEMO_DATABASE_URL, startDemoStack } from "../../electron/dev/demo/demo-stack";

const dir = mkdtempSync(join(tmpdir(), "vec-app-"));
let savePath: string | null = null;
const notifications: [string, string][] = [];
const changes: JobChange[] = [];
const openedExternally: string[] = [];
let app: ConsoleApp;

beforeAll(async () => {
  app = new ConsoleApp({
    settingsStore: new SettingsStore(join(dir, "settings.json"), { isAvailable: () => true, encrypt: (s) => Buffer.from(s), decrypt: (b) => b.toString() }),
    dataDir: dir,
    userId: "support-1",
    chooseSavePath: async () => savePath,
    writeFile: (path, contents) => writeFile(path, contents, "utf8"),
    openExternal: async (url) => {
      openedExternally.push(url);
    },
    notify: (title, body) => notifications.push([title, body]),
    startDemo: (dataDir, log) => startDemoStack({ dataDir, scale: 0.05, log }),
  });
  app.onJobChanged((change) => changes.push(change));
  await app.start();
}, 120_000);
afterAll(async () => {
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the desktop console on the embedded default", () => {
  it("starts the demo when nothing is configured", async () => {
    const status = await app.handlers.getConnectionStatus({});
    expect(status).toMatchObject({ demo: true, redis: { ok: true }, postgres: { ok: true }, tinybird: { ok: true } });
    expect((await app.handlers.getSettings({})).configured).toBe(false);
    // The desktop reads the demo's database in-process and opens no port for it: its URL is the placeholder.
    expect((await app.handlers.getSettings({})).databaseUrl).toBe(DEMO_DATABASE_URL);
  });

  it("runs an export, notifies, and saves the exact CSV from Redis to the chosen file", async () => {
    const created = await app.handlers.createExport({ type: "dataroom", teamId: "team_acme", resourceId: "dr_acme_1" });
    await expect.poll(async () => (await app.handlers.getJob({ id: created.id })).status, { timeout: 60_000, interval: 200 }).toBe("COMPLETED");
    expect(changes.some((c) => c.id === created.id && c.status === "COMPLETED")).toBe(true);
    await expect.poll(() => notifications.length).toBe(1);
    expect(notifications[0]![0]).toBe("Export ready");

    savePath = null;
    expect(await app.handlers.saveResult({ id: created.id })).toEqual({ saved: false });

    savePath = join(dir, "chosen.csv");
    expect(await app.handlers.saveResult({ id: created.id })).toEqual({ saved: true, path: savePath });
    const redisUrl = (await app.handlers.getSettings({})).redisUrl!;
    const redis = new Redis(redisUrl);
    try {
      const csv = await new JobStore(redis).getResult(created.id);
      expect(readFileSync(savePath, "utf8")).toBe(csv);
      expect(csv!.startsWith("Dataroom Viewed At,")).toBe(true);
    } finally {
      redis.disconnect();
    }
  }, 90_000);

  it("writes nothing when the save dialog is cancelled", async () => {
    const created = await app.handlers.createExport({ type: "document", teamId: "team_acme", resourceId: "doc_acme_1" });
    await expect.poll(async () => (await app.handlers.getJob({ id: created.id })).status, { timeout: 60_000, interval: 200 }).toBe("COMPLETED");
    savePath = null;
    const before = readdirSync(dir);
    expect(await app.handlers.saveResult({ id: created.id })).toEqual({ saved: false });
    expect(readdirSync(dir)).toEqual(before);
    expect(await app.handlers.listTeams({})).toContain("team_acme");
  }, 90_000);

  it("reports a clear error for a job that has no CSV", async () => {
    await expect(app.handlers.createExport({ type: "document", teamId: "team_acme", resourceId: "no_such_document" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // No views in that range: the export fails when it runs.
    const created = await app.handlers.createExport({ type: "document", teamId: "team_acme", resourceId: "doc_acme_1", since: "2099-01-01" });
    await expect.poll(async () => (await app.handlers.getJob({ id: created.id })).status, { timeout: 30_000 }).toBe("FAILED");
    await expect(app.handlers.saveResult({ id: created.id })).rejects.toMatchObject({ code: "CONFLICT" });
  }, 60_000);

  it("points to a web-app export's CSV in blob storage and opens only https links", async () => {
    const redis = new Redis((await app.handlers.getSettings({})).redisUrl!);
    try {
      const now = new Date().toISOString();
      const record = (id: string, result: string) =>
        JSON.stringify({ id, type: "document", status: "COMPLETED", resourceId: "doc_acme_1", userId: "web", teamId: "team_acme", createdAt: now, updatedAt: now, result });
      const secure = "https://abc123.public.blob.vercel-storage.com/visits/a.csv";
      await redis.set("export_job:web_blob_https", record("web_blob_https", secure), "EX", 600);
      await redis.set("export_job:web_blob_http", record("web_blob_http", "http://blob.example/a.csv"), "EX", 600);
      await redis.set("export_job:web_blob_credentials", record("web_blob_credentials", "https://user:pw@blob.example/a.csv"), "EX", 600);
      savePath = join(dir, "never.csv");
      expect(await app.handlers.saveResult({ id: "web_blob_https" })).toEqual({ saved: false, location: secure });
      expect(readdirSync(dir)).not.toContain("never.csv");
      expect(await app.handlers.openResultLocation({ id: "web_blob_https" })).toEqual({ opened: true });
      expect(openedExternally).toEqual([secure]);
      await expect(app.handlers.openResultLocation({ id: "web_blob_http" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      // The shell's external-link rule: no credentials in what the browser is given (nor in the error).
      const refused = app.handlers.openResultLocation({ id: "web_blob_credentials" });
      await expect(refused).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(refused).rejects.not.toMatchObject({ message: expect.stringContaining("pw@") });
      expect(openedExternally).toEqual([secure]);
    } finally {
      redis.disconnect();
    }
  });

  it("lists every team that has jobs, even one whose only job is older than 500 others", async () => {
    const redisUrl = (await app.handlers.getSettings({})).redisUrl!;
    const redis = new Redis(redisUrl);
    try {
      const store = new JobStore(redis);
      await store.create({ type: "document", teamId: "team_quiet", userId: "support-1", resourceId: "doc_quiet" });
      for (let batch = 0; batch < 10; batch++) {
        await Promise.all(Array.from({ length: 50 }, () => store.create({ type: "document", teamId: "team_busy", userId: "support-1", resourceId: "doc_busy" })));
      }
      const teams = await app.handlers.listTeams({});
      expect(teams).toContain("team_quiet");
      expect(teams).toContain("team_busy");
      expect(teams).toEqual([...teams].sort());
    } finally {
      redis.disconnect();
    }
  });

  it("lists the team's activity with the desktop user as the actor of what it did", async () => {
    const redis = new Redis((await app.handlers.getSettings({})).redisUrl!);
    try {
      const run = await app.handlers.createExport({ type: "document", teamId: "team_acme", resourceId: "doc_acme_1" });
      // A PENDING record that no runner holds (the web app's user made it): its cancel cannot race a run.
      const held = await new JobStore(redis).create({ type: "document", teamId: "team_acme", userId: "web-user", resourceId: "doc_acme_2" });
      await app.handlers.cancelJob({ id: held.id });
      await app.handlers.deleteJob({ id: held.id });
      await app.handlers.deleteJob({ id: run.id });
      const page = await app.handlers.listAudit({ teamId: "team_acme", query: { limit: 5 } });
      expect(page.entries.map(({ action, actor, jobId }) => [action, actor, jobId])).toEqual([
        ["deleted", "support-1", run.id],
        ["deleted", "support-1", held.id],
        ["cancelled", "support-1", held.id],
        ["created", "web-user", held.id],
        ["created", "support-1", run.id],
      ]);
      expect(page.entries[0]).toMatchObject({ resourceId: "doc_acme_1", resourceName: run.resourceName });
      expect(page.total).toBeGreaterThanOrEqual(5);
      const own = await app.handlers.listAudit({ teamId: "team_acme", query: { jobId: held.id } });
      expect(own.entries.map((entry) => entry.action)).toEqual(["deleted", "cancelled", "created"]);
      expect(own.total).toBe(3);
    } finally {
      redis.disconnect();
    }
  }, 60_000);
});
