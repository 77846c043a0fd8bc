import { isErrorCode, type ErrorCode } from "../../../shared/errors";

/**
 * An error as the renderer sees it: the contract's `{ code, message }`, whatever the
 * transport. `network` marks failures to reach the server at all (browser mode), as
 * opposed to the server answering that Redis or another service is unreachable.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly network: boolean;
  /** RESULT_ELSEWHERE: where the CSV is. */
  readonly location?: string;

  constructor(code: ErrorCode, message: string, options: { network?: boolean; location?: string } = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.network = options.network ?? false;
    if (options.location !== undefined) this.location = options.location;
  }
}

/** Any thrown value as an ApiError (unknown failures become INTERNAL). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    const { code, message } = error as { code: unknown; message: unknown };
    if (isErrorCode(code) && typeof message === "string") return new ApiError(code, message);
  }
  return new ApiError("INTERNAL", error instanceof Error ? error.message : String(error));
}
