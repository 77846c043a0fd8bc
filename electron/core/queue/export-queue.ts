import { Queue, type ConnectionOptions } from "bullmq";
import { parseInput } from "../../../shared/parse-input";
import { DEFAULT_SETTINGS, runnerSettingsSchema, type RunnerSettings } from "../../../shared/settings";

export const EXPORT_QUEUE_NAME = "export-visits";

/** What the queue job carries: only the id; the Redis job hash is the record users see. */
export interface ExportQueueData {
  exportId: string;
}

/** Tries in all (including the first), and the first backoff in ms, doubled each retry. */
export type RetryOptions = Pick<RunnerSettings, "attempts" | "backoffMs">;

export function validateRetryOptions(options: Partial<RetryOptions>): RetryOptions {
  const { attempts, backoffMs } = { ...DEFAULT_SETTINGS.runner, ...options };
  return parseInput(runnerSettingsSchema.pick({ attempts: true, backoffMs: true }), { attempts, backoffMs }, "retry options");
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
