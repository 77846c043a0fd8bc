import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, rmSync, type WriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { finished } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { AppError } from "../../../shared/errors";
import type { CsvSink } from "../../core/csv/csv-writer";
import { exportVisits } from "../../core/export/export-visits";
import { createViewAnalytics } from "../../core/export/create-view-analytics";
import { RateLimiter } from "../../core/tinybird/rate-limiter";
import { TinybirdCallCounter } from "../../core/tinybird/call-counter";
import { TinybirdClient } from "../../core/tinybird/tinybird-client";
import { pgClient, type SqlClient } from "../../core/views/sql-client";
import { ViewsSource } from "../../core/views/views-source";
import { EXPORT_USAGE, parseExportArgs, type Environment, type ExportSettings } from "./export-args";
import { abortOnSignals } from "./process-lifecycle";

/*
 * `npm run export -- ...`: one export, headless, straight to a CSV file. The file appears
 * at --out only when it is complete (written to a temp file beside it, then renamed), so a
 * failed or interrupted export never leaves a partial CSV where the user expects the result.
 */

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export interface CommandOutput {
  stdout(line: string): void;
  stderr(line: string): void;
}

/** Progress lines at most every `intervalMs`, and always the final one. */
const PROGRESS_INTERVAL_MS = 250;

export async function runExportCommand(argv: readonly string[], env: Environment, output: CommandOutput, interrupt?: AbortSignal): Promise<number> {
  const parsed = parseExportArgs(argv, env);
  switch (parsed.kind) {
    case "help":
      output.stdout(EXPORT_USAGE);
      return EXIT.ok;
    case "usage-error":
      output.stderr(`error: ${oneLine(parsed.message)} (see --help)`);
      return EXIT.usage;
    case "config-error":
      output.stderr(`error: ${oneLine(parsed.message)}`);
      return EXIT.failed;
    case "run":
      return runExport(parsed.settings, output, interrupt);
  }
}

async function runExport(settings: ExportSettings, output: CommandOutput, interrupt?: AbortSignal): Promise<number> {
  const outFile = resolve(settings.outFile);
  const tempFile = join(dirname(outFile), `.${basename(outFile)}.${process.pid}-${randomBytes(4).toString("hex")}.partial`);
  // Also on a hard exit (a second Ctrl-C): never leave the partial file behind.
  const removeTempOnExit = () => rmSync(tempFile, { force: true });
  process.on("exit", removeTempOnExit);

  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new AppError("CANCELLED", "interrupted"));
  if (interrupt?.aborted) onInterrupt();
  interrupt?.addEventListener("abort", onInterrupt, { once: true });

  let sql: SqlClient | null = null;
  let redis: Redis | null = null;
  let limiter: RateLimiter | null = null;
  let stream: WriteStream | null = null;
  try {
    await refuseNonRegularTarget(outFile);
    stream = await openTempFile(tempFile, outFile);
    redis = settings.redisUrl ? await connectRedis(settings.redisUrl) : null;
    sql = pgClient(settings.databaseUrl);
    limiter = new RateLimiter({
      ...settings.rateLimit,
      ...(redis ? { redis, id: "tinybird" } : {}),
      onRecovered: (reason) => output.stderr(`warning: the shared rate limiter lost its Redis state and was rebuilt (${oneLine(reason)})`),
    });
    // With a Redis, its calls count towards the day's total every console shows.
    const tinybird = new TinybirdClient({ host: settings.tinybird.host, token: settings.tinybird.token, limiter, ...(redis ? { callCounter: new TinybirdCallCounter(redis) } : {}) });
    const progress = progressPrinter(output, PROGRESS_INTERVAL_MS);
    let startReason = "";

    const outcome = await exportVisits(
      { views: new ViewsSource(sql), analytics: createViewAnalytics(settings.mode, tinybird) },
      settings.request,
      fileSink(stream, controller.signal),
      {
        csv: settings.csv,
        signal: controller.signal,
        onStart: ({ resourceName, total, mode, modeReason }) => {
          startReason = modeReason;
          output.stderr(`exporting ${settings.request.type} "${oneLine(resourceName)}": ${total} views, ${mode} mode (${oneLine(modeReason)})`);
        },
        onProgress: progress.update,
      },
    );
    progress.finish(outcome.total, outcome.total);
    stream.end();
    await finished(stream);
    await refuseNonRegularTarget(outFile); // it may have changed while the export ran
    await rename(tempFile, outFile);
    for (const warning of outcome.warnings) output.stderr(`warning: ${oneLine(warning)}`);
    if (outcome.modeReason !== startReason) output.stderr(`mode: ${outcome.mode} (${oneLine(outcome.modeReason)})`);
    output.stderr(`done: ${outcome.rows} rows written to ${outFile} (${tinybird.stats.requests} Tinybird requests, ${tinybird.stats.retries} retries)`);
    return EXIT.ok;
  } catch (error) {
    if (interrupt?.aborted) {
      output.stderr(`interrupted: ${outFile} was not written`);
      return EXIT.interrupted;
    }
    output.stderr(`error: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return EXIT.failed;
  } finally {
    // Stops requests still in flight beside the one that failed, then lets go of everything.
    controller.abort(new AppError("CANCELLED", "the export has ended"));
    interrupt?.removeEventListener("abort", onInterrupt);
    if (stream && !stream.closed) {
      stream.destroy();
      await once(stream, "close").catch(() => undefined);
    }
    await rm(tempFile, { force: true });
    process.off("exit", removeTempOnExit);
    await limiter?.stop().catch(() => undefined);
    await sql?.close().catch(() => undefined);
    redis?.disconnect();
  }
}

/**
 * The finished CSV is renamed over --out, which would replace a device, FIFO or socket
 * (or the one a symlink points to the link itself) with a regular file, and fail on a
 * directory only after the whole export. So a target that exists must be a regular file.
 */
async function refuseNonRegularTarget(outFile: string): Promise<void> {
  let stats: Stats;
  try {
    stats = await stat(outFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new AppError("BAD_INPUT", `cannot write ${outFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!stats.isFile()) {
    throw new AppError("BAD_INPUT", `${outFile} is ${describeFileKind(stats)}, not a regular file: choose a new file name or an existing regular file`);
  }
}

function describeFileKind(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  return "a special file";
}

async function openTempFile(tempFile: string, outFile: string): Promise<WriteStream> {
  const stream = createWriteStream(tempFile, { flags: "wx" });
  try {
    await once(stream, "open");
  } catch (error) {
    throw new AppError("BAD_INPUT", `cannot write ${outFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return stream;
}

/** Writes chunks to the file, waiting for 'drain' when its buffer is full. */
function fileSink(stream: WriteStream, signal: AbortSignal): CsvSink {
  let failure: Error | null = null;
  stream.on("error", (error) => {
    failure = error;
  });
  return async (chunk) => {
    if (failure) throw failure;
    if (!stream.write(chunk)) await once(stream, "drain", { signal });
  };
}

async function connectRedis(url: string): Promise<Redis> {
  // Not lazyConnect: the limiter duplicates this client, options included, and a lazy
  // duplicate would never connect.
  const redis = new Redis(url, { connectTimeout: 5000, maxRetriesPerRequest: 2 });
  let connectionError = "";
  // Later failures surface through the commands that hit them.
  redis.on("error", (error: Error) => {
    connectionError = error.message;
  });
  try {
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    const { hostname, port } = new URL(url); // never the password
    const reason = connectionError || (error instanceof Error ? error.message : String(error));
    throw new AppError("UNAVAILABLE", `Redis at ${hostname}:${port || 6379} is unreachable: ${reason}`);
  }
}

function progressPrinter(output: CommandOutput, intervalMs: number): { update: (done: number, total: number) => void; finish: (done: number, total: number) => void } {
  let lastPrintedAt = -Infinity;
  let lastLine = "";
  const print = (done: number, total: number) => {
    lastLine = `views ${done} / ${total}`;
    lastPrintedAt = Date.now();
    output.stderr(lastLine);
  };
  return {
    update: (done, total) => {
      if (Date.now() - lastPrintedAt >= intervalMs) print(done, total);
    },
    finish: (done, total) => {
      if (lastLine !== `views ${done} / ${total}`) print(done, total);
    },
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

async function main(): Promise<void> {
  // SIGTERM (what `timeout` and service managers send) cleans up like Ctrl-C.
  const interrupt = abortOnSignals();
  const code = await runExportCommand(process.argv.slice(2), process.env, {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  }, interrupt.signal);
  // Explicit: a half-closed connection must not keep a finished command alive.
  process.exit(code === EXIT.interrupted ? (interrupt.exitCode() ?? code) : code);
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isEntryPoint) await main();
