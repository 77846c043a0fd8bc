import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { TinybirdEmulator } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { startEmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { progress, REPO_ROOT, type BenchOptions, type BenchResult } from "./bench-context";
import type { MemoryChildArgs, MemoryChildReport } from "./export-memory-child";
import { seedSyntheticTeam, syntheticTeam } from "./synthetic-document";
import { fmtBytes, fmtInt, fmtMs, fmtRatio, type Table } from "./table";

/*
 * Benchmark 3: peak RSS of a streamed export of 100,000 views against 1,000 views. Each
 * export runs in a child process of its own (export-memory-child.ts) that opens the same
 * seeded PGlite data folder and writes the CSV to a file; the Tinybird emulator runs here,
 * so its data is not counted. Batch mode, minTime 0, no emulator latency or limits: this
 * measures memory, not the rate limit.
 */

const TOKEN = "bench-token";
const TEAM = "mem_team";
const SIZES = [1_000, 100_000];
const MAX_CONCURRENT = 10;
const CHILD = join(REPO_ROOT, "test/bench/export-memory-child.ts");

interface MemoryRun extends MemoryChildReport {
  views: number;
  /** Highest RSS sampled in the first and in the second half of the export's time. */
  peakFirstHalf: number;
  peakSecondHalf: number;
}

function halves(report: MemoryChildReport): { peakFirstHalf: number; peakSecondHalf: number } {
  const cut = report.wallMs / 2;
  const peakOf = (samples: [number, number][]) => samples.reduce((top, [, rss]) => Math.max(top, rss), 0);
  return { peakFirstHalf: peakOf(report.timeline.filter(([t]) => t < cut)), peakSecondHalf: peakOf(report.timeline.filter(([t]) => t >= cut)) };
}

const documentId = (views: number) => `mem_doc_${views}`;

function runChild(args: MemoryChildArgs, label: string): Promise<MemoryChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", CHILD, JSON.stringify(args)], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let last = "";
    const errors: string[] = [];
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.trim()) last = line;
    });
    createInterface({ input: child.stderr }).on("line", (line) => {
      errors.push(line);
      progress(`memory: [${label}] ${line}`);
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code !== 0) {
        reject(new Error(`the ${label} export child exited with ${code ?? signal}: ${errors.slice(-5).join(" | ")}`));
        return;
      }
      try {
        resolve(JSON.parse(last) as MemoryChildReport);
      } catch {
        reject(new Error(`the ${label} export child printed no report: ${last.slice(0, 200)}`));
      }
    });
  });
}

export async function runExportMemory(options: BenchOptions): Promise<BenchResult> {
  const limiter: MemoryChildArgs["limiter"] = options.full ? "bottleneck" : "semaphore";
  const workDir = mkdtempSync(join(tmpdir(), "vec-bench-memory-"));
  const dataDir = join(workDir, "pglite");
  const runs: MemoryRun[] = [];
  let emulator: TinybirdEmulator | null = null;
  try {
    progress(`memory: generating ${SIZES.map(fmtInt).join(" + ")} views and seeding a PGlite data folder on disk …`);
    const team = syntheticTeam(
      TEAM,
      SIZES.map((views) => ({ id: documentId(views), views })),
      23,
    );
    const started = performance.now();
    const db = await startEmbeddedPostgres(dataDir);
    await seedSyntheticTeam(db, team);
    // Planner statistics, as a real database keeps them (autovacuum): without them PGlite
    // sorts the whole table for every keyset page (~0.5 s per page of 1,000 at 100,000 views).
    await db.exec("ANALYZE");
    await db.sql.close();
    progress(`memory: seeded ${fmtInt(team.tables.View.length)} views in ${fmtMs(performance.now() - started)}`);
    emulator = new TinybirdEmulator({ token: TOKEN, data: team.emulator });
    const host = await emulator.start();

    for (const views of SIZES) {
      progress(`memory: exporting ${fmtInt(views)} views in a child process …`);
      const report = await runChild(
        { dataDir, tinybirdHost: host, token: TOKEN, teamId: TEAM, documentId: documentId(views), outFile: join(workDir, `export-${views}.csv`), maxConcurrent: MAX_CONCURRENT, limiter },
        `${fmtInt(views)} views`,
      );
      if (report.rows !== views) throw new Error(`the ${views}-view export wrote ${report.rows} rows`);
      runs.push({ views, ...report, ...halves(report) });
      progress(`memory: ${fmtInt(views)} views: baseline ${fmtBytes(report.baselineRss)}, peak ${fmtBytes(report.peakRssSampled)}, ${fmtMs(report.wallMs)}`);
    }
  } finally {
    await emulator?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }

  const [small, large] = [runs[0]!, runs[1]!];
  const peak = (r: MemoryRun) => Math.max(r.peakRssSampled, r.peakRssKernel ?? 0);
  const growth = (r: MemoryRun) => peak(r) - r.baselineRss;
  const table: Table = {
    title: "Memory: streamed CSV export to a file, each in its own process (batch mode, minTime 0)",
    columns: ["views", "CSV size", "wall time", "RSS after set-up (baseline)", "peak RSS during export", "growth over baseline", "peak RSS 1st half / 2nd half", "peak heap used", "peak RSS incl. set-up"],
    rows: runs.map((r) => [
      fmtInt(r.views),
      fmtBytes(r.csvBytes),
      fmtMs(r.wallMs),
      fmtBytes(r.baselineRss),
      fmtBytes(peak(r)),
      fmtBytes(growth(r)),
      `${fmtBytes(r.peakFirstHalf)} / ${fmtBytes(r.peakSecondHalf)}`,
      fmtBytes(r.peakHeapUsed),
      fmtBytes(r.peakRssLifetime),
    ]),
    notes: [
      `100,000 ÷ 1,000 views: peak RSS ${fmtRatio(peak(large) / peak(small), 2)}, growth over baseline ${fmtRatio(growth(large) / Math.max(1, growth(small)), 1)}, for ${fmtRatio(large.csvBytes / small.csvBytes, 0)} the CSV.`,
      "Baseline = RSS once PGlite (the embedded Postgres, WASM) has opened the seeded data folder, counted the views and a GC ran; most of it is PGlite.",
      `Peak = the higher of the 50 ms RSS samples (${fmtInt(large.samples)} for 100,000 views) and the kernel's VmHWM reset at the start of the export${large.peakRssKernel === null ? " (not available here)" : ""}.`,
      `Tinybird emulator in the parent process with no latency and no limits; ${MAX_CONCURRENT} requests in flight, ${
        limiter === "bottleneck"
          ? "through the real RateLimiter (bottleneck, minTime 0)"
          : "capped by a plain semaphore in place of bottleneck, which schedules at most ~400 requests/s in-process (110,000 requests would take ~5 min; `--full` uses it)"
      }; window of 50 views (exportVisits' default), pages of 1,000 views from PGlite (ANALYZEd after seeding).`,
      "Peak RSS per half of the export's time: a second half no higher than the first means memory does not grow with the views done. The early rise is V8 sizing its heap under allocation pressure (peak heap used), then it stays flat.",
    ],
  };
  const readme = [
    "**Memory** (batch-mode export streamed to a file, each in its own process)",
    "",
    "| views | CSV | RSS after set-up (PGlite) | peak RSS during export | growth |",
    "|---:|---:|---:|---:|---:|",
    ...runs.map((r) => `| ${fmtInt(r.views)} | ${fmtBytes(r.csvBytes)} | ${fmtBytes(r.baselineRss)} | ${fmtBytes(peak(r))} | ${fmtBytes(growth(r))} |`),
  ];
  return { name: "export-memory", tables: [table], readme, data: { maxConcurrent: MAX_CONCURRENT, limiter, runs } };
}
