import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { startConsoleCore } from "../../core/console-core";
import { apiRequestLimitFromEnv, apiTokensFromEnv, settingsFromEnv } from "../env-settings";
import { ApiAuth } from "../server/api-auth";
import { startHttpServer } from "../server/http-server";
import { fail, logLine, stopOnSignal } from "./process-lifecycle";

/** `npm run serve`: runner + REST API (+ the built renderer for browser use). */
async function main(): Promise<void> {
  const settings = settingsFromEnv();
  const auth = new ApiAuth(apiTokensFromEnv());
  const requestLimit = apiRequestLimitFromEnv();
  const port = Number(process.env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT must be a port number, got ${process.env.PORT}`);
  const runRunner = process.env.SERVE_RUNNER !== "false";
  const core = await startConsoleCore(settings, { runner: runRunner, log: logLine });
  const staticRoot = resolve("out/renderer");
  const server = await startHttpServer({
    service: core.service,
    auth,
    settings,
    status: () => core.status(),
    onChange: (listener) => core.onChange(listener),
    requestLimit,
    host: process.env.HOST ?? "127.0.0.1",
    port,
    staticRoot: existsSync(staticRoot) ? staticRoot : undefined,
  });
  logLine(`REST API on ${server.url}/api${existsSync(staticRoot) ? `, console on ${server.url}/` : " (run `npm run build` to serve the console too)"}${runRunner ? ", with a runner" : ""}`);
  stopOnSignal(async () => {
    await server.close();
    await core.stop();
  });
}

main().catch((error: unknown) => fail(error));
