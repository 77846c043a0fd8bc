export interface RetryPolicy {
  /** Retries after the first try (default 5). */
  maxRetries: number;
  /** First backoff step in ms (default 250); doubles each retry. */
  baseDelayMs: number;
  /** Upper bound of one wait in ms (default 20 s), also for server-given waits. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 5, baseDelayMs: 250, maxDelayMs: 20_000 };

/** Statuses worth another try: rate limited, or the server's fault. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * How long the server asked us to wait, in ms: `Retry-After` (seconds or an HTTP date), else
 * `X-RateLimit-Reset` (seconds until the window resets; an epoch in seconds is accepted
 * too). Null when neither says anything usable.
 */
export function serverRequestedDelay(headers: Headers, nowMs = Date.now()): number | null {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    // Only a date with a weekday or month name: Date.parse alone reads "-3" as a year.
    const date = /[a-z]/i.test(retryAfter) ? Date.parse(retryAfter) : NaN;
    if (Number.isFinite(date)) return Math.max(0, date - nowMs);
  }
  const reset = headers.get("x-ratelimit-reset")?.trim();
  if (reset) {
    const value = Number(reset);
    if (Number.isFinite(value) && value >= 0) {
      // Larger than a day in seconds: an absolute epoch time.
      return value > 86_400 ? Math.max(0, value * 1000 - nowMs) : value * 1000;
    }
  }
  return null;
}

/** Exponential backoff with equal jitter (half the delay fixed, half random), bounded. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
