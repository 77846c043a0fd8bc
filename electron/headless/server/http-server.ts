import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { API_PREFIX } from "../../../shared/routes";
import { createRestApi, type RestApiDeps } from "./rest-api";
import { serveStatic } from "./static-files";

export interface HttpServerOptions extends RestApiDeps {
  host?: string;
  port?: number;
  /** Built renderer to serve at / (browser mode); omitted = API only. */
  staticRoot?: string;
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** The headless HTTP server: the REST API under /api, the renderer everywhere else. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const api = createRestApi(options);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`)) {
      void api(req, res, url);
      return;
    }
    void (async () => {
      const served = req.method === "GET" && options.staticRoot ? await serveStatic(options.staticRoot, url.pathname, res) : false;
      if (!served && !res.headersSent) {
        res.writeHead(404, { "Content-Type": "text/plain" });
        res.end("not found");
      }
    })();
  });
  // Requests Node's parser refuses (oversized headers or URL, malformed request line) get
  // the same JSON error shape as everything else instead of a bare status line.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const status = tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request";
    const body = JSON.stringify({ error: { code: "BAD_INPUT", message: tooLarge ? "the request URL or headers are too large" : "malformed HTTP request" } });
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host ?? "127.0.0.1"}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
