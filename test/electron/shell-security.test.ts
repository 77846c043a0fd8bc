import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { APP_ENTRY_URL, APP_ORIGIN, isSameOrigin, originOf } from "../../electron/main/security/app-origin";
import { externalLinkToOpen } from "../../shared/external-link";
import { isPermissionGranted } from "../../electron/main/security/permission-policy";
import { createRendererProtocolHandler, resolveRendererFile } from "../../electron/main/security/renderer-protocol";

/** The shell's security rules as pure functions, under Node (like Actual Budget's navigation-security tests). */

const dir = mkdtempSync(join(tmpdir(), "vec-shell-security-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rendererDir = join(dir, "out", "renderer");
mkdirSync(join(rendererDir, "assets"), { recursive: true });
writeFileSync(join(rendererDir, "index.html"), "<!doctype html><title>console</title>");
writeFileSync(join(rendererDir, "assets", "index.js"), "console.log('app');");
writeFileSync(join(dir, "out", "secret.txt"), "SECRET beside the renderer");
writeFileSync(join(dir, "secret.txt"), "SECRET above it");

describe("the trusted-URL check (exact origin)", () => {
  const isAppUrl = (url: string) => isSameOrigin(url, APP_ORIGIN);

  it("trusts our own pages", () => {
    for (const url of [APP_ENTRY_URL, "app://renderer/", "app://renderer", "app://renderer/index.html#/jobs?x=1", "app://renderer/assets/index.js"]) expect(isAppUrl(url), url).toBe(true);
  });

  it("treats scheme and host case as URLs do (one origin), not as a way in", () => {
    expect(isAppUrl("APP://renderer/index.html")).toBe(true);
    expect(isAppUrl("app://RENDERER/index.html")).toBe(true);
    for (const url of ["APP://RENDERER.EVIL/", "App://Renderer@Evil/", "APP://EVIL@RENDERER/"]) expect(isAppUrl(url), url).toBe(false);
  });

  it("refuses look-alike origins", () => {
    for (const url of [
      "app://renderer.evil/index.html",
      "app://renderer.evil",
      "app://renderer@evil/index.html",
      "app://renderer:x@evil/",
      "app://evil@renderer/index.html", // credentials, even on our host
      "app://user:pass@renderer/",
      "app://renderer:8080/",
      "app://rendererx/",
      "app://render/",
      "app://renderer%2eevil/",
      "app://renderer%40evil/",
      "app://evil/renderer/index.html",
      "app:renderer/index.html",
      "app:/renderer/index.html",
      "app:///renderer/index.html",
      "app:\\\\renderer\\index.html",
      "//renderer/index.html",
      "renderer/index.html",
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it("refuses every other scheme", () => {
    for (const url of [
      "file:///app/out/renderer/index.html",
      "http://renderer/index.html",
      "https://renderer/index.html",
      "appx://renderer/",
      "app-evil://renderer/",
      "javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "blob:app://renderer/uuid",
      "about:blank",
      "devtools://devtools/bundled/inspector.html",
      "",
      "not a url",
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it("compares the dev server's exact origin, port included", () => {
    const dev = originOf("http://localhost:5173/");
    expect(isSameOrigin("http://localhost:5173/src/main.tsx", dev)).toBe(true);
    expect(isSameOrigin("http://LOCALHOST:5173/", dev)).toBe(true);
    for (const url of ["http://localhost:5174/", "https://localhost:5173/", "http://127.0.0.1:5173/", "http://localhost:5173@evil.example/", "http://localhost.evil.example:5173/", "ws://localhost:5173/"]) {
      expect(isSameOrigin(url, dev), url).toBe(false);
    }
  });
});

describe("the renderer folder behind app://", () => {
  const inside = (path: string) => join(rendererDir, path);

  it("maps our URLs to files inside the folder", () => {
    expect(resolveRendererFile(rendererDir, "app://renderer/")).toBe(inside("index.html"));
    expect(resolveRendererFile(rendererDir, "app://renderer/index.html?v=1#/jobs")).toBe(inside("index.html"));
    expect(resolveRendererFile(rendererDir, "app://renderer/assets/index.js")).toBe(inside("assets/index.js"));
    // Dot segments are resolved by the URL parser first, so they stay inside.
    expect(resolveRendererFile(rendererDir, "app://renderer/../../secret.txt")).toBe(inside("secret.txt"));
    expect(resolveRendererFile(rendererDir, "app://renderer/%2e%2e/secret.txt")).toBe(inside("secret.txt"));
    // Decoded once: a double-encoded name is a (missing) file with % in its name, inside.
    expect(resolveRendererFile(rendererDir, "app://renderer/%252e%252e%252fsecret.txt")).toBe(inside("%2e%2e%2fsecret.txt"));
  });

  it("refuses encoded traversal, separators and NUL", () => {
    for (const url of [
      "app://renderer/%2e%2e%2fsecret.txt",
      "app://renderer/..%2fsecret.txt",
      "app://renderer/assets/..%2f..%2f..%2fsecret.txt",
      "app://renderer/%2E%2E%2F%2E%2E%2Fsecret.txt",
      "app://renderer/..%2F..%2Fsecret.txt",
      "app://renderer/%2e%2e%5csecret.txt",
      "app://renderer/..\\..\\secret.txt",
      "app://renderer/assets%5c..%5c..%5csecret.txt",
      "app://renderer/index.html%00.js",
      "app://renderer/%E0%A4%A", // malformed escape
      "app://renderer/%2e%2e",
    ]) {
      expect(resolveRendererFile(rendererDir, url), url).toBeNull();
    }
  });

  it("refuses other origins and schemes", () => {
    for (const url of ["app://renderer.evil/index.html", "app://renderer@evil/index.html", "app://evil/index.html", "file:///etc/passwd", "https://renderer/index.html"]) {
      expect(resolveRendererFile(rendererDir, url), url).toBeNull();
    }
  });

  describe("the protocol handler", () => {
    const csp = "default-src 'self'";
    const readFromDisk = async (fileUrl: string) => new Response(await readFile(fileURLToPath(fileUrl)));
    const serve = createRendererProtocolHandler(rendererDir, readFromDisk, csp);

    it("serves the renderer's files with the CSP", async () => {
      const response = await serve(new Request("app://renderer/assets/index.js"));
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(readFileSync(inside("assets/index.js"), "utf8"));
      expect(response.headers.get("content-security-policy")).toBe(csp);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      const head = await serve(new Request("app://renderer/index.html", { method: "HEAD" }));
      expect(head.status).toBe(200);
      expect(await head.text()).toBe("");
    });

    it("refuses paths outside the renderer folder and never reads them", async () => {
      for (const url of ["app://renderer/%2e%2e%2fsecret.txt", "app://renderer/..%2f..%2fsecret.txt", "app://renderer/..%5csecret.txt", "app://evil/secret.txt", "app://renderer.evil/index.html"]) {
        const response = await serve(new Request(url));
        expect(response.status, url).toBe(403);
        expect(await response.text(), url).not.toContain("SECRET");
      }
    });

    it("answers 404 for a missing file and 405 for other methods", async () => {
      expect((await serve(new Request("app://renderer/nope.js"))).status).toBe(404);
      expect((await serve(new Request("app://renderer/%2e%2e/secret.txt"))).status).toBe(404); // resolved inside: no such file there
      expect((await serve(new Request("app://renderer/index.html", { method: "POST", body: "x" }))).status).toBe(405);
    });
  });
});

describe("the external-link rule (shell.openExternal)", () => {
  it("opens https links as parsed", () => {
    expect(externalLinkToOpen("https://docs.example/help?q=1#top")).toBe("https://docs.example/help?q=1#top");
    expect(externalLinkToOpen("  HTTPS://Blob.Example/exports/a.csv  ")).toBe("https://blob.example/exports/a.csv");
    expect(externalLinkToOpen("https://blob.example/a b.csv")).toBe("https://blob.example/a%20b.csv");
  });

  it("refuses every other scheme", () => {
    for (const url of [
      "http://docs.example/",
      "file:///etc/passwd",
      "file://host/share/x.exe",
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      " javascript:alert(1)",
      "javascript:https://docs.example/",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "blob:https://docs.example/uuid",
      "app://renderer/index.html",
      "ms-settings:privacy",
      "vscode://file/etc/passwd",
      "smb://host/share",
      "mailto:someone@example.com",
      "ftp://files.example/",
      "about:blank",
    ]) {
      expect(externalLinkToOpen(url), url).toBeNull();
    }
  });

  it("refuses UNC and other network-path forms", () => {
    for (const url of ["\\\\host\\share\\file.exe", "\\\\?\\C:\\Windows\\system32\\calc.exe", "//host/share", "https:\\\\evil.example\\", "https://docs.example\\@evil.example/", "\\\\host@SSL\\DavWWWRoot\\x"]) {
      expect(externalLinkToOpen(url), url).toBeNull();
    }
  });

  it("refuses URLs with credentials, and things that are not URLs", () => {
    for (const url of ["https://user:pass@docs.example/", "https://user@docs.example/", "https://:pass@docs.example/", "https://docs.example@evil.example/", "https://", "https:///", "docs.example", "", "not a url"]) {
      expect(externalLinkToOpen(url), url).toBeNull();
    }
  });
});

describe("the permission rule", () => {
  const isAppUrl = (url: string) => isSameOrigin(url, APP_ORIGIN);
  it("grants only clipboard writes, only to our page's top frame", () => {
    expect(isPermissionGranted({ permission: "clipboard-sanitized-write", requestingUrl: APP_ENTRY_URL, isMainFrame: true }, isAppUrl)).toBe(true);
    expect(isPermissionGranted({ permission: "clipboard-sanitized-write", requestingUrl: APP_ENTRY_URL, isMainFrame: false }, isAppUrl)).toBe(false);
    expect(isPermissionGranted({ permission: "clipboard-sanitized-write", requestingUrl: "app://renderer.evil/", isMainFrame: true }, isAppUrl)).toBe(false);
    for (const permission of ["clipboard-read", "media", "notifications", "geolocation", "openExternal", "pointerLock", "fullscreen", "display-capture"]) {
      expect(isPermissionGranted({ permission, requestingUrl: APP_ENTRY_URL, isMainFrame: true }, isAppUrl), permission).toBe(false);
    }
  });
});
