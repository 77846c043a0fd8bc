import type { Redis } from "ioredis";

/** Days a day's counter is kept after its last increment. */
const KEEP_DAYS = 8;

/** The UTC day of `ms`, YYYY-MM-DD. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Tinybird calls sent by every runner on one Redis, per UTC day: `tinybird_calls:<day>`,
 * incremented for every request that leaves, kept 8 days.
 */
export class TinybirdCallCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = "",
    private readonly now: () => number = Date.now,
  ) {}

  private key(day: string): string {
    return `${this.prefix}tinybird_calls:${day}`;
  }

  /** One request left. Never waits for Redis or fails the request: the count is best effort. */
  record(): void {
    const key = this.key(utcDay(this.now()));
    this.redis
      .multi()
      .incr(key)
      .expire(key, KEEP_DAYS * 24 * 3600)
      .exec()
      .catch(() => undefined);
  }

  async today(): Promise<{ day: string; calls: number }> {
    const day = utcDay(this.now());
    return { day, calls: Number((await this.redis.get(this.key(day))) ?? 0) };
  }
}
