import type { JobChange } from "../../shared/job";
import { subscribeToJobChanges } from "../../electron/core/jobs/job-events";
import { JobStore } from "../../electron/core/jobs/job-store";
import { TestRedisServer } from "../helpers/redis-server";
import { progress, type BenchResult } from "./bench-context";
import { summarize, type Summary } from "./stats";
import { fmtMs, fmtNum, fmtRatio, type Table } from "./table";

/*
 * Benchmark 4: how long after the runner's COMPLETED write a subscriber hears of it. Each
 * sample is a PROCESSING record; we stamp the time, make the COMPLETED transition ourselves
 * (the same Lua script the runner runs, with the same patch, and for one series moving a
 * 1 MB CSV in from the run's partial key), and take the time at which
 * subscribeToJobChanges delivers the parsed event. Compared with the renderer's 3 s poll.
 */

const SAMPLES = 200;
const SAMPLES_WITH_CSV = 50;
const POLL_MS = 3000;
const ONE_MB = "x".repeat(2 ** 20);

interface Series {
  name: string;
  samples: number;
  /** Stamp before the transition call -> event delivered. */
  writeToEvent: Summary;
  /** Stamp before the call -> the call returned. */
  writeCall: Summary;
  /** The call returned -> event delivered (negative: the event came first). */
  returnToEvent: Summary;
}

export async function runLiveUpdates(): Promise<BenchResult> {
  const server = await TestRedisServer.start();
  const redis = server.client();
  const store = new JobStore(redis, { prefix: "live:" });
  const waiting = new Map<string, (at: number) => void>();
  const subscription = await subscribeToJobChanges(redis, store.keys, (change: JobChange) => {
    const at = performance.now();
    if (change.status === "COMPLETED") waiting.get(change.id)?.(at);
  });
  const series: Series[] = [];
  try {
    const measure = async (name: string, samples: number, withCsv: boolean) => {
      const toEvent: number[] = [];
      const call: number[] = [];
      const afterReturn: number[] = [];
      for (let i = 0; i < samples + 10; i++) {
        const job = await store.create({ type: "document", teamId: "live_team", userId: "live_user", resourceId: "doc_1" });
        const runId = `run${i}`;
        await store.transition(job.id, "PROCESSING", { patch: { runId, attempts: 1, progress: 0 } });
        if (withCsv) await store.appendPartialResult(job.id, runId, ONE_MB);
        // A random pause so the samples do not fall into step with anything.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
        const event = new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no event for ${job.id} within 5 s`)), 5000);
          waiting.set(job.id, (at) => {
            clearTimeout(timer);
            resolve(at);
          });
        });
        const t0 = performance.now();
        await store.transition(job.id, "COMPLETED", {
          runId,
          patch: { completedAt: new Date().toISOString(), progress: 100, total: 100 },
          clear: ["error"],
          takePartialResult: withCsv,
        });
        const returned = performance.now();
        const heard = await event;
        waiting.delete(job.id);
        if (i < 10) continue; // warm-up
        toEvent.push(heard - t0);
        call.push(returned - t0);
        afterReturn.push(heard - returned);
      }
      const result: Series = { name, samples, writeToEvent: summarize(toEvent), writeCall: summarize(call), returnToEvent: summarize(afterReturn) };
      series.push(result);
      progress(`live: ${name}: median ${fmtMs(result.writeToEvent.median)}, p95 ${fmtMs(result.writeToEvent.p95)}, max ${fmtMs(result.writeToEvent.max)}`);
    };
    await measure("COMPLETED write (progress patch)", SAMPLES, false);
    await measure("COMPLETED write moving a 1 MB CSV in", SAMPLES_WITH_CSV, true);
  } finally {
    await subscription.close();
    redis.disconnect();
    await server.close();
  }

  const push = series[0]!;
  // A change lands at a uniformly random moment of the poll period: wait U(0, 3 s).
  const poll = { median: POLL_MS / 2, p95: POLL_MS * 0.95, max: POLL_MS, mean: POLL_MS / 2 };
  const table: Table = {
    title: "Live updates: COMPLETED write -> subscriber event (private redis-server, same machine)",
    columns: ["path", "samples", "median", "p95", "max", "write call (median)", "event after call returned (median)", "3 s poll ÷ push (median)"],
    rows: [
      ...series.map((s) => [
        `push: ${s.name}`,
        s.samples,
        fmtMs(s.writeToEvent.median),
        fmtMs(s.writeToEvent.p95),
        fmtMs(s.writeToEvent.max),
        fmtMs(s.writeCall.median),
        `${fmtNum(s.returnToEvent.median, 2)} ms`,
        fmtRatio(poll.median / s.writeToEvent.median, 0),
      ]),
      ["3 s poll (expected, uniform phase)", "–", fmtMs(poll.median), fmtMs(poll.p95), fmtMs(poll.max), "–", "–", "1×"],
    ],
    notes: [
      "Timed from a stamp taken just before JobStore.transition(…, 'COMPLETED') to the moment subscribeToJobChanges hands over the parsed event (PUBLISH inside the same Lua script, dedicated subscriber connection).",
      "A negative 'event after call returned' means the subscriber heard of the change before the writer's own reply arrived.",
      "The poll row is what the renderer's 3 s poll gives by itself (plus one list call, ~1 ms: see the store benchmark); push time excludes the main→renderer hop (IPC or server-sent events).",
    ],
  };
  const readme = [
    "**Live updates** (COMPLETED write to the subscriber's event)",
    "",
    "| update path | median | p95 | max |",
    "|---|---:|---:|---:|",
    `| push (Redis pub/sub from the COMPLETED write, ${push.samples} samples) | ${fmtMs(push.writeToEvent.median)} | ${fmtMs(push.writeToEvent.p95)} | ${fmtMs(push.writeToEvent.max)} |`,
    `| 3 s poll alone (expected) | ${fmtMs(poll.median)} | ${fmtMs(poll.p95)} | ${fmtMs(poll.max)} |`,
  ];
  return { name: "live-updates", tables: [table], readme, data: { pollMs: POLL_MS, series } };
}
