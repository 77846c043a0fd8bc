import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { CONTENT_SECURITY_POLICY } from "../../../shared/content-security-policy";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};


/**
 * Serves the built renderer (out/renderer). Paths are resolved inside the root and anything
 * that escapes it is refused; unknown paths fall back to index.html (a single-page app).
 */
export async function serveStatic(root: string, pathname: string, res: ServerResponse): Promise<boolean> {
  const base = resolve(root);
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  if (relative.includes("\0")) return false;
  let file = normalize(join(base, relative));
  if (file !== base && !file.startsWith(base + sep)) return false;
  let info = await stat(file).catch(() => null);
  if (!info || info.isDirectory()) {
    file = join(base, "index.html");
    info = await stat(file).catch(() => null);
    if (!info) return false;
  }
  res.writeHead(200, {
    "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
    "Content-Length": info.size,
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": file.endsWith("index.html") ? "no-cache" : "public, max-age=31536000, immutable",
  });
  createReadStream(file).pipe(res);
  return true;
}
