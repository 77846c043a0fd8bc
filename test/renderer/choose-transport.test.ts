import { describe, expect, it } from "vitest";
import type { PreloadBridge } from "../../shared/contract";
import { chooseTransport, TOKEN_STORAGE_KEY, type BrowserEnvironment } from "../../renderer/src/api/choose-transport";

function environment(hash: string, stored: string | null = null, bridge?: PreloadBridge) {
  const storage = new Map<string, string>(stored ? [[TOKEN_STORAGE_KEY, stored]] : []);
  const replaced: string[] = [];
  const env: BrowserEnvironment = {
    bridge,
    location: { hash, pathname: "/", search: "?x=1", origin: "http://127.0.0.1:8787" },
    history: { replaceState: (_data, _unused, url) => void replaced.push(String(url)) },
    storage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, value) => void storage.set(key, value),
      removeItem: (key) => void storage.delete(key),
    },
  };
  return { env, storage, replaced };
}

describe("chooseTransport", () => {
  it("uses IPC when the preload bridge is there", () => {
    const { env } = environment("#token=ignored", null, {} as PreloadBridge);
    expect(chooseTransport(env)).toMatchObject({ kind: "ipc", teamRequired: false, readOnlySettings: false });
  });

  it("takes a token from the fragment, keeps it in session storage and clears the address bar", () => {
    const { env, storage, replaced } = environment("#token=secret-token-123");
    const transport = chooseTransport(env);
    expect(transport).toMatchObject({ kind: "http", teamRequired: true, readOnlySettings: true });
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe("secret-token-123");
    expect(replaced).toEqual(["/?x=1"]);
    transport!.signOut!();
    expect(storage.has(TOKEN_STORAGE_KEY)).toBe(false);
  });

  it("falls back to the stored token, and to nothing (the token form)", () => {
    expect(chooseTransport(environment("", "kept-token").env)).toMatchObject({ kind: "http" });
    expect(chooseTransport(environment("").env)).toBeNull();
    expect(chooseTransport(environment("#other=1").env)).toBeNull();
  });
});
