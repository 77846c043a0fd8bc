import { isAbsolute, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { APP_ORIGIN, isSameOrigin } from "./app-origin";

/**
 * The file an app:// request may read: inside the built renderer folder, or null. The path
 * is decoded once (so %2e%2e%2f is ../) and must still land inside the folder; backslashes
 * (a separator on Windows) and NUL bytes are refused outright.
 */
export function resolveRendererFile(rendererDir: string, requestUrl: string): string | null {
  if (!isSameOrigin(requestUrl, APP_ORIGIN)) return null;
  let path: string;
  try {
    path = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return null;
  }
  if (path.includes("\\") || path.includes("\0")) return null;
  const root = resolve(rendererDir);
  const file = resolve(root, `.${path === "/" ? "/index.html" : path}`);
  return isInside(root, file) ? file : null;
}

function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/** Reads a file:// URL (Electron's session.fetch in the app). */
export type FetchFile = (fileUrl: string) => Promise<Response>;

/**
 * protocol.handle's handler for app://renderer: GET and HEAD of files in the renderer folder,
 * with the CSP header. A path outside it (or another origin) is 403, a missing file 404.
 * (The folder is our build, inside app.asar when packaged: no symlinks to follow.)
 */
export function createRendererProtocolHandler(rendererDir: string, fetchFile: FetchFile, contentSecurityPolicy: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") return new Response(null, { status: 405 });
    const file = resolveRendererFile(rendererDir, request.url);
    if (!file) return new Response("Forbidden", { status: 403 });
    const response = await fetchFile(pathToFileURL(file).href).catch(() => null);
    if (!response?.ok) return new Response("Not found", { status: 404 });
    const headers = new Headers(response.headers);
    headers.set("Content-Security-Policy", contentSecurityPolicy);
    headers.set("X-Content-Type-Options", "nosniff");
    return new Response(request.method === "HEAD" ? null : response.body, { status: 200, headers });
  };
}
