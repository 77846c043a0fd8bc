import { readFileSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { DEFAULT_SETTINGS } from "../../shared/settings";
import { exportVisits } from "../../electron/core/export/export-visits";
import { createViewAnalytics } from "../../electron/core/export/create-view-analytics";
import { RateLimiter } from "../../electron/core/tinybird/rate-limiter";
import { TinybirdClient } from "../../electron/core/tinybird/tinybird-client";
import { wallClockMs } from "../../electron/core/time/wall-clock";
import { startEmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { ViewsSource } from "../../electron/core/views/views-source";

/*
 * One export in a process of its own, for benchmark 3 (export-memory.ts starts it with
 * `node --expose-gc --import tsx`). Opens the seeded PGlite data folder, settles, then runs a
 * batch-mode export to a file while sampling its own RSS every 50 ms. Prints one JSON line.
 */

export interface MemoryChildArgs {
  dataDir: string;
  tinybirdHost: string;
  token: string;
  teamId: string;
  documentId: string;
  outFile: string;
  maxConcurrent: number;
  /**
   * "bottleneck": the real RateLimiter (maxConcurrent, minTime 0). "semaphore": the same
   * number in flight, no bottleneck. An in-process bottleneck schedules at most ~400 jobs/s
   * (its local datastore yields with setTimeout between steps), so 110,000 requests
   * through it take ~5 minutes.
   */
  limiter: "bottleneck" | "semaphore";
}

/** Only a cap on requests in flight: what the limiter does at minTime 0, without bottleneck. */
class SemaphoreLimiter extends RateLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly cap: number) {
    super({ maxConcurrent: cap, minTime: 0 });
  }

  override async schedule<T>(task: (releasedAt: number) => Promise<T>): Promise<T> {
    while (this.running >= this.cap) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    try {
      return await task(wallClockMs());
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}

export interface MemoryChildReport {
  rssAtStart: number;
  /** RSS after PGlite is open and warm and a GC ran: what the export starts from. */
  baselineRss: number;
  /** Highest RSS sampled (every 50 ms) while the export ran. */
  peakRssSampled: number;
  /** Highest RSS the kernel saw while the export ran (VmHWM after a reset), when available. */
  peakRssKernel: number | null;
  /** Highest RSS of the whole process (set-up included). */
  peakRssLifetime: number;
  peakHeapUsed: number;
  rssAtEnd: number;
  rows: number;
  csvBytes: number;
  wallMs: number;
  samples: number;
  timeline: [number, number][];
}

const rssNow = () => process.memoryUsage().rss;

/** Linux: writing 5 to clear_refs resets the peak RSS (VmHWM) the kernel keeps. */
function resetKernelPeak(): boolean {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

function kernelPeak(): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as MemoryChildArgs;
  const rssAtStart = rssNow();
  const db = await startEmbeddedPostgres(args.dataDir);
  const views = new ViewsSource(db.sql);
  const total = await views.countDocumentViews({ teamId: args.teamId, documentId: args.documentId });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 300));
  gc?.();
  const baselineRss = rssNow();

  let peakRss = baselineRss;
  let peakHeap = process.memoryUsage().heapUsed;
  const timeline: [number, number][] = [];
  const t0 = performance.now();
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
    timeline.push([Math.round(performance.now() - t0), usage.rss]);
  };
  const sampler = setInterval(sample, 50);
  const kernelReset = resetKernelPeak();

  const limiter = args.limiter === "semaphore" ? new SemaphoreLimiter(args.maxConcurrent) : new RateLimiter({ maxConcurrent: args.maxConcurrent, minTime: 0 });
  const tinybird = new TinybirdClient({ host: args.tinybirdHost, token: args.token, limiter });
  const file = await open(args.outFile, "w");
  let csvBytes = 0;
  let nextReport = 0.1;
  let rows = 0;
  try {
    const outcome = await exportVisits(
      { views, analytics: createViewAnalytics("batch", tinybird) },
      { type: "document", teamId: args.teamId, resourceId: args.documentId },
      async (chunk) => {
        csvBytes += Buffer.byteLength(chunk);
        await file.write(chunk);
      },
      {
        csv: DEFAULT_SETTINGS.csv,
        onProgress: (done) => {
          if (done / total >= nextReport) {
            process.stderr.write(`${done} of ${total} views, rss ${(rssNow() / 2 ** 20).toFixed(0)} MB\n`);
            nextReport += 0.1;
          }
        },
      },
    );
    rows = outcome.rows;
  } finally {
    await file.close();
    await limiter.stop();
  }
  const wallMs = performance.now() - t0;
  sample();
  clearInterval(sampler);
  const report: MemoryChildReport = {
    rssAtStart,
    baselineRss,
    peakRssSampled: peakRss,
    peakRssKernel: kernelReset ? kernelPeak() : null,
    peakRssLifetime: process.resourceUsage().maxRSS * 1024,
    peakHeapUsed: peakHeap,
    rssAtEnd: rssNow(),
    rows,
    csvBytes,
    wallMs,
    samples: timeline.length,
    // Every 4th sample (200 ms apart) is plenty for a chart.
    timeline: timeline.filter((_, i) => i % 4 === 0),
  };
  await db.sql.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
