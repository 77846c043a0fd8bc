import type { PreloadBridge } from "../../../shared/contract";
import type { ConsoleTransport } from "./console-transport";
import { httpTransport } from "./http-transport";
import { ipcTransport } from "./ipc-transport";

declare global {
  interface Window {
    /** The preload bridge; present only inside the desktop app. */
    exportConsole?: PreloadBridge;
  }
}

export const TOKEN_STORAGE_KEY = "exportConsole.token";

export interface BrowserEnvironment {
  bridge: PreloadBridge | undefined;
  location: Pick<Location, "hash" | "pathname" | "search" | "origin">;
  history: Pick<History, "replaceState">;
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  /** Calls `listener` when the address changes without a reload (a console URL pasted into the tab); returns the unsubscribe. */
  onAddressChange?(listener: () => void): () => void;
}

export function browserEnvironment(): BrowserEnvironment {
  return {
    bridge: window.exportConsole,
    location: window.location,
    history: window.history,
    storage: window.sessionStorage,
    onAddressChange(listener) {
      window.addEventListener("hashchange", listener);
      window.addEventListener("popstate", listener);
      return () => {
        window.removeEventListener("hashchange", listener);
        window.removeEventListener("popstate", listener);
      };
    },
  };
}

/**
 * Takes a token handed over in the URL fragment (`#token=…`), keeps it in sessionStorage
 * and removes it from the address bar so it is not left in history or screenshots.
 */
export function takeTokenFromFragment(env: BrowserEnvironment): string | null {
  const fragment = new URLSearchParams(env.location.hash.replace(/^#/, ""));
  const token = fragment.get("token");
  if (!token) return null;
  env.storage.setItem(TOKEN_STORAGE_KEY, token);
  env.history.replaceState(null, "", `${env.location.pathname}${env.location.search}`);
  return token;
}

export function browserTransport(env: BrowserEnvironment, token: string): ConsoleTransport {
  env.storage.setItem(TOKEN_STORAGE_KEY, token);
  return {
    kind: "http",
    api: httpTransport(env.location.origin, token),
    teamRequired: true,
    readOnlySettings: true,
    signOut: () => env.storage.removeItem(TOKEN_STORAGE_KEY),
  };
}

/**
 * The transport is chosen once at start: the preload bridge inside Electron; otherwise the
 * REST API of the server that served this page, with a token from the URL fragment or this
 * tab's storage. `null` = browser mode without a token yet (ask for one).
 */
export function chooseTransport(env: BrowserEnvironment): ConsoleTransport | null {
  if (env.bridge) return { kind: "ipc", api: ipcTransport(env.bridge), teamRequired: false, readOnlySettings: false };
  const token = takeTokenFromFragment(env) ?? env.storage.getItem(TOKEN_STORAGE_KEY);
  return token ? browserTransport(env, token) : null;
}
