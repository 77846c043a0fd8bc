import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ipcChannel, JOB_CHANGED_CHANNEL, METHOD_NAMES } from "../../shared/contract";

const fake = await vi.hoisted(async () => {
  const { createFakeElectron } = await import("../helpers/fake-electron");
  return createFakeElectron();
});
vi.mock("electron", () => fake.electron);

const mainWindow = await import("../../electron/main/main-window");
const { rendererLocation, SECURE_WEB_PREFERENCES } = mainWindow;
type FakeWindow = InstanceType<typeof fake.electron.BrowserWindow>;
/** The real function, seen through the fake BrowserWindow it creates here. */
const createMainWindow = (...args: Parameters<typeof mainWindow.createMainWindow>) => mainWindow.createMainWindow(...args) as unknown as FakeWindow;
const { registerContractHandlers, trustedSenderCheck } = await import("../../electron/main/ipc-bridge");

const dir = mkdtempSync(join(tmpdir(), "vec-glue-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("main window", () => {
  it("is isolated, sandboxed and has no Node", () => {
    const window = createMainWindow(rendererLocation("/app/out", ""), "/app/out/preload/index.cjs");
    const prefs = window.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, preload: "/app/out/preload/index.cjs" });
    expect(SECURE_WEB_PREFERENCES.nodeIntegrationInWorker).toBe(false);
    expect(window.loadedUrl).toBe("file:///app/out/renderer/index.html");
  });

  it("refuses navigation away from the app and every new window", () => {
    const window = createMainWindow(rendererLocation("/app/out", ""), "/p.cjs");
    const navigate = (url: string) => {
      const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
      window.webContents.emit("will-navigate", event, url);
      return event.defaultPrevented;
    };
    expect(navigate("https://evil.example/")).toBe(true);
    expect(navigate("file:///etc/passwd")).toBe(true);
    expect(navigate("file:///app/out/renderer/index.html#/jobs")).toBe(false);
    expect(window.webContents.windowOpenHandler!({ url: "https://docs.example/" })).toEqual({ action: "deny" });
    expect(window.webContents.windowOpenHandler!({ url: "javascript:alert(1)" })).toEqual({ action: "deny" });
    expect(fake.electron.shell.opened).toEqual(["https://docs.example/"]);
  });

  it("trusts the dev server origin only in development", () => {
    const dev = rendererLocation("/app/out", "http://localhost:5173/");
    expect(dev.isAppUrl("http://localhost:5173/index.html")).toBe(true);
    expect(dev.isAppUrl("http://localhost:5174/")).toBe(false);
    expect(rendererLocation("/app/out", "").isAppUrl("http://localhost:5173/")).toBe(false);
  });
});

describe("IPC", () => {
  const calls: { method: string; input: unknown }[] = [];
  const handlers = Object.fromEntries(
    METHOD_NAMES.map((method) => [
      method,
      async (input: unknown) => {
        calls.push({ method, input });
        return { echoed: input };
      },
    ]),
  ) as never;
  let window: ReturnType<typeof createMainWindow>;

  beforeEach(() => {
    fake.handlers.clear();
    calls.length = 0;
    window = createMainWindow(rendererLocation("/app/out", ""), "/p.cjs");
    registerContractHandlers(fake.electron.ipcMain as never, handlers, trustedSenderCheck(() => window.webContents.id, rendererLocation("/app/out", "").isAppUrl));
  });

  const invoke = (method: string, payload: unknown, sender: { id: number; mainFrame: unknown } = window.webContents, frame: unknown = window.webContents.mainFrame) =>
    fake.handlers.get(`exportConsole:${method}`)!({ sender, senderFrame: frame }, payload) as Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;

  it("has a handler for every contract method", () => {
    expect([...fake.handlers.keys()].sort()).toEqual(METHOD_NAMES.map(ipcChannel).sort());
  });

  it("validates payloads with the contract's schemas before calling the core", async () => {
    expect(await invoke("getJob", { id: "abc" })).toEqual({ ok: true, value: { echoed: { id: "abc" } } });
    const bad = [
      ["getJob", { id: "../x" }],
      ["getJob", { id: "abc", extra: 1 }],
      ["getJob", "abc"],
      ["createExport", { type: "document", teamId: "t1" }],
      ["createExport", { type: "dataroom-group", teamId: "t1", resourceId: "d1" }],
      ["listJobs", { filter: { status: "NOPE" }, page: {} }],
      ["listJobs", { filter: {}, page: { limit: 10_000 } }],
      ["setSettings", { redisUrl: "http://not-redis" }],
      ["saveResult", null],
    ] as const;
    for (const [method, payload] of bad) {
      const result = await invoke(method, payload);
      expect(result.ok, `${method} ${JSON.stringify(payload)}`).toBe(false);
      expect(result.error!.code).toBe("BAD_INPUT");
    }
    expect(calls.map((c) => c.method)).toEqual(["getJob"]);
  });

  it("passes a settings change on as sent: left-out settings are not filled with defaults", async () => {
    expect(await invoke("setSettings", { mode: "batch" })).toEqual({ ok: true, value: { echoed: { mode: "batch" } } });
    expect(await invoke("setSettings", { jobTtlSeconds: 3600 })).toEqual({ ok: true, value: { echoed: { jobTtlSeconds: 3600 } } });
  });

  it("refuses calls from other windows or frames", async () => {
    const other = createMainWindow(rendererLocation("/app/out", ""), "/p.cjs");
    expect((await invoke("listTeams", {}, other.webContents, other.webContents.mainFrame)).error!.code).toBe("FORBIDDEN");
    expect((await invoke("listTeams", {}, window.webContents, { url: "file:///app/out/renderer/index.html" })).error!.code).toBe("FORBIDDEN");
    window.webContents.mainFrame.url = "https://evil.example/";
    expect((await invoke("listTeams", {})).error!.code).toBe("FORBIDDEN");
    expect(calls).toEqual([]);
  });
});

describe("preload", () => {
  it("exposes exactly the contract's methods and the change subscription", async () => {
    await import("../../electron/preload/index");
    const bridge = fake.exposed.exportConsole as Record<string, (input?: unknown) => unknown>;
    expect(Object.keys(bridge).sort()).toEqual([...METHOD_NAMES, "onJobChanged"].sort());
    await bridge.getJob!({ id: "abc" });
    expect(fake.invocations.at(-1)).toEqual({ channel: "exportConsole:getJob", payload: { id: "abc" } });
    const seen: unknown[] = [];
    const unsubscribe = bridge.onJobChanged!((change: unknown) => seen.push(change)) as () => void;
    fake.rendererListeners.get(JOB_CHANGED_CHANNEL)!({}, { id: "x" });
    expect(seen).toEqual([{ id: "x" }]);
    unsubscribe();
    expect(fake.rendererListeners.has(JOB_CHANGED_CHANNEL)).toBe(false);
  });
});

describe("main entry", () => {
  it("takes the single-instance lock and registers every handler at start", async () => {
    fake.handlers.clear();
    vi.resetModules();
    await import("../../electron/main/index");
    expect([...fake.handlers.keys()].sort()).toEqual(METHOD_NAMES.map(ipcChannel).sort());
    expect(fake.electron.app.quitCalls).toBe(0);
  });

  it("quits when another instance already runs", async () => {
    fake.handlers.clear();
    fake.electron.app.singleInstance = false;
    vi.resetModules();
    await import("../../electron/main/index");
    expect(fake.electron.app.quitCalls).toBe(1);
    expect(fake.handlers.size).toBe(0);
    fake.electron.app.singleInstance = true;
  });
});

describe("settings at rest", () => {
  it("stores secrets only encrypted and reads them back", async () => {
    const { SettingsStore } = await import("../../electron/desktop/settings-store");
    const { safeStorage } = fake.electron;
    const cipher = { isAvailable: safeStorage.isEncryptionAvailable, encrypt: safeStorage.encryptString, decrypt: safeStorage.decryptString };
    const file = join(dir, "settings.json");
    const store = new SettingsStore(file, cipher);
    expect(store.load()).toBeNull();
    const saved = store.save({
      redisUrl: "redis://:hunter2@127.0.0.1:6390",
      databaseUrl: "postgres://app:s3cret@db.internal/papermark",
      tinybirdHost: "https://api.tinybird.co",
      tinybirdToken: "p.secret-token-value",
    });
    const onDisk = readFileSync(file, "utf8");
    for (const secret of ["hunter2", "s3cret", "p.secret-token-value"]) expect(onDisk).not.toContain(secret);
    expect(store.load()).toEqual(saved);
    const view = store.view(saved, false);
    expect(view).toMatchObject({ configured: true, tinybirdTokenSet: true, redisUrl: "redis://:****@127.0.0.1:6390", databaseUrl: "postgres://app:****@db.internal/papermark" });
    expect(JSON.stringify(view)).not.toContain("p.secret-token-value");
    expect(() => store.save({ limiter: { maxConcurrent: 0, minTime: 200 } })).toThrow(/maxConcurrent|limiter/);
    expect(store.load()).toEqual(saved); // a refused change leaves the file as it was
    const noKeychain = new SettingsStore(join(dir, "other.json"), { ...cipher, isAvailable: () => false });
    expect(() => noKeychain.save(saved)).toThrow(/secure storage/);
  });
});
