import { join } from "node:path";
import { BrowserWindow, shell, type WebPreferences } from "electron";
import { AppError } from "../../shared/errors";
import { APP_ENTRY_URL, APP_ORIGIN, isSameOrigin, originOf } from "./security/app-origin";
import { EXTERNAL_LINK_REFUSED, externalLinkToOpen } from "../../shared/external-link";
import { installNavigationGuards } from "./security/navigation-guards";

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
  /** The built renderer folder, served as app://renderer. */
  rendererDir: string;
  /** True for URLs of our own renderer's exact origin (and nothing else). */
  isAppUrl(url: string): boolean;
}

/** The built renderer at app://renderer, or electron-vite's dev server when ELECTRON_RENDERER_URL is set. */
export function rendererLocation(outDir: string, devUrl = process.env.ELECTRON_RENDERER_URL): RendererLocation {
  const rendererDir = join(outDir, "renderer");
  const origin = devUrl ? originOf(devUrl) : APP_ORIGIN;
  return { url: devUrl || APP_ENTRY_URL, rendererDir, isAppUrl: (url) => isSameOrigin(url, origin) };
}

/** The system browser, for links the external-link rule allows; anything else is refused. */
export async function openInBrowser(url: string): Promise<void> {
  const allowed = externalLinkToOpen(url);
  if (!allowed) throw new AppError("FORBIDDEN", EXTERNAL_LINK_REFUSED);
  await shell.openExternal(allowed);
}

/**
 * The console window. Navigation away from our page and new windows are refused; https
 * links a user follows open in the system browser instead.
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
  installNavigationGuards(window.webContents, location.isAppUrl, (url) => void openInBrowser(url).catch(() => {}));
  window.once("ready-to-show", () => window.show());
  void window.loadURL(location.url);
  return window;
}
