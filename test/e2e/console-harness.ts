import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startConsoleCore, type ConsoleCore } from "../../electron/core/console-core";
import { ApiAuth } from "../../electron/headless/server/api-auth";
import { startHttpServer, type RunningServer } from "../../electron/headless/server/http-server";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { settingsSchema } from "../../shared/settings";
import { seedSmallDataset, smallEmulatorData } from "../fixtures/small-dataset";
import { TestRedisServer, testPrefix } from "../helpers/redis-server";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const RENDERER_OUT = join(REPO_ROOT, "out/renderer");
export const SCREENSHOT_DIR = join(REPO_ROOT, "test/e2e/output");
export const CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * Builds the app (electron-vite: main, preload and renderer) when out/renderer is missing or
 * older than the renderer's sources, the shared contract or the build config.
 */
export function buildRendererIfStale(): void {
  const index = join(RENDERER_OUT, "index.html");
  const sources = [join(REPO_ROOT, "renderer"), join(REPO_ROOT, "shared"), join(REPO_ROOT, "electron.vite.config.ts")];
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  // NODE_ENV=test (set by vitest) would give a development React build.
  const cli = join(REPO_ROOT, "node_modules/electron-vite/bin/electron-vite.js");
  execFileSync(process.execPath, [cli, "build", "--logLevel", "warn"], { cwd: REPO_ROOT, stdio: "pipe", env: { ...process.env, NODE_ENV: "production" } });
}

export interface ConsoleHarness {
  redis: TestRedisServer;
  db: EmbeddedPostgres;
  emulator: TinybirdEmulator;
  core: ConsoleCore;
  server: RunningServer;
  browser: Browser;
  prefix: string;
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/**
 * The whole stack in this process, as `npm run serve` runs it: a private persistent Redis,
 * the embedded Postgres with the small dataset, the Tinybird emulator with enough latency
 * (and a rate limit) that progress can be watched, the console core with a runner, and
 * the HTTP server serving the built renderer; plus Chromium.
 */
export async function startConsoleHarness(tokens: ConstructorParameters<typeof ApiAuth>[0]): Promise<ConsoleHarness> {
  buildRendererIfStale();
  const redis = await TestRedisServer.start({ persistent: true });
  const db = await startEmbeddedPostgres();
  await seedSmallDataset(db);
  const emulator = new TinybirdEmulator({ token: "tb", data: smallEmulatorData, latencyMs: [150, 300], seed: 7 });
  await emulator.start();
  const settings = settingsSchema.parse({
    redisUrl: redis.url,
    databaseUrl: "postgres://embedded/e2e",
    tinybirdHost: emulator.url,
    tinybirdToken: "tb",
    limiter: { maxConcurrent: 3, minTime: 50 },
    runner: { concurrency: 2, timeoutMs: 60_000, attempts: 2, backoffMs: 100 },
  });
  const prefix = testPrefix();
  const core = await startConsoleCore(settings, { runner: true, sql: db.sql, prefix, bullPrefix: `${prefix}bull` });
  const server = await startHttpServer({
    service: core.service,
    auth: new ApiAuth(tokens),
    settings,
    status: () => core.status(),
    onChange: (listener) => core.onChange(listener),
    staticRoot: RENDERER_OUT,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return {
    redis,
    db,
    emulator,
    core,
    server,
    browser,
    prefix,
    async newPage() {
      const context = await browser.newContext({
        viewport: { width: 1440, height: 860 },
        deviceScaleFactor: 1,
        timezoneId: "UTC",
        locale: "en-US",
        colorScheme: "light",
        reducedMotion: "reduce",
        acceptDownloads: true,
      });
      return { context, page: await context.newPage() };
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
      await core.stop();
      await emulator.stop();
      await db.sql.close();
      await redis.close();
    },
  };
}
