import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatTable, type Table } from "./table";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const OUTPUT_DIR = join(REPO_ROOT, "bench/output");

/** What one benchmark hands back to run.ts. */
export interface BenchResult {
  name: string;
  tables: Table[];
  /** Lines for the README's performance section (Markdown). */
  readme: string[];
  /** Everything measured, for bench/output/<name>.json. */
  data: unknown;
  skipped?: string;
}

export interface BenchOptions {
  /** `--full`: no sampling or extrapolation, however long it takes. */
  full: boolean;
}

const started = performance.now();

/** A progress line on stderr, stamped with the time since the run began. */
export function progress(line: string): void {
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`[bench ${seconds.toFixed(1).padStart(6)} s] ${line}\n`);
}

export function printTable(table: Table): void {
  process.stdout.write(`\n${formatTable(table)}\n\n`);
}

export function writeOutput(name: string, data: unknown): string {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

/** Facts about the machine that go with every figure. */
export async function machineInfo(): Promise<Record<string, unknown>> {
  const os = await import("node:os");
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
  };
}
