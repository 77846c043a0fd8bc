import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BrowserWindow, shell, type WebPreferences } from "electron";

/** Every renderer runs with these: isolated, sandboxed, no Node. */
export const SECURE_WEB_PREFERENCES: WebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
};

export interface RendererLocation {
  /** What the window loads. */
  url: string;
  /** True for URLs of our own renderer (and nothing else). */
  isAppUrl(url: string): boolean;
}

/** The built renderer, or electron-vite's dev server when ELECTRON_RENDERER_URL is set. */
export function rendererLocation(outDir: string, devUrl = process.env.ELECTRON_RENDERER_URL): RendererLocation {
  if (devUrl) {
    const origin = new URL(devUrl).origin;
    return { url: devUrl, isAppUrl: (url) => safeOrigin(url) === origin };
  }
  const file = pathToFileURL(join(outDir, "renderer", "index.html")).toString();
  return { url: file, isAppUrl: (url) => url.split("#")[0] === file };
}

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * The console window. Navigation away from our page and new windows are refused; http(s)
 * links a user clicks open in the system browser instead.
 */
export function createMainWindow(location: RendererLocation, preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: "Visits Export Console",
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: preloadPath },
  });
  window.webContents.on("will-navigate", (event, url) => {
    if (!location.isAppUrl(url)) event.preventDefault();
  });
  window.webContents.on("will-attach-webview", (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: "deny" };
  });
  window.once("ready-to-show", () => window.show());
  void window.loadURL(location.url);
  return window;
}
