import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CONTENT_SECURITY_POLICY } from "../../shared/content-security-policy";
import { ipcChannel, JOB_CHANGED_CHANNEL, METHOD_NAMES } from "../../shared/contract";

const fake = await vi.hoisted(async () => {
  const { createFakeElectron } = await import("../helpers/fake-electron");
  return createFakeElectron();
});
vi.mock("electron", () => fake.electron);

const mainWindow = await import("../../electron/main/main-window");
const { openInBrowser, rendererLocation, SECURE_WEB_PREFERENCES } = mainWindow;
const { hardenSession } = await import("../../electron/main/security/session-hardening");
const { createFakeSession } = await import("../helpers/fake-electron");
type FakeWindow = InstanceType<typeof fake.electron.BrowserWindow>;
/** The real function, seen through the fake BrowserWindow it creates here. */
const createMainWindow = (...args: Parameters<typeof mainWindow.createMainWindow>) => mainWindow.createMainWindow(...args) as unknown as FakeWindow;
const { registerContractHandlers, trustedSenderCheck } = await import("../../electron/main/ipc-bridge");

const dir = mkdtempSync(join(tmpdir(), "vec-glue-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("main window", () => {
  /** Emits a navigation event the way Electron does (details carry the url) and says whether it was refused. */
  const emitNavigation = (window: FakeWindow, name: string, url: string) => {
    const event = { url, isMainFrame: true, defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
    window.webContents.emit(name, event, url);
    return event.defaultPrevented;
  };

  it("is isolated, sandboxed, has no Node and loads the renderer from app://renderer", () => {
    const window = createMainWindow(rendererLocation("/app/out", ""), "/app/out/preload/index.cjs");
    const prefs = window.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, preload: "/app/out/preload/index.cjs" });
    expect(SECURE_WEB_PREFERENCES.nodeIntegrationInWorker).toBe(false);
    expect(window.loadedUrl).toBe("app://renderer/index.html");
  });

  it("has every guard installed: navigation, redirects, frame navigation, webviews and new windows", () => {
    const window = createMainWindow(rendererLocation("/app/out", ""), "/p.cjs");
    for (const name of ["will-navigate", "will-redirect", "will-frame-navigate", "will-attach-webview"]) expect(window.webContents.listenerCount(name), name).toBe(1);
    expect(window.webContents.windowOpenHandler).not.toBeNull();
  });

  it("refuses navigation, redirects and frame navigation away from the app's origin", () => {
    const window = createMainWindow(rendererLocation("/app/out", ""), "/p.cjs");
    for (const name of ["will-navigate", "will-redirect", "will-frame-navigate"]) {
      for (const url of ["https://evil.example/", "file:///etc/passwd", "file:///app/out/renderer/index.html", "app://renderer.evil/index.html", "app://renderer@evil/index.html", "javascript:alert(1)"]) {
        expect(emitNavigation(window, name, url), `${name} ${url}`).toBe(true);
      }
      expect(emitNavigation(window, name, "app://renderer/index.html#/jobs"), name).toBe(false);
    }
    const webview = { defaultPrevented: false, preventDefault: () => (webview.defaultPrevented = true) };
    window.webContents.emit("will-attach-webview", webview);
    expect(webview.defaultPrevented).toBe(true);
  });

  it("opens only https links in the browser, and never a redirect or a frame's navigation", async () => {
    const window = createMainWindow(rendererLocation("/app/out", ""), "/p.cjs");
    fake.electron.shell.opened.length = 0;
    for (const url of ["https://docs.example/", "http://docs.example/", "javascript:alert(1)", "file:///etc/passwd", "\\\\host\\share", "https://user:pw@docs.example/", "vscode://x"]) {
      expect(window.webContents.windowOpenHandler!({ url })).toEqual({ action: "deny" });
    }
    emitNavigation(window, "will-navigate", "https://help.example/page");
    emitNavigation(window, "will-navigate", "ms-settings:privacy");
    emitNavigation(window, "will-redirect", "https://redirected.example/");
    emitNavigation(window, "will-frame-navigate", "https://framed.example/");
    await Promise.resolve();
    expect(fake.electron.shell.opened).toEqual(["https://docs.example/", "https://help.example/page"]);
  });

  it("opens a web-app export's blob URL only under the same rule", async () => {
    fake.electron.shell.opened.length = 0;
    await openInBrowser("https://blob.example/exports/visits.csv");
    await expect(openInBrowser("file:///etc/passwd")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(openInBrowser("https://user:pw@blob.example/x.csv")).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(fake.electron.shell.opened).toEqual(["https://blob.example/exports/visits.csv"]);
  });

  it("trusts the dev server origin only in development", () => {
    const dev = rendererLocation("/app/out", "http://localhost:5173/");
    expect(dev.url).toBe("http://localhost:5173/");
    expect(dev.isAppUrl("http://localhost:5173/index.html")).toBe(true);
    expect(dev.isAppUrl("http://localhost:5174/")).toBe(false);
    expect(dev.isAppUrl("http://localhost:5173@evil.example/")).toBe(false);
    expect(dev.isAppUrl("app://renderer/index.html")).toBe(false);
    const built = rendererLocation("/app/out", "");
    expect(built.isAppUrl("http://localhost:5173/")).toBe(false);
    expect(built.rendererDir).toBe("/app/out/renderer");
  });
});

describe("session", () => {
  const rendererDir = join(dir, "out", "renderer");
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, "index.html"), "<!doctype html><title>console</title>");
  writeFileSync(join(dir, "out", "secret.txt"), "not for the renderer");
  const location = rendererLocation(join(dir, "out"), "");

  it("has the app:// handler, the CSP header and both permission handlers installed", async () => {
    const session = createFakeSession();
    hardenSession(session as never, { rendererDir, isAppUrl: location.isAppUrl, contentSecurityPolicy: CONTENT_SECURITY_POLICY });
    expect([...session.protocolHandlers.keys()]).toEqual(["app"]);
    expect(session.headersListener).not.toBeNull();
    expect(session.permissionRequestHandler).not.toBeNull();
    expect(session.permissionCheckHandler).not.toBeNull();

    const serve = session.protocolHandlers.get("app")!;
    const page = await serve(new Request("app://renderer/index.html"));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>console</title>");
    expect(page.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    const escape = await serve(new Request("app://renderer/%2e%2e%2fsecret.txt"));
    expect(escape.status).toBe(403);
    expect(await escape.text()).not.toContain("not for the renderer");

    let headers: Record<string, string[]> | undefined;
    session.headersListener!({ responseHeaders: { "X-Other": ["1"] } }, (response) => (headers = response.responseHeaders));
    expect(headers).toEqual({ "X-Other": ["1"], "Content-Security-Policy": [CONTENT_SECURITY_POLICY] });
  });

  it("answers every permission request and check with no, except clipboard writes from our page", () => {
    const session = createFakeSession();
    hardenSession(session as never, { rendererDir, isAppUrl: location.isAppUrl, contentSecurityPolicy: CONTENT_SECURITY_POLICY });
    const request = (permission: string, requestingUrl = "app://renderer/index.html", isMainFrame = true) => {
      let granted: boolean | null = null;
      session.permissionRequestHandler!(null, permission, (answer) => (granted = answer), { requestingUrl, isMainFrame });
      return granted;
    };
    const check = (permission: string, requestingOrigin = "app://renderer", isMainFrame = true) => session.permissionCheckHandler!(null, permission, requestingOrigin, { isMainFrame });
    for (const permission of ["media", "geolocation", "notifications", "openExternal", "clipboard-read", "fullscreen", "hid", "serial"]) {
      expect(request(permission), permission).toBe(false);
      expect(check(permission), permission).toBe(false);
    }
    expect(request("clipboard-sanitized-write")).toBe(true);
    expect(check("clipboard-sanitized-write")).toBe(true);
    expect(request("clipboard-sanitized-write", "https://evil.example/")).toBe(false);
    expect(check("clipboard-sanitized-write", "app://renderer.evil")).toBe(false);
    expect(check("clipboard-sanitized-write", "app://renderer", false)).toBe(false);
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
    // What the Activity view asks: a team's trail, newest first, up to a page the store accepts.
    expect(await invoke("listAudit", { teamId: "t1", query: { offset: 0, limit: 500 } })).toEqual({ ok: true, value: { echoed: { teamId: "t1", query: { offset: 0, limit: 500 } } } });
    const bad = [
      ["listAudit", { teamId: "t1", query: { limit: 501 } }],
      ["listAudit", { teamId: "../t1", query: {} }],
      ["listAudit", { teamId: "t1" }],
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
    expect(calls.map((c) => c.method)).toEqual(["getJob", "listAudit"]);
  });

  it("passes a settings change on as sent: left-out settings are not filled with defaults", async () => {
    expect(await invoke("setSettings", { mode: "batch" })).toEqual({ ok: true, value: { echoed: { mode: "batch" } } });
    expect(await invoke("setSettings", { jobTtlSeconds: 3600 })).toEqual({ ok: true, value: { echoed: { jobTtlSeconds: 3600 } } });
  });

  it("refuses calls from other windows or frames", async () => {
    const other = createMainWindow(rendererLocation("/app/out", ""), "/p.cjs");
    expect((await invoke("listTeams", {}, other.webContents, other.webContents.mainFrame)).error!.code).toBe("FORBIDDEN");
    expect((await invoke("listTeams", {}, window.webContents, { url: "app://renderer/index.html" })).error!.code).toBe("FORBIDDEN");
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

  it("registers app:// as a standard, secure scheme before the app is ready", () => {
    expect(fake.electron.protocol.privilegedSchemes).toContainEqual({ scheme: "app", privileges: { standard: true, secure: true, supportFetchAPI: true } });
    const privileges = fake.electron.protocol.privilegedSchemes.find((entry) => entry.scheme === "app")!.privileges;
    expect(privileges.bypassCSP ?? false).toBe(false);
    expect(privileges.corsEnabled ?? false).toBe(false);
  });

  it("refuses webviews and new windows in any other web contents", () => {
    const other = new fake.electron.BrowserWindow({}).webContents;
    fake.electron.app.emit("web-contents-created", {}, other);
    expect(other.windowOpenHandler!({ url: "https://docs.example/" })).toEqual({ action: "deny" });
    const webview = { defaultPrevented: false, preventDefault: () => (webview.defaultPrevented = true) };
    other.emit("will-attach-webview", webview);
    expect(webview.defaultPrevented).toBe(true);
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

  it("forgets saved settings on clear, leaving no copy behind", async () => {
    const { SettingsStore } = await import("../../electron/desktop/settings-store");
    const { safeStorage } = fake.electron;
    const cipher = { isAvailable: safeStorage.isEncryptionAvailable, encrypt: safeStorage.encryptString, decrypt: safeStorage.decryptString };
    const folder = mkdtempSync(join(dir, "clear-"));
    const store = new SettingsStore(join(folder, "settings.json"), cipher);
    store.save({ redisUrl: "redis://127.0.0.1:6390", databaseUrl: "postgres://db/x", tinybirdHost: "https://api.tinybird.co", tinybirdToken: "p.token" });
    expect(readdirSync(folder)).toEqual(["settings.json"]);
    store.clear();
    expect(store.load()).toBeNull();
    expect(readdirSync(folder)).toEqual([]);
    store.clear(); // nothing saved: still fine
  });
});
