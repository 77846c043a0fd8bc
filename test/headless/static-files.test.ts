import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveStatic } from "../../electron/headless/server/static-files";
import { CONTENT_SECURITY_POLICY } from "../../shared/content-security-policy";

/*
 * The built renderer served over real HTTP from a temporary root, with a secret file beside
 * the root that no path may reach. Requests go through node:http with the path as written
 * (fetch would normalise "../" away before sending).
 */

let parent: string;
let root: string;
let server: Server;
let port: number;

const INDEX = "<!doctype html><title>console</title>";
const SCRIPT = "console.log('app');";

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), "vec-static-"));
  root = join(parent, "renderer");
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(join(root, "index.html"), INDEX);
  writeFileSync(join(root, "assets", "app.js"), SCRIPT);
  writeFileSync(join(root, "assets", "style.css"), "body{}");
  writeFileSync(join(root, "assets", "data.bin"), "xyz");
  writeFileSync(join(parent, "secret.txt"), "do not serve");
  server = createServer((req, res) => {
    const pathname = (req.url ?? "/").split("?")[0]!;
    void serveStatic(root, pathname, res).then((served) => {
      if (!served) res.writeHead(404).end("refused");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(parent, { recursive: true, force: true });
});

function get(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("serveStatic", () => {
  it("serves a file with its content type, length, the CSP and nosniff, cached as immutable", async () => {
    const res = await get("/assets/app.js");
    expect(res.status).toBe(200);
    expect(res.body).toBe(SCRIPT);
    expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(res.headers["content-length"]).toBe(String(SCRIPT.length));
    expect(res.headers["content-security-policy"]).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("types CSS by extension and anything unknown as octet-stream", async () => {
    expect((await get("/assets/style.css")).headers["content-type"]).toBe("text/css; charset=utf-8");
    expect((await get("/assets/data.bin")).headers["content-type"]).toBe("application/octet-stream");
  });

  it("serves index.html for the root, a directory and an unknown path (single-page app), never cached", async () => {
    for (const path of ["/", "/assets", "/jobs/abc123", "/assets/missing.js"]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.body, path).toBe(INDEX);
      expect(res.headers["content-type"], path).toBe("text/html; charset=utf-8");
      expect(res.headers["cache-control"], path).toBe("no-cache");
      expect(res.headers["content-security-policy"], path).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it("decodes percent-encoded names", async () => {
    expect((await get("/assets/%61pp.js")).body).toBe(SCRIPT);
  });

  it.each(["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt"])(
    "refuses the traversal %s",
    async (path) => {
      const res = await get(path);
      expect(res.body).not.toContain("do not serve");
      // Refused outright, or (backslash is no separator here) a name inside the root that falls back to index.html.
      if (path.includes("%5c")) expect(res.body).toBe(INDEX);
      else expect(res).toMatchObject({ status: 404, body: "refused" });
    },
  );

  it("refuses a NUL byte and a malformed escape", async () => {
    expect(await get("/index.html%00.js")).toMatchObject({ status: 404, body: "refused" });
    expect(await get("/%E0%A4%A")).toMatchObject({ status: 404, body: "refused" });
  });

  it("refuses everything when the root has no index.html and the path is unknown", async () => {
    const empty = mkdtempSync(join(tmpdir(), "vec-static-empty-"));
    try {
      const res = await new Promise<boolean>((resolve) => {
        const probe = createServer((_req, out) => void serveStatic(empty, "/nothing", out).then((served) => (resolve(served), out.end())));
        probe.listen(0, "127.0.0.1", () => {
          request({ host: "127.0.0.1", port: (probe.address() as AddressInfo).port, path: "/" }, (r) => (r.resume(), r.on("end", () => probe.close()))).end();
        });
      });
      expect(res).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
