import { machineInfo, printTable, progress, writeOutput, type BenchOptions, type BenchResult } from "./bench-context";

/*
 * `npm run bench` runs every benchmark; `npm run bench -- store live` runs some of them.
 * `--full` turns sampling off (the seed strategy then runs all 10,000 views: about 73 min more).
 * The export part at the real limit takes about 75 min with BENCH_PARALLEL=1 (runs side by side).
 * Benchmarks are not tests: they print what one run measured on this machine and keep it
 * as JSON under bench/output/ (gitignored).
 */

const BENCHES: Record<string, (options: BenchOptions) => Promise<BenchResult>> = {
  export: async (options) => (await import("./export-throughput")).runExportThroughput(options),
  store: async () => (await import("./store-listing")).runStoreListing(),
  memory: async (options) => (await import("./export-memory")).runExportMemory(options),
  live: async () => (await import("./live-updates")).runLiveUpdates(),
  renderer: async () => (await import("./renderer-jobs")).runRendererJobs(),
};

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((a) => a.startsWith("--")));
  const names = args.filter((a) => !a.startsWith("--"));
  const unknown = [...names.filter((n) => !(n in BENCHES)), ...[...flags].filter((f) => f !== "--full")];
  if (unknown.length) {
    process.stderr.write(`unknown benchmark or flag: ${unknown.join(", ")}\nusage: npm run bench [-- ${Object.keys(BENCHES).join("|")} ...] [--full]\n`);
    return 2;
  }
  const selected = names.length ? Object.keys(BENCHES).filter((n) => names.includes(n)) : Object.keys(BENCHES);
  const options: BenchOptions = { full: flags.has("--full") };
  const machine = await machineInfo();
  progress(`running ${selected.join(", ")} on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}${options.full ? " (--full)" : ""}`);

  const results: BenchResult[] = [];
  const failures: string[] = [];
  const started = performance.now();
  for (const name of selected) {
    const benchStart = performance.now();
    try {
      const result = await BENCHES[name]!(options);
      results.push(result);
      const seconds = (performance.now() - benchStart) / 1000;
      if (result.skipped) {
        process.stdout.write(`\n${name} bench: skipped (${result.skipped})\n`);
      } else {
        for (const table of result.tables) printTable(table);
      }
      const path = writeOutput(result.name, { measuredAt: new Date().toISOString(), seconds, machine, options, skipped: result.skipped ?? null, tables: result.tables, data: result.data });
      progress(`${name}: done in ${seconds.toFixed(1)} s -> ${path}`);
    } catch (error) {
      failures.push(name);
      progress(`${name}: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  const totalSeconds = (performance.now() - started) / 1000;
  writeOutput("summary", {
    measuredAt: new Date().toISOString(),
    seconds: totalSeconds,
    machine,
    options,
    failures,
    benchmarks: Object.fromEntries(results.map((r) => [r.name, { skipped: r.skipped ?? null, tables: r.tables }])),
  });

  const readme = results.filter((r) => r.readme.length).flatMap((r) => [...r.readme, ""]);
  if (readme.length) {
    process.stdout.write(
      [
        "",
        "---- README performance section (paste from here) ----",
        "",
        `Measured with \`npm run bench\` on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, one run (${new Date().toISOString().slice(0, 10)}).`,
        "",
        ...readme,
        "---- end ----",
        "",
      ].join("\n"),
    );
  }
  progress(`all done in ${totalSeconds.toFixed(1)} s${failures.length ? `; failed: ${failures.join(", ")}` : ""}`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
