import { UnrecoverableError, WaitingError, Worker, type ConnectionOptions, type Job } from "bullmq";
import { AppError, NON_RETRYABLE_CODES } from "../../../shared/errors";
import { isValidId } from "../../../shared/ids";
import { parseInput } from "../../../shared/parse-input";
import { DEFAULT_SETTINGS, runnerSettingsSchema } from "../../../shared/settings";
import { PERMANENT_FAILURE_CODES, permanentFailureMessage } from "../../../shared/job-failure";
import type { CsvOptions } from "../csv/csv-writer";
import { exportRequest, exportVisits, type ExportDeps } from "../export/export-visits";
import { meterTinybirdCalls, type CallMeter } from "../tinybird/call-meter";
import { newJobId } from "../jobs/job-id";
import type { JobChangeSubscription } from "../jobs/job-events";
import type { JobStore } from "../jobs/job-store";
import { EXPORT_QUEUE_NAME, type ExportQueue, type ExportQueueData } from "./export-queue";

export interface ExportRunnerOptions {
  /** BullMQ worker connection options (the worker makes its own blocking connection). */
  connection: ConnectionOptions;
  store: JobStore;
  queue: ExportQueue;
  deps: ExportDeps;
  csv: CsvOptions;
  /** Exports at once in this runner (default 2). */
  concurrency?: number;
  /** Per-job time limit (default 15 min). */
  timeoutMs?: number;
  /** BullMQ key prefix (default "bull"). */
  bullPrefix?: string;
  /** Lock and stall check timings; short in tests so a killed runner's job is taken over fast. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Minimum ms between two progress writes of one job (default 500). */
  progressIntervalMs?: number;
  /** Views enriched side by side per step (default 20): also the progress granularity. */
  window?: number;
  log?: (line: string) => void;
}

/** Takeovers of a job whose runner died before BullMQ gives it up (FAILED). */
export const MAX_STALLED_COUNT = 5;

export function stalledTooOftenMessage(maxStalledCount: number): string {
  return `the export's runner stopped responding (crashed or was killed) ${maxStalledCount + 1} times while running it, so it was given up`;
}

/** Abort reason when the runner stops: the job goes back to the queue, not to FAILED. */
class RunnerShutdown extends Error {
  constructor() {
    super("the runner is shutting down");
  }
}

export function validateRunnerNumbers(options: { concurrency?: number; timeoutMs?: number }): { concurrency: number; timeoutMs: number } {
  const { concurrency, timeoutMs } = { ...DEFAULT_SETTINGS.runner, ...definedOnly(options) };
  return parseInput(runnerSettingsSchema.pick({ concurrency: true, timeoutMs: true }), { concurrency, timeoutMs }, "runner options");
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * The local queue runner: a BullMQ worker whose processor runs one export, keeping the job
 * hash (the record users see) in step: PROCESSING with progress, then COMPLETED with the
 * CSV, or FAILED once no retry is coming. Each run owns the record through a runId, so a run
 * that was cancelled or taken over (stalled recovery) can no longer write to it.
 */
export class ExportRunner {
  private worker: Worker<ExportQueueData> | null = null;
  private cancelRequests: JobChangeSubscription | null = null;
  private readonly active = new Map<string, AbortController>();
  private readonly concurrency: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: ExportRunnerOptions) {
    ({ concurrency: this.concurrency, timeoutMs: this.timeoutMs } = validateRunnerNumbers(options));
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Jobs this runner is working on now. */
  get activeJobIds(): string[] {
    return [...this.active.keys()];
  }

  async start(): Promise<void> {
    this.cancelRequests = await this.options.store.subscribeToCancellations(
      (id) => this.active.get(id)?.abort(new AppError("CANCELLED", "Cancelled by user")),
      (error) => this.log(`cancel subscription: ${error.message}`),
    );
    const requeued = await this.reconcile();
    if (requeued.length) this.log(`re-enqueued ${requeued.length} pending export(s): ${requeued.join(", ")}`);

    const worker = new Worker<ExportQueueData>(EXPORT_QUEUE_NAME, (job, token, signal) => this.process(job, token, signal), {
      connection: this.options.connection,
      prefix: this.options.bullPrefix ?? "bull",
      concurrency: this.concurrency,
      lockDuration: this.options.lockDurationMs ?? DEFAULT_SETTINGS.runner.lockDurationMs,
      stalledInterval: this.options.stalledIntervalMs ?? DEFAULT_SETTINGS.runner.lockDurationMs,
      maxStalledCount: MAX_STALLED_COUNT,
    });
    worker.on("error", (error) => this.log(`queue error: ${error.message}`));
    worker.on("failed", (job, error) => {
      void this.onQueueFailure(job, error);
      void this.requeueIfRetried(job);
    });
    worker.on("completed", (job) => void this.requeueIfRetried(job));
    this.worker = worker;
    await worker.waitUntilReady();
  }

  /**
   * Hands running jobs back to the queue (their records go back to PENDING) and stops.
   * Nothing is lost: this or another runner picks them up again.
   */
  async stop(): Promise<void> {
    for (const controller of this.active.values()) controller.abort(new RunnerShutdown());
    await this.worker?.close();
    this.worker = null;
    await this.cancelRequests?.close();
    this.cancelRequests = null;
  }

  /**
   * Re-enqueues records of ours (hashes) that are PENDING or PROCESSING but have no queue
   * entry (lost queue, crash between create and enqueue). Web-app JSON records belong to
   * its own runner and are left alone.
   */
  async reconcile(): Promise<string[]> {
    const { store, queue } = this.options;
    const requeued: string[] = [];
    for (const id of await store.unfinishedJobIds()) {
      if (await queue.has(id)) continue;
      // A record that does not decode cannot run: say so once and leave it for a person to delete.
      const readable = await store.getSummary(id).then(
        () => true,
        (error: unknown) => {
          if (!(error instanceof AppError && error.code === "MALFORMED_RECORD")) throw error;
          this.log(`export ${id}: not re-enqueued, the record is malformed (${error.message})`);
          return false;
        },
      );
      if (!readable) continue;
      // A PROCESSING record without a queue entry has no run left: it starts over.
      await store.transition(id, "PENDING", { from: ["PROCESSING"], clear: ["runId"] }).catch(() => undefined);
      await queue.enqueue(id);
      requeued.push(id);
    }
    return requeued;
  }

  /**
   * A retry that came while a run was still letting go of its queue entry could not enqueue
   * (BullMQ keeps one entry per id, and an active one cannot be removed): once the entry is
   * gone, a record left PENDING without one is enqueued here.
   */
  private async requeueIfRetried(job: Job<ExportQueueData> | undefined): Promise<void> {
    const id = job?.data?.exportId;
    if (!isValidId(id)) return;
    const { store, queue } = this.options;
    try {
      if ((await store.getSummary(id))?.status !== "PENDING" || (await queue.has(id))) return;
      await queue.enqueue(id);
      this.log(`export ${id}: retried while its previous run was ending; queued again`);
    } catch (error) {
      this.log(`export ${id}: could not check for a retry after its run: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async process(job: Job<ExportQueueData>, token: string | undefined, queueSignal: AbortSignal | undefined): Promise<void> {
    const { store } = this.options;
    const id = job.data?.exportId;
    if (!isValidId(id)) throw new UnrecoverableError(`queue job ${job.id} carries no valid export id`);
    const runId = newJobId(12);
    const attempt = job.attemptsMade + 1;

    try {
      await store.transition(id, "PROCESSING", {
        from: ["PENDING", "PROCESSING"],
        patch: { runId, attempts: attempt, progress: 0, startedAt: new Date().toISOString() },
      });
    } catch (error) {
      // Deleted, cancelled, finished or not ours: nothing to run.
      if (error instanceof AppError && error.code !== "UNAVAILABLE") {
        this.log(`export ${id}: not run (${error.message})`);
        return;
      }
      throw error;
    }
    const stored = await store.get(id);
    if (!stored) return;
    const record = stored.job;

    const controller = new AbortController();
    this.active.set(id, controller);
    const timer = setTimeout(
      () => controller.abort(new AppError("TIMEOUT", `the export ran longer than ${Math.round(this.timeoutMs / 1000)} s and was stopped`)),
      this.timeoutMs,
    );
    const onQueueAbort = () => controller.abort(new AppError("CANCELLED", "Cancelled by user"));
    queueSignal?.addEventListener("abort", onQueueAbort, { once: true });
    let lastProgressWrite = 0;
    let bytes = 0;
    // Tinybird calls of this export across its attempts: earlier attempts' plus this one's.
    const meter: CallMeter = { calls: 0 };
    const calls = () => (record.tinybirdCalls ?? 0) + meter.calls;
    const progressInterval = this.options.progressIntervalMs ?? 500;

    try {
      await store.discardPartialResult(id, runId);
      const outcome = await meterTinybirdCalls(meter, () => exportVisits(
        this.options.deps,
        exportRequest(record),
        async (chunk) => {
          bytes += Buffer.byteLength(chunk);
          await store.appendPartialResult(id, runId, chunk);
        },
        {
          csv: this.options.csv,
          signal: controller.signal,
          window: this.options.window ?? 20,
          onStart: async ({ resourceName, total, mode, modeReason }) => {
            await store.transition(id, "PROCESSING", { runId, patch: { resourceName, total, progress: 0, mode, modeReason } });
          },
          onProgress: (done, total) => {
            const now = Date.now();
            if (now - lastProgressWrite < progressInterval) return;
            lastProgressWrite = now;
            // The write doubles as the between-batches check: it fails once the job was
            // cancelled or taken over, and the export stops.
            store.transition(id, "PROCESSING", { runId, patch: { progress: done, total, tinybirdCalls: calls() } }).catch((error: unknown) => {
              if (error instanceof AppError && error.code !== "UNAVAILABLE") controller.abort(new AppError("CANCELLED", "the job was cancelled or taken over"));
            });
          },
        },
      ));
      for (const warning of outcome.warnings) this.log(`export ${id}: ${warning}`);
      await store.transition(id, "COMPLETED", {
        runId,
        patch: {
          completedAt: new Date().toISOString(),
          progress: outcome.total,
          total: outcome.total,
          mode: outcome.mode,
          modeReason: outcome.modeReason,
          rows: outcome.rows,
          bytes,
          tinybirdCalls: calls(),
          ...(outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {}),
        },
        clear: ["error"],
        takePartialResult: true,
      });
      this.log(`export ${id}: completed, ${outcome.rows} rows`);
    } catch (error) {
      // The attempt is over: its queries still queued or waiting stop here, no more calls leave.
      if (!controller.signal.aborted) controller.abort(error);
      await store.discardPartialResult(id, runId).catch(() => undefined);
      await this.onRunFailure(job, token, id, runId, attempt, controller.signal.aborted ? controller.signal.reason : error, calls());
    } finally {
      clearTimeout(timer);
      queueSignal?.removeEventListener("abort", onQueueAbort);
      this.active.delete(id);
    }
  }

  /** Decides what a failed run means for the record, then tells BullMQ. Always throws. */
  private async onRunFailure(
    job: Job<ExportQueueData>,
    token: string | undefined,
    id: string,
    runId: string,
    attempt: number,
    reason: unknown,
    tinybirdCalls: number,
  ): Promise<never> {
    const { store } = this.options;
    // Only a record this run still holds (PROCESSING) is written: a cancel that raced the
    // failure has already made it FAILED, and a dying run must not bring it back.
    const ignoreConflict = (error: unknown) => {
      if (!(error instanceof AppError) || error.code === "UNAVAILABLE") throw error;
    };
    if (reason instanceof RunnerShutdown) {
      await store.transition(id, "PENDING", { from: ["PROCESSING"], runId, clear: ["runId"], patch: { progress: 0, tinybirdCalls } }).catch(ignoreConflict);
      await job.moveToWait(token);
      this.log(`export ${id}: handed back to the queue`);
      throw new WaitingError();
    }
    const message = reason instanceof Error ? reason.message : String(reason);
    if (reason instanceof AppError && reason.code === "CANCELLED") {
      this.log(`export ${id}: cancelled`);
      throw new UnrecoverableError(message);
    }
    const retryable = !(reason instanceof AppError && (NON_RETRYABLE_CODES.has(reason.code) || reason.code === "TIMEOUT"));
    const attempts = job.opts.attempts ?? 1;
    if (!retryable || attempt >= attempts) {
      const permanent = reason instanceof AppError && PERMANENT_FAILURE_CODES.has(reason.code);
      const error = permanent ? permanentFailureMessage(message) : message;
      await store.transition(id, "FAILED", { from: ["PROCESSING"], runId, patch: { error, attempts: attempt, tinybirdCalls } }).catch(ignoreConflict);
      this.log(`export ${id}: failed after ${attempt} attempt(s): ${message}`);
      throw new UnrecoverableError(message);
    }
    // A retry is coming: the record is not FAILED, it waits with the last error shown.
    await store
      .transition(id, "PENDING", { from: ["PROCESSING"], runId, clear: ["runId"], patch: { error: `attempt ${attempt} of ${attempts} failed, retrying: ${message}`, attempts: attempt, tinybirdCalls } })
      .catch(ignoreConflict);
    this.log(`export ${id}: attempt ${attempt} failed, retrying: ${message}`);
    throw reason instanceof Error ? reason : new Error(message);
  }

  /**
   * BullMQ fails a job itself when it stalled more than MAX_STALLED_COUNT times: its stall
   * check marks the job with a deferred failure, and the runner that next takes it fails it
   * at once, without our processor. That mark, not the message text, tells the case apart.
   */
  private async onQueueFailure(job: Job<ExportQueueData> | undefined, error: Error): Promise<void> {
    const id = job?.data?.exportId;
    if (!job?.deferredFailure || !isValidId(id)) return;
    await this.options.store
      .transition(id, "FAILED", { from: ["PENDING", "PROCESSING"], clear: ["runId"], patch: { error: stalledTooOftenMessage(MAX_STALLED_COUNT) } })
      .then(() => this.log(`export ${id}: failed, ${error.message}`))
      .catch((failure: unknown) => this.log(`export ${id}: could not be marked FAILED after stalling: ${failure instanceof Error ? failure.message : String(failure)}`));
  }
}
