/**
 * Error codes that cross process boundaries (IPC, REST, CLI exit messages). Every failure a
 * user can see maps to one of these; the message is for humans, the code for programs.
 */
export const ERROR_CODES = [
  "BAD_INPUT", // payload, id or config value failed validation
  "NOT_FOUND", // no such job / resource (or not visible to the caller)
  "CONFLICT", // status transition not allowed from the record's current status
  "FOREIGN_RECORD", // a record written by Papermark's web app: shown, never changed by us
  "RESULT_ELSEWHERE", // the CSV is not in the record but at a URL (the web app's blob storage)
  "MALFORMED_RECORD", // a Redis record that does not parse as an ExportJob
  "UNAUTHORIZED", // no or unknown token
  "RATE_LIMITED", // this token made too many requests: try again after Retry-After
  "FORBIDDEN", // sender/origin not allowed
  "UNAVAILABLE", // Redis, Postgres or Tinybird cannot be reached
  "TINYBIRD_AUTH", // Tinybird rejected the token (401/403): never retried
  "NO_VIEWS", // the resource has no exportable views
  "CANCELLED", // the export was cancelled by a user
  "TIMEOUT", // the export ran past its time limit
  "RETRIES_EXHAUSTED", // a Tinybird request failed after all its retries
  "INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Errors that a retry cannot fix: the runner fails the job at once instead of retrying. */
export const NON_RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "BAD_INPUT",
  "NOT_FOUND",
  "NO_VIEWS",
  "TINYBIRD_AUTH",
  "FOREIGN_RECORD",
  "MALFORMED_RECORD",
  "CANCELLED",
]);

export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
  }
}

/** The shape errors take when they cross IPC or REST. */
export interface WireError {
  code: ErrorCode;
  message: string;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: "INTERNAL", message };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}
