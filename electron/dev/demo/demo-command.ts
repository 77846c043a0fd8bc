import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { startConsoleCore } from "../../core/console-core";
import { startDemoStack } from "./demo-stack";
import { keptSecret } from "./kept-secret";
import { freePort } from "../redis-process";
import { ApiAuth } from "../../headless/server/api-auth";
import { startHttpServer } from "../../headless/server/http-server";
import { fail, logLine, stopOnSignal } from "../../headless/cli/process-lifecycle";
import { API_PREFIX, routePath, routes } from "../../../shared/routes";

/**
 * `npm run demo`: the whole console on the embedded default (private Redis, embedded
 * Postgres, Tinybird emulator), served to the browser, and how to point the CLI, a worker or
 * another server at the same services. Ctrl-C stops everything it started.
 */
async function main(): Promise<void> {
  const dataDir = resolve(process.env.DEMO_DATA_DIR ?? ".demo-data");
  logLine(`starting the demo stack (data in ${dataDir})…`);
  const scale = Number(process.env.DEMO_SCALE ?? 1);
  if (!(scale > 0 && scale <= 100)) fail(`DEMO_SCALE must be a number above 0 and at most 100, got ${process.env.DEMO_SCALE}`);
  // Served over TCP: the CLI, a worker or another server read the same database while the demo runs.
  const stack = await startDemoStack({ dataDir, scale, serveDatabase: true, log: logLine });
  process.on("exit", () => stack.killNow());
  const core = await startConsoleCore(stack.settings, { runner: true, sql: stack.sql, demo: true, log: logLine });
  // Kept in the data folder: a restart hands out the same token, so open tabs keep working.
  const token = process.env.DEMO_TOKEN ?? keptSecret(dataDir, "api-token", "demo-");
  const wanted = Number(process.env.PORT ?? 8787);
  const port = (await portIsFree(wanted)) ? wanted : await freePort();
  const staticRoot = resolve("out/renderer");
  const server = await startHttpServer({
    service: core.service,
    auth: new ApiAuth({ [token]: { userId: "demo-user", teams: stack.summary.teamIds } }),
    settings: stack.settings,
    status: () => core.status(),
    onChange: (listener) => core.onChange(listener),
    port,
    staticRoot: existsSync(staticRoot) ? staticRoot : undefined,
  });
  const { teamId, documentId, dataroomId, groupId } = stack.summary;
  // What `npm run export`, `worker` and `serve` read from the environment to use this demo's services.
  const cliEnvironment = {
    DATABASE_URL: stack.settings.databaseUrl,
    REDIS_URL: stack.settings.redisUrl,
    TINYBIRD_HOST: stack.settings.tinybirdHost,
    TINYBIRD_TOKEN: stack.settings.tinybirdToken,
  };
  process.stdout.write(
    [
      "",
      "Visits Export Console — demo is running",
      `  console:  ${server.url}/#token=${token}${existsSync(staticRoot) ? "" : "   (run `npm run build` first to get the console UI)"}`,
      `  API:      ${server.url}${API_PREFIX}   (Authorization: Bearer ${token})`,
      `  teams:    ${stack.summary.teamIds.join(", ")}`,
      `  try:      document ${documentId}, dataroom ${dataroomId}, group ${groupId} of team ${teamId}`,
      `  e.g.      curl -X ${routes.createDocumentExport.method} -H 'Authorization: Bearer ${token}' ${server.url}${routePath(routes.createDocumentExport, { teamId, resourceId: documentId })}`,
      `            curl -H 'Authorization: Bearer ${token}' '${server.url}${routePath(routes.listJobs, { teamId }, { search: documentId })}'`,
      "",
      "  The CLI, a worker or another REST server (npm run export / worker / serve) against this demo, while it runs:",
      ...Object.entries(cliEnvironment).map(([name, value]) => `    ${name}=${value}`),
      "    (DATABASE_URL is the demo's embedded database, served on this computer only: no password, any user name)",
      `  e.g. ${Object.entries(cliEnvironment)
        .map(([name, value]) => `${name}=${value}`)
        .join(" ")} npm run export -- --type document --team ${teamId} --resource ${documentId} --out visits.csv`,
      `  The API token (and the emulator's) stay the same across restarts: they are kept in ${dataDir}.`,
      "  Ctrl-C stops Redis, the database, the emulator and the server.",
      "",
    ].join("\n"),
  );
  stopOnSignal(async () => {
    await server.close();
    await core.stop();
    await stack.stop();
  });
}

async function portIsFree(port: number): Promise<boolean> {
  const { createServer } = await import("node:net");
  return new Promise((resolveFree) => {
    const probe = createServer();
    probe.once("error", () => resolveFree(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolveFree(true)));
  });
}

main().catch((error: unknown) => fail(error));
