import { writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { join } from "node:path";
import { app, BrowserWindow, dialog, ipcMain, Notification, protocol, safeStorage, session } from "electron";
import { JOB_CHANGED_CHANNEL } from "../../shared/contract";
import { ConsoleApp } from "../desktop/console-app";
import { SettingsStore } from "../desktop/settings-store";
import { startDemoStack } from "../dev/demo/demo-stack";
import { CONTENT_SECURITY_POLICY } from "../../shared/content-security-policy";
import { installAppMenu } from "./app-menu";
import { registerContractHandlers, trustedSenderCheck } from "./ipc-bridge";
import { createMainWindow, openInBrowser, rendererLocation } from "./main-window";
import { APP_SCHEME_PRIVILEGES } from "./security/app-origin";
import { hardenSession } from "./security/session-hardening";

// Thin glue: everything with logic lives in ../app and the core below it.

// Before the app is ready: app:// becomes a standard, secure scheme (an origin of its own).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | null = null;
  const outDir = join(import.meta.dirname, "..");
  const location = rendererLocation(outDir);
  const userName = userInfo().username.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64) || "desktop-user";

  const consoleApp = new ConsoleApp({
    settingsStore: new SettingsStore(join(app.getPath("userData"), "settings.json"), {
      isAvailable: () => safeStorage.isEncryptionAvailable(),
      encrypt: (plain) => safeStorage.encryptString(plain),
      decrypt: (cipher) => safeStorage.decryptString(cipher),
    }),
    dataDir: app.getPath("userData"),
    userId: userName,
    chooseSavePath: async (defaultName) => {
      const options = { defaultPath: defaultName, filters: [{ name: "CSV", extensions: ["csv"] }] };
      const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    writeFile: (path, contents) => writeFile(path, contents, "utf8"),
    openExternal: openInBrowser,
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
    startDemo: (dataDir, log) => startDemoStack({ dataDir, log }),
    log: (line) => console.log(line),
  });

  registerContractHandlers(
    ipcMain,
    consoleApp.handlers,
    trustedSenderCheck(() => window?.webContents.id ?? null, location.isAppUrl),
  );
  consoleApp.onJobChanged((change) => window?.webContents.send(JOB_CHANGED_CHANNEL, change));

  app.on("second-instance", () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  // Any other web contents (none is expected): no webviews, no windows. The main window's own guards replace the latter.
  app.on("web-contents-created", (_event, contents) => {
    contents.on("will-attach-webview", (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: "deny" }));
  });

  void app.whenReady().then(async () => {
    hardenSession(session.defaultSession, { rendererDir: location.rendererDir, isAppUrl: location.isAppUrl, contentSecurityPolicy: CONTENT_SECURITY_POLICY });
    installAppMenu(process.platform === "darwin", !app.isPackaged);
    window = createMainWindow(location, join(import.meta.dirname, "../preload/index.cjs"));
    window.on("closed", () => (window = null));
    await consoleApp.start();
  });

  let quitting = false;
  app.on("before-quit", (event) => {
    if (quitting) return;
    // Hand running jobs back to the queue and stop the demo's processes before leaving.
    event.preventDefault();
    quitting = true;
    void consoleApp.stop().finally(() => app.quit());
  });
  process.on("exit", () => consoleApp.killChildren());
  app.on("window-all-closed", () => {
    if (process.platform !== "darwin") app.quit();
  });
}
