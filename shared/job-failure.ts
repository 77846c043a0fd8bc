import type { ErrorCode } from "./errors";
import type { ExportJobSummary } from "./job";

/*
 * Failures a retry cannot fix (the resource is gone, it has no views, the request is bad,
 * Tinybird refuses the token): the runner fails the job at once and its error starts with
 * this prefix, so every reader (the console, the REST API, the web app) can tell it apart
 * from a failure worth retrying without a new record field.
 */

export const PERMANENT_FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["NOT_FOUND", "NO_VIEWS", "BAD_INPUT", "TINYBIRD_AUTH"]);

export const PERMANENT_FAILURE_PREFIX = "Cannot be retried: ";

export function permanentFailureMessage(message: string): string {
  return message.startsWith(PERMANENT_FAILURE_PREFIX) ? message : `${PERMANENT_FAILURE_PREFIX}${message}`;
}

/** Whether a job failed for good: Retry is not offered (and refused). */
export function isPermanentFailure(job: Pick<ExportJobSummary, "status" | "error">): boolean {
  return job.status === "FAILED" && (job.error ?? "").startsWith(PERMANENT_FAILURE_PREFIX);
}

/** The error without the prefix: why it failed. */
export function permanentFailureReason(error: string): string {
  return error.startsWith(PERMANENT_FAILURE_PREFIX) ? error.slice(PERMANENT_FAILURE_PREFIX.length) : error;
}
