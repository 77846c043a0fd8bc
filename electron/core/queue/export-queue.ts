import { Queue, type ConnectionOptions } from "bullmq";
import { AppError } from "../../../shared/errors";

export const EXPORT_QUEUE_NAME = "export-visits";

/** What the queue job carries: only the id; the Redis job hash is the record users see. */
export interface ExportQueueData {
  exportId: string;
}

export interface RetryOptions {
  /** Tries in all, including the first (default 3). */
  attempts: number;
  /** First backoff in ms, doubled each retry (default 5000). */
  backoffMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = { attempts: 3, backoffMs: 5000 };

export function validateRetryOptions(options: Partial<RetryOptions>): RetryOptions {
  const merged = { ...DEFAULT_RETRY_OPTIONS, ...options };
  if (!Number.isInteger(merged.attempts) || merged.attempts < 1 || merged.attempts > 20) {
    throw new AppError("BAD_INPUT", `attempts must be a whole number from 1 to 20, got ${merged.attempts}`);
  }
  if (!Number.isInteger(merged.backoffMs) || merged.backoffMs < 0 || merged.backoffMs > 3_600_000) {
    throw new AppError("BAD_INPUT", `backoffMs must be a whole number of ms from 0 to 3600000, got ${merged.backoffMs}`);
  }
  return merged;
}

export interface ExportQueueOptions {
  connection: ConnectionOptions;
  /** BullMQ key prefix (default "bull"); tests use their own. */
  prefix?: string;
  retry?: Partial<RetryOptions>;
}

/** The producer side: idempotent enqueue (jobId = exportId) and removal. */
export class ExportQueue {
  readonly queue: Queue<ExportQueueData>;
  readonly retry: RetryOptions;

  constructor(options: ExportQueueOptions) {
    this.retry = validateRetryOptions(options.retry ?? {});
    this.queue = new Queue<ExportQueueData>(EXPORT_QUEUE_NAME, { connection: options.connection, prefix: options.prefix ?? "bull" });
    this.queue.on("error", () => {}); // connection errors surface on calls
  }

  async enqueue(exportId: string): Promise<void> {
    await this.queue.add(
      "export",
      { exportId },
      {
        jobId: exportId,
        attempts: this.retry.attempts,
        backoff: { type: "exponential", delay: this.retry.backoffMs },
        // Finished queue entries are not kept: the job hash holds the outcome, and a retry
        // must be able to add the same jobId again.
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Removes a waiting or delayed entry; an active one stays until its runner lets go. */
  async remove(exportId: string): Promise<void> {
    await this.queue.remove(exportId).catch(() => 0);
  }

  /** Ids of the exports waiting for a runner, next to run first (delayed retries are not waiting). */
  async waitingIds(): Promise<string[]> {
    return this.queue.getRanges(["wait", "prioritized"], 0, -1, true);
  }

  async has(exportId: string): Promise<boolean> {
    return (await this.queue.getJob(exportId)) !== undefined;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
