/**
 * Fair use of the REST API: each token may make `requests` requests per `perMs`, refilled
 * continuously (a token bucket, so a burst of up to `requests` is fine). Kept per server
 * process: every `serve` process limits on its own.
 */
export interface RequestLimit {
  requests: number;
  perMs: number;
}

/** 5 a second on average with bursts of 300: far above what a console needs (two requests every 3 s, plus actions). */
export const DEFAULT_REQUEST_LIMIT: RequestLimit = { requests: 300, perMs: 60_000 };

export class RequestLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMsRate: number;

  constructor(
    private readonly limit: RequestLimit = DEFAULT_REQUEST_LIMIT,
    private readonly now: () => number = Date.now,
  ) {
    this.perMsRate = limit.requests / limit.perMs;
  }

  /** Takes one request for `key`: 0 when it may go, else the ms until it may. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.requests, at: now };
    bucket.tokens = Math.min(this.limit.requests, bucket.tokens + (now - bucket.at) * this.perMsRate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.perMsRate);
  }
}
