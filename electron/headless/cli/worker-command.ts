import { startConsoleCore } from "../../core/console-core";
import { settingsFromEnv } from "../env-settings";
import { fail, logLine, stopOnSignal } from "./process-lifecycle";

/** `npm run worker`: a headless queue runner against the configured Redis/Postgres/Tinybird. */
async function main(): Promise<void> {
  const settings = settingsFromEnv();
  const core = await startConsoleCore(settings, { runner: true, log: logLine });
  logLine(`worker running: ${settings.runner.concurrency} export(s) at once, Tinybird limit ${settings.limiter.maxConcurrent} in flight / ${settings.limiter.minTime} ms`);
  stopOnSignal(() => core.stop());
}

main().catch((error: unknown) => fail(error));
