import { createHash } from "node:crypto";
import { type CsvSink } from "../../electron/core/csv/csv-writer";
import { DEFAULT_SETTINGS } from "../../shared/settings";
import { exportVisits } from "../../electron/core/export/export-visits";
import { createViewAnalytics } from "../../electron/core/export/create-view-analytics";
import { ENRICHMENT_MODES, type EnrichmentMode } from "../../electron/core/export/view-analytics";
import { PIPES } from "../../electron/core/tinybird/pipes";
import { RateLimiter } from "../../electron/core/tinybird/rate-limiter";
import { TinybirdClient } from "../../electron/core/tinybird/tinybird-client";
import { QUERY_API_PATH, TinybirdEmulator, type RequestLogEntry } from "../../electron/dev/tinybird-emulator/tinybird-emulator";
import { wallClockMs } from "../../electron/core/time/wall-clock";
import { startEmbeddedPostgres } from "../../electron/dev/embedded-postgres";
import { ViewsSource } from "../../electron/core/views/views-source";
import { findClickHouseServer } from "../../electron/dev/clickhouse-process";
import { TestClickHouse } from "../helpers/clickhouse-server";
import { progress, type BenchOptions, type BenchResult } from "./bench-context";
import { seedStrategyDataroomExport, seedStrategyExport } from "./seed-strategy";
import { mean } from "./stats";
import { seedSyntheticTeam, syntheticTeam } from "./synthetic-document";
import { fmtInt, fmtMs, fmtNum, fmtPct, fmtRatio, type Table } from "./table";

/*
 * Benchmark 1: export throughput against the Tinybird emulator with realistic latency and a
 * rate limit of its own, for four strategies: (a) the seed's (views one after another),
 * (b) our per-view mode, (c) our batch mode, (d) our sql mode. The limiter is 5 in flight /
 * minTime apart for all; the emulator's limits sit above that ceiling, so any 429 means the
 * limiter let too much through.
 *
 * BENCH_PARALLEL=1 runs the pipe strategies' runs side by side (after the sql runs), each with
 * its own limiter and its own emulator over the same data: each run is bound by its own
 * limiter, so the whole set at the real limit takes as long as its longest run (~75 min)
 * instead of ~3 h. The side-by-side runs share one Node process and one PGlite.
 */

const TOKEN = "bench-token";
const LATENCY: [number, number] = [30, 80];
const MAX_CONCURRENT = 5;
const EMULATOR_MAX_CONCURRENT = 10;
const TEAM = "bench_team";
const DEFAULT_WINDOW = 50;

type Strategy = "a" | "b" | "c" | "d";
const STRATEGY_NAMES: Record<Strategy, string> = {
  a: "(a) seed: one view at a time",
  b: "(b) ours, per-view",
  c: "(c) ours, batch",
  d: "(d) ours, sql (Query API)",
};
const MODE_OF: Record<Exclude<Strategy, "a">, string> = { b: "per-view", c: "batch", d: "sql" };
/** sql runs only once the sql mode exists and the emulator has a ClickHouse for /v0/sql. */
const SQL_MODE_AVAILABLE = (ENRICHMENT_MODES as readonly string[]).includes("sql");

interface RunSpec {
  strategy: Strategy;
  /** Views actually run when sampling (the rest is extrapolated). */
  sample?: number;
  /** exportVisits' window (views enriched side by side); its default (50) when absent. */
  window?: number;
}

interface Scenario {
  /** Its name in BENCH_CASES and the output. */
  name: string;
  kind: "document" | "dataroom";
  /** Document views (a dataroom's: sessions × documentViewsPerSession). */
  views: number;
  /** Dataroom visits (DATAROOM_VIEW rows); a dataroom case's sample counts these. */
  sessions?: number;
  minTime: number;
  runs: RunSpec[];
}

/*
 * Issue 12: everything at the real limit (5 in flight, 200 ms apart), nothing extrapolated
 * except the seed's strategy where it would take over 15 minutes (~2.2 calls per view at
 * 5 calls/s: 10,000 views is ~73 min), which runs a sample of 1,000 views (marked). Per-view
 * and batch at 10,000 views run in full: about 73 and 41 minutes.
 */
const ROOM_SESSIONS = 2_000;
const ROOM_VIEWS_PER_SESSION = 5;
const ROOM_DOCUMENTS = 20;
const SCENARIOS: Scenario[] = [
  { name: "document-1000", kind: "document", views: 1_000, minTime: 200, runs: [{ strategy: "a" }, { strategy: "b" }, { strategy: "c" }, { strategy: "d" }] },
  { name: "document-10000", kind: "document", views: 10_000, minTime: 200, runs: [{ strategy: "a", sample: 1_000 }, { strategy: "b" }, { strategy: "c" }, { strategy: "d" }] },
  // The seed's loop costs a call per document view and one per visit (~12,000 calls, ~40 min): a sample of 400 visits.
  {
    name: "dataroom-10000",
    kind: "dataroom",
    views: ROOM_SESSIONS * ROOM_VIEWS_PER_SESSION,
    sessions: ROOM_SESSIONS,
    minTime: 200,
    runs: [{ strategy: "a", sample: 400 }, { strategy: "b" }, { strategy: "c" }, { strategy: "d" }],
  },
];

export interface ThroughputRun {
  scenario: string;
  views: number;
  strategy: Strategy;
  window: number | null;
  minTime: number;
  emulatorQps: number;
  /** Rows (views; dataroom: visits plus their document views) actually written. */
  viewsRun: number;
  extrapolated: boolean;
  calls: number;
  callsByPipe: Record<string, number>;
  wallMs: number;
  /** Wall time of the whole export: measured, or extrapolated from the sample. */
  wallMsFull: number;
  callsFull: number;
  callsPerSecond: number;
  meanLatencyMs: number;
  ceilingPerSecond: number;
  shareOfCeiling: number;
  status429: number;
  otherErrors: number;
  retries: number;
  maxInFlight: number;
  minStartGapMs: number;
  gaps: GapAnalysis;
  csvSha256?: string;
}

/**
 * Where the wall time went that the limiter's minTime did not account for, from the release
 * times in the emulator's log: set-up before the first release, timer overshoot on gaps the
 * limiter filled as soon as it could, idle gaps (nothing to release: waiting for answers, the
 * next window, a database page), and the tail after the last release.
 */
export interface GapAnalysis {
  meanGapMs: number;
  setupMs: number;
  timerSlopMs: number;
  idleGaps: number;
  idleMs: number;
  tailMs: number;
}

function resourceId(scenario: Scenario): string {
  return scenario.kind === "document" ? `bench_doc_${scenario.views}` : `bench_room_${scenario.views}`;
}

const caseLabel = (scenario: Pick<Scenario, "kind" | "views" | "sessions">) =>
  scenario.kind === "document" ? `document, ${fmtInt(scenario.views)} views` : `dataroom, ${fmtInt(scenario.views)} document views in ${fmtInt(scenario.sessions ?? 0)} visits`;

function hashingSink(): { sink: CsvSink; digest: () => string } {
  const hash = createHash("sha256");
  return {
    sink: async (chunk) => {
      hash.update(chunk);
    },
    digest: () => hash.digest("hex"),
  };
}

const runName = (run: { strategy: Strategy; window?: number | null }) => `${STRATEGY_NAMES[run.strategy]}${run.window ? `, window ${run.window}` : ""}`;

export async function runExportThroughput(options: BenchOptions): Promise<BenchResult> {
  // --full: every headline run in full; the window experiment stays a sample.
  // BENCH_STRATEGIES=a,d runs only those strategies (the full set at the real limit takes ~2.5 h).
  // BENCH_CASES=document-1000,dataroom-10000 runs only those cases; BENCH_PARALLEL=1 runs side by side.
  const only = process.env.BENCH_STRATEGIES?.split(",").map((name) => name.trim());
  const cases = process.env.BENCH_CASES?.split(",").map((name) => name.trim());
  const unknownCases = cases?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
  if (unknownCases.length) throw new Error(`unknown BENCH_CASES ${unknownCases.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  const parallel = process.env.BENCH_PARALLEL === "1";
  const scenarios = SCENARIOS.filter((s) => !cases || cases.includes(s.name))
    .map((s) => (options.full ? { ...s, runs: s.runs.map((r) => (r.window ? r : { strategy: r.strategy })) } : s))
    .map((s) => ({
      ...s,
      runs: s.runs.filter((run) => !only || only.includes(run.strategy)),
    }));
  progress(`export: generating ${scenarios.map(caseLabel).join(" + ")}`);
  const team = syntheticTeam(
    TEAM,
    scenarios.filter((s) => s.kind === "document").map((s) => ({ id: resourceId(s), views: s.views })),
    11,
    scenarios
      .filter((s) => s.kind === "dataroom")
      .map((s) => ({ id: resourceId(s), sessions: s.sessions!, documentViewsPerSession: s.views / s.sessions!, documents: ROOM_DOCUMENTS })),
  );
  const db = await startEmbeddedPostgres();
  // The Query API needs a real ClickHouse behind the emulator (sql mode only).
  const clickhouse = SQL_MODE_AVAILABLE && findClickHouseServer() ? await TestClickHouse.start() : null;
  const emulator = new TinybirdEmulator({ token: TOKEN, data: team.emulator, latencyMs: LATENCY, seed: 3, ...(clickhouse ? { clickhouse: clickhouse.process } : {}) });
  const runs: ThroughputRun[] = [];
  try {
    const seedStart = performance.now();
    await seedSyntheticTeam(db, team);
    await db.exec("ANALYZE"); // planner statistics, as a real database keeps them
    progress(`export: PGlite seeded with ${fmtInt(team.tables.View.length)} views in ${fmtMs(performance.now() - seedStart)}; ${fmtInt(team.emulator.pageViews.length)} page-view events in the emulator`);
    await emulator.start();
    const views = new ViewsSource(db.sql);
    const emulatorQpsOf = (scenario: Scenario) => Math.max(50, Math.ceil((1.2 * 1000) / Math.max(1, scenario.minTime)));
    const planned = scenarios.flatMap((scenario) =>
      scenario.runs.flatMap((spec) => {
        if (spec.strategy === "d" && !(SQL_MODE_AVAILABLE && clickhouse)) {
          progress(`export: ${runName(spec)} skipped: ${SQL_MODE_AVAILABLE ? "no clickhouse-server for the emulator's /v0/sql" : "this build has no sql mode yet"}`);
          return [];
        }
        return [{ scenario, spec }];
      }),
    );
    const announce = ({ scenario, spec }: (typeof planned)[number]) =>
      progress(
        `export: ${runName(spec)}, ${caseLabel(scenario)}, minTime ${scenario.minTime} ms${spec.sample ? ` (sample: first ${fmtInt(spec.sample)} ${scenario.kind === "document" ? "views" : "visits"})` : ""} …`,
      );
    const report = (run: ThroughputRun) =>
      progress(
        `export:   ${run.scenario} ${STRATEGY_NAMES[run.strategy]}: ${fmtInt(run.calls)} calls in ${fmtMs(run.wallMs)} = ${fmtNum(run.callsPerSecond, 1)}/s (${fmtPct(run.shareOfCeiling)} of ${fmtNum(run.ceilingPerSecond, 1)}/s), 429s: ${run.status429}`,
      );
    // The shared emulator (with the Query API) runs one run at a time.
    const onShared = async (item: (typeof planned)[number]) => {
      emulator.limits = { qps: emulatorQpsOf(item.scenario), maxConcurrent: EMULATOR_MAX_CONCURRENT };
      announce(item);
      const run = await runOne(emulator, views, item.scenario, item.spec, emulatorQpsOf(item.scenario), parallel);
      runs.push(run);
      report(run);
    };
    // Side by side: a pipe run gets an emulator of its own (same data, limits and latency).
    const onOwn = async (item: (typeof planned)[number], index: number) => {
      const own = new TinybirdEmulator({ token: TOKEN, data: team.emulator, latencyMs: LATENCY, seed: 3 + index, limits: { qps: emulatorQpsOf(item.scenario), maxConcurrent: EMULATOR_MAX_CONCURRENT } });
      await own.start();
      try {
        announce(item);
        const run = await runOne(own, views, item.scenario, item.spec, emulatorQpsOf(item.scenario), parallel);
        runs.push(run);
        report(run);
      } finally {
        await own.stop();
      }
    };
    if (parallel) {
      for (const item of planned.filter((p) => p.spec.strategy === "d")) await onShared(item);
      await Promise.all(planned.filter((p) => p.spec.strategy !== "d").map(onOwn));
      const order = (r: ThroughputRun) => scenarios.findIndex((s) => s.name === r.scenario) * 10 + "abcd".indexOf(r.strategy);
      runs.sort((x, y) => order(x) - order(y));
    } else {
      for (const item of planned) await onShared(item);
    }
  } finally {
    await emulator.stop();
    await db.sql.close();
    await clickhouse?.close();
  }

  return {
    name: "export-throughput",
    tables: buildTables(runs, scenarios, parallel),
    readme: readmeLines(runs, scenarios, parallel),
    data: { latencyMs: LATENCY, maxConcurrent: MAX_CONCURRENT, emulatorMaxConcurrent: EMULATOR_MAX_CONCURRENT, parallel, runs },
  };
}

async function runOne(emulator: TinybirdEmulator, views: ViewsSource, scenario: Scenario, spec: RunSpec, emulatorQps: number, parallel: boolean): Promise<ThroughputRun> {
  const limiter = new RateLimiter({ maxConcurrent: MAX_CONCURRENT, minTime: scenario.minTime });
  const tinybird = new TinybirdClient({ host: emulator.url, token: TOKEN, limiter });
  const id = resourceId(scenario);
  // A sample counts views (document) or visits (dataroom); only the seed's strategy is sampled.
  const units = scenario.kind === "document" ? scenario.views : scenario.sessions!;
  const unitsToRun = Math.min(spec.sample ?? units, units);
  const sampled = unitsToRun < units;
  if (sampled && spec.strategy !== "a") throw new Error("only the seed's strategy runs a sample");
  const rowsToRun = scenario.kind === "document" ? unitsToRun : unitsToRun * (1 + scenario.views / units);
  const { sink, digest } = hashingSink();
  // Quiet gap so the emulator's rolling QPS window holds nothing of the previous run.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const logStart = emulator.log.length;
  const startedAt = wallClockMs();
  const t0 = performance.now();
  let viewsRun = 0;
  let finished = { at: t0, wall: startedAt };
  const ticker = setInterval(() => {
    progress(`export:   … ${scenario.name} ${spec.strategy}: ${fmtInt(viewsRun)} of ${fmtInt(rowsToRun)} rows, ${fmtInt(emulator.log.length - logStart)} calls, ${fmtMs(performance.now() - t0)}`);
  }, parallel ? 120_000 : 20_000);
  let unitsRun = 0;
  try {
    if (spec.strategy === "a") {
      const onProgress = (units: number, rows: number) => {
        unitsRun = units;
        viewsRun = rows;
      };
      const outcome =
        scenario.kind === "document"
          ? await seedStrategyExport({ views, tinybird }, { teamId: TEAM, documentId: id }, sink, unitsToRun, (done) => onProgress(done, done))
          : await seedStrategyDataroomExport({ views, tinybird }, { teamId: TEAM, dataroomId: id }, sink, unitsToRun, onProgress);
      viewsRun = outcome.views;
    } else {
      const mode = MODE_OF[spec.strategy] as EnrichmentMode;
      const outcome = await exportVisits(
        { views, analytics: createViewAnalytics(mode, tinybird) },
        { type: scenario.kind, teamId: TEAM, resourceId: id },
        sink,
        {
          csv: DEFAULT_SETTINGS.csv,
          ...(spec.window ? { window: spec.window } : {}),
          onProgress: (done) => {
            viewsRun = done;
          },
        },
      );
      viewsRun = outcome.rows;
      unitsRun = units;
    }
  } finally {
    finished = { at: performance.now(), wall: wallClockMs() };
    clearInterval(ticker);
    await limiter.stop();
  }
  const endedAt = finished.wall;
  const wallMs = finished.at - t0;
  // Let the last answers close so their log entries have an end time.
  await new Promise((resolve) => setTimeout(resolve, 150));
  const entries: RequestLogEntry[] = emulator.log.slice(logStart).filter((e) => e.releasedAt <= endedAt);
  const ok = entries.filter((e) => e.status === 200);
  const meanLatencyMs = mean(ok.map((e) => e.end - e.releasedAt));
  const ceilingPerSecond = Math.min(scenario.minTime > 0 ? 1000 / scenario.minTime : Infinity, MAX_CONCURRENT / (meanLatencyMs / 1000));
  const callsPerSecond = entries.length / (wallMs / 1000);
  const callsByPipe: Record<string, number> = {};
  for (const entry of entries) callsByPipe[entry.pipe] = (callsByPipe[entry.pipe] ?? 0) + 1;
  const gaps = analyseGaps(entries, scenario.minTime, startedAt, endedAt);

  let wallMsFull = wallMs;
  let callsFull = entries.length;
  if (sampled && unitsRun > 0) {
    // Set-up (team, document, count, first page) once, then the sample's rate per view (visit).
    // The seed's loop looks nothing ahead: every call of the run belongs to the sample.
    wallMsFull = gaps.setupMs + ((wallMs - gaps.setupMs) * units) / unitsRun;
    callsFull = Math.round((entries.length * units) / unitsRun);
  }
  return {
    scenario: scenario.name,
    views: scenario.views,
    strategy: spec.strategy,
    window: spec.strategy === "a" ? null : (spec.window ?? DEFAULT_WINDOW),
    minTime: scenario.minTime,
    emulatorQps,
    viewsRun,
    extrapolated: sampled,
    calls: entries.length,
    callsByPipe,
    wallMs,
    wallMsFull,
    callsFull,
    callsPerSecond,
    meanLatencyMs,
    ceilingPerSecond,
    shareOfCeiling: callsPerSecond / ceilingPerSecond,
    status429: entries.filter((e) => e.status === 429).length,
    otherErrors: entries.filter((e) => e.status !== 200 && e.status !== 429).length,
    retries: tinybird.stats.retries,
    maxInFlight: emulator.maxInFlight(entries),
    minStartGapMs: emulator.minStartGap(entries),
    gaps,
    ...(sampled ? {} : { csvSha256: digest() }),
  };
}

function analyseGaps(entries: RequestLogEntry[], minTime: number, startedAt: number, endedAt: number): GapAnalysis {
  const releases = entries.map((e) => e.releasedAt).sort((a, b) => a - b);
  if (releases.length === 0) return { meanGapMs: NaN, setupMs: endedAt - startedAt, timerSlopMs: 0, idleGaps: 0, idleMs: 0, tailMs: 0 };
  let slop = 0;
  let idle = 0;
  let idleGaps = 0;
  for (let i = 1; i < releases.length; i++) {
    const gap = releases[i]! - releases[i - 1]!;
    if (gap <= 1.5 * minTime) slop += Math.max(0, gap - minTime);
    else {
      idle += gap - minTime;
      idleGaps += 1;
    }
  }
  return {
    meanGapMs: releases.length > 1 ? (releases.at(-1)! - releases[0]!) / (releases.length - 1) : NaN,
    setupMs: releases[0]! - startedAt,
    timerSlopMs: slop,
    idleGaps,
    idleMs: idle,
    tailMs: Math.max(0, endedAt - releases.at(-1)!),
  };
}

const pipeShort: Record<string, string> = {
  [PIPES.pageDurationPerView]: "v5",
  [PIPES.userAgentPerViewV3]: "ua3",
  [PIPES.userAgentPerViewV2]: "ua2",
  [PIPES.dataroomViewDocumentStats]: "batch",
  [QUERY_API_PATH]: "sql",
};

const sideBySideNote = (parallel: boolean) =>
  parallel
    ? "The pipe strategies' runs ran side by side (BENCH_PARALLEL=1), each with its own limiter and emulator, in one Node process over one PGlite; the sql runs ran alone before them."
    : "The runs ran one after another.";

function buildTables(runs: ThroughputRun[], scenarios: Scenario[], parallel: boolean): Table[] {
  const labelOf = (run: ThroughputRun) => caseLabel(scenarios.find((s) => s.name === run.scenario)!);
  const seedOf = (scenario: string) => runs.find((r) => r.scenario === scenario && r.strategy === "a");
  const fullOf = (scenario: string, strategy: Strategy) => runs.find((r) => r.scenario === scenario && r.strategy === strategy && r.csvSha256);
  const rows = runs.map((run) => {
    const seed = seedOf(run.scenario);
    const mark = run.extrapolated ? "*" : "";
    return [
      labelOf(run),
      runName(run.window !== DEFAULT_WINDOW ? run : { strategy: run.strategy }),
      `${run.minTime} ms`,
      run.extrapolated ? `first ${fmtInt(run.viewsRun)} rows` : "all",
      Object.entries(run.callsByPipe)
        .map(([pipe, n]) => `${pipeShort[pipe] ?? pipe} ${fmtInt(n)}`)
        .join(", "),
      `${fmtInt(run.callsFull)}${mark}`,
      `${fmtMs(run.wallMsFull)}${mark}`,
      fmtNum(run.callsPerSecond, 1),
      fmtNum(run.ceilingPerSecond, 1),
      fmtPct(run.shareOfCeiling),
      run.status429,
      run.maxInFlight,
      fmtNum(run.minStartGapMs, 1),
      seed ? fmtRatio(seed.wallMsFull / run.wallMsFull) : "–",
    ];
  });
  const identical = scenarios.flatMap((s) => {
    const hashes = (["b", "c", "d"] as const).flatMap((strategy) => {
      const run = fullOf(s.name, strategy);
      return run ? [{ strategy, hash: run.csvSha256! }] : [];
    });
    if (hashes.length < 2) return [];
    const same = hashes.every((h) => h.hash === hashes[0]!.hash);
    return [`${caseLabel(s)}: ${hashes.map((h) => MODE_OF[h.strategy]).join(", ")} ${same ? "identical" : "DIFFERENT"}`];
  });
  const qps = [...new Set(runs.map((r) => `minTime ${r.minTime} ms -> emulator qps ${r.emulatorQps}`))].join("; ");
  const main: Table = {
    title: "Export throughput: Tinybird emulator, latency 30–80 ms, limiter 5 in flight / minTime apart",
    columns: ["case", "strategy", "minTime", "ran", "calls by pipe (ran)", "calls", "wall time", "calls/s", "ceiling/s", "of ceiling", "429s", "max in flight", "min gap ms", "speed-up vs (a)"],
    rows,
    notes: [
      "ceiling = min(1000 / minTime, 5 / mean latency), mean latency measured per run (release to answer); calls/s = calls made (emulator log) / wall time of the run.",
      `Emulator limits sit above the ceiling: ${qps}, max ${EMULATOR_MAX_CONCURRENT} in flight.`,
      "* extrapolated: the seed's strategy ran only its first views (document) or visits (dataroom) (column 'ran'); calls and wall time scale that sample's rate to the whole export (set-up counted once). calls/s and the share of the ceiling are the sample's own.",
      `(b), (c) and (d) run exportVisits with its default window of ${DEFAULT_WINDOW} views (sql: its own window), enriched up to two windows ahead (look-ahead).`,
      sideBySideNote(parallel),
      `CSV of our modes (sha-256, full runs): ${identical.join("; ") || "no two full runs of a case"}.`,
    ],
  };
  const pct = (ms: number, run: ThroughputRun) => fmtPct(ms / run.wallMs);
  const gapsTable: Table = {
    title: "Where the wall time went beyond calls × minTime (release times from the emulator log)",
    columns: ["case", "strategy", "calls × minTime", "mean gap between releases", "timer overshoot", "idle gaps (> 1.5 × minTime)", "set-up + tail", "mean latency"],
    rows: runs.map((run) => [
      labelOf(run),
      runName(run.window !== DEFAULT_WINDOW ? run : { strategy: run.strategy }),
      pct(run.calls * run.minTime, run),
      `${fmtNum(run.gaps.meanGapMs, 2)} ms`,
      pct(run.gaps.timerSlopMs, run),
      `${pct(run.gaps.idleMs, run)} (${fmtInt(run.gaps.idleGaps)} gaps)`,
      pct(run.gaps.setupMs + run.gaps.tailMs, run),
      `${fmtNum(run.meanLatencyMs, 1)} ms`,
    ]),
    notes: [
      "Shares of each run's wall time. 'calls × minTime' is the share of the minTime ceiling reached; timer overshoot is what bottleneck's timers and the start gate add to gaps they filled as soon as they could; idle gaps are moments with nothing to release: the seed waits for each answer (and the v3→v2 fallback) before the next call, while exportVisits keeps the next window's requests queued (look-ahead), so its only idle moments are page reads from PGlite.",
    ],
  };
  return [main, gapsTable];
}

function readmeLines(runs: ThroughputRun[], scenarios: Scenario[], parallel: boolean): string[] {
  const lines = [
    "| case | (a) seed's strategy | (b) per-view | (c) batch | (d) sql | seed's calls over sql's | 429s |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const scenario of scenarios) {
    const of = (s: Strategy) => runs.find((r) => r.scenario === scenario.name && r.strategy === s && r.window !== 20);
    const cell = (r: ThroughputRun | undefined) => (r ? `${fmtInt(r.callsFull)} calls, ${fmtMs(r.wallMsFull)}${r.extrapolated ? "*" : ""}` : "not run");
    const [a, d] = [of("a"), of("d")];
    const all429 = runs.filter((r) => r.scenario === scenario.name).reduce((sum, r) => sum + r.status429, 0);
    lines.push(`| ${caseLabel(scenario)} | ${cell(a)} | ${cell(of("b"))} | ${cell(of("c"))} | ${cell(d)} | ${a && d ? fmtRatio(a.callsFull / d.callsFull) : "–"} | ${all429} |`);
  }
  lines.push(
    "",
    "\\* the seed's strategy would take over 15 minutes: extrapolated from a sample (its first 1,000 views; a dataroom's first 400 visits).",
    sideBySideNote(parallel),
  );
  return lines;
}
