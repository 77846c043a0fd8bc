import Bottleneck from "bottleneck";
import type { Redis } from "ioredis";
import { AppError } from "../../../shared/errors";
import { parseInput } from "../../../shared/parse-input";
import { DEFAULT_SETTINGS, limiterSettingsSchema, type LimiterSettings } from "../../../shared/settings";
import { SUBSCRIBER_OPTIONS } from "../redis/connection-options";
import { wallClockMs } from "../time/wall-clock";
import { SharedLimits, type SharedLimitValue } from "./shared-limits";
import { StartGate } from "./start-gate";

/** Requests in flight at once, and the minimum ms between two request starts. */
export type RateLimitOptions = LimiterSettings;

export interface RateLimiterOptions extends Partial<RateLimitOptions> {
  /**
   * A Redis connection makes the limiter clustered: every process that uses the same
   * `id` on the same Redis shares one limit.
   */
  redis?: Redis;
  id?: string;
  /** Told whenever the clustered limiter had to be rebuilt. */
  onRecovered?: (reason: string) => void;
  /**
   * How long one request may hold a slot (default 60 s). In a clustered limiter this is also
   * how long the slots of a process that died mid-request stay taken: bottleneck frees a
   * running job's slot only when it completes or expires. Keep it above the request timeout.
   */
  expirationMs?: number;
  /** Told when a server-requested pause is in force for every runner sharing the limit (wall clock ms). */
  onHold?: (hold: { from: number; until: number }) => void;
  /**
   * Clustered only: how often (ms, default 2000) this runner re-reads the limit every runner
   * applies, and what it is told when it adopted another runner's limit.
   */
  limitsRefreshMs?: number;
  onLimitsChanged?: (change: LimitsChange) => void;
}

/** Another runner's limit, now applied here too. */
export type LimitsChange = SharedLimitValue;

export function validateRateLimit(options: Partial<RateLimitOptions>): RateLimitOptions {
  const { maxConcurrent, minTime } = options;
  return parseInput(limiterSettingsSchema, { ...DEFAULT_SETTINGS.limiter, ...(maxConcurrent !== undefined ? { maxConcurrent } : {}), ...(minTime !== undefined ? { minTime } : {}) }, "rate limit");
}

/**
 * bottleneck 2.19.5 recovers from lost keys by matching the exact error texts
 * "SETTINGS_KEY_NOT_FOUND" / "UNKNOWN_CLIENT". Redis 7 prefixes script errors with "ERR ",
 * so after a Redis restart or flush it rejects every job forever. We detect those texts
 * ourselves and rebuild the limiter, whose init script recreates the shared settings.
 */
const LOST_STATE = /(SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT)/;
const REQUEUE = "vec-limiter: requeue on the rebuilt limiter";

/** Every Tinybird request goes through one of these. */
export class RateLimiter {
  private current: RateLimitOptions;
  private limiter: Bottleneck;
  private readonly gate: StartGate;
  private rebuilding: Promise<void> | null = null;
  private stopped = false;
  private readonly shared: SharedLimits | null = null;
  private sharedValue: SharedLimitValue | null = null;
  /** Settles once this runner's limit is published (clustered) and applied. */
  private readonly published: Promise<void>;
  private refreshTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: RateLimiterOptions = {}) {
    this.current = validateRateLimit(options);
    this.limiter = this.build();
    const { redis, id = "tinybird" } = options;
    this.gate = new StartGate(
      () => this.current.minTime,
      redis ? { redis, keys: { nextRelease: `vec-limiter:${id}:next-release`, hold: `vec-limiter:${id}:hold` } } : undefined,
    );
    if (!redis) {
      this.published = Promise.resolve();
      return;
    }
    // Newest start wins: this runner's limit replaces whatever the others were applying.
    // bottleneck keeps its settings in Redis and never updates them on its own.
    const shared = new SharedLimits(redis, `vec-limiter:${id}:limits`);
    this.shared = shared;
    this.published = this.publish(shared).catch(() => undefined); // Redis down: bottleneck's own errors will say so
    this.refreshTimer = setInterval(() => void this.refreshLimits(), options.limitsRefreshMs ?? 2000);
    this.refreshTimer.unref();
  }

  /** The limit this runner applies now (another runner's, when a newer one started). */
  get limits(): RateLimitOptions {
    return this.current;
  }

  private async publish(shared: SharedLimits): Promise<void> {
    this.sharedValue = await shared.publish(this.current);
    await this.limiter.updateSettings(this.current);
  }

  /** Adopts the limit in Redis when another runner published a different one. */
  private async refreshLimits(): Promise<void> {
    if (!this.shared || !this.sharedValue || this.stopped) return;
    try {
      const value = await this.shared.read(this.sharedValue);
      if (!value || this.stopped) return;
      this.sharedValue = value;
      if (value.maxConcurrent === this.current.maxConcurrent && value.minTime === this.current.minTime) return;
      this.current = validateRateLimit(value);
      await this.limiter.updateSettings(this.current);
      this.options.onLimitsChanged?.(value);
    } catch {
      // Redis unreachable or a bad value: keep the limit we have and try again next time.
    }
  }

  get clustered(): boolean {
    return this.options.redis !== undefined;
  }

  private build(): Bottleneck {
    const { redis, id = "tinybird" } = this.options;
    const limiter = new Bottleneck({
      ...this.current,
      ...(redis
        ? {
            id: `vec-limiter:${id}`,
            datastore: "ioredis",
            clearDatastore: false,
            // Its own connection: disconnecting the limiter closes it.
            connection: new Bottleneck.IORedisConnection({ client: redis.duplicate(SUBSCRIBER_OPTIONS) }),
            // A crashed process's reservations are released after this long.
            clientTimeout: 30_000,
            timeout: undefined,
          }
        : {}),
    });
    // Errors of scheduled jobs reach callers through schedule(). Errors of bottleneck's own
    // background calls (heartbeat, free) come here: lost keys show up here first when every
    // request is waiting for capacity and none is registering.
    limiter.on("error", (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (this.clustered && LOST_STATE.test(message)) void this.rebuild(limiter, message);
    });
    return limiter;
  }

  /**
   * Runs `task` under the limit; it receives the time (wall clock, ms) it was released. The
   * start gate checks spacing and any hold right before the release, so held requests still
   * leave minTime apart and none leaves inside a hold.
   */
  async schedule<T>(task: (releasedAt: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new AppError("UNAVAILABLE", "the rate limiter was stopped");
      await this.published;
      const limiter = this.limiter;
      try {
        return await limiter.schedule({ expiration: this.options.expirationMs ?? 60_000 }, async () => task(await this.gate.pass(signal)));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // Dropped from a limiter that was rebuilt while the request waited: queue it again.
        if (message === REQUEUE) continue;
        if (!this.clustered || !LOST_STATE.test(message) || attempt >= 3) throw error;
        await this.rebuild(limiter, message);
      }
    }
  }

  /**
   * A pause the server asked for (Retry-After): no request of any runner sharing this limit
   * is released for `ms` from now. Resolves once the hold is in force everywhere.
   */
  async holdFor(ms: number): Promise<void> {
    const until = wallClockMs() + ms;
    await this.gate.hold(until);
    this.options.onHold?.({ from: wallClockMs(), until });
  }

  private rebuild(broken: Bottleneck, reason: string): Promise<void> {
    if (this.limiter !== broken) return this.rebuilding ?? Promise.resolve();
    this.limiter = this.build();
    this.rebuilding = (async () => {
      // Requests still waiting in the broken limiter are handed to the new one.
      await settle(broken.stop({ dropWaitingJobs: true, dropErrorMessage: REQUEUE }));
      await settle(broken.disconnect(false));
      await this.limiter.ready();
      this.options.onRecovered?.(reason);
    })().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await settle(this.limiter.disconnect(false));
  }
}

/** bottleneck's disconnect() returns a promise or nothing, and may reject: either way, done. */
async function settle(result: unknown): Promise<void> {
  try {
    await result;
  } catch {
    // a connection that is already gone is disconnected enough
  }
}
